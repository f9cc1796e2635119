import { TZDate } from '@date-fns/tz';
import { addDays, differenceInMinutes, format, startOfDay } from 'date-fns';
import { z } from 'zod';

/**
 * The clinic's calendar: which day an instant belongs to, where a day starts
 * and ends, and the wall-clock time of an instant, all in the clinic's time
 * zone (an IANA name such as `America/Los_Angeles`), never in UTC and never in
 * whatever zone this computer happens to be in. The zone arithmetic, DST days
 * of 23 and 25 hours included, is date-fns with its tz package; the core and
 * the renderer both use these functions, so they agree on every boundary.
 */

/** Whether the runtime knows this IANA zone name (the same check `Intl` makes when it is used). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneName = z.string().max(64).refine(isTimeZone, { message: 'must be an IANA time zone name, e.g. Europe/London or America/Los_Angeles' });
export type TimeZoneName = z.infer<typeof TimeZoneName>;

/** Where the clinic's zone came from: the server said it, the admin policy set it, or this computer's own zone. */
export const TIME_ZONE_SOURCES = ['server', 'policy', 'os'] as const;
export const ClinicTimeZone = z.object({
  zone: TimeZoneName,
  source: z.enum(TIME_ZONE_SOURCES),
  /** Why a zone the server or the policy named was not used, for Diagnostics; null when nothing was set aside. */
  note: z.string().max(500).nullable().default(null),
});
export type ClinicTimeZone = z.infer<typeof ClinicTimeZone>;

/** Whether two names are the same zone (`Asia/Kathmandu` and the `Asia/Katmandu` the runtime may report for it). */
export function sameZone(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const canonical = (zone: string): string => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return canonical(a) === canonical(b);
  } catch {
    return false;
  }
}

/** This computer's own zone (`UTC` where the runtime cannot say). */
export function systemTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return typeof zone === 'string' && isTimeZone(zone) ? zone : 'UTC';
}

const at = (instant: number | string | Date, zone: string): TZDate | null => {
  const ms = typeof instant === 'number' ? instant : typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return Number.isNaN(ms) ? null : new TZDate(ms, zone);
};

/** One formatter per zone: building one costs more than the whole lookup. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The clinic's calendar day (`YYYY-MM-DD`) of an instant; empty for an
 * unreadable time. On the receive path (is this update on the board's day?),
 * so it asks the zone's cached `Intl` formatter directly, which is what
 * TZDate asks too, at a tenth of the cost of building one per call.
 */
export function dayIn(instant: number | string | Date, zone: string): string {
  const ms = typeof instant === 'number' ? instant : typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) return '';
  let formatter = dayFormats.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(zone, formatter);
  }
  const parts = formatter.formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/** `HH:MM` on the clinic's wall clock; empty for an unreadable time. */
export function clockIn(instant: number | string | Date, zone: string, seconds = false): string {
  const date = at(instant, zone);
  return date ? format(date, seconds ? 'HH:mm:ss' : 'HH:mm') : '';
}

/** The instant a clinic day (`YYYY-MM-DD`) starts: its local midnight (ms since the epoch). */
export function dayStart(day: string, zone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return startOfDay(new TZDate(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12, 0, zone)).getTime();
}

/** The instant a wall-clock time of a clinic day happens (`09:30` on `2026-12-05` in its zone). */
export function wallTime(day: string, hour: number, minute: number, zone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new TZDate(y ?? 1970, (m ?? 1) - 1, d ?? 1, hour, minute, zone).getTime();
}

/** The next local midnight after an instant: when the clinic's "today" changes. */
export function nextDayStart(instant: number, zone: string): number {
  return startOfDay(addDays(new TZDate(instant, zone), 1)).getTime();
}

/** A calendar day shifted by whole days (no zone: a day is a day, whatever its length). */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days));
  return date.toISOString().slice(0, 10);
}

/** The length of a clinic day in hours: 24, or 23 and 25 on the days the clocks change. */
export function dayHours(day: string, zone: string): number {
  return differenceInMinutes(dayStart(shiftDay(day, 1), zone), dayStart(day, zone)) / 60;
}

/** The zone's short name at an instant, as people read it ("PST", "AEDT", "GMT+5:45"). */
export function zoneLabel(zone: string, instant: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(instant).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}
