import { describe, expect, it } from 'vitest';
import { clockIn, dayStart, shiftDay } from '../../../src/shared/clinic-time';
import { todaysSlots, wallClock } from '../../../src/main/demo/world';

/** The slots of a local time as `role@HH:MM/minutes`. */
const layout = (time: string, zone = 'UTC', day = '2026-11-26') => {
  const [h, m] = time.split(':').map(Number);
  return todaysSlots(wallClock(day, h ?? 0, m ?? 0, zone), zone).map((s) => `${s.role}@${clockIn(s.start, zone)}/${s.room / 60_000}`);
};

describe('todaysSlots: the day laid out around now', () => {
  it('in office hours: the usual 30-minute grid from 08:00 to 17:00', () => {
    const slots = layout('10:00');
    expect(slots.slice(0, 7)).toEqual(['past@08:00/30', 'past@08:30/30', 'past@09:00/30', 'previous@09:30/30', 'current@10:00/30', 'next@10:30/30', 'soon@11:00/30']);
    expect(slots.at(-1)).toBe('later@16:30/30');
  });

  it('early and late: stretched to keep two hours either side of now', () => {
    expect(layout('07:00')[0]).toBe('past@05:00/30');
    expect(layout('19:30').at(-1)).toBe('later@21:00/30');
  });

  it('at 23:40: five-minute slots up to midnight, never past it', () => {
    expect(layout('23:40').slice(-6)).toEqual(['past@23:30/5', 'previous@23:35/5', 'current@23:40/5', 'next@23:45/5', 'soon@23:50/5', 'later@23:55/5']);
  });

  it('at 00:10: five-minute slots from midnight, then the usual grid', () => {
    expect(layout('00:10').slice(0, 7)).toEqual(['past@00:00/5', 'previous@00:05/5', 'current@00:10/5', 'next@00:15/5', 'soon@00:20/10', 'later@00:30/30', 'later@01:00/30']);
  });

  it('keeps every slot inside the local day in a +05:45 zone and on DST days', () => {
    for (const [zone, day] of [['Asia/Kathmandu', '2026-11-26'], ['America/Los_Angeles', '2026-03-08'], ['America/Los_Angeles', '2026-11-01'], ['Australia/Sydney', '2026-04-05']] as const) {
      for (const time of ['00:10', '01:30', '12:00', '23:40']) {
        const [h, m] = time.split(':').map(Number);
        const now = wallClock(day, h ?? 0, m ?? 0, zone);
        const slots = todaysSlots(now, zone);
        expect(slots.filter((s) => s.role === 'current')).toHaveLength(1);
        for (const s of slots) {
          expect(s.start).toBeGreaterThanOrEqual(dayStart(day, zone));
          expect(s.start + s.room).toBeLessThanOrEqual(dayStart(shiftDay(day, 1), zone));
          expect(s.room).toBeGreaterThanOrEqual(5 * 60_000);
        }
      }
    }
  });
});
