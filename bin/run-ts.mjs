#!/usr/bin/env node
// @ts-check
// Usage: node bin/run-ts.mjs <file.ts> [args...]
// Runs a TypeScript script (benchmarks, maintenance scripts) through tsx with the project's
// Node tsconfig. The script sees itself as process.argv[1] and its own args from argv[2].
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

const [file, ...args] = process.argv.slice(2);
if (!file || file === '--help' || file === '-h') {
  console.error('usage: node bin/run-ts.mjs <file.ts> [args...]');
  process.exit(file ? 0 : 2);
}

const tsconfig = fileURLToPath(new URL('../tsconfig.node.json', import.meta.url));
// The CommonJS hook (for .cts files, or .ts outside a "type": "module" package) reads the
// tsconfig path from the environment.
process.env['TSX_TSCONFIG_PATH'] ??= tsconfig;
register({ tsconfig });
registerCjs();

const script = resolve(process.cwd(), file);
process.argv = [process.argv[0] ?? process.execPath, script, ...args];
try {
  await import(pathToFileURL(script).href);
} catch (error) {
  console.error(`run-ts: ${file} failed:`, error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
