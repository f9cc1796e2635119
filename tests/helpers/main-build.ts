import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../build/dist';

/**
 * The electron-vite main build (out/main: index.js, cli.js and their chunks),
 * to read or to run. out/main itself when it is newer than every file under
 * src/main and src/shared (`npm test` runs `npm run build` first); otherwise
 * the main process is built with the same electron.vite.config.ts into a
 * temporary app folder laid out as the packaged app is (package.json beside
 * out/main, node_modules linked to this checkout's), so old output is never
 * what a test checks.
 */
export interface MainBuild {
  /** The app folder: package.json, out/main, node_modules. */
  readonly appDir: string;
  /** Its out/main. */
  readonly mainDir: string;
  cleanup(): void;
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

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** out/main when it holds both entries and is at least as new as the sources. */
function freshOutMain(): string | null {
  const dir = join(ROOT, 'out', 'main');
  const entries = ['index.js', 'cli.js'].map((file) => join(dir, file));
  if (!entries.every((file) => existsSync(file))) return null;
  const builtAt = Math.min(...entries.map((file) => statSync(file).mtimeMs));
  return ['src/main', 'src/shared'].every((source) => newestMtime(join(ROOT, source)) <= builtAt) ? dir : null;
}

export function mainBuild(): MainBuild {
  const fresh = freshOutMain();
  if (fresh !== null) return { appDir: ROOT, mainDir: fresh, cleanup: () => undefined };
  const scratch = mkdtempSync(join(tmpdir(), 'clinic-desk-main-build-'));
  const mainDir = join(scratch, 'out', 'main');
  mkdirSync(mainDir, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(scratch, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const built = spawnSync(process.execPath, ['--input-type=module', '--eval', BUILD_MAIN, mainDir], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`building the main process failed (out/main is missing or older than the sources):\n${built.stderr}`);
  }
  return { appDir: scratch, mainDir, cleanup: () => rmSync(scratch, { recursive: true, force: true }) };
}
