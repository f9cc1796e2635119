/**
 * build/electron-builder.config.ts against electron-builder's own schema
 * validation and loader (both run offline), and the properties the packaging
 * issue asks for: ids, link scheme, fuses, native addon, targets, update
 * feed, signing settings, and no secret in the configuration.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateConfiguration, getConfig } from 'app-builder-lib/out/util/config/config.js';
import { Arch, DebugLogger, getArtifactArchName } from 'builder-util';
import type { AppInfo } from 'app-builder-lib';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import type { Configuration, TargetConfiguration } from 'electron-builder';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import defaultConfig, {
  APP_ID,
  builderConfig,
  CLI_SCRIPT,
  CLI_WRAPPERS,
  ENTITLEMENTS_FILE,
  ICONS,
  LINK_SCHEME,
  NSIS_INCLUDE_FILE,
  PRODUCT_NAME,
  UPDATE_URL_PLACEHOLDER,
  updateFeed,
} from '../../build/electron-builder.config';
import { ELECTRON_FUSES } from '../../build/fuses';
import { SECRET_ENV_NAMES, type Env } from '../../build/signing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const WIN_CERT: Env = { WIN_CSC_LINK: 'fake-pfx-base64-WINCSC', WIN_CSC_KEY_PASSWORD: 'fake-win-password-7f3a' };
const AZURE: Env = {
  CLINIC_DESK_AZURE_ENDPOINT: 'https://weu.codesigning.azure.net',
  CLINIC_DESK_AZURE_ACCOUNT: 'clinicdesk',
  CLINIC_DESK_AZURE_PROFILE: 'public-trust',
  CLINIC_DESK_AZURE_PUBLISHER_NAME: 'Clinic Desk Ltd',
  AZURE_TENANT_ID: 'fake-tenant-0c1d',
  AZURE_CLIENT_ID: 'fake-client-9e8f',
  AZURE_CLIENT_SECRET: 'fake-azure-secret-b2c4',
};
const APPLE: Env = {
  CSC_LINK: 'fake-p12-base64-APPLECSC',
  CSC_KEY_PASSWORD: 'fake-p12-password-41d2',
  APPLE_API_KEY: '/fake/AuthKey_FAKEKEY.p8',
  APPLE_API_KEY_ID: 'FAKEKEYID',
  APPLE_API_ISSUER: 'fake-issuer-77aa',
  APPLE_ID: 'fake-release@clinic.example',
  APPLE_APP_SPECIFIC_PASSWORD: 'fake-asp-aaaa-bbbb',
  APPLE_TEAM_ID: 'FAKETEAM01',
};
const VARIANTS: Record<string, Env> = {
  'no credentials': {},
  'Windows certificate': WIN_CERT,
  'Azure Trusted Signing': AZURE,
  'Apple Developer ID and notarization': APPLE,
  'everything, with an update URL and signing required': {
    ...WIN_CERT,
    ...AZURE,
    ...APPLE,
    CLINIC_DESK_UPDATE_URL: 'https://updates.clinic.example/desk',
    CLINIC_DESK_REQUIRE_SIGNING: '1',
  },
};

/** electron-builder's validation coerces types in place: give it a copy. */
async function validate(config: Configuration): Promise<void> {
  await validateConfiguration(structuredClone(config), new DebugLogger(false));
}

function targetsOf(platform: Configuration['win'] | Configuration['mac'] | Configuration['linux']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const list = platform?.target;
  for (const entry of Array.isArray(list) ? list : list == null ? [] : [list]) {
    const { target, arch } = typeof entry === 'string' ? ({ target: entry } as TargetConfiguration) : entry;
    out[target] = arch === undefined ? [] : Array.isArray(arch) ? arch.map(String) : [String(arch)];
  }
  return out;
}

/** Every string in the config that names a file of the repository's build/ folder. */
function buildPaths(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && value.startsWith('build/')) found.push(value);
  else if (Array.isArray(value)) for (const item of value) buildPaths(item, found);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) buildPaths(item, found);
  return found;
}

describe("electron-builder's own validation", () => {
  for (const [name, env] of Object.entries(VARIANTS)) {
    it(`accepts the configuration: ${name}`, async () => {
      await expect(validate(builderConfig(env))).resolves.toBeUndefined();
    });
  }

  it('rejects a misspelt option (so the checks above can fail)', async () => {
    const config = builderConfig({});
    const broken = { ...config, win: { ...config.win, signtoolOption: { publisherName: 'x' } } } as Configuration;
    await expect(validate(broken)).rejects.toThrow(/does not match the API schema[\s\S]*configuration\.win\b/);
  });

  it('rejects a value of the wrong type', async () => {
    const config = builderConfig({});
    const broken = { ...config, nsis: { ...config.nsis, perMachine: 'sometimes' } } as unknown as Configuration;
    await expect(validate(broken)).rejects.toThrow(/perMachine/);
  });

  it("loads build/electron-builder.config.ts through electron-builder's config loader (the CLI's --config path)", async () => {
    const loaded = await getConfig(ROOT, 'build/electron-builder.config.ts', null);
    expect(loaded.appId).toBe(APP_ID);
    expect(loaded.electronFuses).toEqual(builderConfig(process.env).electronFuses);
    expect(defaultConfig()).toEqual(builderConfig(process.env));
  });
});

describe('identity, link scheme, files', () => {
  const config = builderConfig({});

  it('app id, product name, clinicdesk:// registered, no file associations', () => {
    expect(config.appId).toBe('org.clinicdesk.desk');
    expect(config.productName).toBe('Clinic Desk');
    expect(PRODUCT_NAME).toBe(config.productName);
    expect(config.protocols).toEqual([expect.objectContaining({ schemes: ['clinicdesk'] })]);
    expect(LINK_SCHEME).toBe('clinicdesk');
    expect(config.fileAssociations).toEqual([]);
    for (const platform of [config.win, config.mac, config.linux]) expect(platform?.fileAssociations).toBeUndefined();
  });

  it('every build/ file the configuration names exists', () => {
    const paths = buildPaths(config);
    expect(paths).toEqual(expect.arrayContaining([ICONS.win, ICONS.mac, ICONS.linux, ENTITLEMENTS_FILE, NSIS_INCLUDE_FILE]));
    for (const path of paths) expect(existsSync(`${ROOT}${path}`), path).toBe(true);
  });

  it('packages the electron-vite output and nothing else of the repository', () => {
    const patterns = [config.files].flat().filter((p): p is string => typeof p === 'string');
    const packaged = (file: string) => {
      const included = patterns.filter((p) => !p.startsWith('!')).some((p) => minimatch(file, p, { dot: true }));
      const excluded = patterns.filter((p) => p.startsWith('!')).some((p) => minimatch(file, p.slice(1), { dot: true }));
      return included && !excluded;
    };
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { main: string };
    const main = pkg.main.replace(/^\.\//, '');
    expect(main).toBe('out/main/index.js');
    // Built by electron-vite from these sources (electron.vite.config.ts), so check the sources exist.
    for (const source of ['src/main/index.ts', 'src/preload/index.ts', 'src/renderer/index.html']) expect(existsSync(`${ROOT}${source}`), source).toBe(true);
    for (const file of [main, 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index.js']) expect(packaged(file), file).toBe(true);
    for (const file of ['src/main/index.ts', 'tests/build/signing.test.ts', 'build/signing.ts', 'bench/run.ts', 'docs/packaging.md', '.env']) {
      expect(packaged(file), file).toBe(false);
    }
  });

  it("macOS alerts are of the style that shows buttons (a doctor's Call in)", () => {
    expect(config.mac?.extendInfo).toMatchObject({ NSUserNotificationAlertStyle: 'alert' });
  });

  it("the icons are the formats each platform's packager takes as is (no conversion, no download)", () => {
    expect(config.win?.icon).toMatch(/\.ico$/);
    expect(config.mac?.icon).toMatch(/\.icns$/);
    expect(config.linux?.icon).toMatch(/\.png$/);
    const png = readFileSync(`${ROOT}${ICONS.linux}`);
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
  });
});

describe('fuses and the native addon', () => {
  it('electronFuses are ELECTRON_FUSES, re-sealing the ad-hoc Mac signature only when nothing signs the Mac app', () => {
    expect(builderConfig({}).electronFuses).toEqual({ ...ELECTRON_FUSES, resetAdHocDarwinSignature: true });
    expect(builderConfig(APPLE).electronFuses).toEqual({ ...ELECTRON_FUSES, resetAdHocDarwinSignature: false });
  });

  it('ASAR on, better-sqlite3 unpacked from it, rebuilt for Electron', () => {
    const config = builderConfig({});
    expect(config.asar).toBe(true);
    const unpack = [config.asarUnpack].flat().filter((p): p is string => typeof p === 'string');
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    expect(existsSync(`${ROOT}${addon}`)).toBe(true);
    expect(unpack.some((pattern) => minimatch(addon, pattern, { dot: true }))).toBe(true);
    expect(unpack.some((pattern) => minimatch('out/main/index.js', pattern, { dot: true }))).toBe(false);
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });
});

describe('the command line of the installed app', () => {
  const config = builderConfig({});
  const patterns = [config.files].flat().filter((p): p is string => typeof p === 'string');
  const packaged = (file: string) =>
    patterns.filter((p) => !p.startsWith('!')).some((p) => minimatch(file, p, { dot: true })) &&
    !patterns.filter((p) => p.startsWith('!')).some((p) => minimatch(file, p.slice(1), { dot: true }));

  it('ships out/main/cli.js in app.asar (and its chunks: everything in out/main), never unpacked', () => {
    expect(CLI_SCRIPT).toBe('out/main/cli.js');
    for (const file of [CLI_SCRIPT, 'out/main/watch-abc123.js']) expect(packaged(file), file).toBe(true);
    expect(config.asar).toBe(true);
    expect([config.asarUnpack].flat().some((pattern) => typeof pattern === 'string' && minimatch(CLI_SCRIPT, pattern, { dot: true }))).toBe(false);
  });

  it('ships the wrapper for each OS in resources/bin: clinic-desk.cmd on Windows, the shell script on macOS and Linux', () => {
    expect(config.win?.extraResources).toEqual([{ from: 'build/bin/clinic-desk.cmd', to: 'bin/clinic-desk.cmd' }]);
    expect(config.mac?.extraResources).toEqual([{ from: 'build/bin/clinic-desk', to: 'bin/clinic-desk' }]);
    expect(config.linux?.extraResources).toEqual([{ from: 'build/bin/clinic-desk', to: 'bin/clinic-desk' }]);
    // Only per platform: the top level would give every OS both.
    expect(config.extraResources).toBeUndefined();
    expect(config.extraFiles).toBeUndefined();
  });

  it("each wrapper runs its OS's app binary as Node on cli.js inside app.asar, with the user's arguments", () => {
    const cmd = readFileSync(`${ROOT}${CLI_WRAPPERS.win.from}`, 'utf8');
    // resources\bin\clinic-desk.cmd → the install folder's "Clinic Desk.exe".
    expect(cmd).toContain(`"%~dp0..\\..\\${PRODUCT_NAME}.exe" "%~dp0..\\app.asar\\${CLI_SCRIPT.split('/').join('\\')}" %*`);
    expect(cmd).toMatch(/^set ELECTRON_RUN_AS_NODE=1\r$/m);
    expect(cmd).toMatch(/exit \/b %ERRORLEVEL%\r\n$/);
    // cmd.exe reads a batch file by CRLF lines (.gitattributes keeps them).
    expect(cmd.split('\r\n').every((line) => !line.includes('\n'))).toBe(true);

    const sh = readFileSync(`${ROOT}${CLI_WRAPPERS.posix.from}`, 'utf8');
    expect(sh.startsWith('#!/bin/sh\n')).toBe(true);
    expect(sh).not.toContain('\r');
    expect(sh).toContain(`app="$resources/../MacOS/${PRODUCT_NAME}"`);
    expect(sh).toContain(`app="$resources/../${config.linux?.executableName ?? ''}"`);
    expect(sh).toContain(`ELECTRON_RUN_AS_NODE=1 exec "$app" "$resources/app.asar/${CLI_SCRIPT}" "$@"`);
    expect(statSync(`${ROOT}${CLI_WRAPPERS.posix.from}`).mode & 0o111).not.toBe(0);
  });
});

describe('targets', () => {
  const config = builderConfig({});

  it('Windows: NSIS (per user or per machine, chosen at install) and a per-machine MSI, x64', () => {
    expect(targetsOf(config.win)).toEqual({ nsis: ['x64'], msi: ['x64'] });
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false });
  });

  it('macOS: dmg and zip for Intel and Apple silicon, hardened runtime with our entitlements', () => {
    expect(targetsOf(config.mac)).toEqual({ dmg: ['x64', 'arm64'], zip: ['x64', 'arm64'] });
    expect(config.mac).toMatchObject({ hardenedRuntime: true, entitlements: ENTITLEMENTS_FILE, entitlementsInherit: ENTITLEMENTS_FILE });
    // electron-updater tells the Mac builds apart by "arm64" in the file name.
    expect(config.mac?.artifactName).toContain('${arch}');
    expect(config.dmg?.artifactName).toContain('${arch}');
  });

  it('Linux: AppImage, deb and rpm, x64', () => {
    expect(targetsOf(config.linux)).toEqual({ AppImage: ['x64'], deb: ['x64'], rpm: ['x64'] });
    expect(config.linux?.maintainer).toMatch(/^.+ <.+@.+>$/);
  });

  it("artifact names, expanded by electron-builder's own macro expander, are the ones docs/admin-guide.md quotes", () => {
    const appInfo = { version: '1.4.2', name: 'clinic-desk', productName: PRODUCT_NAME, sanitizedProductName: PRODUCT_NAME } as unknown as AppInfo;
    const expand = (pattern: string | null | undefined, ext: string, arch: Arch | null) =>
      expandMacro(pattern ?? '', arch === null ? null : getArtifactArchName(arch, ext), appInfo, { ext });
    expect(expand(config.nsis?.artifactName, 'exe', Arch.x64)).toBe('Clinic-Desk-Setup-1.4.2.exe');
    expect(expand(config.msi?.artifactName, 'msi', Arch.x64)).toBe('Clinic-Desk-1.4.2.msi');
    expect(expand(config.dmg?.artifactName, 'dmg', Arch.arm64)).toBe('Clinic-Desk-1.4.2-arm64.dmg');
    expect(expand(config.mac?.artifactName, 'zip', Arch.x64)).toBe('Clinic-Desk-1.4.2-x64-mac.zip');
    expect(expand(config.linux?.artifactName, 'AppImage', Arch.x64)).toBe('Clinic-Desk-1.4.2-x86_64.AppImage');
    expect(expand(config.deb?.artifactName, 'deb', Arch.x64)).toBe('clinic-desk_1.4.2_amd64.deb');
    expect(expand(config.rpm?.artifactName, 'rpm', Arch.x64)).toBe('clinic-desk-1.4.2.x86_64.rpm');
  });

  it('artifact names have no spaces (they go into silent-install commands and URLs)', () => {
    const names = [config.artifactName, config.nsis?.artifactName, config.msi?.artifactName, config.mac?.artifactName, config.dmg?.artifactName, config.linux?.artifactName, config.deb?.artifactName, config.rpm?.artifactName];
    for (const name of names) expect(name).toMatch(/^[^ ]+\$\{ext\}$/);
  });
});

describe('updates', () => {
  it('generic provider at the placeholder when CLINIC_DESK_UPDATE_URL is unset, with beta channel files', () => {
    const config = builderConfig({});
    expect(config.publish).toEqual([{ provider: 'generic', url: UPDATE_URL_PLACEHOLDER }]);
    expect(new URL(UPDATE_URL_PLACEHOLDER).hostname.endsWith('.invalid')).toBe(true);
    expect(config.generateUpdatesFilesForAllChannels).toBe(true);
    expect(config.detectUpdateChannel).toBe(true);
    expect(config.win?.verifyUpdateCodeSignature).toBe(true);
    expect(updateFeed({}).placeholder).toBe(true);
  });

  it('CLINIC_DESK_UPDATE_URL, normalised to a folder', () => {
    expect(builderConfig({ CLINIC_DESK_UPDATE_URL: 'https://updates.clinic.example/desk' }).publish).toEqual([
      { provider: 'generic', url: 'https://updates.clinic.example/desk/' },
    ]);
    expect(updateFeed({ CLINIC_DESK_UPDATE_URL: 'http://127.0.0.1:8080/' })).toMatchObject({ url: 'http://127.0.0.1:8080/', placeholder: false });
  });

  it('refuses a feed URL that would be unsafe to bake into every installer', () => {
    for (const bad of ['not a url', 'http://updates.clinic.example/', 'https://user:pw@updates.clinic.example/', 'https://updates.clinic.example/?token=abc', 'ftp://updates.clinic.example/']) {
      expect(() => builderConfig({ CLINIC_DESK_UPDATE_URL: bad }), bad).toThrow(/CLINIC_DESK_UPDATE_URL/);
    }
  });
});

describe('signing settings and secrets', () => {
  it('no secret value from the environment ever lands in the configuration', () => {
    const env: Env = { ...VARIANTS['everything, with an update URL and signing required'] };
    const secrets: Record<string, string> = {};
    for (const name of SECRET_ENV_NAMES) secrets[name] = env[name] ?? `fake-${name.toLowerCase()}-c0ffee`;
    const config = builderConfig({ ...env, ...secrets });
    const json = JSON.stringify(config);
    for (const [name, value] of Object.entries(secrets)) expect(json.includes(value), name).toBe(false);
    for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER', 'APPLE_ID', 'APPLE_TEAM_ID']) {
      expect(json.includes(env[name] ?? '<unset>'), name).toBe(false);
    }
    // What electron-builder needs in the config for Azure is there: the account and profile names, not the login.
    expect(json).toContain('clinicdesk');
    expect(json).toContain('public-trust');
  });

  it('Azure settings go to win.azureSignOptions; otherwise signtool options, SHA-256 only', () => {
    expect(builderConfig(AZURE).win).toMatchObject({
      azureSignOptions: {
        endpoint: 'https://weu.codesigning.azure.net',
        codeSigningAccountName: 'clinicdesk',
        certificateProfileName: 'public-trust',
        publisherName: 'Clinic Desk Ltd',
      },
    });
    expect(builderConfig(AZURE).win?.signtoolOptions).toBeUndefined();
    expect(builderConfig(WIN_CERT).win).toMatchObject({ signtoolOptions: { signingHashAlgorithms: ['sha256'] }, signExts: ['.node'] });
    expect(builderConfig(WIN_CERT).win?.azureSignOptions).toBeUndefined();
    expect(builderConfig({ ...WIN_CERT, CLINIC_DESK_WIN_PUBLISHER_NAME: 'Clinic Desk Ltd' }).win?.signtoolOptions?.publisherName).toBe('Clinic Desk Ltd');
  });

  it('an unsigned Mac build skips signing explicitly; a signed one leaves the identity to CSC_LINK / CSC_NAME', () => {
    expect(builderConfig({}).mac?.identity).toBeNull();
    expect(builderConfig(APPLE).mac).not.toHaveProperty('identity');
  });

  it('CLINIC_DESK_REQUIRE_SIGNING also sets forceCodeSigning', () => {
    expect(builderConfig({}).forceCodeSigning).toBe(false);
    expect(builderConfig({ CLINIC_DESK_REQUIRE_SIGNING: 'yes' }).forceCodeSigning).toBe(true);
  });
});
