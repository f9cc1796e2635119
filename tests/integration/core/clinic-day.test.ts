/**
 * The clinic's day: which zone decides it (the server's word, the policy, the
 * OS), and the board moving to the new day by itself at the clinic's local
 * midnight, on ordinary days and on the days the clocks change, through a
 * real desk core signed in to a demo clinic over real sockets. The clock is
 * real time shifted to just before a midnight, so the desk's own timers fire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dayIn, dayStart } from '../../../src/shared/clinic-time';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import { createDesk, deskConfig, signInLive, type TestDesk } from '../../helpers/desk';
import { DEMO_SEED, startTestClinic } from '../../helpers/demo';

const RECEPTION = 'reception1@northside.clinic.test';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

/** A clock that reads `startAt` now and runs on in real time. */
function clockFrom(startAt: number): () => number {
  const t0 = Date.now();
  return () => startAt + (Date.now() - t0);
}

async function deskAt(options: { zone: string; now: () => number; dialect?: ApiDialectName; policyZone?: string; systemZone?: string }): Promise<{ clinic: DemoClinic; t: TestDesk }> {
  const clinic = await startTestClinic({ seed: DEMO_SEED, now: options.now, timeZone: options.zone, apiDialect: options.dialect ?? 'default' });
  cleanups.push(() => clinic.close());
  const config = deskConfig(clinic, options.policyZone === undefined ? {} : { clinic: { timeZone: options.policyZone } });
  const t = createDesk(clinic, { config, now: options.now, systemTimeZone: () => options.systemZone ?? 'UTC' });
  cleanups.push(() => t.close());
  return { clinic, t };
}

describe('which zone the desk’s days are in', () => {
  it('the server’s: the demo says its clinic is in Sydney, the desk’s computer is in UTC', async () => {
    const now = () => Date.parse('2026-12-04T21:30:00Z'); // Saturday 08:30 in Sydney, Friday in UTC
    const { clinic, t } = await deskAt({ zone: 'Australia/Sydney', now });
    await signInLive(t, clinic, RECEPTION);
    const snapshot = await t.desk.getSnapshot();
    expect(snapshot.session).toMatchObject({ status: 'signed-in', timeZone: { zone: 'Australia/Sydney', source: 'server', note: null } });
    expect(snapshot.board?.date).toBe('2026-12-05');
    expect(snapshot.board?.appointments.length).toBeGreaterThan(0);
    expect((await t.desk.getDiagnostics()).timeZone).toMatchObject({ zone: 'Australia/Sydney', source: 'server' });
  });

  it('the policy’s when the server says nothing (minimal dialect), else this computer’s', async () => {
    const now = () => Date.parse('2026-12-05T03:34:00Z'); // Friday 19:34 in Los Angeles
    const withPolicy = await deskAt({ zone: 'America/Los_Angeles', now, dialect: 'minimal', policyZone: 'America/Los_Angeles', systemZone: 'Asia/Kathmandu' });
    await signInLive(withPolicy.t, withPolicy.clinic, RECEPTION);
    const a = await withPolicy.t.desk.getSnapshot();
    expect(a.session).toMatchObject({ timeZone: { zone: 'America/Los_Angeles', source: 'policy' } });
    expect(a.board?.date).toBe('2026-12-04');

    const withOs = await deskAt({ zone: 'America/Los_Angeles', now, dialect: 'minimal', systemZone: 'Asia/Kathmandu' });
    await signInLive(withOs.t, withOs.clinic, RECEPTION);
    const b = await withOs.t.desk.getSnapshot();
    expect(b.session).toMatchObject({ timeZone: { zone: 'Asia/Kathmandu', source: 'os' } });
    expect(b.board?.date).toBe('2026-12-05');
  });
});

describe('the board moves to the new day at the clinic’s midnight', () => {
  it.each([
    // zone, the day that ends, the day that starts, its length in hours
    ['America/Los_Angeles', '2026-03-08', '2026-03-09', 'the short day the clocks go forward'],
    ['America/Los_Angeles', '2026-11-01', '2026-11-02', 'the long day the clocks go back'],
    ['Australia/Sydney', '2026-10-04', '2026-10-05', 'the short day the clocks go forward'],
    ['Australia/Sydney', '2026-04-05', '2026-04-06', 'the long day the clocks go back'],
    ['Asia/Kathmandu', '2026-12-05', '2026-12-06', 'an ordinary day at +05:45'],
  ])('%s: from %s to %s (%s)', async (zone, day, next) => {
    const midnight = dayStart(next, zone);
    const now = clockFrom(midnight - 2_500);
    const { clinic, t } = await deskAt({ zone, now });
    await signInLive(t, clinic, RECEPTION);
    expect((await t.desk.getSnapshot()).board?.date).toBe(day);
    const moved = await t.waitFor('board.replaced', (e) => e.board.date === next, 6_000);
    expect(now()).toBeGreaterThanOrEqual(midnight);
    expect(moved.board.appointments.length).toBeGreaterThan(0);
    expect(moved.board.appointments.every((a) => dayIn(a.appointment_date, zone) === next)).toBe(true);
    // The live filter moved with it: an update of the new day lands on the board.
    const first = clinic.store.appointmentsOn(1, next)[0];
    if (!first) throw new Error(`the demo has no appointment on ${next}`);
    await clinic.setAppointmentStatus(first.id, first.status === 'confirmed' ? 'checked_in' : 'confirmed');
    const live = await t.waitFor('appointment.updated', (e) => e.appointment.id === first.id, 3_000);
    expect((await t.desk.getSnapshot()).board?.appointments.find((a) => a.id === first.id)?.status).toBe(live.appointment.status);
  });

  it('stays on the day the user is looking at', async () => {
    const zone = 'America/Los_Angeles';
    const now = clockFrom(dayStart('2026-12-05', zone) - 2_000);
    const { clinic, t } = await deskAt({ zone, now });
    await signInLive(t, clinic, RECEPTION);
    await t.desk.loadBoard({ date: '2026-12-10' });
    const mark = t.mark();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(t.events.slice(mark).some((e) => e.kind === 'board.replaced' && e.board.date !== '2026-12-10')).toBe(false);
    expect((await t.desk.getSnapshot()).board?.date).toBe('2026-12-10');
  });
});
