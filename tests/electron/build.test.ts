/**
 * Packaging inputs that live in build/: the Electron fuses, as electron-builder
 * writes them into the app binary from the configuration the build uses, and
 * the generated application icon.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flipFuses, FuseV1Options, getCurrentFuseWire, type FuseConfig } from '@electron/fuses';
import { PlatformPackager } from 'app-builder-lib';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'electron-builder';
import { afterEach, describe, expect, it } from 'vitest';
import { builderConfig } from '../../build/electron-builder.config';
import { APP_ICON_FILE, appIconPng } from '../../build/icons';
import type { Env } from '../../build/signing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What every packaged Clinic Desk must have, written out here (not read from build/fuses.ts). */
const SECURE_FUSES: Record<keyof typeof FuseV1Options, boolean> = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};
const FUSE_NAMES = Object.keys(SECURE_FUSES) as Array<keyof typeof FuseV1Options>;

// @electron/fuses' marker in the Electron binary and its states ('0', '1'): the wire follows the
// sentinel as [version, length, state…].
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 0x31;
const DISABLE = 0x30;

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in Electron binary whose fuse wire starts with every fuse the opposite of what it must become. */
function standInBinary(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-fuses-'));
  temps.push(dir);
  const wire = FUSE_NAMES.map((name) => (SECURE_FUSES[name] ? DISABLE : ENABLE));
  const file = join(dir, 'clinic-desk');
  writeFileSync(file, Buffer.concat([Buffer.from('ELF…'), Buffer.from(SENTINEL, 'ascii'), Buffer.from([1, wire.length, ...wire]), Buffer.from('…rest')]));
  return file;
}

/** The fuses electron-builder flips into the packaged binary for this configuration: its own translation, then @electron/fuses. */
async function packagedFuses(config: Configuration): Promise<Record<string, boolean | 'unset'>> {
  const fuses = config.electronFuses;
  if (fuses == null) throw new Error('the configuration has no electronFuses: electron-builder would leave every fuse as Electron ships it');
  // PlatformPackager.doAddElectronFuses: generateFuseConfig(config.electronFuses), then flipFuses on the app binary.
  const packager = PlatformPackager.prototype as unknown as { generateFuseConfig(f: typeof fuses): Promise<FuseConfig> };
  const binary = standInBinary();
  await flipFuses(binary, await packager.generateFuseConfig(fuses));
  const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
  return Object.fromEntries(FUSE_NAMES.map((name) => {
    const state = wire[FuseV1Options[name]];
    return [name, state === ENABLE ? true : state === DISABLE ? false : 'unset'];
  }));
}

describe('Electron fuses, as packaged', () => {
  // build/dist.ts packages with builderConfig(process.env); the signing credentials are what varies between builds.
  const variants: Record<string, Env> = {
    'no credentials': {},
    'Apple Developer ID': { CSC_LINK: 'fake-p12', CSC_KEY_PASSWORD: 'fake', APPLE_API_KEY: '/fake/AuthKey.p8', APPLE_API_KEY_ID: 'K', APPLE_API_ISSUER: 'I' },
    'Windows certificate': { WIN_CSC_LINK: 'fake-pfx', WIN_CSC_KEY_PASSWORD: 'fake' },
  };

  it.each(Object.keys(variants))('build/dist.ts configuration (%s): RunAsNode off, cookie encryption on, ASAR integrity on, only load from ASAR, no Node options or inspector, no file:// privileges', async (variant) => {
    expect(await packagedFuses(builderConfig(variants[variant]))).toEqual(SECURE_FUSES);
  });

  it("the configuration electron-builder's CLI loads (--config build/electron-builder.config.ts) flips the same fuses", async () => {
    const loaded = await getConfig(ROOT, 'build/electron-builder.config.ts', null);
    expect(await packagedFuses(loaded)).toEqual(SECURE_FUSES);
  });

  it('can fail: a configuration that leaves a fuse as Electron ships it is seen', async () => {
    const config = builderConfig({});
    const { runAsNode: _left, ...rest } = config.electronFuses ?? {};
    expect((await packagedFuses({ ...config, electronFuses: rest })).RunAsNode).toBe(true);
  });
});

describe('the application icon', () => {
  it('build/icon.png is what build/icons.ts draws (regenerate: node bin/run-ts.mjs build/icons.ts)', () => {
    const png = readFileSync(APP_ICON_FILE);
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.equals(appIconPng())).toBe(true);
  });
});
