import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the renderer (only the renderer: `electron-vite build` would also
 * build the main process and the preload, which the preview does not use)
 * when `out/renderer` is missing or older than its sources. Uses the project's
 * own `electron.vite.config.ts`, so the preview serves exactly what the app
 * loads.
 */

export interface RendererBuild {
  /** The built renderer folder (`out/renderer`). */
  dir: string;
  /** false: it was fresh and reused. */
  built: boolean;
}

/** The sources the renderer bundle is made of. */
const SOURCES = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json'];

export function rendererDir(root: string): string {
  return join(root, 'out', 'renderer');
}

/** Newest modification time under `path` (a file or a folder), 0 when it is missing. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

export function rendererIsFresh(root: string): boolean {
  const index = join(rendererDir(root), 'index.html');
  if (!existsSync(index)) return false;
  const builtAt = statSync(index).mtimeMs;
  return SOURCES.every((source) => newestMtime(join(root, source)) <= builtAt);
}

/**
 * The build runs in a child process with its stdout sent to our stderr: vite
 * prints progress on stdout, which is the preview command's machine-readable
 * line (and the long-running host need not keep vite in memory).
 */
const BUILD_SCRIPT = `
import { resolveConfig } from 'electron-vite';
import { build, createLogger } from 'vite';
process.env.NODE_ENV_ELECTRON_VITE = 'production';
const level = process.env.CLINIC_DESK_BUILD_LOG_LEVEL || 'warn';
const resolved = await resolveConfig({ root: process.cwd(), logLevel: level }, 'build', 'production');
const renderer = resolved.config && resolved.config.renderer;
if (!renderer) throw new Error('electron.vite.config.ts has no renderer configuration');
await build({ ...renderer, logLevel: level, customLogger: createLogger(level) });
`;

export async function ensureRendererBuilt(root: string, options: { force?: boolean; logLevel?: 'info' | 'warn' | 'error' | 'silent' } = {}): Promise<RendererBuild> {
  const dir = rendererDir(root);
  if (!options.force && rendererIsFresh(root)) return { dir, built: false };
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', BUILD_SCRIPT], {
      cwd: root,
      env: { ...process.env, CLINIC_DESK_BUILD_LOG_LEVEL: options.logLevel ?? 'warn' },
      stdio: ['ignore', 2, 2],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`the renderer build failed (${signal ?? `exit code ${code}`})`))));
  });
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`the renderer build did not produce ${join(dir, 'index.html')}`);
  return { dir, built: true };
}
