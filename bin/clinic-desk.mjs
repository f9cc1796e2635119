#!/usr/bin/env node
// @ts-check
// The package's command. Runs the TypeScript CLI (src/main/cli/index.ts) through tsx, so it
// works on a fresh clone after `npm ci`, without a build. Paths are resolved relative to this
// file, never to the current directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.node.json', import.meta.url)) });

try {
  const cli = await import(new URL('../src/main/cli/index.ts', import.meta.url).href);
  // The exit code is set, not forced: a command that leaves a server running keeps the
  // process alive until that server closes.
  process.exitCode = await cli.main(process.argv.slice(2));
} catch (error) {
  console.error('clinic-desk:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
