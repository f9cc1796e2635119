import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/shared/features';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { API_DIALECTS, type ApiDialectName } from '../../../src/main/demo/dialects';
import { account, startTestClinic, TODAY } from '../../helpers/demo';
import { createDesk, eventually, signInLive, type TestDesk } from '../../helpers/desk';
import { closeAfterEach } from '../../helpers/close-after-each';

/**
 * The scenario of a new clinic, once per REST dialect of the demo clinic: the
 * desk signs in, shows the day, receives live updates through real sockets,
 * catches up what it missed while the socket server was down, and sends an
 * action taken while the API failed. Every dialect must pass it; the minimal
 * back end (no lists at all) still shows what arrives live and says which
 * features are live-only.
 */

const RECEPTION = 'reception1@northside.clinic.test';
const DOCTOR = 'doctor1@northside.clinic.test';
const FAST_RECONNECT = { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } };

const open = closeAfterEach();


async function clinicSpeaking(apiDialect: ApiDialectName): Promise<DemoClinic> {
  const c = await startTestClinic({ apiDialect });
  open.push(c);
  return c;
}

function desk(c: DemoClinic): TestDesk {
  const d = createDesk(c, { realtime: FAST_RECONNECT });
  open.push(d);
  return d;
}

const LISTING: ReadonlyArray<ApiDialectName> = API_DIALECTS.filter((name) => name !== 'minimal');

describe.each(LISTING)('a clinic whose API speaks the %s dialect', (dialect) => {
  it('reception: every feature available, the whole day on the board, live updates, nothing lost across a socket-server restart, an offline action sent', async () => {
    const c = await clinicSpeaking(dialect);
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);

    // Live only once every channel the connect subscribes is in place and caught up on.
    const firstLiveAt = d.events.findIndex((e) => e.kind === 'connection' && e.connection.status === 'live');
    const pendingThen = new Map<string, string>();
    for (const e of d.events.slice(0, firstLiveAt)) if (e.kind === 'channel') pendingThen.set(e.channel.name, e.channel.state);
    expect([...pendingThen].filter(([, state]) => state === 'pending')).toEqual([]);
    // When the status first says Live, the board it shows is not marked stale.
    const firstLive = d.events.findIndex((e) => e.kind === 'connection' && e.connection.status === 'live');
    const boardThen = d.events.slice(0, firstLive).findLast((e) => e.kind === 'board.replaced');
    expect(boardThen?.kind === 'board.replaced' && boardThen.board.stale).toBe(false);
    // The desk's own refreshes say so: nobody asked for a "manual" one.
    const reasons = new Set(d.events.flatMap((e) => (e.kind === 'sync' ? [e.reason] : [])));
    expect([...reasons].filter((r) => r !== 'sign-in' && r !== 'connect' && r !== 'refresh')).toEqual([]);

    const snapshot = await d.desk.getSnapshot();
    expect(Object.fromEntries(snapshot.features.map((f) => [f.feature, f.state]))).toEqual(Object.fromEntries(FEATURES.map((f) => [f, 'available'])));
    expect(snapshot.features.every((f) => f.dropped === 0 && f.problem === null)).toBe(true);
    expect(snapshot.connection).toMatchObject({ status: 'live', limitedFeatures: [] });

    // The board shows the whole day (all pages of it), with a column per doctor.
    const day = c.store.appointmentsOn(me.clinicId, TODAY);
    expect(snapshot.board?.appointments.map((a) => a.id).sort((a, b) => a - b)).toEqual(day.map((a) => a.id).sort((a, b) => a - b));
    expect(new Set(snapshot.board?.doctors.map((doc) => doc.doctorId))).toEqual(new Set(day.map((a) => a.doctor_id)));
    // Every notification of the user is cached, once.
    const held = (await d.desk.listNotifications({ limit: 200 })).items.map((n) => n.id);
    expect(held.sort((a, b) => a - b)).toEqual(c.store.listNotifications(me.id, 0, 10_000).data.map((n) => n.id));

    // A live appointment update on a doctor's channel reaches reception.
    const target = day.find((a) => a.status !== 'cancelled');
    if (!target) throw new Error('no appointment to update');
    const before = d.mark();
    await c.backend.updateAppointment(target.id, 'confirmed', { status: 'checked_in' });
    await d.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'checked_in', 5000, before);

    // A consultation status change and a message arrive live.
    const open = (await d.desk.listConsultations()).find((x) => x.status === 'pending' || x.status === 'active');
    if (!open) throw new Error('no open consultation');
    const beforeConsultation = d.mark();
    await c.backend.setConsultationStatus(open.id, 'completed');
    await d.waitFor('consultation.updated', (e) => e.consultation.id === open.id && e.consultation.status === 'completed', 5000, beforeConsultation);
    const conversation = (await d.desk.listConversations())[0];
    if (!conversation) throw new Error('no conversation');
    const sender = c.store.userById(conversation.participant_ids.find((id) => id !== me.id) ?? 0);
    if (!sender) throw new Error('no other participant');
    const { message } = await c.backend.postMessage(conversation.id, sender, `hello in ${dialect}`);
    const created = await d.waitFor('message.created', (e) => e.message.id === message.id);
    expect(created.message).toMatchObject({ body: `hello in ${dialect}`, sender_id: sender.id });

    // Five notifications created while the socket server is down: cached exactly once after it returns.
    const down = d.mark();
    await c.stopRealtime();
    await d.waitFor('connection', (e) => e.connection.status !== 'live', 5000, down);
    const missed: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { notification, broadcast } = await c.backend.notify({ user_id: me.id, type: 'system', title: `missed ${i}`, message: dialect, action_url: null });
      expect(broadcast).toBe(false);
      missed.push(notification.id);
    }
    const up = d.mark();
    await c.startRealtime();
    // Live means caught up: by the time the desk says so, the missed ones are in the cache.
    await d.waitFor('connection', (e) => e.connection.status === 'live', 10_000, up);
    const cached = (await d.desk.listNotifications({ limit: 200 })).items.map((n) => n.id);
    for (const id of missed) expect(cached.filter((x) => x === id), `notification ${id}`).toHaveLength(1);
    const announced = d.events.flatMap((e) => (e.kind === 'notification.upserted' && e.isNew ? [e.notification.id] : e.kind === 'notifications.synced' ? e.newest.map((n) => n.id) : []));
    for (const id of missed) expect(announced.filter((x) => x === id)).toHaveLength(1);

    // Marked read while the API fails: queued, then sent once it answers.
    const unread = missed[0] as number;
    c.api.injectFault({ path: /^\/api\//, status: 503, times: 10_000 });
    expect((await d.desk.markNotificationRead({ id: unread })).status).toBe('queued');
    expect(c.store.listNotifications(me.id, unread - 1, 1).data[0]?.read_at).toBeNull();
    c.api.clearFaults();
    await d.desk.reconnect();
    await eventually(() => expect(c.store.listNotifications(me.id, unread - 1, 1).data[0]?.read_at).not.toBeNull());
  }, 60_000);
});

describe('a minimal back end (sign-in, /api/user, /broadcasting/auth and the broadcasts only)', () => {
  it('signs in, says every list is not offered (live only), and still shows what arrives live', async () => {
    const c = await clinicSpeaking('minimal');
    const d = desk(c);
    await signInLive(d, c, DOCTOR);
    const me = account(c, DOCTOR);
    const user = c.store.userById(me.id);
    if (!user?.doctor_id) throw new Error('the doctor has no doctor id');

    const snapshot = await d.desk.getSnapshot();
    const states = Object.fromEntries(snapshot.features.map((f) => [f.feature, f.state]));
    expect(states).toEqual(Object.fromEntries(FEATURES.map((f) => [f, 'not-offered'])));
    // Truthful: live, with every feature limited, each with its fix.
    expect(snapshot.connection.status).toBe('live');
    expect([...snapshot.connection.limitedFeatures].sort()).toEqual([...FEATURES].sort());
    for (const f of snapshot.features) expect(f.fix).toMatch(/api.*paths/);
    // An empty board with the doctor's own column, under their name (no members list to name it).
    expect(snapshot.board).toMatchObject({ date: TODAY, appointments: [], stale: false, doctors: [{ doctorId: user.doctor_id, name: user.name }] });

    // The doctor's own schedule channel still works: an appointment arrives on the board from its broadcast alone.
    const mine = c.store.appointmentsOn(user.clinic_id, TODAY).find((a) => a.doctor_id === user.doctor_id);
    if (!mine) throw new Error('the doctor has no appointment today');
    await c.backend.updateAppointment(mine.id, 'confirmed', { status: 'checked_in' });
    await d.waitFor('appointment.updated', (e) => e.appointment.id === mine.id && e.appointment.status === 'checked_in');
    const board = (await d.desk.getSnapshot()).board;
    expect(board?.appointments.map((a) => a.id)).toEqual([mine.id]);
    expect(board?.doctors.find((doc) => doc.doctorId === user.doctor_id)?.name).toBe(user.name);

    // A notification arrives live and is cached.
    const { notification } = await c.backend.notify({ user_id: me.id, type: 'system', title: 'live only', message: 'minimal', action_url: null });
    await d.waitFor('notification.upserted', (e) => e.notification.id === notification.id && e.isNew);
    expect((await d.desk.listNotifications({ limit: 10 })).items.map((n) => n.id)).toContain(notification.id);

    // Presence works with user_info of a name only: the role falls back to "staff".
    const snapshotAfter = await d.desk.getSnapshot();
    const self = snapshotAfter.presence.members.find((m) => m.id === me.id);
    expect(self).toMatchObject({ name: user.name, role: 'staff' });
  }, 30_000);
});
