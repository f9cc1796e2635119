/**
 * Times as the desk shows them: 24-hour local clock times, relative ages
 * ("5 min ago") and running durations. Pure functions of their inputs (the
 * caller passes "now"), so views re-render from one ticking clock.
 */

const pad = (n: number): string => String(n).padStart(2, '0')

/** `HH:MM`, 24-hour, local time. Empty for a missing or unreadable time. */
export function clock(at: string | number | Date | null | undefined): string {
  if (at === null || at === undefined) return ''
  const date = at instanceof Date ? at : new Date(at)
  if (Number.isNaN(date.getTime())) return ''
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** `HH:MM:SS`, 24-hour, local time (diagnostics, where seconds matter). */
export function clockSeconds(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return ''
  const date = new Date(at)
  if (Number.isNaN(date.getTime())) return ''
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** A calendar day in local time, `YYYY-MM-DD` (what a date input holds). */
export function localDay(at: number | Date): string {
  const date = at instanceof Date ? at : new Date(at)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/**
 * The UTC day of an ISO time. The core decides whether an appointment is on
 * the board by its UTC day, so the board mirrors that rule exactly.
 */
export function utcDay(iso: string): string {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10)
}

/** `YYYY-MM-DD` shifted by whole days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number)
  const date = new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)
  return localDay(date)
}

/** "Thursday 26 November" for a `YYYY-MM-DD` day. */
export function longDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  if (y === undefined || m === undefined || d === undefined || [y, m, d].some(Number.isNaN)) return day
  const date = new Date(y, m - 1, d)
  return date.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' })
}

/** "just now", "5 min ago", "2 h ago", "yesterday 14:05", or a date. */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return ''
  const seconds = Math.round((now - at) / 1000)
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 12 || localDay(at) === localDay(now)) return `${hours} h ago`
  if (localDay(at) === addDays(localDay(now), -1)) return `yesterday ${clock(at)}`
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' }) + ` ${clock(at)}`
}

/** A running or finished duration: `4:05`, `1:02:03`. */
export function duration(fromIso: string | null, to: number): string {
  if (fromIso === null) return ''
  const from = Date.parse(fromIso)
  if (Number.isNaN(from)) return ''
  const total = Math.max(0, Math.floor((to - from) / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
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

export function dndUntil(choice: DndChoice, now: number): string | null {
  if (choice === 'off') return null
  if (choice === 'hour') return new Date(now + 60 * 60_000).toISOString()
  const date = new Date(now)
  const tomorrow = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1, 8, 0, 0, 0)
  return tomorrow.toISOString()
}

/** Whether a `dndUntil` value is still in force. */
export function dndActive(until: string | null, now: number): boolean {
  if (until === null) return false
  const end = Date.parse(until)
  return !Number.isNaN(end) && end > now
}
