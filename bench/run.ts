/**
 * `npm run bench -- <name> [args...]` runs bench/<name>.bench.ts in a fresh
 * Node process (`node bin/run-ts.mjs bench/<name>.bench.ts args...`);
 * `npm run bench` alone lists the benchmarks. Figures and targets: bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const root = path.resolve(here, '..');
const SUFFIX = '.bench.ts';

function benchmarks(): Array<{ name: string; usage: string }> {
  return fs
    .readdirSync(here)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((file) => {
      const name = file.slice(0, -SUFFIX.length);
      // The first doc line reads "X benchmark: `node bin/run-ts.mjs bench/x.bench.ts [--opt N]`."
      const head = fs.readFileSync(path.join(here, file), 'utf8').split('\n').slice(0, 3).join(' ');
      const command = /`node bin\/run-ts\.mjs bench\/[\w-]+\.bench\.ts([^`]*)`/.exec(head)?.[1] ?? '';
      return { name, usage: `npm run bench -- ${name}${command}` };
    });
}

const [name, ...args] = process.argv.slice(2);
const list = benchmarks();

if (name === undefined || name === '--help' || name === '-h' || name === '--list') {
  process.stdout.write('benchmarks (results in bench/results/<name>.json, figures and targets in bench/README.md):\n');
  for (const b of list) process.stdout.write(`  ${b.usage}\n`);
  process.exit(0);
}

if (!list.some((b) => b.name === name)) {
  process.stderr.write(`no benchmark "${name}"; there are: ${list.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}

const result = spawnSync(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join('bench', `${name}${SUFFIX}`), ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
