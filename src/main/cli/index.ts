// `clinic-desk <command> [args]` in a checkout (package `bin`: bin/clinic-desk.mjs runs this
// file through tsx): every command, loaded lazily. The installed app answers a subset of them,
// compiled by electron-vite: src/main/cli/packaged.ts.
import { dispatch, usage as usageOf, type CliIo, type CommandEntry, type CommandLine } from './dispatch';
import { appVersion } from './version';

export type { CliIo, CommandModule } from './dispatch';

export const commands: Readonly<Record<string, CommandEntry>> = {
  start: {
    summary: 'run the desktop app (or the demo clinic when the Electron binary is missing)',
    load: () => import('./start'),
  },
  'demo-server': {
    summary: 'run a local demo clinic back end (REST + Pusher-protocol WebSocket)',
    load: () => import('./demo-server'),
  },
  watch: {
    summary: 'connect like a desk and print every event and state change as JSON lines',
    load: () => import('./watch'),
  },
  preview: {
    summary: 'serve the dashboard to a browser on 127.0.0.1 (core and demo clinic in this process)',
    load: () => import('./preview'),
  },
  doctor: {
    summary: "run the back end's troubleshooting checklist; --policy FILE checks an admin policy",
    load: () => import('./doctor'),
  },
};

const checkout: CommandLine = { commands, version: () => appVersion() };

export function usage(): string {
  return usageOf(checkout);
}

export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  return dispatch(checkout, argv, io);
}
