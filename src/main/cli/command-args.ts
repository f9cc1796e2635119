import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

/** A command's arguments, or the exit code it has already answered with (usage printed, or the problem said). */
export type CommandArgs<T> = { ok: true; args: T } | { ok: false; exitCode: number };

/**
 * The command line of `clinic-desk <command>`: the flags `options` names
 * (anything else is a usage error, exit 2), `--help` answered with `usage`
 * (exit 0), and the values checked by `schema`, each problem named by its
 * flag. Commands share this so every one of them answers a mistake the same way.
 */
export function commandArgs<S extends z.ZodType>(command: string, argv: string[], options: NonNullable<ParseArgsConfig['options']>, schema: S, usage: string): CommandArgs<z.output<S>> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`clinic-desk ${command}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return { ok: false, exitCode: 2 };
  }
  if (values['help'] === true) {
    process.stdout.write(usage);
    return { ok: false, exitCode: 0 };
  }
  delete values['help'];
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n');
    process.stderr.write(`clinic-desk ${command}: invalid options\n${problems}\n\n${usage}`);
    return { ok: false, exitCode: 2 };
  }
  return { ok: true, args: parsed.data };
}
