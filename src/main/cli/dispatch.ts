// The dispatcher both command lines share: the checkout's `clinic-desk` (src/main/cli/index.ts,
// run through tsx by bin/clinic-desk.mjs) and the installed app's (src/main/cli/packaged.ts,
// compiled into out/main/cli.js). A command module exports `run(argv)`; the promise it returns
// settles with the process exit code, once the command is done (a command that serves until a
// signal awaits its own shutdown before resolving).

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export interface CommandLine {
  commands: Readonly<Record<string, CommandEntry>>;
  /** What `--version` prints (the app's version). */
  version: () => string;
  /** A paragraph after the command list. */
  note?: string;
  /** Said of a name that is not a command here, instead of only "unknown command" (the checkout-only ones, in the app). */
  elsewhere?: Readonly<Record<string, string>>;
}

export function usage(cli: CommandLine): string {
  const width = Math.max(...Object.keys(cli.commands).map((name) => name.length));
  const lines = Object.entries(cli.commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'usage: clinic-desk <command> [args]',
    '       clinic-desk --version',
    '',
    'commands:',
    ...lines,
    '',
    ...(cli.note === undefined ? [] : [cli.note, '']),
    'Run `clinic-desk <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function dispatch(cli: CommandLine, argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(cli));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${cli.version()}\n`);
    return 0;
  }
  if (name === undefined) {
    io.err(usage(cli));
    return 2;
  }
  const entry = Object.hasOwn(cli.commands, name) ? cli.commands[name] : undefined;
  if (!entry) {
    const elsewhere = cli.elsewhere !== undefined && Object.hasOwn(cli.elsewhere, name) ? cli.elsewhere[name] : undefined;
    io.err(`clinic-desk: ${elsewhere === undefined ? `unknown command '${name}'` : `'${name}' ${elsewhere}`}\n\n${usage(cli)}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}
