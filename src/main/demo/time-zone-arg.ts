import { isTimeZone } from '../../shared/clinic-time';
import { takeOption } from './take-option';

/** `--time-zone NAME` or `--time-zone=NAME` (see `takeOption`): the demo clinic's IANA zone, checked. */
export function takeTimeZoneArg(argv: readonly string[]): { ok: true; timeZone: string | undefined; rest: string[] } | { ok: false; message: string } {
  const taken = takeOption(argv, '--time-zone', (value) => (isTimeZone(value) ? { ok: true, value } : { ok: false, message: unknownTimeZone(value) }), 'needs an IANA zone name, e.g. America/Los_Angeles');
  return taken.ok ? { ok: true, timeZone: taken.value, rest: taken.rest } : taken;
}

/** How every command refuses a zone it does not know (`--time-zone Mars/Olympus`). */
export function unknownTimeZone(input: unknown): string {
  return `unknown time zone ${JSON.stringify(input)}; give an IANA name such as Europe/London or America/Los_Angeles`;
}

/** The usage line of `--time-zone NAME` (after `indent` spaces, under the option). */
export const TIME_ZONE_USAGE = "the demo clinic's IANA time zone, whose local day is its \"today\" (default: this computer's)";
