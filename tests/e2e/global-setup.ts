import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../../src/main/preview/build-renderer';

/**
 * Builds the renderer once for the whole run (only when `out/renderer` is
 * missing or older than its sources), as `clinic-desk preview` does.
 */
export default async function globalSetup(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const started = Date.now();
  const build = await ensureRendererBuilt(root);
  if (build.built) process.stderr.write(`e2e: renderer built in ${Date.now() - started} ms\n`);
}
