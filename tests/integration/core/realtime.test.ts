/**
 * The realtime core against the demo clinic: real pusher-js and laravel-echo
 * on a real socket, events triggered through the official `pusher` SDK and
 * the HTTP trigger API, channels authorized by the clinic's own
 * `/broadcasting/auth`. Recovery (restarts, watchdog) and presence have
 * their own files.
 */
import Echo, { Connector } from 'laravel-echo';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import type { User } from '../../../src/shared/domain';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { EventNaming } from '../../../src/main/demo/broadcaster';
import type { RealtimeEvents } from '../../../src/main/core/realtime/realtime';
import { startTestClinic, request } from '../../helpers/demo';
import { openStaffDesk, signIn } from '../../helpers/staff-desk';
import { bearerAuthorizer, localAuthorizer, type AuthCall } from '../../helpers/core-auth';
import { RealtimePool, channelOf, collect, nextOf, settled, until } from '../../helpers/core-realtime';
import { waitForServer } from '../../helpers/pusher-clients';

const RECEPTION = 'reception1@northside.clinic.test'; // user 2, clinic 1
const DOCTOR = 'doctor1@northside.clinic.test'; // user 4, doctor 31
const RECEPTION_ID = 2;
const DOCTOR_USER_ID = 4;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const N_RECEPTION = channels.notifications(RECEPTION_ID);
const N_DOCTOR = channels.notifications(DOCTOR_USER_ID);

const pool = new RealtimePool();
const clinics: DemoClinic[] = [];
let clinic: DemoClinic;

beforeEach(async () => {
  clinic = await open();
});

afterEach(async () => {
  pool.disconnectAll();
  await Promise.all(clinics.splice(0).map((c) => c.close()));
});

async function open(eventNaming: EventNaming = 'broadcast-as'): Promise<DemoClinic> {
  const c = await startTestClinic({ eventNaming });
  clinics.push(c);
  return c;
}

function user(c: DemoClinic, id: number): User {
  const found = c.store.userById(id);
  if (!found) throw new Error(`no user ${id}`);
  return found;
}

/** Signs `email` in over REST and connects a Realtime with those channels, waiting until all are subscribed. */
async function live(c: DemoClinic, email: string, wanted: ReturnType<typeof channels.notifications>[], calls?: AuthCall[]) {
  const session = await signIn(c.info, email);
  const rt = pool.create(c.info, { authorize: bearerAuthorizer(c.info, session.token, calls) });
  rt.setChannels(wanted);
  rt.connect();
  return { rt, session };
}

function notification(userId: number, title = 'Lab results') {
  return { user_id: userId, type: 'lab_result', title, message: 'Ready to review', action_url: '/consultations/3001' };
}

describe('connection state', () => {
  it('goes idle → connecting → connected with ISO times, and disconnect() is final', async () => {
    const session = await signIn(clinic.info, RECEPTION);
    const rt = pool.create(clinic.info, { authorize: bearerAuthorizer(clinic.info, session.token) });
    expect(rt.status).toMatchObject({ state: 'idle', socketId: null, detail: null });

    const serverSaw = waitForServer(clinic.realtime!, 'connection');
    const states = collect(rt, 'state');
    const connected = nextOf(rt, 'connected');
    rt.setChannels([N_RECEPTION]);
    rt.connect();
    const first = await connected;
    expect(first.reconnect).toBe(false);
    expect(first.socketId).toBe((await serverSaw).socketId);
    await settled(rt, [N_RECEPTION.fullName]);

    expect(rt.status).toMatchObject({ state: 'connected', socketId: first.socketId, detail: null });
    expect(rt.status.since).toMatch(ISO);
    // What the session hears (the desk's timeline is kept from it, in the status bar's terms: see diagnostics-report.test.ts).
    expect(states.map((s) => s.state).filter((state, i, all) => state !== all[i - 1])).toEqual(['connecting', 'connected']);
    for (const s of states) expect(s.since).toMatch(ISO);
    expect(channelOf(rt, N_RECEPTION.fullName)).toMatchObject({ state: 'subscribed', errorStatus: null, eventCount: 0, rejectedCount: 0 });
    expect(channelOf(rt, N_RECEPTION.fullName)?.subscribedAt).toMatch(ISO);

    const gone = waitForServer(clinic.realtime!, 'disconnection');
    rt.disconnect();
    await gone;
    expect(rt.status).toMatchObject({ state: 'disconnected', socketId: null });
    expect(channelOf(rt, N_RECEPTION.fullName)?.state).toBe('unsubscribed');
    // Final: no backoff timer brings it back (several times the longest delay).
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(clinic.realtime!.connectionCount()).toBe(0);
    expect(rt.status.state).toBe('disconnected');
  });
});

describe.each<EventNaming>(['broadcast-as', 'class-name'])('server events, %s names', (naming) => {
  it('delivers all five events, validated, with the wire name, latency and channel counters', async () => {
    const c = naming === 'broadcast-as' ? clinic : await open(naming);
    const appointment = c.store.allAppointments().find((a) => a.doctor_id === 31);
    if (!appointment) throw new Error('seed 42 has no appointment for doctor 31');
    const wanted = [N_RECEPTION, channels.doctorAppointments(31), channels.consultation(3003), channels.conversation(7001)];
    const { rt } = await live(c, RECEPTION, wanted);
    await settled(rt, wanted.map((w) => w.fullName));
    const events = collect(rt, 'event');
    const rejected = collect(rt, 'rejected');

    await c.backend.notify(notification(RECEPTION_ID));
    await c.backend.updateAppointment(appointment.id, 'confirmed', { status: 'checked_in' });
    await c.backend.setConsultationStatus(3003, 'active');
    await c.backend.postMessage(7001, user(c, DOCTOR_USER_ID), 'Room 2 is free');
    await c.backend.markConversationRead(7001, user(c, RECEPTION_ID));
    await until(rt, () => events.length >= 5, 'five events');

    const byKey = new Map(events.map((e) => [e.key, e]));
    expect([...byKey.keys()].sort()).toEqual(['appointment', 'consultation', 'messageRead', 'messageSent', 'notification']);
    const wire = (key: RealtimeEvents['event']['key']) => byKey.get(key)?.wireEvent;
    if (naming === 'broadcast-as') {
      expect(wire('notification')).toBe('general-notification');
      expect(wire('messageRead')).toBe('message-read');
    } else {
      expect(wire('notification')).toBe('App\\Events\\NotificationBroadcast');
      expect(wire('messageSent')).toBe('App\\Events\\MessageBroadcast');
      expect(wire('messageRead')).toBe('App\\Events\\MessageBroadcast');
    }
    for (const e of events) {
      expect(e.receivedAt).toMatch(ISO);
      expect(typeof e.latencyMs).toBe('number');
      if (e.key === 'notification') expect(e.payload).toMatchObject({ user_id: RECEPTION_ID, title: 'Lab results', action_url: '/consultations/3001' });
      if (e.key === 'appointment') expect(e.payload).toMatchObject({ id: appointment.id, action: 'confirmed', status: 'checked_in' });
      if (e.key === 'consultation') expect(e.payload).toMatchObject({ id: 3003, status: 'active' });
      if (e.key === 'messageSent') expect(e.payload.data.message).toMatchObject({ body: 'Room 2 is free', sender_id: DOCTOR_USER_ID });
      if (e.key === 'messageRead') expect(e.payload.data.user_id).toBe(RECEPTION_ID);
    }
    expect(rejected).toEqual([]);
    const conversation = channelOf(rt, 'private-conversation.7001');
    expect(conversation).toMatchObject({ eventCount: 2, rejectedCount: 0 });
    expect(conversation?.lastEventAt).toMatch(ISO);
    expect(typeof conversation?.lastLatencyMs).toBe('number');
  });
});

describe('one event on several channels', () => {
  it('emits an appointment update once per channel (doctor and patient), for the sync layer to de-duplicate', async () => {
    // No demo user may join both channels; a back end whose policy allows it signs both.
    const rt = pool.create(clinic.info, { authorize: localAuthorizer(clinic.info) });
    // Patient 501 has the portal account (user 10): an appointment of theirs goes to their doctor's channel and theirs.
    const theirs = clinic.store.allAppointments().find((a) => a.patient_id === 501);
    if (!theirs) throw new Error('seed 42 has no appointment of patient 501');
    const doctorChannel = channels.doctorAppointments(theirs.doctor_id);
    const patientChannel = channels.appointments(10);
    rt.setChannels([doctorChannel, patientChannel]);
    rt.connect();
    await settled(rt, [doctorChannel.fullName, patientChannel.fullName]);
    const events = collect(rt, 'event');

    const { appointment } = await clinic.backend.updateAppointment(theirs.id, 'confirmed', { status: 'checked_in' });
    await until(rt, () => events.length === 2, 'two deliveries');
    expect(events.map((e) => e.channel).sort()).toEqual([patientChannel.fullName, doctorChannel.fullName].sort());
    for (const e of events) {
      expect(e.key).toBe('appointment');
      expect(e.payload).toMatchObject({ id: theirs.id, timestamp: appointment.updated_at });
    }
  });
});

describe('malformed payloads', () => {
  it('drops every bad one with its reason, counted per channel, logged, and never emitted as an event', async () => {
    const conversation = channels.conversation(7001);
    const { rt } = await live(clinic, RECEPTION, [N_RECEPTION, conversation]);
    await settled(rt, [N_RECEPTION.fullName, conversation.fullName]);
    const events = collect(rt, 'event');
    const rejected = collect(rt, 'rejected');
    const N = N_RECEPTION.fullName;
    const good = { id: 9001, user_id: RECEPTION_ID, type: 'info', title: 'Fine', message: 'ok', action_url: null, created_at: '2026-11-26T10:00:00.000000Z' };
    const { title: _title, ...noTitle } = good;
    const raw = (event: string, channel: string, data: string) => clinic.backend.rawBroadcast(event, [channel], data);

    expect(await raw('general-notification', N, JSON.stringify(noTitle))).toBe(true);
    await raw('general-notification', N, JSON.stringify({ ...good, id: 'abc' }));
    await raw('general-notification', N, 'this is {not json');
    await raw('foo', N, JSON.stringify(good));
    await raw('general-notification', N, JSON.stringify({ ...good, user_id: DOCTOR_USER_ID }));
    await raw('consultation-status-changed', N, JSON.stringify(good));
    await raw('general-notification', conversation.fullName, JSON.stringify(good));
    // 1 MB: Pusher (and the demo's HTTP API) refuse it at 10 KB; a server without the
    // limit could still send it, so it is injected straight into the socket server.
    const huge = JSON.stringify({ ...good, message: 'x'.repeat(1_048_576) });
    expect(await raw('general-notification', N, huge)).toBe(false);
    clinic.realtime!.publish(clinic.info.appId, [N], 'general-notification', huge);
    // Frames arrive in order on one socket: once this one is here, all the bad ones were handled.
    await raw('general-notification', N, JSON.stringify(good));
    await until(rt, () => events.length === 1, 'the good notification');

    expect(events[0]).toMatchObject({ channel: N, key: 'notification', payload: { id: 9001, title: 'Fine' } });
    expect(rejected.map((r) => [r.channel, r.event, r.reason])).toEqual([
      [N, 'general-notification', 'missing field title'],
      [N, 'general-notification', 'id: expected a positive integer id'],
      [N, 'general-notification', 'not JSON'],
      [N, 'foo', 'unknown event foo'],
      [N, 'general-notification', `notification for user ${DOCTOR_USER_ID} on the channel of user ${RECEPTION_ID}`],
      [N, 'consultation-status-changed', 'consultation-status-changed does not belong on a notifications channel'],
      [conversation.fullName, 'general-notification', 'general-notification does not belong on a conversation channel'],
      [N, 'general-notification', '1048576-byte string in message exceeds 5000'],
    ]);
    for (const r of rejected) expect(r.at).toMatch(ISO);
    // Each event as its group in the rejection log has it: eight groups of one.
    expect(rejected.map((r) => r.count)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(rt.rejections.list()).toHaveLength(8);
    expect(rt.rejections.list()[0]).toMatchObject({ channel: N, reason: '1048576-byte string in message exceeds 5000', count: 1 });
    expect(channelOf(rt, N)).toMatchObject({ state: 'subscribed', eventCount: 1, rejectedCount: 7 });
    expect(channelOf(rt, conversation.fullName)).toMatchObject({ eventCount: 0, rejectedCount: 1 });
    const logged = rt.logs.filter((r) => r.message === 'realtime: payload rejected');
    expect(logged.map((r) => r.fields.reason)).toContain('not JSON');
    expect(logged.every((r) => r.level === 'warn')).toBe(true);
    expect(rt.status.state).toBe('connected');
  });
});

describe('subscription errors stay with their channel', () => {
  it('fails a forbidden channel with 403 while the others work', async () => {
    const consultation = channels.consultation(3003);
    const { rt } = await live(clinic, RECEPTION, [N_RECEPTION, N_DOCTOR, consultation]);
    await until(
      rt,
      () => channelOf(rt, N_DOCTOR.fullName)?.state === 'failed' && channelOf(rt, N_RECEPTION.fullName)?.state === 'subscribed' && channelOf(rt, consultation.fullName)?.state === 'subscribed',
      'one failed, two subscribed',
    );
    expect(channelOf(rt, N_DOCTOR.fullName)).toMatchObject({ state: 'failed', errorStatus: 403, subscribedAt: null });
    expect(channelOf(rt, N_DOCTOR.fullName)?.error).toContain('403');
    const got = nextOf(rt, 'event', (e) => e.key === 'notification');
    await clinic.backend.notify(notification(RECEPTION_ID));
    expect((await got).channel).toBe(N_RECEPTION.fullName);
    expect(rt.status.state).toBe('connected');
  });

  it('fails every channel with 401 when the token was revoked, and stays connected', async () => {
    const session = await signIn(clinic.info, RECEPTION);
    expect((await request(clinic.info.apiUrl, 'POST', '/api/logout', { token: session.token })).status).toBe(204);
    const rt = pool.create(clinic.info, { authorize: bearerAuthorizer(clinic.info, session.token) });
    rt.setChannels([N_RECEPTION, channels.presenceClinic(1)]);
    rt.connect();
    await settled(rt, [N_RECEPTION.fullName, 'presence-clinic.1'], 'failed');
    for (const status of rt.channelStatuses()) expect(status).toMatchObject({ state: 'failed', errorStatus: 401 });
    expect(rt.status.state).toBe('connected');
  });
});

describe('two users in one process', () => {
  it("gives each Realtime only its own user's channels: its own token, never a shared header", async () => {
    const a = await live(clinic, RECEPTION, [N_RECEPTION, N_DOCTOR]);
    const b = await live(clinic, DOCTOR, [N_RECEPTION, N_DOCTOR]);
    await until(a.rt, () => channelOf(a.rt, N_RECEPTION.fullName)?.state === 'subscribed' && channelOf(a.rt, N_DOCTOR.fullName)?.state === 'failed', 'A settled');
    await until(b.rt, () => channelOf(b.rt, N_DOCTOR.fullName)?.state === 'subscribed' && channelOf(b.rt, N_RECEPTION.fullName)?.state === 'failed', 'B settled');
    expect(channelOf(a.rt, N_DOCTOR.fullName)?.errorStatus).toBe(403);
    expect(channelOf(b.rt, N_RECEPTION.fullName)?.errorStatus).toBe(403);

    const aEvents = collect(a.rt, 'event');
    const bEvents = collect(b.rt, 'event');
    await clinic.backend.notify(notification(RECEPTION_ID, 'for reception'));
    await clinic.backend.notify(notification(DOCTOR_USER_ID, 'for the doctor'));
    await until(a.rt, () => aEvents.length === 1, 'A event');
    await until(b.rt, () => bEvents.length === 1, 'B event');
    expect(aEvents.map((e) => e.key === 'notification' && e.payload.title)).toEqual(['for reception']);
    expect(bEvents.map((e) => e.key === 'notification' && e.payload.title)).toEqual(['for the doctor']);
    // Echo's static defaults were left alone.
    expect(Connector._defaultOptions.auth.headers).toEqual({});
  });

  it('(the trap itself) Echo 2.5 with bearerToken writes both tokens into one shared headers object', () => {
    const first = new Echo({ broadcaster: 'null', bearerToken: 'token-of-A' });
    const second = new Echo({ broadcaster: 'null', bearerToken: 'token-of-B' });
    try {
      expect(first.connector.options.auth.headers).toBe(second.connector.options.auth.headers);
      expect(first.connector.options.auth.headers.Authorization).toBe('Bearer token-of-B');
    } finally {
      // Undo the damage for the rest of this process.
      const shared = Connector._defaultOptions as { auth: { headers: Record<string, string> }; userAuthentication: { headers: Record<string, string> } };
      delete shared.auth.headers.Authorization;
      delete shared.userAuthentication.headers.Authorization;
    }
  });
});

describe('a new token', () => {
  it('authorizes every channel with the new token after reconnectNow("token changed")', async () => {
    const calls: AuthCall[] = [];
    const first = await signIn(clinic.info, RECEPTION);
    let token = first.token;
    const rt = pool.create(clinic.info, { authorize: bearerAuthorizer(clinic.info, () => token, calls) });
    const wanted = [N_RECEPTION, channels.presenceClinic(1), channels.conversation(7001)];
    rt.setChannels(wanted);
    rt.connect();
    await settled(rt, wanted.map((w) => w.fullName));
    const oldSocket = rt.status.socketId;

    const second = await signIn(clinic.info, RECEPTION);
    expect((await request(clinic.info.apiUrl, 'POST', '/api/logout', { token: first.token })).status).toBe(204);
    token = second.token;
    const reconnected = nextOf(rt, 'connected', (e) => e.reconnect);
    const states = collect(rt, 'state');
    rt.reconnectNow('token changed');
    const { socketId } = await reconnected;
    await settled(rt, wanted.map((w) => w.fullName));

    expect(socketId).not.toBe(oldSocket);
    const afterwards = calls.filter((c) => c.socketId === socketId);
    expect(afterwards.map((c) => c.channelName).sort()).toEqual(wanted.map((w) => w.fullName).sort());
    expect(afterwards.every((c) => c.token === second.token && c.status === 200)).toBe(true);
    expect(states.map((s) => [s.state, s.detail])).toEqual([
      ['connecting', 'reconnect: token changed'],
      ['connected', null],
    ]);
    const got = nextOf(rt, 'event', (e) => e.key === 'notification');
    await clinic.backend.notify(notification(RECEPTION_ID));
    await got;
  });
});

describe('setChannels', () => {
  it('subscribes the new channels and unsubscribes those no longer wanted', async () => {
    const c3003 = channels.consultation(3003);
    const c3005 = channels.consultation(3005);
    const { rt } = await live(clinic, RECEPTION, [N_RECEPTION, c3003]);
    await settled(rt, [N_RECEPTION.fullName, c3003.fullName]);
    const socketId = rt.status.socketId;
    const left = waitForServer(clinic.realtime!, 'unsubscribed', (e) => e.channel === c3003.fullName && e.socketId === socketId);
    rt.setChannels([N_RECEPTION, c3005]);
    await left;
    await settled(rt, [N_RECEPTION.fullName, c3005.fullName]);
    expect(channelOf(rt, c3003.fullName)).toMatchObject({ state: 'unsubscribed' });
    expect(rt.status.socketId).toBe(socketId);

    const events = collect(rt, 'event');
    await clinic.backend.setConsultationStatus(3003, 'cancelled');
    await clinic.backend.setConsultationStatus(3005, 'completed');
    await until(rt, () => events.length >= 1, 'the 3005 update');
    expect(events.map((e) => e.channel)).toEqual([c3005.fullName]);
  });
});

describe('typing whispers', () => {
  it('sends client-typing to the other participants, at most once a second for the same state', async () => {
    const conversation = channels.conversation(7001);
    const a = await live(clinic, RECEPTION, [conversation]);
    const b = await live(clinic, DOCTOR, [conversation]);
    await settled(a.rt, [conversation.fullName]);
    await settled(b.rt, [conversation.fullName]);
    const typing = collect(b.rt, 'typing');

    const data = { user_id: RECEPTION_ID, name: a.session.user.name, typing: true };
    expect(a.rt.whisperTyping(7001, data)).toBe(true);
    expect(a.rt.whisperTyping(7001, data)).toBe(false); // same state within a second
    expect(a.rt.whisperTyping(7001, { ...data, typing: false })).toBe(true);
    expect(a.rt.whisperTyping(7002, data)).toBe(false); // not subscribed
    await until(b.rt, () => typing.length === 2, 'two whispers');
    expect(typing.map((t) => [t.conversationId, t.data.typing])).toEqual([
      [7001, true],
      [7001, false],
    ]);
    expect(typing[0]?.data).toEqual(data);
    expect(typing[0]?.at).toMatch(ISO);
  });
});


describe('call-in whispers', () => {
  const PRESENCE = channels.presenceClinic(1);
  const call = { appointment_id: 8123, patient_name: 'Ana Lima', doctor_id: 31, doctor_name: 'Dr. Ortiz', at: '2026-11-26T09:02:00.000000Z' };

  /** A front end as Laravel's would run it (laravel-echo over pusher-js), subscribed to `channel` (Echo's name). */
  async function frontEnd(email: string, channel: 'clinic.1' | 'conversation.7001') {
    const desk = await openStaffDesk(clinic.info, email);
    desks.push(desk);
    const joined = channel === 'clinic.1' ? desk.echo.join(channel) : desk.echo.private(channel);
    await new Promise<void>((resolve) => joined.subscribed(() => resolve()));
    return joined;
  }
  const desks: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const d of desks.splice(0)) d.close();
  });

  it('a doctor’s desk whispers client-called-in on the clinic’s presence channel; every other desk gets it checked', async () => {
    const doctor = await live(clinic, DOCTOR, [PRESENCE]);
    const reception = await live(clinic, RECEPTION, [PRESENCE]);
    await settled(doctor.rt, [PRESENCE.fullName]);
    await settled(reception.rt, [PRESENCE.fullName]);
    const heard = nextOf(reception.rt, 'calledIn');
    expect(doctor.rt.whisperCalledIn(1, call)).toBe(true);
    expect(await heard).toEqual({ appointmentId: 8123, patientName: 'Ana Lima', doctorId: 31, doctorName: 'Dr. Ortiz', at: call.at });
    // Not on a channel it has not joined, and never with data the contract refuses.
    expect(doctor.rt.whisperCalledIn(2, call)).toBe(false);
    expect(doctor.rt.whisperCalledIn(1, { ...call, patient_name: '' })).toBe(false);
  });

  it('refuses a call-in that does not parse, or that comes on another channel, into the rejection log', async () => {
    const conversation = channels.conversation(7001);
    const reception = await live(clinic, RECEPTION, [PRESENCE, conversation]);
    await settled(reception.rt, [PRESENCE.fullName, conversation.fullName]);
    const calls = collect(reception.rt, 'calledIn');
    const rejected = collect(reception.rt, 'rejected');
    const presence = await frontEnd(DOCTOR, 'clinic.1');
    const thread = await frontEnd(DOCTOR, 'conversation.7001');

    presence.whisper('called-in', { ...call, doctor_id: 'thirty-one' });
    thread.whisper('called-in', call);
    presence.whisper('called-in', call);
    await until(reception.rt, () => calls.length === 1 && rejected.length === 2, 'one call-in and two refusals');
    expect(rejected.map((r) => [r.channel, r.event])).toEqual([
      [PRESENCE.fullName, 'client-called-in'],
      [conversation.fullName, 'client-called-in'],
    ]);
    expect(rejected[0]?.reason).toContain('doctor_id');
    expect(rejected[1]?.reason).toBe('a call-in does not belong on a conversation channel');
    expect(reception.rt.rejections.list().map((r) => r.event)).toEqual(['client-called-in', 'client-called-in']);
    expect(calls).toEqual([{ appointmentId: 8123, patientName: 'Ana Lima', doctorId: 31, doctorName: 'Dr. Ortiz', at: call.at }]);
  });
});
