import { clockIn, dayIn, sameZone, shiftDay, wallTime, zoneLabel } from '../../../shared/clinic-time'

/**
 * Times as the desk shows them, on the clinic's clock: 24-hour clock times,
 * calendar days, relative ages ("5 min ago") and running durations. Every
 * function that turns an instant into a wall-clock time or a day takes the
 * clinic's zone (an IANA name) and leaves the zone arithmetic to the shared
 * clinic-time helpers (date-fns with its tz package), never to this
 * computer's zone. Pure functions of their inputs (the caller passes "now"),
 * so views re-render from one ticking clock; `useClinicClock()` binds them to
 * the session's zone.
 */

export type Instant = string | number | Date

const parse = (at: Instant | null | undefined): number => {
  if (at === null || at === undefined) return Number.NaN
  return typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime()
}

/*
 * A busy board shows thousands of rows at a few dozen slot times: the clock
 * text of an instant is kept, so a render does not work out the same zone
 * offset again for every row.
 */
const CLOCK_CACHE_LIMIT = 4000
const clockCache = new Map<string, string>()

function cachedClock(ms: number, zone: string, seconds: boolean): string {
  const key = `${zone}|${seconds ? 's' : 'm'}|${ms}`
  let text = clockCache.get(key)
  if (text === undefined) {
    text = clockIn(ms, zone, seconds)
    if (clockCache.size >= CLOCK_CACHE_LIMIT) clockCache.clear()
    clockCache.set(key, text)
  }
  return text
}

/** `HH:MM`, 24-hour, on the clinic's clock. Empty for a missing or unreadable time. */
export function clock(at: Instant | null | undefined, zone: string): string {
  const ms = parse(at)
  return Number.isNaN(ms) ? '' : cachedClock(ms, zone, false)
}

/** `HH:MM:SS`, 24-hour, on the clinic's clock (diagnostics, where seconds matter). */
export function clockSeconds(at: Instant | null | undefined, zone: string): string {
  const ms = parse(at)
  return Number.isNaN(ms) ? '' : cachedClock(ms, zone, true)
}

/** The zone's short name at an instant ("PST", "GMT+5:45"): for the desk whose own zone is another. */
export function zoneAbbreviation(zone: string, at: Instant): string {
  const ms = parse(at)
  return zoneLabel(zone, Number.isNaN(ms) ? Date.now() : ms)
}

/** `HH:MM`, followed by the zone's short name when `named` ("09:30 PST"): a time shown on its own. */
export function clockNamed(at: Instant | null | undefined, zone: string, named: boolean): string {
  const text = clock(at, zone)
  return text && named ? `${text} ${zoneAbbreviation(zone, at ?? Date.now())}` : text
}

/** The clinic's calendar day of an instant, `YYYY-MM-DD` (what a date input holds). Empty for an unreadable time. */
export function dayOf(at: Instant | null | undefined, zone: string): string {
  const ms = parse(at)
  return Number.isNaN(ms) ? '' : dayIn(ms, zone)
}

/** The instant a clinic day (`YYYY-MM-DD`) reads `hour:minute` on the clinic's clock (ms since the epoch). */
export { wallTime }

/** `YYYY-MM-DD` shifted by whole calendar days (a day is a day, 23 or 25 hours long on the days the clocks change). */
export function addDays(day: string, days: number): string {
  return shiftDay(day, days)
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

/** "Thursday 26 November" (in the user's language) for a `YYYY-MM-DD` day: a calendar day, the same in every zone. */
export function longDay(day: string): string {
  const match = DAY_PATTERN.exec(day)
  if (!match) return day
  // The day's own noon in UTC, named in UTC: no zone can move it to the day before or after.
  const noon = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12)
  if (Number.isNaN(noon)) return day
  return new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(noon)
}

/** "26 Nov" (in the user's language): an instant's day on the clinic's calendar. */
function shortDate(ms: number, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: zone }).format(ms)
}

/** The full date and time of an instant on the clinic's clock, with the zone's short name (a tooltip): "26 Nov 2026, 09:30 PST". */
export function dateTime(at: Instant | null | undefined, zone: string): string {
  const ms = parse(at)
  if (Number.isNaN(ms)) return ''
  const date = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: zone }).format(ms)
  return `${date}, ${clock(ms, zone)} ${zoneAbbreviation(zone, ms)}`
}

/** "just now", "5 min ago", "2 h ago", "yesterday 14:05", or a date: days and clock on the clinic's calendar. */
export function relativeTime(iso: string, now: number, zone: string): string {
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return ''
  const seconds = Math.round((now - at) / 1000)
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  const day = dayIn(at, zone)
  const today = dayIn(now, zone)
  if (hours < 12 || day === today) return `${hours} h ago`
  if (day === shiftDay(today, -1)) return `yesterday ${clock(at, zone)}`
  return `${shortDate(at, zone)} ${clock(at, zone)}`
}

/** A running or finished duration: `4:05`, `1:02:03`. Elapsed time, so no zone (a DST change does not stretch it). */
export function duration(fromIso: string | null, to: number): string {
  if (fromIso === null) return ''
  const from = Date.parse(fromIso)
  if (Number.isNaN(from)) return ''
  const total = Math.max(0, Math.floor((to - from) / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const pad = (n: number): string => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`
}

/** Duration in words for screen readers: "1 hour 2 minutes". */
export function durationWords(fromIso: string | null, to: number): string {
  if (fromIso === null) return ''
  const from = Date.parse(fromIso)
  if (Number.isNaN(from)) return ''
  const minutes = Math.max(0, Math.floor((to - from) / 60_000))
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  const parts = []
  if (h > 0) parts.push(`${h} hour${h === 1 ? '' : 's'}`)
  parts.push(`${m} minute${m === 1 ? '' : 's'}`)
  return parts.join(' ')
}

/** Do Not Disturb presets, as the ISO time they end (null: off). */
export type DndChoice = 'off' | 'hour' | 'tomorrow'

/** The hour "until tomorrow" ends at, on the clinic's clock. */
export const DND_MORNING_HOUR = 8

/** When a Do Not Disturb choice ends: in an hour, or at 08:00 tomorrow on the clinic's clock (whatever the length of the night). */
export function dndUntil(choice: DndChoice, now: number, zone: string): string | null {
  if (choice === 'off') return null
  if (choice === 'hour') return new Date(now + 60 * 60_000).toISOString()
  return new Date(wallTime(shiftDay(dayIn(now, zone), 1), DND_MORNING_HOUR, 0, zone)).toISOString()
}

/** Whether a `dndUntil` value is still in force. */
export function dndActive(until: string | null, now: number): boolean {
  if (until === null) return false
  const end = Date.parse(until)
  return !Number.isNaN(end) && end > now
}

// Whether two zone names are the same zone (`Asia/Kathmandu` and `Asia/Katmandu`, `UTC` and `Etc/UTC`).
export { sameZone }

/**
 * The line that says whose clock the times are on, for a desk whose own zone
 * is another: "Times in America/Los_Angeles (PST)". Empty when the zones agree.
 */
export function zoneNote(zone: string, systemZone: string, at: Instant): string {
  if (sameZone(zone, systemZone)) return ''
  const abbreviation = zoneAbbreviation(zone, at)
  return abbreviation === zone ? `Times in ${zone}` : `Times in ${zone} (${abbreviation})`
}
