/**
 * Whole while live: what the desk learns without a reconnect, through real
 * sockets, the demo clinic's real HTTP API and a real cache file.
 * - a consultation or conversation opened after sign-in appears at once when
 *   an event implies it, and within one reconciliation when nothing does;
 * - with the server's queue worker "stopped" (no broadcasts), the desk still
 *   converges by reconciliation, stops saying Live, and names the likely cause;
 *   when broadcasts come back, so does Live;
 * - a doctor's desk follows colleagues' columns live where the server allows
 *   it, and marks them "refreshes every N s" where it refuses;
 * - a quiet live desk's reconciliation costs one request per feature, most of
 *   them answered 304 by a server that sends ETags.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Appointment } from '../../../src/shared/domain';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import { createDesk, deskConfig, eventually, signInLive, type TestDesk } from '../../helpers/desk';
import { DEMO_SEED, startTestClinic } from '../../helpers/demo';

const RECEPTION = 'reception1@northside.clinic.test';
const NORTHSIDE = 1;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

/** A demo clinic (scenario off: only what the test does happens) and a desk on the real clock, reconciling every `reconcileMs`. */
async function clinicAndDesk(options: { dialect?: ApiDialectName; reconcileMs?: number } = {}): Promise<{ clinic: DemoClinic; t: TestDesk }> {
  const clinic = await startTestClinic({ seed: DEMO_SEED, apiDialect: options.dialect ?? 'default', now: Date.now, timeZone: 'UTC' });
  cleanups.push(() => clinic.close());
  const t = createDesk(clinic, { config: deskConfig(clinic), now: Date.now, reconcileIntervalMs: () => options.reconcileMs ?? 3_600_000 });
  cleanups.push(() => t.close());
  return { clinic, t };
}

/** An appointment of the doctor today whose visit has not started (the demo is in session at any hour). */
function waitingPatient(clinic: DemoClinic, doctorId: number): Appointment {
  const found = clinic.store.appointmentsOn(NORTHSIDE, clinic.today()).find((a) => a.doctor_id === doctorId && ['scheduled', 'confirmed', 'reminder_sent'].includes(a.status));
  if (!found) throw new Error(`doctor ${doctorId} has no appointment to start today`);
  return found;
}

async function consultationIds(t: TestDesk): Promise<number[]> {
  return (await t.desk.getSnapshot()).consultations.map((c) => c.id);
}

describe('whole while live', () => {
  it('a consultation opened after sign-in appears at once: its appointment going in_consultation implies it', async () => {
    const { clinic, t } = await clinicAndDesk();
    await signInLive(t, clinic, RECEPTION);
    const before = t.events.filter((e) => e.kind === 'sync').length;
    const a = waitingPatient(clinic, 31);
    const opened = await clinic.openConsultation({ doctorId: 31, patientId: a.patient_id, status: 'active' });
    expect(opened.broadcast).toBe(true);
    await eventually(async () => expect(await consultationIds(t)).toContain(opened.consultation.id), 3_000);
    // Its own channel is followed from then on, so its end arrives live.
    await eventually(async () => {
      const channel = (await t.desk.getSnapshot()).channels.find((c) => c.name === `private-consultations.${opened.consultation.id}`);
      expect(channel?.state).toBe('subscribed');
    }, 3_000);
    await clinic.setConsultationStatus(opened.consultation.id, 'completed');
    await t.waitFor('consultation.updated', (e) => e.consultation.id === opened.consultation.id && e.consultation.status === 'completed', 3_000);
    // It came from a refresh of the consultations list alone, not a catch-up of everything.
    const refreshes = t.events.slice(0).filter((e) => e.kind === 'sync').slice(before);
    expect(refreshes.map((e) => e.reason)).toContain('refresh');
    expect((await t.desk.getSnapshot()).connection.status).toBe('live');
  });

  it('a conversation created after sign-in appears at once: its message notification implies it', async () => {
    const { clinic, t } = await clinicAndDesk();
    await signInLive(t, clinic, RECEPTION);
    const me = clinic.info.users.find((u) => u.email === RECEPTION);
    const doctor = clinic.info.users.find((u) => u.email === 'doctor1@northside.clinic.test');
    if (!me || !doctor) throw new Error('demo accounts missing');
    const started = await clinic.startConversation({ senderId: doctor.id, participantIds: [me.id], subject: 'Room 3 is free', body: 'Send the next one in' });
    await eventually(async () => expect((await t.desk.getSnapshot()).conversations.map((c) => c.id)).toContain(started.conversation.id), 3_000);
    const conversation = (await t.desk.getSnapshot()).conversations.find((c) => c.id === started.conversation.id);
    expect(conversation?.last_message?.body).toBe('Send the next one in');
  });

  it('with broadcasts off, a new consultation still appears within one reconciliation', async () => {
    const { clinic, t } = await clinicAndDesk({ reconcileMs: 700 });
    await signInLive(t, clinic, RECEPTION);
    clinic.setBroadcasting(false);
    const a = waitingPatient(clinic, 32);
    const opened = await clinic.openConsultation({ doctorId: 32, patientId: a.patient_id, status: 'pending' });
    expect(opened.broadcast).toBe(false);
    const asked = Date.now();
    await eventually(async () => expect(await consultationIds(t)).toContain(opened.consultation.id), 3_000);
    expect(Date.now() - asked).toBeLessThan(700 + 1_500);
    expect(t.events.some((e) => e.kind === 'sync' && e.reason === 'reconcile')).toBe(true);
  });

  it('the queue worker stopped: the desk converges by reconciliation, leaves Live and names the cause; broadcasts back, Live again', async () => {
    const { clinic, t } = await clinicAndDesk({ reconcileMs: 400 });
    await signInLive(t, clinic, RECEPTION);
    clinic.setBroadcasting(false);
    const first = waitingPatient(clinic, 31);
    await clinic.setAppointmentStatus(first.id, 'checked_in');
    const onBoard = async (id: number, status: string) => {
      const row = (await t.desk.getSnapshot()).board?.appointments.find((x) => x.id === id);
      expect(row?.status).toBe(status);
    };
    await eventually(() => onBoard(first.id, 'checked_in'), 3_000);
    // One missed change is a race; a second reconciliation that finds another is a pattern.
    const second = waitingPatient(clinic, 33);
    await clinic.setAppointmentStatus(second.id, 'checked_in');
    const warned = await t.waitFor('connection', (e) => e.connection.broadcastWarning !== null, 5_000);
    expect(warned.connection.broadcastWarning).toMatch(/broadcasts seem to have stopped.*queue worker/);
    expect(warned.connection.status).toBe('polling');
    await eventually(() => onBoard(second.id, 'checked_in'), 3_000);
    const diagnostics = await t.desk.getDiagnostics();
    expect(diagnostics.reconciliation.unannounced).toBeGreaterThanOrEqual(2);
    expect(diagnostics.connection.detail).toMatch(/no broadcasts/);

    // The worker runs again: the next broadcast proves it, and the desk says Live once more.
    clinic.setBroadcasting(true);
    const third = waitingPatient(clinic, 32);
    await clinic.setAppointmentStatus(third.id, 'confirmed');
    const back = await t.waitFor('connection', (e) => e.connection.broadcastWarning === null && e.connection.status === 'live', 8_000, t.events.indexOf(warned) + 1);
    expect(back.connection.detail).toBeNull();
  });

  it('the socket server restarted mid-way: what happened meanwhile is read back on reconnect, and no broadcast is reported missing', async () => {
    const { clinic, t } = await clinicAndDesk({ reconcileMs: 500 });
    await signInLive(t, clinic, RECEPTION);
    await clinic.stopRealtime();
    await t.waitFor('connection', (e) => e.connection.status !== 'live', 5_000);
    const a = waitingPatient(clinic, 33);
    const opened = await clinic.openConsultation({ doctorId: 33, patientId: a.patient_id, status: 'active' });
    expect(opened.broadcast).toBe(false);
    const mark = t.mark();
    await clinic.startRealtime();
    await t.waitFor('connection', (e) => e.connection.status === 'live', 10_000, mark);
    expect(await consultationIds(t)).toContain(opened.consultation.id);
    expect((await t.desk.getSnapshot()).board?.appointments.find((x) => x.id === opened.appointment.id)?.status).toBe('in_consultation');
    // Two reconciliations after the restart find nothing new: the catch-up on reconnect was not a missed broadcast.
    const reconciled = t.events.filter((e) => e.kind === 'sync' && e.reason === 'reconcile').length;
    await eventually(() => expect(t.events.filter((e) => e.kind === 'sync' && e.reason === 'reconcile').length).toBeGreaterThanOrEqual(reconciled + 2), 4_000);
    const diagnostics = await t.desk.getDiagnostics();
    expect(diagnostics.connection.broadcastWarning).toBeNull();
    expect(diagnostics.connection.status).toBe('live');
  });

  it('a quiet live desk: one request per feature per reconciliation, mostly 304s where the server sends ETags', async () => {
    const { clinic, t } = await clinicAndDesk({ reconcileMs: 300 });
    await signInLive(t, clinic, RECEPTION);
    // Two reconciliations to fill the validators, then count three more.
    await eventually(() => expect(t.events.filter((e) => e.kind === 'sync' && e.reason === 'reconcile').length).toBeGreaterThanOrEqual(2), 3_000);
    const start = (await t.desk.getDiagnostics()).reconciliation;
    clinic.resetTraffic();
    await eventually(async () => expect((await t.desk.getDiagnostics()).reconciliation.requests - start.requests).toBeGreaterThanOrEqual(15), 4_000);
    const end = (await t.desk.getDiagnostics()).reconciliation;
    const reconciliations = t.events.filter((e) => e.kind === 'sync' && e.reason === 'reconcile').length;
    expect(reconciliations).toBeGreaterThanOrEqual(5);
    const traffic = clinic.traffic();
    const gets = Object.entries(traffic.byPath).filter(([route]) => route.startsWith('GET '));
    // Never more than one request per feature per reconciliation.
    for (const [, route] of gets) expect(route.requests).toBeLessThanOrEqual(Math.ceil((end.requests - start.requests) / 5) + 1);
    // The lists the server sends ETags for are answered 304 when nothing changed.
    expect(end.notModified - start.notModified).toBeGreaterThanOrEqual(end.requests - start.requests - 5);
    expect(traffic.bytes / Math.max(1, traffic.requests)).toBeLessThan(400);
  });
});

describe('a doctor sees colleagues’ columns', () => {
  const DOCTOR = 'doctor1@northside.clinic.test';

  it('live where the server authorises their channels (resource dialect)', async () => {
    const { clinic, t } = await clinicAndDesk({ dialect: 'resource' });
    await signInLive(t, clinic, DOCTOR);
    const me = (await t.desk.getSnapshot()).session;
    if (me.status !== 'signed-in') throw new Error('not signed in');
    const colleague = [31, 32, 33].find((id) => id !== me.user.doctor_id) ?? 32;
    const channels = (await t.desk.getSnapshot()).channels;
    expect(channels.find((c) => c.name === `private-appointments.doctor.${colleague}`)?.state).toBe('subscribed');
    const a = waitingPatient(clinic, colleague);
    await clinic.setAppointmentStatus(a.id, 'checked_in');
    const live = await t.waitFor('appointment.updated', (e) => e.appointment.id === a.id, 3_000);
    expect(live.appointment.status).toBe('checked_in');
    expect((await t.desk.getSnapshot()).board?.doctors.every((d) => d.refreshSeconds === null)).toBe(true);
  });

  it('where the server refuses them (nested dialect): the column says it refreshes every N s, and it does', async () => {
    const { clinic, t } = await clinicAndDesk({ dialect: 'nested', reconcileMs: 500 });
    await signInLive(t, clinic, DOCTOR);
    const me = (await t.desk.getSnapshot()).session;
    if (me.status !== 'signed-in') throw new Error('not signed in');
    const own = me.user.doctor_id;
    await eventually(async () => {
      const doctors = (await t.desk.getSnapshot()).board?.doctors ?? [];
      expect(doctors.find((d) => d.doctorId === own)?.refreshSeconds).toBeNull();
      const others = doctors.filter((d) => d.doctorId !== own);
      expect(others.length).toBeGreaterThan(0);
      for (const d of others) expect(d.refreshSeconds).toBe(1); // 500 ms, rounded to whole seconds
    }, 3_000);
    expect((await t.desk.getSnapshot()).connection.status).toBe('live');
    const colleague = [31, 32, 33].find((id) => id !== own) ?? 32;
    const a = waitingPatient(clinic, colleague);
    await clinic.setAppointmentStatus(a.id, 'checked_in');
    await eventually(async () => expect((await t.desk.getSnapshot()).board?.appointments.find((x) => x.id === a.id)?.status).toBe('checked_in'), 3_000);
    // Expected over REST, so not counted as a missed broadcast.
    expect((await t.desk.getDiagnostics()).connection.broadcastWarning).toBeNull();
  });
});
