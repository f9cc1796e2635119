import { isTimeZone } from '../../shared/clinic-time';

/**
 * `--time-zone NAME` or `--time-zone=NAME` taken out of a command line (before
 * a `--`, which ends the options): the demo clinic's IANA zone, checked, and
 * the other arguments as they were. `clinic-desk start` passes the rest on,
 * and the desktop app reads its own command line with it, as with `--api-dialect`.
 */
export function takeTimeZoneArg(argv: readonly string[]): { ok: true; timeZone: string | undefined; rest: string[] } | { ok: false; message: string } {
  const rest: string[] = [];
  let timeZone: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (arg === '--time-zone') {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { ok: false, message: '--time-zone needs an IANA zone name, e.g. America/Los_Angeles' };
      i++;
    } else if (arg.startsWith('--time-zone=')) {
      value = arg.slice('--time-zone='.length);
    } else {
      rest.push(arg);
      continue;
    }
    if (!isTimeZone(value)) return { ok: false, message: `--time-zone: ${unknownTimeZone(value)}` };
    timeZone = value;
  }
  return { ok: true, timeZone, rest };
}

/** How every command refuses a zone it does not know (`--time-zone Mars/Olympus`). */
export function unknownTimeZone(input: unknown): string {
  return `unknown time zone ${JSON.stringify(input)}; give an IANA name such as Europe/London or America/Los_Angeles`;
}

/** The usage line of `--time-zone NAME` (after `indent` spaces, under the option). */
export const TIME_ZONE_USAGE = "the demo clinic's IANA time zone, whose local day is its \"today\" (default: this computer's)";
