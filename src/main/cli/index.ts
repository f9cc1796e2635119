// `clinic-desk <command> [args]`: a tiny dispatcher over lazily loaded commands.
//
// A command module exports `run(argv)`; the promise it returns settles with the process
// exit code. The process then exits when nothing is left running (bin/clinic-desk.mjs sets
// process.exitCode, it does not force an exit), so a command that serves until a signal
// should await its own shutdown before resolving.

export interface CommandModule {
  run(argv: string[]): Promise<number>
}

interface CommandEntry {
  summary: string
  load: () => Promise<CommandModule>
}

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

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

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`,
  );
  return [
    'usage: clinic-desk <command> [args]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `clinic-desk <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.err(`clinic-desk: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}
