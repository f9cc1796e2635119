import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { DAY_CHECK_MAX_MS, clinicToday } from '../../../src/renderer/src/lib/clinic-clock'
import {
  addDays,
  clock,
  clockNamed,
  clockSeconds,
  dateTime,
  dayOf,
  dndUntil,
  longDay,
  relativeTime,
  sameZone,
  wallTime,
  zoneAbbreviation,
  zoneNote,
} from '../../../src/renderer/src/lib/time'

/**
 * The renderer's clock in the clinic's zone, passed explicitly, in four
 * zones: UTC, Los Angeles in the evening (its day is behind UTC's), Sydney in
 * the morning (ahead of UTC's) and Kathmandu (+05:45); days that are 23 and
 * 25 hours long; and the same answers whatever zone the computer is in.
 */

const LA = 'America/Los_Angeles'
const SYDNEY = 'Australia/Sydney'
const KATHMANDU = 'Asia/Kathmandu'

afterEach(() => vi.useRealTimers())

describe('clock and day on the clinic’s clock', () => {
  const cases: Array<{ zone: string; instant: string; day: string; clock: string; seconds: string; note: string }> = [
    { zone: 'UTC', instant: '2026-11-26T23:59:59Z', day: '2026-11-26', clock: '23:59', seconds: '23:59:59', note: 'the UTC day' },
    // Friday 19:34 in Los Angeles is already Saturday in UTC: the board's day is Friday.
    { zone: LA, instant: '2026-11-28T03:34:00Z', day: '2026-11-27', clock: '19:34', seconds: '19:34:00', note: 'evening in Los Angeles' },
    // Friday 08:30 in Sydney is still Thursday in UTC: the morning belongs to Friday.
    { zone: SYDNEY, instant: '2026-11-26T21:30:00Z', day: '2026-11-27', clock: '08:30', seconds: '08:30:00', note: 'morning in Sydney' },
    { zone: KATHMANDU, instant: '2026-11-26T18:15:00Z', day: '2026-11-27', clock: '00:00', seconds: '00:00:00', note: 'Kathmandu’s midnight, at :15 UTC' },
    { zone: KATHMANDU, instant: '2026-11-26T18:14:59Z', day: '2026-11-26', clock: '23:59', seconds: '23:59:59', note: 'a second before it' },
  ]

  for (const c of cases) {
    it(`${c.zone}: ${c.note}`, () => {
      expect(dayOf(c.instant, c.zone)).toBe(c.day)
      expect(clock(c.instant, c.zone)).toBe(c.clock)
      expect(clockSeconds(c.instant, c.zone)).toBe(c.seconds)
      // Milliseconds, ISO text with microseconds (as Laravel writes them) and Date agree.
      const ms = Date.parse(c.instant)
      expect(clock(ms, c.zone)).toBe(c.clock)
      expect(clock(new Date(ms), c.zone)).toBe(c.clock)
      expect(clock(c.instant.replace('Z', '.000000Z'), c.zone)).toBe(c.clock)
    })
  }

  it('is empty for a missing or unreadable time', () => {
    for (const value of [null, undefined, '', 'not a time']) {
      expect(clock(value, LA)).toBe('')
      expect(clockSeconds(value, LA)).toBe('')
      expect(dayOf(value, LA)).toBe('')
      expect(dateTime(value, LA)).toBe('')
    }
  })

  it('gives one instant a different clock in each zone (the cache keeps them apart)', () => {
    const instant = '2026-11-27T03:30:00Z'
    expect([clock(instant, 'UTC'), clock(instant, LA), clock(instant, SYDNEY), clock(instant, KATHMANDU)]).toEqual(['03:30', '19:30', '14:30', '09:15'])
    expect([dayOf(instant, 'UTC'), dayOf(instant, LA), dayOf(instant, SYDNEY), dayOf(instant, KATHMANDU)]).toEqual(['2026-11-27', '2026-11-26', '2026-11-27', '2026-11-27'])
  })

  it('reads the clocks on both sides of Los Angeles’ DST changes', () => {
    // 8 March 2026, 02:00 PST → 03:00 PDT.
    expect(clock('2026-03-08T09:59:00Z', LA)).toBe('01:59')
    expect(clock('2026-03-08T10:00:00Z', LA)).toBe('03:00')
    expect(zoneAbbreviation(LA, '2026-03-08T09:59:00Z')).toBe('PST')
    expect(zoneAbbreviation(LA, '2026-03-08T10:00:00Z')).toBe('PDT')
    // 1 November 2026, 02:00 PDT → 01:00 PST: 01:30 happens twice, an hour apart.
    expect(clock('2026-11-01T08:30:00Z', LA)).toBe('01:30')
    expect(clock('2026-11-01T09:30:00Z', LA)).toBe('01:30')
    expect(zoneAbbreviation(LA, '2026-11-01T08:30:00Z')).toBe('PDT')
    expect(zoneAbbreviation(LA, '2026-11-01T09:30:00Z')).toBe('PST')
    expect(dayOf('2026-11-01T09:30:00Z', LA)).toBe('2026-11-01')
  })

  it('reads the clocks on both sides of Sydney’s DST changes', () => {
    // 5 April 2026, 03:00 AEDT → 02:00 AEST.
    expect(clock('2026-04-04T15:30:00Z', SYDNEY)).toBe('02:30')
    expect(clock('2026-04-04T16:30:00Z', SYDNEY)).toBe('02:30')
    // 4 October 2026, 02:00 AEST → 03:00 AEDT.
    expect(clock('2026-10-03T15:59:00Z', SYDNEY)).toBe('01:59')
    expect(clock('2026-10-03T16:00:00Z', SYDNEY)).toBe('03:00')
  })

  it('finds a wall-clock time of a clinic day, on days of 23 and 25 hours too', () => {
    expect(new Date(wallTime('2026-11-27', 8, 0, LA)).toISOString()).toBe('2026-11-27T16:00:00.000Z')
    expect(new Date(wallTime('2026-03-08', 12, 0, LA)).toISOString()).toBe('2026-03-08T19:00:00.000Z')
    expect(new Date(wallTime('2026-11-01', 12, 0, LA)).toISOString()).toBe('2026-11-01T20:00:00.000Z')
    expect(new Date(wallTime('2026-11-27', 8, 0, KATHMANDU)).toISOString()).toBe('2026-11-27T02:15:00.000Z')
  })

  it('names the zone after a time shown on its own, only when asked', () => {
    expect(clockNamed('2026-11-28T03:34:00Z', LA, true)).toBe('19:34 PST')
    expect(clockNamed('2026-07-01T03:34:00Z', LA, true)).toBe('20:34 PDT')
    expect(clockNamed('2026-11-28T03:34:00Z', LA, false)).toBe('19:34')
    expect(clockNamed(null, LA, true)).toBe('')
    expect(clockNamed('2026-11-26T18:15:00Z', KATHMANDU, true)).toMatch(/^00:00 \S+/)
  })

  it('says the full date and time with the zone, for a tooltip', () => {
    const text = dateTime('2026-11-28T03:34:00Z', LA)
    expect(text).toContain('27')
    expect(text).toContain('2026')
    expect(text.endsWith('19:34 PST')).toBe(true)
  })
})

describe('calendar days', () => {
  it('shifts a day by whole days across month, year and DST boundaries', () => {
    expect(addDays('2026-11-26', 1)).toBe('2026-11-27')
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDays('2026-03-08', 1)).toBe('2026-03-09')
    expect(addDays('2026-11-01', -1)).toBe('2026-10-31')
  })

  it('names a day as a calendar day, the same in any zone', () => {
    const text = longDay('2026-11-26')
    expect(text).toContain('Thursday')
    expect(text).toContain('26')
    expect(text).toContain('November')
    expect(longDay('not a day')).toBe('not a day')
  })
})

describe('relative times on the clinic’s calendar', () => {
  // Friday 27 November, 19:34 in Los Angeles.
  const NOW = Date.parse('2026-11-28T03:34:00Z')

  it('counts minutes and hours the same in every zone', () => {
    for (const zone of ['UTC', LA, SYDNEY, KATHMANDU]) {
      expect(relativeTime(new Date(NOW - 20_000).toISOString(), NOW, zone)).toBe('just now')
      expect(relativeTime(new Date(NOW - 5 * 60_000).toISOString(), NOW, zone)).toBe('5 min ago')
      expect(relativeTime(new Date(NOW - 3 * 3600_000).toISOString(), NOW, zone)).toBe('3 h ago')
    }
  })

  it('says "yesterday" by the clinic’s day', () => {
    // 23:30 on Thursday in Los Angeles; 07:30 on Friday in UTC (the day before UTC's Saturday).
    const iso = '2026-11-27T07:30:00Z'
    expect(relativeTime(iso, NOW, LA)).toBe('yesterday 23:30')
    expect(relativeTime(iso, NOW, 'UTC')).toBe('yesterday 07:30')
    expect(relativeTime(iso, NOW, SYDNEY)).toBe('yesterday 18:30')
    expect(relativeTime(iso, NOW, KATHMANDU)).toBe('yesterday 13:15')
  })

  it('counts hours while it is still the same clinic day', () => {
    // 06:00 on Friday in Los Angeles: 13 h 34 min before, the same day there.
    expect(relativeTime('2026-11-27T14:00:00Z', NOW, LA)).toBe('13 h ago')
    // In Sydney it is Saturday 14:34 and that was Saturday 01:00: the same day too.
    expect(relativeTime('2026-11-27T14:00:00Z', NOW, SYDNEY)).toBe('13 h ago')
  })

  it('gives an older time its clinic date', () => {
    const text = relativeTime('2026-11-20T07:30:00Z', NOW, LA)
    expect(text).toContain('19')
    expect(text.endsWith(' 23:30')).toBe(true)
  })
})

describe('Do Not Disturb until tomorrow 08:00 on the clinic’s clock', () => {
  const cases: Array<[zone: string, now: string, until: string]> = [
    ['UTC', '2026-11-26T23:59:00Z', '2026-11-27T08:00:00.000Z'],
    // Friday evening in Los Angeles: Saturday 08:00 PST.
    [LA, '2026-11-28T03:34:00Z', '2026-11-28T16:00:00.000Z'],
    // Friday morning in Sydney: Saturday 08:00 AEDT.
    [SYDNEY, '2026-11-26T21:30:00Z', '2026-11-27T21:00:00.000Z'],
    // Just after midnight in Kathmandu: the next day's 08:00, not this morning's.
    [KATHMANDU, '2026-11-26T18:15:00Z', '2026-11-28T02:15:00.000Z'],
    // The nights the clocks change: 08:00 by the new clock.
    [LA, '2026-03-08T06:00:00Z', '2026-03-08T15:00:00.000Z'],
    [LA, '2026-11-01T03:00:00Z', '2026-11-01T16:00:00.000Z'],
    [SYDNEY, '2026-04-04T10:00:00Z', '2026-04-04T22:00:00.000Z'],
    [SYDNEY, '2026-10-03T10:00:00Z', '2026-10-03T21:00:00.000Z'],
  ]
  for (const [zone, now, until] of cases) {
    it(`${zone} at ${now}`, () => {
      expect(dndUntil('tomorrow', Date.parse(now), zone)).toBe(until)
      expect(clock(until, zone)).toBe('08:00')
    })
  }

  it('an hour is an hour, and off is off', () => {
    const now = Date.parse('2026-11-01T08:30:00Z')
    expect(dndUntil('hour', now, LA)).toBe('2026-11-01T09:30:00.000Z')
    expect(dndUntil('off', now, LA)).toBeNull()
  })
})

describe('the zone note', () => {
  it('says whose clock the times are on when this computer keeps another zone', () => {
    expect(zoneNote(LA, 'Europe/London', '2026-11-27T20:00:00Z')).toBe('Times in America/Los_Angeles (PST)')
    expect(zoneNote(LA, 'Europe/London', '2026-07-01T20:00:00Z')).toBe('Times in America/Los_Angeles (PDT)')
    expect(zoneNote(KATHMANDU, 'UTC', 0)).toMatch(/^Times in Asia\/Kathmandu \(.+\)$/)
    expect(zoneNote('UTC', LA, 0)).toBe('Times in UTC')
  })

  it('says nothing when the zones are one, under any of their names', () => {
    expect(zoneNote(LA, LA, 0)).toBe('')
    expect(zoneNote(KATHMANDU, 'Asia/Katmandu', 0)).toBe('')
    expect(zoneNote('UTC', 'Etc/UTC', 0)).toBe('')
    expect(sameZone('US/Pacific', LA)).toBe(true)
    expect(sameZone(SYDNEY, LA)).toBe(false)
  })
})

describe('whatever zone this computer is in', () => {
  afterEach(() => vi.unstubAllEnvs())

  for (const machine of ['UTC', LA, SYDNEY, KATHMANDU]) {
    it(`on a computer in ${machine}`, () => {
      vi.stubEnv('TZ', machine)
      // The switch took: the runtime's own local time moved with it.
      const offsets: Record<string, number> = { UTC: 0, [LA]: 480, [SYDNEY]: -660, [KATHMANDU]: -345 }
      expect(new Date('2026-11-27T00:00:00Z').getTimezoneOffset()).toBe(offsets[machine])
      expect(dayOf('2026-11-28T03:34:00Z', LA)).toBe('2026-11-27')
      expect(clock('2026-11-28T03:34:00Z', LA)).toBe('19:34')
      expect(dayOf('2026-11-26T21:30:00Z', SYDNEY)).toBe('2026-11-27')
      expect(clock('2026-11-26T18:15:00Z', KATHMANDU)).toBe('00:00')
      expect(dayOf('2026-11-26T23:59:59Z', 'UTC')).toBe('2026-11-26')
      expect(dndUntil('tomorrow', Date.parse('2026-11-28T03:34:00Z'), LA)).toBe('2026-11-28T16:00:00.000Z')
      expect(relativeTime('2026-11-27T07:30:00Z', Date.parse('2026-11-28T03:34:00Z'), LA)).toBe('yesterday 23:30')
      expect(longDay('2026-11-26')).toContain('Thursday')
    })
  }
})

describe('the clinic’s today', () => {
  /** A `clinicToday` in its own scope, as a store or a component has one. */
  function track(zone: string) {
    const z = ref(zone)
    const scope = effectScope()
    const today = scope.run(() => clinicToday(() => z.value))
    if (!today) throw new Error('no scope')
    return { today, zone: z, stop: () => scope.stop() }
  }

  const atMidnight: Array<{ zone: string; midnight: string; before: string; after: string }> = [
    { zone: 'UTC', midnight: '2026-11-27T00:00:00Z', before: '2026-11-26', after: '2026-11-27' },
    { zone: LA, midnight: '2026-11-27T08:00:00Z', before: '2026-11-26', after: '2026-11-27' },
    { zone: SYDNEY, midnight: '2026-11-26T13:00:00Z', before: '2026-11-26', after: '2026-11-27' },
    { zone: KATHMANDU, midnight: '2026-11-26T18:15:00Z', before: '2026-11-26', after: '2026-11-27' },
  ]
  for (const c of atMidnight) {
    it(`moves on at local midnight in ${c.zone}`, () => {
      vi.useFakeTimers()
      vi.setSystemTime(Date.parse(c.midnight) - 30_000)
      const { today, stop } = track(c.zone)
      expect(today.value).toBe(c.before)
      vi.advanceTimersByTime(29_000)
      expect(today.value).toBe(c.before)
      vi.advanceTimersByTime(1_000)
      expect(today.value).toBe(c.after)
      stop()
    })
  }

  const dstDays: Array<{ zone: string; day: string; start: string; hours: number; next: string }> = [
    { zone: LA, day: '2026-03-08', start: '2026-03-08T08:00:00Z', hours: 23, next: '2026-03-09' },
    { zone: LA, day: '2026-11-01', start: '2026-11-01T07:00:00Z', hours: 25, next: '2026-11-02' },
    { zone: SYDNEY, day: '2026-04-05', start: '2026-04-04T13:00:00Z', hours: 25, next: '2026-04-06' },
    { zone: SYDNEY, day: '2026-10-04', start: '2026-10-03T14:00:00Z', hours: 23, next: '2026-10-05' },
  ]
  for (const d of dstDays) {
    it(`keeps ${d.day} in ${d.zone} for its ${d.hours} hours`, () => {
      vi.useFakeTimers()
      vi.setSystemTime(Date.parse(d.start))
      const { today, stop } = track(d.zone)
      expect(today.value).toBe(d.day)
      vi.advanceTimersByTime(d.hours * 3600_000 - 1_000)
      expect(today.value).toBe(d.day)
      vi.advanceTimersByTime(1_000)
      expect(today.value).toBe(d.next)
      stop()
    })
  }

  it('catches up after a sleep through midnight within its longest wait', () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-11-27T07:00:00Z'))
    const { today, stop } = track(LA)
    expect(today.value).toBe('2026-11-26')
    // The computer sleeps: the clock jumps past midnight, no timer ran meanwhile.
    vi.setSystemTime(Date.parse('2026-11-27T09:00:00Z'))
    expect(today.value).toBe('2026-11-26')
    vi.advanceTimersByTime(DAY_CHECK_MAX_MS)
    expect(today.value).toBe('2026-11-27')
    stop()
  })

  it('follows a change of zone at once, and stops with its scope', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-11-26T21:30:00Z'))
    const { today, zone, stop } = track(LA)
    expect(today.value).toBe('2026-11-26')
    zone.value = SYDNEY
    await nextTick()
    expect(today.value).toBe('2026-11-27')
    stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
