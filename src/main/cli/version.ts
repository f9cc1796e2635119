import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The app's version, from its package.json: the nearest one named
 * `clinic-desk` above this module, wherever it runs from (src/main/cli in a
 * checkout, out/main in a build, app.asar/out/main in the installed app).
 */
export function appVersion(from: string = import.meta.dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'clinic-desk' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one folder up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'unknown';
}
