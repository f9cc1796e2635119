/**
 * build/dist.ts, the parts that run without packaging: arguments, the native
 * addons put back after electron-builder rebuilt them for Electron, and the
 * build summary (which carries the unsigned banner).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { updateFeed } from '../../build/electron-builder.config';
import { buildSummary, describeArtifacts, hostPlatform, isUpdateFeedFile, nativeAddonFiles, parseArgs, restoringFiles, ROOT } from '../../build/dist';
import { signingBanner, signingPlan } from '../../build/signing';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-dist-test-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('arguments and platform', () => {
  it('--dir and --skip-vite; anything else is refused', () => {
    expect(parseArgs([])).toEqual({ dir: false, skipVite: false });
    expect(parseArgs(['--dir', '--skip-vite'])).toEqual({ dir: true, skipVite: true });
    expect(() => parseArgs(['--publish'])).toThrow(/unknown argument --publish/);
  });

  it('packages on Windows, macOS and Linux only', () => {
    expect(hostPlatform('win32')).toBe('win32');
    expect(hostPlatform('darwin')).toBe('darwin');
    expect(hostPlatform('linux')).toBe('linux');
    expect(() => hostPlatform('freebsd')).toThrow(/cannot package on freebsd/);
  });
});

describe('native addons', () => {
  it("finds better-sqlite3's compiled addon in this repository", () => {
    expect(nativeAddonFiles(ROOT)).toContain(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
  });

  it('finds addons of plain and scoped packages, nothing else', () => {
    const root = tempDir();
    const plain = join(root, 'node_modules', 'plain', 'build', 'Release');
    const scoped = join(root, 'node_modules', '@scope', 'pkg', 'build', 'Release');
    mkdirSync(plain, { recursive: true });
    mkdirSync(scoped, { recursive: true });
    writeFileSync(join(plain, 'a.node'), 'a');
    writeFileSync(join(plain, 'a.o'), 'not an addon');
    writeFileSync(join(scoped, 'b.node'), 'b');
    expect(nativeAddonFiles(root).sort()).toEqual([join(scoped, 'b.node'), join(plain, 'a.node')].sort());
  });

  it('puts back addons the task changed or deleted (with their folder), leaves the others alone, also on failure', async () => {
    const root = tempDir();
    const changed = join(root, 'changed', 'Release', 'x.node');
    const deleted = join(root, 'deleted', 'Release', 'y.node');
    const untouched = join(root, 'untouched.node');
    for (const [file, text] of [[changed, 'node-abi-x'], [deleted, 'node-abi-y'], [untouched, 'node-abi-z']] as const) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
    }
    const log: string[] = [];
    await expect(
      restoringFiles(
        [changed, deleted, untouched],
        async () => {
          writeFileSync(changed, 'electron-abi-x');
          rmSync(join(root, 'deleted'), { recursive: true });
          throw new Error('rebuild failed');
        },
        (line) => log.push(line),
      ),
    ).rejects.toThrow('rebuild failed');
    expect(readFileSync(changed, 'utf8')).toBe('node-abi-x');
    expect(readFileSync(deleted, 'utf8')).toBe('node-abi-y');
    expect(readFileSync(untouched, 'utf8')).toBe('node-abi-z');
    expect(log).toHaveLength(2);
  });

  it("returns the task's result", async () => {
    await expect(restoringFiles([], async () => ['dist/a.AppImage'])).resolves.toEqual(['dist/a.AppImage']);
  });
});

describe('artifacts and the summary', () => {
  it('update feed files are the channel files and blockmaps', () => {
    for (const file of ['latest.yml', 'beta.yml', 'alpha.yml', 'latest-mac.yml', 'beta-mac.yml', 'latest-linux.yml', 'latest-linux-arm64.yml', 'Clinic-Desk-Setup-1.2.0.exe.blockmap']) {
      expect(isUpdateFeedFile(file), file).toBe(true);
    }
    for (const file of ['Clinic-Desk-Setup-1.2.0.exe', 'Clinic-Desk-1.2.0.msi', 'builder-debug.yml', 'builder-effective-config.yaml', 'clinic-desk_1.2.0_amd64.deb']) {
      expect(isUpdateFeedFile(file), file).toBe(false);
    }
  });

  it('describes each artifact once, relative to dist/, with its size and SHA-256', () => {
    const out = tempDir();
    writeFileSync(join(out, 'latest.yml'), 'version: 1.2.0\n');
    mkdirSync(join(out, 'sub'));
    writeFileSync(join(out, 'sub', 'a.deb'), 'deb!');
    const artifacts = describeArtifacts([join(out, 'sub', 'a.deb'), join(out, 'latest.yml'), join(out, 'latest.yml'), join(out, 'gone.exe'), out], out);
    expect(artifacts).toEqual([
      { file: 'latest.yml', bytes: 15, sha256: createHash('sha256').update('version: 1.2.0\n').digest('hex') },
      { file: 'sub/a.deb', bytes: 4, sha256: createHash('sha256').update('deb!').digest('hex') },
    ]);
  });

  it('an unsigned build writes the banner into the summary, with the artifacts and where to upload them', () => {
    const plan = signingPlan({}, 'win32');
    const summary = buildSummary({
      version: '1.2.0',
      platform: 'win32',
      dir: false,
      plan,
      feed: updateFeed({}),
      artifacts: [
        { file: 'Clinic-Desk-Setup-1.2.0.exe', bytes: 10, sha256: 'a'.repeat(64) },
        { file: 'latest.yml', bytes: 2, sha256: 'b'.repeat(64) },
      ],
      date: new Date('2026-01-02T03:04:05Z'),
    });
    expect(summary).toContain(signingBanner(plan)!);
    expect(summary).toContain('UNSIGNED BUILD');
    expect(summary).toContain('Windows: NOTHING is signed.');
    expect(summary).toContain('PLACEHOLDER');
    expect(summary).toMatch(/\| Clinic-Desk-Setup-1\.2\.0\.exe \| 10 \| `a{64}` \| {2}\|/);
    expect(summary).toMatch(/\| latest\.yml \| 2 \| `b{64}` \| yes \|/);
    expect(summary).toContain('`1.2.0/`');
  });

  it('a signed build has no banner; an unpacked one no upload line', () => {
    const summary = buildSummary({
      version: '1.2.0',
      platform: 'darwin',
      dir: true,
      plan: signingPlan({ CSC_LINK: 'x', CSC_KEY_PASSWORD: 'y', APPLE_API_KEY: 'k', APPLE_API_KEY_ID: 'i', APPLE_API_ISSUER: 's' }, 'darwin'),
      feed: updateFeed({ CLINIC_DESK_UPDATE_URL: 'https://updates.clinic.example/desk/' }),
      artifacts: [],
      date: new Date('2026-01-02T03:04:05Z'),
    });
    expect(summary).not.toContain('#####');
    expect(summary).toContain('notarized with an App Store Connect API key');
    expect(summary).toContain('`https://updates.clinic.example/desk/`');
    expect(summary).not.toContain('Upload every file');
    expect(existsSync(join(ROOT, 'build', 'dist.ts'))).toBe(true);
  });
});
