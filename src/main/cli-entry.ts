// The installed app's command line, compiled by electron-vite into out/main/cli.js (a second
// entry of the main build): `doctor`, `watch`, `--version`. The wrappers shipped in
// resources/bin (build/bin/) run it with the app binary as Node (ELECTRON_RUN_AS_NODE=1), as
// VS Code's `code` runs its cli.js; plain Node runs it too. Everything it loads is in out/main
// or a package of "dependencies": no tsx, no sources, never `electron` (src/main/cli/packaged.ts).
import { runPackagedCli } from './cli/packaged';

try {
  // Set, not forced: `watch` keeps the process alive until it has closed its connection.
  process.exitCode = await runPackagedCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`clinic-desk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
