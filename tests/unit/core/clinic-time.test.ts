import { describe, expect, it } from 'vitest';
import { ClinicTimeZone, clockIn, dayHours, dayIn, dayStart, isTimeZone, nextDayStart, shiftDay, zoneLabel } from '../../../src/shared/clinic-time';
import { resolveClinicZone } from '../../../src/main/core/session/clinic-zone';

const at = (iso: string) => Date.parse(iso);

describe('the clinic day, in four zones', () => {
  // 03:34 UTC on a Saturday is still Friday evening in Los Angeles and Saturday afternoon in Sydney.
  const instant = at('2026-12-05T03:34:00Z');

  it.each([
    ['UTC', '2026-12-05', '03:34'],
    ['America/Los_Angeles', '2026-12-04', '19:34'],
    ['Australia/Sydney', '2026-12-05', '14:34'],
    ['Asia/Kathmandu', '2026-12-05', '09:19'],
  ])('%s: the day and the wall clock are the zone’s', (zone, day, clock) => {
    expect(dayIn(instant, zone)).toBe(day);
    expect(clockIn(instant, zone)).toBe(clock);
    expect(clockIn(new Date(instant).toISOString(), zone, true)).toBe(`${clock}:00`);
  });

  it('a day starts at its local midnight, a quarter-hour zone included', () => {
    expect(new Date(dayStart('2026-12-05', 'Asia/Kathmandu')).toISOString()).toBe('2026-12-04T18:15:00.000Z');
    expect(new Date(dayStart('2026-12-05', 'Australia/Sydney')).toISOString()).toBe('2026-12-04T13:00:00.000Z');
    expect(new Date(dayStart('2026-12-04', 'America/Los_Angeles')).toISOString()).toBe('2026-12-04T08:00:00.000Z');
  });

  it('the next midnight is the next local one, not the next UTC one', () => {
    expect(new Date(nextDayStart(instant, 'America/Los_Angeles')).toISOString()).toBe('2026-12-05T08:00:00.000Z');
    expect(new Date(nextDayStart(instant, 'UTC')).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    // One millisecond before midnight, and at midnight itself.
    const midnight = dayStart('2026-12-06', 'Asia/Kathmandu');
    expect(nextDayStart(midnight - 1, 'Asia/Kathmandu')).toBe(midnight);
    expect(dayIn(midnight - 1, 'Asia/Kathmandu')).toBe('2026-12-05');
    expect(dayIn(midnight, 'Asia/Kathmandu')).toBe('2026-12-06');
  });

  it('the days the clocks change have 23 and 25 hours, and their midnights are right', () => {
    expect(dayHours('2026-03-08', 'America/Los_Angeles')).toBe(23);
    expect(dayHours('2026-11-01', 'America/Los_Angeles')).toBe(25);
    expect(dayHours('2026-10-04', 'Australia/Sydney')).toBe(23);
    expect(dayHours('2026-04-05', 'Australia/Sydney')).toBe(25);
    expect(dayHours('2026-12-05', 'Asia/Kathmandu')).toBe(24);
    // From the start of the short day, the next midnight is 23 hours on.
    const start = dayStart('2026-03-08', 'America/Los_Angeles');
    expect(nextDayStart(start, 'America/Los_Angeles') - start).toBe(23 * 3_600_000);
    const long = dayStart('2026-11-01', 'America/Los_Angeles');
    expect(nextDayStart(long + 24 * 3_600_000, 'America/Los_Angeles') - long).toBe(25 * 3_600_000);
    // 23:30 on the long day is still that day, though 24.5 hours have passed since its midnight.
    expect(dayIn(long + 24.5 * 3_600_000, 'America/Los_Angeles')).toBe('2026-11-01');
    expect(clockIn(long + 24.5 * 3_600_000, 'America/Los_Angeles')).toBe('23:30');
  });

  it('shifts days across months and years whatever their length', () => {
    expect(shiftDay('2026-12-31', 1)).toBe('2027-01-01');
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28');
    expect(shiftDay('2026-03-08', 1)).toBe('2026-03-09');
  });

  it('names zones as people read them', () => {
    expect(zoneLabel('America/Los_Angeles', at('2026-12-05T03:34:00Z'))).toBe('PST');
    expect(zoneLabel('America/Los_Angeles', at('2026-07-05T03:34:00Z'))).toBe('PDT');
    expect(zoneLabel('Asia/Kathmandu', instant)).toMatch(/GMT\+5:45/);
  });

  it('knows an IANA name from a made-up one; an unreadable time is empty, never a wrong day', () => {
    expect(isTimeZone('Australia/Sydney')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(ClinicTimeZone.safeParse({ zone: 'Mars/Olympus', source: 'os' }).success).toBe(false);
    expect(dayIn('not a time', 'UTC')).toBe('');
    expect(clockIn('not a time', 'UTC')).toBe('');
  });
});

describe('which zone is the clinic’s', () => {
  it('the server’s word first, then the policy, then this computer', () => {
    expect(resolveClinicZone({ server: 'Australia/Sydney', policy: 'Europe/London', system: 'UTC' })).toEqual({ zone: 'Australia/Sydney', source: 'server', note: null });
    expect(resolveClinicZone({ server: null, policy: 'Europe/London', system: 'UTC' })).toEqual({ zone: 'Europe/London', source: 'policy', note: null });
    expect(resolveClinicZone({ server: '  ', policy: undefined, system: 'Asia/Kathmandu' })).toEqual({ zone: 'Asia/Kathmandu', source: 'os', note: null });
  });

  it('a zone the server names that this desk does not know is set aside with a note, not a refusal', () => {
    const withPolicy = resolveClinicZone({ server: 'Central Standard Time', policy: 'America/Chicago', system: 'UTC' });
    expect(withPolicy).toMatchObject({ zone: 'America/Chicago', source: 'policy' });
    expect(withPolicy.note).toContain('"Central Standard Time"');
    const withOs = resolveClinicZone({ server: 'GMT+25', policy: undefined, system: 'UTC' });
    expect(withOs).toMatchObject({ zone: 'UTC', source: 'os' });
    expect(withOs.note).toContain('clinic.timeZone');
  });
});
