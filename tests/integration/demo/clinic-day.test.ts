/**
 * The demo clinic's day in its own time zone, at any hour: the world is laid
 * out on the clinic's LOCAL day around the newcomer's local time (a pinned
 * clock), in UTC, Los Angeles, Sydney and Kathmandu (+05:45), across local
 * midnight and on the days the clocks change; `?date=` over real HTTP selects
 * the local day; and the same seed, clock and zone give the same world.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dayHours, dayIn, dayStart, shiftDay } from '../../../src/shared/clinic-time';
import type { Appointment } from '../../../src/shared/domain';
import { ClinicStore } from '../../../src/main/demo/clinic-store';
import { buildWorld, wallClock, type DemoWorld } from '../../../src/main/demo/world';
import { DemoHarness, clientFor } from '../../helpers/demo';

const ZONES = ['UTC', 'America/Los_Angeles', 'Australia/Sydney', 'Asia/Kathmandu'] as const;
/** Local wall-clock times the newcomer might try the demo at. */
const HOURS = ['07:00', '13:00', '19:30', '23:40', '00:10'] as const;
const DAY = '2026-11-26';
const SEED = 42;
const MINUTE = 60_000;

const at = (day: string, time: string, zone: string) => {
  const [h, m] = time.split(':').map(Number);
  return wallClock(day, h ?? 0, m ?? 0, zone);
};
const start = (a: Appointment) => Date.parse(a.appointment_date);
const end = (a: Appointment) => start(a) + a.duration_minutes * MINUTE;
const WAITING_ROOM = new Set(['scheduled', 'confirmed', 'reminder_sent']);

interface Picture {
  world: DemoWorld;
  store: ClinicStore;
  today: string;
}

function pictureAt(now: number, zone: string, seed = SEED): Picture {
  const world = buildWorld({ seed, now, timeZone: zone });
  return { world, store: new ClinicStore(world, () => now), today: dayIn(now, zone) };
}

/** What a clinic looks like at `now`: every count a newcomer would see on the board and the consultations screen. */
function sessionOf({ store, world, today }: Picture, clinicId: number, now: number) {
  const appointments = store.appointmentsOn(clinicId, today);
  const consultations = store.consultationsWhere((c) => c.clinic_id === clinicId);
  const byId = new Map(world.appointments.map((a) => [a.id, a]));
  return {
    appointments,
    inConsultation: appointments.filter((a) => a.status === 'in_consultation'),
    waiting: appointments.filter((a) => a.status === 'checked_in'),
    completedBefore: appointments.filter((a) => a.status === 'completed' && end(a) <= now),
    bookedAfter: appointments.filter((a) => WAITING_ROOM.has(a.status) && start(a) > now),
    active: consultations.filter((c) => c.status === 'active'),
    pending: consultations.filter((c) => c.status === 'pending'),
    appointmentOf: (id: number | null) => (id === null ? undefined : byId.get(id)),
  };
}

describe('the clinic day, laid out around the local time in the clinic zone', () => {
  for (const zone of ZONES) {
    describe(zone, () => {
      it.each(HOURS)('at %s local: in session, every appointment on the local day', (time) => {
        const now = at(DAY, time, zone);
        const picture = pictureAt(now, zone);
        const localDay = dayIn(now, zone);
        expect(picture.store.today()).toBe(localDay);
        // 00:10 belongs to the day that just began, not to the one before.
        expect(localDay).toBe(DAY);
        for (const clinicId of [1, 2]) {
          const s = sessionOf(picture, clinicId, now);
          const label = `${zone} ${time} clinic ${clinicId}`;
          expect(s.appointments.length, label).toBeGreaterThan(5);
          // Starts and ends on the local day: from its midnight to the next.
          const from = dayStart(localDay, zone);
          const to = dayStart(shiftDay(localDay, 1), zone);
          for (const a of s.appointments) {
            expect(start(a), `${label} #${a.id}`).toBeGreaterThanOrEqual(from);
            expect(end(a), `${label} #${a.id}`).toBeLessThanOrEqual(to);
          }
          // In session: in consultation now, patients waiting, consultations active and pending.
          expect(s.inConsultation.length, label).toBeGreaterThan(0);
          for (const a of s.inConsultation) {
            expect(start(a)).toBeLessThanOrEqual(now);
            expect(end(a)).toBeGreaterThan(now);
          }
          expect(s.waiting.length, label).toBeGreaterThan(0);
          expect(s.active.length, label).toBeGreaterThan(0);
          expect(s.pending.length, label).toBeGreaterThan(0);
          // Earlier visits completed, later ones booked.
          expect(s.completedBefore.length, label).toBeGreaterThan(0);
          expect(s.bookedAfter.length, label).toBeGreaterThan(0);
          // Nothing later than now is over yet, nothing before now is still only booked.
          for (const a of s.appointments) {
            if (a.status === 'completed' || a.status === 'no_show') expect(start(a), `${label} #${a.id} ${a.status}`).toBeLessThan(now);
            if (a.status === 'scheduled' || a.status === 'reminder_sent') expect(start(a), `${label} #${a.id} ${a.status}`).toBeGreaterThan(now);
          }
        }
      });
    });
  }

  it('keeps the model consistent: consultations follow their appointments, no doctor sees two patients at once', () => {
    for (const zone of ZONES) {
      for (const time of HOURS) {
        const now = at(DAY, time, zone);
        const picture = pictureAt(now, zone);
        for (const clinicId of [1, 2]) {
          const s = sessionOf(picture, clinicId, now);
          for (const c of s.active) {
            const a = s.appointmentOf(c.appointment_id);
            expect(a?.status).toBe('in_consultation');
            expect(c.started_at).toBe(a?.appointment_date);
          }
          for (const c of s.pending) {
            expect(s.appointmentOf(c.appointment_id)?.status).toBe('checked_in');
            expect(c.started_at).toBeNull();
          }
          expect(s.inConsultation.map((a) => a.id).sort()).toEqual(s.active.map((c) => c.appointment_id).sort());
          for (const doctor of picture.world.doctors.filter((d) => d.clinic_id === clinicId)) {
            const column = s.appointments.filter((a) => a.doctor_id === doctor.id).sort((a, b) => start(a) - start(b));
            for (let i = 1; i < column.length; i++) expect(end(column[i - 1] as Appointment), `${zone} ${time} doctor ${doctor.id}`).toBeLessThanOrEqual(start(column[i] as Appointment));
          }
        }
      }
    }
  });

  it('keeps yesterday and tomorrow in office hours, 08:00–17:00 local', () => {
    for (const zone of ZONES) {
      const now = at(DAY, '19:30', zone);
      const { store } = pictureAt(now, zone);
      for (const day of [shiftDay(DAY, -1), shiftDay(DAY, 1)]) {
        const rows = store.appointmentsOn(1, day);
        expect(rows.length).toBeGreaterThan(10);
        for (const a of rows) {
          expect(start(a)).toBeGreaterThanOrEqual(wallClock(day, 8, 0, zone));
          expect(end(a)).toBeLessThanOrEqual(wallClock(day, 17, 0, zone));
        }
        const past = day < DAY;
        expect(rows.every((a) => (past ? ['completed', 'no_show', 'cancelled'] : ['scheduled', 'confirmed', 'reminder_sent', 'cancelled']).includes(a.status))).toBe(true);
      }
    }
  });

  it('compresses the last minutes of the day and the first ones without leaving it', () => {
    const zone = 'America/Los_Angeles';
    const late = pictureAt(at(DAY, '23:40', zone), zone);
    const lateSession = sessionOf(late, 1, at(DAY, '23:40', zone));
    // Short visits right up to midnight, none past it.
    expect(lateSession.bookedAfter.every((a) => end(a) <= dayStart(shiftDay(DAY, 1), zone))).toBe(true);
    expect(Math.min(...lateSession.bookedAfter.map((a) => a.duration_minutes))).toBeLessThanOrEqual(10);
    const early = pictureAt(at(DAY, '00:10', zone), zone);
    const earlySession = sessionOf(early, 1, at(DAY, '00:10', zone));
    expect(earlySession.completedBefore.every((a) => start(a) >= dayStart(DAY, zone))).toBe(true);
    // Two minutes before midnight: still somebody in consultation, and nothing past midnight.
    for (const time of ['23:58', '00:01']) {
      const now = at(DAY, time, zone);
      const s = sessionOf(pictureAt(now, zone), 1, now);
      expect(s.inConsultation.length, time).toBeGreaterThan(0);
      expect(s.waiting.length, time).toBeGreaterThan(0);
      expect(s.appointments.every((a) => dayIn(start(a), zone) === DAY && end(a) <= dayStart(shiftDay(DAY, 1), zone)), time).toBe(true);
    }
  });

  it('lays out the days the clocks change (23 and 25 hours) on their local day', () => {
    const zone = 'America/Los_Angeles';
    for (const [day, hours] of [['2026-03-08', 23], ['2026-11-01', 25]] as const) {
      expect(dayHours(day, zone)).toBe(hours);
      for (const time of ['00:10', '03:30', '10:00', '23:40']) {
        const now = at(day, time, zone);
        const picture = pictureAt(now, zone);
        expect(picture.today).toBe(day);
        const s = sessionOf(picture, 1, now);
        expect(s.inConsultation.length, `${day} ${time}`).toBeGreaterThan(0);
        expect(s.appointments.every((a) => dayIn(start(a), zone) === day && dayIn(end(a) - 1, zone) === day), `${day} ${time}`).toBe(true);
      }
    }
  });

  it('is the same world for the same seed, clock and zone; the same people and conversations in every zone', () => {
    const now = at(DAY, '23:40', 'Australia/Sydney');
    const a = buildWorld({ seed: SEED, now, timeZone: 'Australia/Sydney' });
    const b = buildWorld({ seed: SEED, now, timeZone: 'Australia/Sydney' });
    expect(b).toEqual(a);
    const other = buildWorld({ seed: SEED + 1, now, timeZone: 'Australia/Sydney' });
    expect(other.appointments).not.toEqual(a.appointments);
    // Another zone at the same instant: another local hour, so another schedule, but the same clinic.
    const kathmandu = buildWorld({ seed: SEED, now, timeZone: 'Asia/Kathmandu' });
    expect(kathmandu.users).toEqual(a.users);
    expect(kathmandu.conversations).toEqual(a.conversations);
    expect(kathmandu.notifications).toEqual(a.notifications);
    expect(kathmandu.appointments).not.toEqual(a.appointments);
    expect(a.clinics.every((c) => c.timezone === 'Australia/Sydney')).toBe(true);
  });

  it('refuses a zone that is not an IANA name', () => {
    expect(() => buildWorld({ seed: SEED, now: at(DAY, '10:00', 'UTC'), timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});

describe('over HTTP: ?date= is the local day, and the user answer says the zone', () => {
  const harness = new DemoHarness();
  afterAll(() => harness.cleanup());

  it.each([
    ['America/Los_Angeles', '19:30'],
    ['Australia/Sydney', '07:00'],
    ['Asia/Kathmandu', '00:10'],
  ] as const)('%s at %s: the board of the local day is whole, and differs from the UTC day', async (zone, time) => {
    const now = at(DAY, time, zone);
    const clinic = await harness.clinic({ timeZone: zone, now: () => now });
    expect(clinic.timeZone).toBe(zone);
    expect(clinic.info.timeZone).toBe(zone);
    expect(clinic.today()).toBe(DAY);
    // The UTC day of that instant is another day in each of these cases.
    expect(new Date(now).toISOString().slice(0, 10)).not.toBe(DAY);
    const api = await clientFor(clinic, 'reception1@northside.clinic.test');
    const me = await api.get('/api/user');
    expect((me.body as { clinic: unknown }).clinic).toEqual({ id: 1, name: 'Northside Family Clinic', timezone: zone });
    const res = await api.get(`/api/appointments?date=${DAY}`);
    const rows = (res.body as { data: Appointment[] }).data;
    expect(rows.map((a) => a.id)).toEqual(clinic.store.appointmentsOn(1, DAY).map((a) => a.id));
    expect(rows.every((a) => dayIn(a.appointment_date, zone) === DAY)).toBe(true);
    // Times stay UTC on the wire; some of the local day's fall on another UTC date.
    expect(rows.every((a) => a.appointment_date.endsWith('Z'))).toBe(true);
    expect(new Set(rows.map((a) => a.appointment_date.slice(0, 10))).size).toBeGreaterThan(1);
    expect(rows.some((a) => a.status === 'in_consultation')).toBe(true);
  });
});
