// The command line of the installed app: `doctor`, `doctor --policy FILE`, `watch` and
// `--version`, compiled by electron-vite (no tsx, only the package's dependencies). Two ways in,
// as VS Code's `code` has them:
//
// - out/main/cli.js (src/main/cli-entry.ts) run by the app binary with ELECTRON_RUN_AS_NODE=1,
//   which is what the wrappers shipped in resources/bin do (build/bin/), or by plain Node;
// - the app binary itself with the command as its first argument (`"Clinic Desk.exe" doctor`):
//   src/main/index.ts asks `packagedCliArgs` before it starts a window or takes the
//   single-instance lock. This is also where the wrappers land while the runAsNode fuse is off
//   (build/fuses.ts): Electron then ignores ELECTRON_RUN_AS_NODE and starts the app's own main
//   with the wrapper's arguments, cli.js first.
//
// `start`, `preview` and `demo-server` are for a checkout only (`npx clinic-desk`): they need the
// sources, Vite or the demo clinic's servers.
import { dispatch, type CliIo, type CommandEntry, type CommandLine } from './dispatch';
import { appVersion } from './version';

export const PACKAGED_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  doctor: {
    summary: "run the back end's troubleshooting checklist; --policy FILE checks an admin policy",
    load: () => import('./doctor'),
  },
  watch: {
    summary: 'connect like a desk and print every event and state change as JSON lines',
    load: () => import('./watch'),
  },
};

const CHECKOUT_ONLY = 'is part of the command line of a Clinic Desk checkout (npx clinic-desk), not of the installed app';

export function packagedCommandLine(version: () => string = () => appVersion()): CommandLine {
  return {
    commands: PACKAGED_COMMANDS,
    version,
    note: 'start, preview and demo-server are for a checkout of the sources (npx clinic-desk).',
    elsewhere: { start: CHECKOUT_ONLY, preview: CHECKOUT_ONLY, 'demo-server': CHECKOUT_ONLY },
  };
}

export function runPackagedCli(argv: readonly string[], io?: CliIo, version?: () => string): Promise<number> {
  return dispatch(packagedCommandLine(version), argv, io);
}

/** First arguments that make the app binary a command line rather than the desk. */
const CLI_FIRST = new Set([...Object.keys(PACKAGED_COMMANDS), '--version', '-v', 'help', '--help', '-h']);

/**
 * The command line's arguments when the app binary was started as `clinic-desk`, or null: the
 * desk starts as usual. After the app's folder in a development run (`electron .`), either a
 * wrapper's path of cli.js comes first (everything after it is the command line's, nothing at
 * all included: that prints the usage), or a command does (`"Clinic Desk.exe" doctor`). A
 * `clinicdesk://` link, Chromium switches, any other word and no arguments are the desk's.
 */
export function packagedCliArgs(argv: readonly string[], options: { defaultApp: boolean }): string[] | null {
  // `electron .` / `electron out/main/index.js`: the app's path comes first.
  const rest = argv.slice(options.defaultApp ? 2 : 1);
  const first = rest[0];
  if (first === undefined) return null;
  if (/(^|[\\/])out[\\/]main[\\/]cli\.js$/.test(first)) return rest.slice(1);
  return CLI_FIRST.has(first) ? rest : null;
}
