/**
 * The demo clinic is loaded lazily. It is 3,400 lines with the `pusher` server
 * SDK and `ws`, and a desk that never tries the demo should not load it. Two
 * checks:
 * - the electron-vite main build: the entry chunk index.js, and every chunk it
 *   imports statically, is free of the demo. The demo is one separate chunk
 *   that index.js reaches only through a dynamic `import()`. cli.js, the
 *   installed app's command line, reaches neither the demo, nor index.js, nor
 *   `electron`, nor any package outside "dependencies".
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
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../build/dist';
import { mainBuild, type MainBuild } from '../helpers/main-build';

const ENTRY = 'index.js';
const CLI = 'cli.js';

/**
 * Found only in the demo clinic: its Pusher server's handshake, its app secret, its server-side SDKs.
 * The handshake is the frame the server writes (`event: "pusher:connection_established"`), not the
 * name alone: pusher-js, bundled into the main build (build/bundled-deps.ts), compares events with it.
 */
const DEMO_MARKERS: { name: string; pattern: RegExp }[] = [
  { name: "the demo Pusher server's handshake", pattern: /\bevent\s*:\s*["']pusher:connection_established["']/ },
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

/**
 * Packages a chunk imports (`from "zod"`, `import("pusher-js")`, `require("x")`), without Node's own modules
 * (the CommonJS packages bundled require them without the `node:` prefix: `require("http")`).
 */
function barePackages(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)["']([^"'.][^"']*)["']/gm)].map((m) => m[1]!);
  return [...new Set(specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')))];
}

/** Relative chunk files a chunk imports with `import("./x.js")`. */
function dynamicImports(code: string): string[] {
  return [...new Set([...code.matchAll(/\bimport\(\s*["'](\.\/[^"']+)["']\s*\)/g)].map((m) => m[1]!.slice(2)))];
}

let build: MainBuild | null = null;
afterAll(() => build?.cleanup());

const chunks = new Map<string, string>();

describe('the desktop main build', () => {
  beforeAll(() => {
    build = mainBuild();
    const dir = build.mainDir;
    for (const file of readdirSync(dir)) if (file.endsWith('.js')) chunks.set(file, readFileSync(join(dir, file), 'utf8'));
    if (!chunks.has(ENTRY)) throw new Error(`the main build in ${dir} has no ${ENTRY}`);
  }, 60_000);

  /** `entry` and every chunk reachable from it by static imports (and dynamic ones too, with `dynamic`). */
  function reachable(entry: string, dynamic = false): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      const code = chunks.get(file);
      if (code === undefined) throw new Error(`${file} is imported but not in the build`);
      seen.add(file);
      for (const next of [...staticImports(code), ...(dynamic ? dynamicImports(code) : [])]) visit(next);
    };
    visit(entry);
    return [...seen];
  }

  /** index.js and every chunk reachable from it by static imports: what loads on every start of the desk. */
  const loadedAtStart = () => reachable(ENTRY);

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

  it("cli.js (the installed app's command line) loads none of the desk's entry, `electron` or the demo clinic, and only packages of \"dependencies\"", () => {
    expect(chunks.has(CLI)).toBe(true);
    const loaded = reachable(CLI, true);
    // doctor and watch: their chunks are reached by import() from cli.js.
    expect(loaded.some((file) => /^doctor-/.test(file))).toBe(true);
    expect(loaded.some((file) => /^watch-/.test(file))).toBe(true);
    // Under ELECTRON_RUN_AS_NODE there is no `electron` module, and index.js would start the desk.
    expect(loaded).not.toContain(ENTRY);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const file of loaded) {
      const code = chunks.get(file)!;
      for (const marker of DEMO_MARKERS) expect(marker.pattern.test(code), `${file} holds ${marker.name}`).toBe(false);
      for (const name of barePackages(code)) {
        expect(name, `${file} imports ${name}`).not.toBe('electron');
        expect(Object.keys(pkg.dependencies), `${file} imports ${name}, which is not in "dependencies"`).toContain(name);
      }
    }
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
