import { ConfigError } from '../core/config';
import { runDoctor } from '../core/doctor';
import { DESK_FLAGS_USAGE, UsageError, parseDeskArgs } from './desk-args';

/**
 * `clinic-desk doctor`: the seed's Troubleshooting checklist against a
 * configuration. Prints each check with the fix when it fails; exit code 0
 * only if every check passes (1 otherwise, 2 for bad usage).
 */

const USAGE = `usage: clinic-desk doctor [options]

Checks, in order: configuration (key and host set), the clinic API answers,
sign-in works, the WebSocket connects, every channel authorises, and a round
trip through the presence channel. Exit code 0 only if all pass.

${DESK_FLAGS_USAGE}  --json               print the report as JSON
  --timeout MS         per-step time-out (default 8000)
  --help               this text
`;

export async function run(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let args;
  try {
    args = parseDeskArgs(argv, env, { json: { type: 'boolean' }, timeout: { type: 'string' } });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stdout.write(`✗ Configuration\n  ${error.message.split('\n').join('\n  ')}\n`);
      return 1;
    }
    process.stderr.write(`clinic-desk doctor: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const timeout = typeof args.extra.timeout === 'string' ? Number(args.extra.timeout) : 8000;
  if (!Number.isInteger(timeout) || timeout < 100) {
    process.stderr.write(`clinic-desk doctor: ${new UsageError('--timeout must be a number of milliseconds (>= 100)').message}\n`);
    return 2;
  }
  const report = await runDoctor({ config: args.loaded.config, credentials: args.credentials, timeoutMs: timeout });
  if (args.extra.json === true) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const warning of args.loaded.warnings) process.stdout.write(`! ${warning}\n`);
    for (const check of report.checks) {
      process.stdout.write(`${check.ok ? '✓' : '✗'} ${check.title}: ${check.detail}\n`);
      if (!check.ok && check.fix) process.stdout.write(`  Fix: ${check.fix}\n`);
    }
    process.stdout.write(report.ok ? 'All checks passed.\n' : 'Some checks failed.\n');
  }
  return report.ok ? 0 : 1;
}
