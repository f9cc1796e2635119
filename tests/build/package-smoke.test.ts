/**
 * A real electron-builder run, offline: the Linux `dir` target of this
 * repository's configuration, with a stand-in Electron distribution (a shell
 * script named `electron`), no native rebuild and no fuses (both need the
 * real Electron: headers to compile against, a binary to flip). What it
 * shows: the app is packed into app.asar with the electron-vite bundles and
 * production dependencies, better-sqlite3's addon lands in app.asar.unpacked,
 * and nothing of the repository beyond out/ is packaged.
 *
 * And the installed command line: the wrapper lands in resources/bin and runs
 * the app binary with ELECTRON_RUN_AS_NODE=1 on out/main/cli.js inside
 * app.asar. The stand-in binary plays Electron as Node: with that variable it
 * runs Node on the script, reading app.asar from a copy extracted beside it
 * (Electron reads inside the archive itself). So `clinic-desk --version`,
 * `doctor --policy` and `doctor` against a demo clinic run from what was
 * packaged, with only the production dependencies and no tsx. (With the
 * runAsNode fuse off, as packaged, Electron starts the app's own main
 * instead, which runs the same command: tests/electron/command-line.test.ts.)
 *
 * Needs out/ (npm test runs `npm run build` before the unit tests).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractAll, extractFile, listPackage } from '@electron/asar';
import { Arch, build, DIR_TARGET, Platform } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderConfig, CLI_SCRIPT, UPDATE_URL_PLACEHOLDER } from '../../build/electron-builder.config';
import { ROOT } from '../../build/dist';
import { runProgram } from '../helpers/cli';
import { account, startTestClinic } from '../helpers/demo';

const work = mkdtempSync(join(tmpdir(), 'clinic-desk-package-'));
const output = join(work, 'dist');
const fakeElectron = join(work, 'electron-dist');
let artifacts: string[] = [];
let resources = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'main', 'index.js'))) throw new Error('out/ is missing: run `npm run build` first');
  mkdirSync(join(fakeElectron, 'resources'), { recursive: true });
  // Electron as Node when ELECTRON_RUN_AS_NODE=1 (app.asar read from the copy extracted below), else a stand-in.
  const standIn = [
    '#!/bin/sh',
    'if [ "$ELECTRON_RUN_AS_NODE" = "1" ]; then',
    '  script=$(printf "%s" "$1" | sed "s#/app\\.asar/#/app.asar.extracted/#")',
    '  shift',
    `  exec '${process.execPath}' "$script" "$@"`,
    'fi',
    'echo "stand-in for the Electron binary"',
    '',
  ].join('\n');
  writeFileSync(join(fakeElectron, 'electron'), standIn, { mode: 0o755 });
  writeFileSync(join(fakeElectron, 'LICENSE'), 'MIT');
  writeFileSync(join(fakeElectron, 'version'), '42.0.0');

  const config = builderConfig({});
  artifacts = await build({
    projectDir: ROOT,
    targets: Platform.LINUX.createTarget(DIR_TARGET, Arch.x64),
    publish: 'never',
    config: {
      ...config,
      directories: { ...config.directories, output },
      electronDist: fakeElectron,
      npmRebuild: false,
      electronFuses: null,
    },
  });
  resources = join(output, 'linux-unpacked', 'resources');
  extractAll(join(resources, 'app.asar'), join(resources, 'app.asar.extracted'));
}, 180_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('packaging the Linux unpacked app (stand-in Electron)', () => {
  it('produces linux-unpacked with the executable renamed and app.asar beside it', () => {
    expect(artifacts).toEqual([]);
    const unpacked = join(output, 'linux-unpacked');
    expect(readdirSync(unpacked)).toContain('clinic-desk');
    expect(existsSync(join(resources, 'app.asar'))).toBe(true);
  });

  it('app.asar holds the electron-vite bundles, package.json and production dependencies, nothing else of the repository', () => {
    const asar = join(resources, 'app.asar');
    const files = listPackage(asar, { isPack: false }).map((f) => f.split('\\').join('/'));
    expect(files).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']));
    expect(extractFile(asar, 'out/main/index.js').toString('utf8')).toBe(readFileSync(join(ROOT, 'out', 'main', 'index.js'), 'utf8'));
    for (const dependency of ['better-sqlite3', 'zod', 'ws', 'pusher-js', 'laravel-echo', 'electron-updater']) {
      expect(files, dependency).toContain(`/node_modules/${dependency}/package.json`);
    }
    for (const prefix of ['/src/', '/tests/', '/build/', '/bench/', '/docs/', '/node_modules/electron/', '/node_modules/vitest/', '/node_modules/electron-builder/']) {
      expect(files.filter((file) => file.startsWith(prefix)), prefix).toEqual([]);
    }
  });

  it('every package the main bundle imports is packaged; the parts left out are ones it never loads', () => {
    const files = new Set(listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.split('\\').join('/')));
    // index.js, cli.js and the chunks they share.
    const bundle = readdirSync(join(ROOT, 'out', 'main'))
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(ROOT, 'out', 'main', file), 'utf8'))
      .join('\n');
    const specifiers = [...bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/g)].map((m) => m[1]!);
    const packages = new Set(
      specifiers
        // Node's own modules: the bundled CommonJS packages (build/bundled-deps.ts) require them without `node:`.
        .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s) && s !== 'electron')
        .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')),
    );
    expect(packages).toContain('better-sqlite3');
    expect(packages).toContain('electron-log');
    for (const name of packages) expect(files.has(`/node_modules/${name}/package.json`), name).toBe(true);
    // better-sqlite3 finds its addon through these at run time.
    for (const name of ['bindings', 'file-uri-to-path']) expect(files.has(`/node_modules/${name}/package.json`), name).toBe(true);
    for (const prefix of ['/node_modules/better-sqlite3/deps/', '/node_modules/better-sqlite3/src/', '/node_modules/tsx/', '/node_modules/esbuild/']) {
      expect([...files].filter((file) => file.startsWith(prefix)), prefix).toEqual([]);
    }
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    expect(readdirSync(unpacked)).toEqual(['better-sqlite3']);
    expect(readdirSync(join(unpacked, 'better-sqlite3', 'build', 'Release'))).toEqual(['better_sqlite3.node']);
  });

  it('writes app-update.yml for electron-updater: the generic feed and its cache folder (no publisher: unsigned)', () => {
    const yml = readFileSync(join(resources, 'app-update.yml'), 'utf8');
    expect(yml).toContain('provider: generic');
    expect(yml).toContain(`url: ${UPDATE_URL_PLACEHOLDER}`);
    expect(yml).toMatch(/^updaterCacheDirName: \S+$/m);
    expect(yml).not.toContain('publisherName');
  });

  it('the packaged package.json carries the desktop name and author, and keeps the app name (userData folder)', () => {
    const pkg = JSON.parse(extractFile(join(resources, 'app.asar'), 'package.json').toString('utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'clinic-desk', main: './out/main/index.js', desktopName: 'clinic-desk.desktop', author: { name: 'Clinic Desk' } });
    expect(pkg).not.toHaveProperty('productName');
    expect(pkg).not.toHaveProperty('devDependencies');
  });

  it("better-sqlite3's addon is unpacked next to app.asar, where Electron loads it from", () => {
    const addon = join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    expect(existsSync(addon)).toBe(true);
    expect(readFileSync(addon).equals(readFileSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')))).toBe(true);
  });
});

describe('the command line of the packaged app (resources/bin/clinic-desk)', () => {
  const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const wrapper = () => join(resources, 'bin', 'clinic-desk');

  it('ships the wrapper, executable, and cli.js with its chunks in app.asar', () => {
    expect(readdirSync(join(resources, 'bin'))).toEqual(['clinic-desk']);
    expect(statSync(wrapper()).mode & 0o111).not.toBe(0);
    const files = new Set(listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.split('\\').join('/')));
    for (const file of readdirSync(join(ROOT, 'out', 'main'))) expect(files.has(`/out/main/${file}`), file).toBe(true);
    expect(files.has(`/${CLI_SCRIPT}`)).toBe(true);
    // What the command needs at run time is all there is: no tsx, no esbuild, no devDependencies.
    for (const name of ['tsx', 'esbuild', 'electron', 'vite', 'vitest', 'electron-vite', 'typescript']) expect(files.has(`/node_modules/${name}/package.json`), name).toBe(false);
  });

  it('--version, and through a link on the PATH too', async () => {
    expect(await runProgram(wrapper(), ['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const bin = mkdtempSync(join(work, 'path-'));
    symlinkSync(wrapper(), join(bin, 'clinic-desk'));
    expect(await runProgram(join(bin, 'clinic-desk'), ['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect((await runProgram(wrapper(), ['start'])).code).toBe(2);
  });

  it('doctor --policy FILE: the exit code and the report come through the wrapper', async () => {
    const valid = join(work, 'policy.json');
    writeFileSync(valid, JSON.stringify({ apiUrl: 'https://clinic.example.org/' }));
    const ok = await runProgram(wrapper(), ['doctor', '--policy', valid]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`✓ Policy ${valid} is valid.`);
    const broken = join(work, 'broken.json');
    writeFileSync(broken, '{"apiUrl": "ftp://clinic",}');
    const bad = await runProgram(wrapper(), ['doctor', '--policy', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toBe('');
  });

  it('doctor against a clinic, with only the packaged production dependencies', async () => {
    const c = await startTestClinic();
    try {
      const a = account(c, 'reception1@northside.clinic.test');
      const run = await runProgram(wrapper(), ['doctor', '--api-url', c.info.apiUrl, '--email', a.email, '--password', a.password, '--key', c.info.appKey, '--ws-host', c.info.wsHost, '--ws-port', String(c.info.wsPort), '--timeout', '3000']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('All checks passed.');
    } finally {
      await c.close();
    }
  });
});
