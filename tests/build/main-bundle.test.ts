/**
 * The demo clinic is loaded lazily. It is 3,400 lines with the `pusher` server
 * SDK and `ws`, and a desk that never tries the demo should not load it. Two
 * checks:
 * - the electron-vite main build: the entry chunk index.js, and every chunk it
 *   imports statically, is free of the demo. The demo is one separate chunk
 *   that index.js reaches only through a dynamic `import()`.
 * - the sources: the demo port answers `accounts()` without the clinic's
 *   module and loads it on the first `start()`. `clinic-desk demo-server
 *   --help` and a usage error answer without loading it.
 *
 * The build checked is out/main, what gets packaged, when it is newer than
 * every file under src/main and src/shared (`npm test` runs `npm run build`
 * first). Otherwise the test builds the main process itself into a temporary
 * folder, with the same electron.vite.config.ts, so old output is never what
 * is checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../build/dist';

const ENTRY = 'index.js';

/** Found only in the demo clinic: its Pusher server's handshake, its app secret, its server-side SDKs. */
const DEMO_MARKERS: { name: string; pattern: RegExp }[] = [
  { name: "the demo Pusher server's handshake", pattern: /pusher:connection_established/ },
  { name: "the demo app's secret", pattern: /clinic-desk-demo-secret/ },
  { name: 'the `pusher` server SDK', pattern: /(?:from|import)\s*\(?\s*["']pusher["']|require\(\s*["']pusher["']\s*\)/ },
  { name: '`ws`', pattern: /(?:from|import)\s*\(?\s*["']ws["']|require\(\s*["']ws["']\s*\)/ },
];

/** Relative chunk files a chunk imports statically (`import … from "./x.js"`, `export … from`, `import "./x.js"`). */
function staticImports(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\b(?:[^'"();]*?\bfrom)?\s*["'](\.\/[^"']+)["']/g)) found.add(match[1]!.slice(2));
  return [...found];
}

/** Relative chunk files a chunk imports with `import("./x.js")`. */
function dynamicImports(code: string): string[] {
  return [...new Set([...code.matchAll(/\bimport\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((m) => m[1]!.slice(2)))];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** out/main when it is at least as new as the sources. */
function freshOutMain(): string | null {
  const dir = join(ROOT, 'out', 'main');
  const entry = join(dir, ENTRY);
  if (!existsSync(entry)) return null;
  const builtAt = statSync(entry).mtimeMs;
  return ['src/main', 'src/shared'].every((source) => newestMtime(join(ROOT, source)) <= builtAt) ? dir : null;
}

/** electron-vite's main build of electron.vite.config.ts, written to outDir (a child process: vite prints on stdout). */
const BUILD_MAIN = `
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
process.env.NODE_ENV_ELECTRON_VITE = 'production';
const resolved = await resolveConfig({ root: process.cwd(), logLevel: 'error' }, 'build', 'production');
const main = resolved.config && resolved.config.main;
if (!main) throw new Error('electron.vite.config.ts has no main configuration');
await build({ ...main, logLevel: 'error', build: { ...main.build, outDir: process.argv[1], emptyOutDir: true } });
`;

let scratch: string | null = null;
afterAll(() => {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
});

const chunks = new Map<string, string>();

describe('the desktop main build', () => {
  beforeAll(() => {
    let dir = freshOutMain();
    if (dir === null) {
      scratch = mkdtempSync(join(tmpdir(), 'clinic-desk-main-build-'));
      dir = join(scratch, 'main');
      const built = spawnSync(process.execPath, ['--input-type=module', '--eval', BUILD_MAIN, dir], { cwd: ROOT, encoding: 'utf8' });
      if (built.status !== 0) throw new Error(`building the main process failed (out/main is missing or older than the sources):\n${built.stderr}`);
    }
    for (const file of readdirSync(dir)) if (file.endsWith('.js')) chunks.set(file, readFileSync(join(dir, file), 'utf8'));
    if (!chunks.has(ENTRY)) throw new Error(`the main build in ${dir} has no ${ENTRY}`);
  }, 60_000);

  /** index.js and every chunk reachable from it by static imports: what loads on every start of the desk. */
  function loadedAtStart(): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      const code = chunks.get(file);
      if (code === undefined) throw new Error(`${file} is imported but not in the build`);
      seen.add(file);
      for (const next of staticImports(code)) visit(next);
    };
    visit(ENTRY);
    return [...seen];
  }

  it('the entry chunk, and everything it imports statically, holds none of the demo clinic', () => {
    const atStart = loadedAtStart();
    expect(atStart).toContain(ENTRY);
    for (const file of atStart) {
      for (const marker of DEMO_MARKERS) expect(marker.pattern.test(chunks.get(file)!), `${file} holds ${marker.name}`).toBe(false);
    }
  });

  it('the demo clinic is one separate chunk, which index.js loads only by a dynamic import()', () => {
    const demoChunks = [...chunks].filter(([, code]) => DEMO_MARKERS.every((m) => m.pattern.test(code))).map(([file]) => file);
    expect(demoChunks, 'exactly one chunk holds the whole demo clinic').toHaveLength(1);
    const demoChunk = demoChunks[0]!;
    expect(demoChunk).not.toBe(ENTRY);
    expect(loadedAtStart()).not.toContain(demoChunk);
    expect(dynamicImports(chunks.get(ENTRY)!)).toContain(demoChunk);
  });

  it('the demo chunk is the clinic itself, not a stub left beside a copy in the entry', () => {
    const [demoChunk, code] = [...chunks].find(([, c]) => DEMO_MARKERS[0]!.pattern.test(c))!;
    expect(code).toMatch(/\bfunction startDemoClinic\b|\bstartDemoClinic\s*=/);
    expect(Buffer.byteLength(code), demoChunk).toBeGreaterThan(100_000);
    expect(chunks.get(ENTRY)!).not.toMatch(/\bfunction startDemoClinic\b/);
  });
});

// ── the sources: nothing loads the clinic's module before it is needed ──

/** Stands in for the clinic's module from now on, counting how often it is loaded (a fresh module registry each time). */
function watchClinicModule(): { loads: number } {
  const watched = { loads: 0 };
  vi.resetModules();
  vi.doMock('../../src/main/demo/demo-clinic', () => {
    watched.loads += 1;
    return {
      startDemoClinic: vi.fn(async () => ({
        info: {
          apiUrl: 'http://127.0.0.1:8000',
          appKey: 'key',
          wsHost: '127.0.0.1',
          wsPort: 6001,
          users: [{ email: 'reception1@northside.clinic.test', password: 'secret' }],
        },
        close: vi.fn(async () => undefined),
      })),
    };
  });
  return watched;
}

describe('the demo clinic module is loaded on first use', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.doUnmock('../../src/main/demo/demo-clinic');
  });

  it("the desk's demo port lists its accounts without the clinic, and loads it on the first start()", async () => {
    const clinicModule = watchClinicModule();
    const { embeddedDemo } = await import('../../src/main/demo/demo-port');
    const demo = embeddedDemo();
    expect(demo.accounts().map((a) => a.role)).toEqual(['reception', 'doctor', 'admin']);
    expect(demo.clinic).toBeNull();
    expect(clinicModule.loads).toBe(0);

    const started = await demo.start('reception');
    expect(clinicModule.loads).toBe(1);
    expect(started).toMatchObject({ apiUrl: 'http://127.0.0.1:8000', email: 'reception1@northside.clinic.test', transport: { kind: 'reverb', port: 6001 } });
    expect(demo.clinic).not.toBeNull();
    await demo.close();
  });

  it('`clinic-desk demo-server --help` and a usage error answer without loading the clinic', async () => {
    const clinicModule = watchClinicModule();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { run } = await import('../../src/main/cli/demo-server');
    expect(await run(['--help'])).toBe(0);
    expect(await run(['--port', 'not-a-port'])).toBe(2);
    expect(await run(['--no-such-option'])).toBe(2);
    expect(out).toHaveBeenCalled();
    expect(err).toHaveBeenCalled();
    expect(clinicModule.loads).toBe(0);
  });
});
