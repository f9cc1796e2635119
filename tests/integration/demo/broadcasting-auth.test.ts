/**
 * `POST /broadcasting/auth` of the demo clinic: every rule of policy.ts (the
 * back end's routes/channels.php) through a real socket id, signatures checked
 * against the official `pusher` server SDK, and pusher-js subscribing through
 * the endpoint end to end.
 */
import type Pusher from 'pusher-js';
import type { PresenceChannel } from 'pusher-js';
import type PusherSdk from 'pusher';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { channels } from '../../../src/shared/channels';
import { ErrorBody, ValidationErrorBody } from '../../../src/shared/domain';
import { SERVER_EVENTS } from '../../../src/shared/payloads';
import {
  account,
  ajaxAuthorization,
  hmacHex,
  login,
  nextEvent,
  officialSdk,
  request,
  socketIdOf,
  subscribe,
  type ApiResponse,
  type RequestOptions,
} from '../../helpers/demo';
import { UtcHarness } from './pinned-zone';

const EMAILS = {
  admin: 'admin@northside.clinic.test',
  reception1: 'reception1@northside.clinic.test',
  reception2: 'reception2@northside.clinic.test',
  doctor1: 'doctor1@northside.clinic.test',
  doctor2: 'doctor2@northside.clinic.test',
  doctor3: 'doctor3@northside.clinic.test',
  riversideReception: 'reception@riverside.clinic.test',
  riversideDoctor1: 'doctor1@riverside.clinic.test',
  patient: 'patient@northside.clinic.test',
} as const;
type Who = keyof typeof EMAILS;

const PrivateAuth = z.strictObject({ auth: z.string() });
const PresenceAuth = z.strictObject({ auth: z.string(), channel_data: z.string() });
const PresenceData = z.strictObject({
  user_id: z.string().regex(/^[1-9]\d*$/),
  user_info: z.strictObject({ name: z.string(), role: z.string() }),
});
const UNAUTHORIZED = { message: 'This action is unauthorized.' };

/** Ids of the seeded world that the rules are about, looked up rather than assumed. */
interface World {
  user: Record<Who, number>;
  doctorId: { doctor1: number; doctor2: number; doctor3: number; riversideDoctor1: number };
  clinic1Doctors: number[];
  clinic2Doctors: number[];
  consultationOfDoctor1: number;
  consultationOfDoctor3: number;
  consultationOfClinic2: number;
  /** Clinic 1: doctor1 takes part, doctor3 does not. */
  conversationWithoutDoctor3: number;
  /** Clinic 1: doctor3 takes part, reception1 does not. */
  conversationWithoutReception1: number;
  /** Clinic 2: riverside doctor1 does not take part. */
  clinic2ConversationWithoutRiversideDoctor1: number;
  clinic2Conversation: number;
}

function lookUpWorld(clinic: DemoClinic): World {
  const w = clinic.store.world;
  const user = Object.fromEntries(Object.entries(EMAILS).map(([who, email]) => [who, account(clinic, email).id])) as Record<Who, number>;
  const doctorOf = (who: Who) => {
    const id = account(clinic, EMAILS[who]).doctorId;
    if (id === undefined) throw new Error(`${who} is not a doctor`);
    return id;
  };
  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the seeded world has no ${what}`);
    return value;
  };
  const doctorId = { doctor1: doctorOf('doctor1'), doctor2: doctorOf('doctor2'), doctor3: doctorOf('doctor3'), riversideDoctor1: doctorOf('riversideDoctor1') };
  return {
    user,
    doctorId,
    clinic1Doctors: w.doctors.filter((d) => d.clinic_id === 1).map((d) => d.id),
    clinic2Doctors: w.doctors.filter((d) => d.clinic_id === 2).map((d) => d.id),
    consultationOfDoctor1: must(w.consultations.find((c) => c.doctor_id === doctorId.doctor1), 'consultation of doctor1').id,
    consultationOfDoctor3: must(w.consultations.find((c) => c.doctor_id === doctorId.doctor3), 'consultation of doctor3').id,
    consultationOfClinic2: must(w.consultations.find((c) => c.clinic_id === 2), 'consultation in clinic 2').id,
    conversationWithoutDoctor3: must(
      w.conversations.find((c) => c.clinic_id === 1 && c.participant_ids.includes(user.doctor1) && !c.participant_ids.includes(user.doctor3)),
      'conversation with doctor1 but not doctor3',
    ).id,
    conversationWithoutReception1: must(
      w.conversations.find((c) => c.clinic_id === 1 && c.participant_ids.includes(user.doctor3) && !c.participant_ids.includes(user.reception1)),
      'conversation with doctor3 but not reception1',
    ).id,
    clinic2ConversationWithoutRiversideDoctor1: must(
      w.conversations.find((c) => c.clinic_id === 2 && !c.participant_ids.includes(user.riversideDoctor1)),
      'clinic 2 conversation without riverside doctor1',
    ).id,
    clinic2Conversation: must(
      w.conversations.find((c) => c.clinic_id === 2),
      'clinic 2 conversation',
    ).id,
  };
}

const harness = new UtcHarness();
let clinic: DemoClinic;
let world: World;
let sdk: PusherSdk;
/** A socket id the Pusher server really gave a pusher-js client. */
let socketId: string;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  clinic = await harness.clinic();
  world = lookUpWorld(clinic);
  sdk = officialSdk(clinic);
  for (const who of Object.keys(EMAILS) as Who[]) tokens[who] = (await login(clinic, EMAILS[who])).token;
  socketId = socketIdOf(await harness.pusherJs(clinic));
});
afterAll(() => harness.cleanup());

function auth(
  token: string | undefined,
  body: Record<string, string>,
  encoding: 'form' | 'json' = 'form',
  target: DemoClinic = clinic,
  extra: RequestOptions = {},
): Promise<ApiResponse> {
  const options: RequestOptions = encoding === 'form' ? { form: body, ...extra } : { json: body, ...extra };
  return request(target.info.apiUrl, 'POST', '/broadcasting/auth', token === undefined ? options : { token, ...options });
}
const authAs = (who: Who, channel: string, encoding: 'form' | 'json' = 'form') =>
  auth(tokens[who], { socket_id: socketId, channel_name: channel }, encoding);

// ------------------------------------------------------------ the rules ---

type Case = [label: string, who: Who, channel: (w: World) => string];

const ALLOWED_PRIVATE: Case[] = [
  ['own notifications (reception)', 'reception1', (w) => channels.notifications(w.user.reception1).fullName],
  ['own appointments (reception)', 'reception1', (w) => channels.appointments(w.user.reception1).fullName],
  ['own notifications (doctor)', 'doctor1', (w) => channels.notifications(w.user.doctor1).fullName],
  ['own notifications (patient)', 'patient', (w) => channels.notifications(w.user.patient).fullName],
  ['own appointments (patient)', 'patient', (w) => channels.appointments(w.user.patient).fullName],
  ['own notifications (other clinic)', 'riversideReception', (w) => channels.notifications(w.user.riversideReception).fullName],
  ['a doctor on their own doctor channel', 'doctor1', (w) => channels.doctorAppointments(w.doctorId.doctor1).fullName],
  ['a doctor on their own doctor channel (other clinic)', 'riversideDoctor1', (w) => channels.doctorAppointments(w.doctorId.riversideDoctor1).fullName],
  ['the consultation doctor on the consultation', 'doctor1', (w) => channels.consultation(w.consultationOfDoctor1).fullName],
  ['same-clinic reception on a consultation', 'reception1', (w) => channels.consultation(w.consultationOfDoctor3).fullName],
  ['same-clinic admin on a consultation', 'admin', (w) => channels.consultation(w.consultationOfDoctor1).fullName],
  ['other-clinic reception on its own consultation', 'riversideReception', (w) => channels.consultation(w.consultationOfClinic2).fullName],
  ['a conversation participant (doctor)', 'doctor1', (w) => channels.conversation(w.conversationWithoutDoctor3).fullName],
  ['a conversation participant (doctor3)', 'doctor3', (w) => channels.conversation(w.conversationWithoutReception1).fullName],
  ['same-clinic reception on a conversation it is not part of', 'reception1', (w) => channels.conversation(w.conversationWithoutReception1).fullName],
  ['other-clinic reception on its own conversation', 'riversideReception', (w) => channels.conversation(w.clinic2Conversation).fullName],
];

/** Reception and admin on every doctor of their clinic. */
const CLINIC_WIDE_ON_DOCTORS: Array<[Who, (w: World) => number[]]> = [
  ['reception1', (w) => w.clinic1Doctors],
  ['reception2', (w) => w.clinic1Doctors],
  ['admin', (w) => w.clinic1Doctors],
  ['riversideReception', (w) => w.clinic2Doctors],
];

const ALLOWED_PRESENCE: Array<[Who, number]> = [
  ['admin', 1],
  ['reception1', 1],
  ['doctor1', 1],
  ['doctor3', 1],
  ['riversideReception', 2],
  ['riversideDoctor1', 2],
];

const FORBIDDEN: Case[] = [
  ["someone else's notifications", 'reception1', (w) => channels.notifications(w.user.reception2).fullName],
  ["someone else's appointments", 'reception1', (w) => channels.appointments(w.user.reception2).fullName],
  ["a doctor on a colleague's notifications", 'doctor1', (w) => channels.notifications(w.user.doctor2).fullName],
  ["a doctor on a colleague's user appointments", 'doctor1', (w) => channels.appointments(w.user.doctor2).fullName],
  ["a patient on staff's notifications", 'patient', (w) => channels.notifications(w.user.reception1).fullName],
  ["a receptionist on the patient's appointments", 'reception1', (w) => channels.appointments(w.user.patient).fullName],
  ["a doctor on another doctor's channel (same clinic)", 'doctor1', (w) => channels.doctorAppointments(w.doctorId.doctor2).fullName],
  ["a doctor on another doctor's channel (other clinic)", 'doctor1', (w) => channels.doctorAppointments(w.doctorId.riversideDoctor1).fullName],
  ['reception on a doctor channel of another clinic', 'reception1', (w) => channels.doctorAppointments(w.doctorId.riversideDoctor1).fullName],
  ['other-clinic reception on a doctor of clinic 1', 'riversideReception', (w) => channels.doctorAppointments(w.doctorId.doctor1).fullName],
  ['admin on a doctor channel of another clinic', 'admin', (w) => channels.doctorAppointments(w.doctorId.riversideDoctor1).fullName],
  ['a patient on a doctor channel', 'patient', (w) => channels.doctorAppointments(w.doctorId.doctor1).fullName],
  ['a doctor channel that does not exist', 'reception1', () => channels.doctorAppointments(999).fullName],
  ['a user id used as a doctor id', 'reception1', (w) => channels.doctorAppointments(w.user.doctor1).fullName],
  ["a doctor on a colleague's consultation", 'doctor1', (w) => channels.consultation(w.consultationOfDoctor3).fullName],
  ["reception on another clinic's consultation", 'reception1', (w) => channels.consultation(w.consultationOfClinic2).fullName],
  ["admin on another clinic's consultation", 'admin', (w) => channels.consultation(w.consultationOfClinic2).fullName],
  ["a patient on someone else's consultation", 'patient', (w) => channels.consultation(w.consultationOfDoctor1).fullName],
  ['a consultation that does not exist', 'reception1', () => channels.consultation(3999).fullName],
  ['a doctor on a same-clinic conversation they are not part of', 'doctor3', (w) => channels.conversation(w.conversationWithoutDoctor3).fullName],
  ["reception on another clinic's conversation", 'reception1', (w) => channels.conversation(w.clinic2Conversation).fullName],
  ['a doctor on an other-clinic-conversation they are not part of', 'riversideDoctor1', (w) => channels.conversation(w.clinic2ConversationWithoutRiversideDoctor1).fullName],
  ['a patient on a conversation', 'patient', (w) => channels.conversation(w.conversationWithoutDoctor3).fullName],
  ['a conversation that does not exist', 'admin', () => channels.conversation(7999).fullName],
  ['reception on presence of another clinic', 'reception1', () => channels.presenceClinic(2).fullName],
  ['a doctor on presence of another clinic', 'doctor1', () => channels.presenceClinic(2).fullName],
  ['other-clinic reception on presence of clinic 1', 'riversideReception', () => channels.presenceClinic(1).fullName],
  ['a patient on the presence channel of their clinic', 'patient', () => channels.presenceClinic(1).fullName],
  ['a presence channel of no clinic', 'admin', () => channels.presenceClinic(99).fullName],
];

const UNKNOWN_NAMES: Array<(w: World) => string> = [
  () => 'private-foo.1',
  () => 'public-updates',
  (w) => `notifications.${w.user.reception1}`,
  () => 'clinic.1',
  () => 'private-clinic.1',
  (w) => `presence-notifications.${w.user.reception1}`,
  (w) => `private-notifications.${w.user.reception1}.extra`,
  (w) => `private-notifications.0${w.user.reception1}`,
  () => 'private-notifications.0',
  () => 'private-notifications.',
  () => 'private-appointments.doctor.',
  (w) => `PRIVATE-notifications.${w.user.reception1}`,
  (w) => ` private-notifications.${w.user.reception1}`,
  (w) => `private-encrypted-notifications.${w.user.reception1}`,
  (w) => `private-notifications.${w.user.reception1}\n`,
];

describe('/broadcasting/auth allows', () => {
  it('with a socket id the server really issued', () => {
    expect(socketId).toMatch(/^\d+\.\d+$/);
  });

  it.each(ALLOWED_PRIVATE)('%s, signed exactly as the official SDK signs', async (_label, who, channelOf) => {
    const channel = channelOf(world);
    const res = await authAs(who, channel);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = PrivateAuth.parse(res.body);
    expect(body).toEqual(sdk.authorizeChannel(socketId, channel));
    expect(body.auth).toBe(`${clinic.info.appKey}:${hmacHex(clinic.info.appSecret, `${socketId}:${channel}`)}`);
  });

  it.each(CLINIC_WIDE_ON_DOCTORS)('%s on every doctor channel of their clinic', async (who, doctorsOf) => {
    const doctors = doctorsOf(world);
    expect(doctors.length).toBeGreaterThan(1);
    for (const doctorId of doctors) {
      const channel = channels.doctorAppointments(doctorId).fullName;
      const res = await authAs(who, channel);
      expect(res.status, `${who} on ${channel}`).toBe(200);
      expect(res.body).toEqual(sdk.authorizeChannel(socketId, channel));
    }
  });

  it.each(ALLOWED_PRESENCE)('%s on presence-clinic.%i, with channel_data {user_id: string, user_info}', async (who, clinicId) => {
    const channel = channels.presenceClinic(clinicId).fullName;
    const me = account(clinic, EMAILS[who]);
    const res = await authAs(who, channel);
    expect(res.status, res.text).toBe(200);
    const body = PresenceAuth.parse(res.body);
    const data = PresenceData.parse(JSON.parse(body.channel_data));
    expect(data).toEqual({ user_id: String(me.id), user_info: { name: me.name, role: me.role } });
    expect(body.channel_data).toMatch(/"user_id":"\d+"/);
    // The signature covers the exact channel_data string that was returned.
    expect(body.auth).toBe(`${clinic.info.appKey}:${hmacHex(clinic.info.appSecret, `${socketId}:${channel}:${body.channel_data}`)}`);
    // Seeded names have no slashes or non-ASCII, so PHP's encoding and the SDK's agree byte for byte.
    expect(body.channel_data).not.toMatch(/\\[/u]/);
    expect(body).toEqual(sdk.authorizeChannel(socketId, channel, data));
  });

  it('a patient on the consultation of their own appointment', async () => {
    const fresh = await harness.clinic();
    const { token, user } = await login(fresh, EMAILS.patient);
    const patientId = fresh.store.world.patients.find((p) => p.user_id === user.id)!.id;
    const appointment = fresh.store.allAppointments().find((a) => a.patient_id === patientId)!;
    const { consultation } = await fresh.backend.openConsultation(appointment);
    const channel = channels.consultation(consultation.id).fullName;
    const res = await auth(token, { socket_id: '1234.5678', channel_name: channel }, 'form', fresh);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(officialSdk(fresh).authorizeChannel('1234.5678', channel));
    // ... and still not on anyone else's.
    const other = fresh.store.consultationsWhere((c) => c.patient_id !== patientId)[0]!;
    expect((await auth(token, { socket_id: '1234.5678', channel_name: channels.consultation(other.id).fullName }, 'form', fresh)).status).toBe(403);
  });

  it('same-clinic admin on a conversation they are not part of', async () => {
    const fresh = await harness.clinic();
    const { token, user } = await login(fresh, EMAILS.admin);
    const target = fresh.store.world.conversations.find((c) => c.clinic_id === 1)!;
    // In the seed the admin takes part in everything; take them out of one conversation.
    const row = fresh.store.conversationRow(target.id)!;
    row.participant_ids = row.participant_ids.filter((id) => id !== user.id);
    const channel = channels.conversation(target.id).fullName;
    const res = await auth(token, { socket_id: '55.66', channel_name: channel }, 'form', fresh);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(officialSdk(fresh).authorizeChannel('55.66', channel));
  });

  it('signs for whichever socket id it is given (the signature binds the socket)', async () => {
    const channel = channels.notifications(world.user.reception1).fullName;
    const a = PrivateAuth.parse((await auth(tokens.reception1, { socket_id: '1.1', channel_name: channel })).body);
    const b = PrivateAuth.parse((await auth(tokens.reception1, { socket_id: '987654.321', channel_name: channel })).body);
    expect(a).toEqual(sdk.authorizeChannel('1.1', channel));
    expect(b).toEqual(sdk.authorizeChannel('987654.321', channel));
    expect(a.auth).not.toBe(b.auth);
  });
});

describe('/broadcasting/auth refuses', () => {
  it.each(FORBIDDEN)('%s with 403', async (_label, who, channelOf) => {
    const channel = channelOf(world);
    const res = await authAs(who, channel);
    expect(res.status, `${who} on ${channel}: ${res.text}`).toBe(403);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it.each(UNKNOWN_NAMES.map((name, i) => [i, name] as const))('unknown channel name #%i with 403', async (_i, nameOf) => {
    const channel = nameOf(world);
    const res = await authAs('admin', channel);
    expect(res.status, JSON.stringify(channel)).toBe(403);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it('401 without a token, with a bad token, and after logout', async () => {
    const body = { socket_id: socketId, channel_name: channels.notifications(world.user.reception1).fullName };
    for (const token of [undefined, 'nope', `${tokens.reception1}x`]) {
      const res = await auth(token, body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthenticated.' });
    }
    // Authentication comes before validation: no token and no body is still a 401.
    expect((await auth(undefined, {})).status).toBe(401);

    const { token } = await login(clinic, EMAILS.reception1);
    expect((await auth(token, body)).status).toBe(200);
    expect((await request(clinic.info.apiUrl, 'POST', '/api/logout', { token })).status).toBe(204);
    expect((await auth(token, body)).status).toBe(401);
  });

  it('422 for a missing or malformed socket_id or channel_name', async () => {
    const channel = channels.notifications(world.user.reception1).fullName;
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ channel_name: channel }, ['socket_id']],
      [{ socket_id: socketId }, ['channel_name']],
      [{}, ['channel_name', 'socket_id']],
      [{ socket_id: 'abc', channel_name: channel }, ['socket_id']],
      [{ socket_id: '1234', channel_name: channel }, ['socket_id']],
      [{ socket_id: '1.2.3', channel_name: channel }, ['socket_id']],
      [{ socket_id: `${socketId}\n`, channel_name: channel }, ['socket_id']],
      [{ socket_id: socketId, channel_name: '' }, ['channel_name']],
    ];
    for (const encoding of ['form', 'json'] as const) {
      for (const [body, fields] of cases) {
        const res = await auth(tokens.reception1, body, encoding);
        expect(res.status, `${encoding} ${JSON.stringify(body)}`).toBe(422);
        const parsed = ValidationErrorBody.parse(res.body);
        expect(Object.keys(parsed.errors).sort()).toEqual(fields);
      }
    }
    const missing = ValidationErrorBody.parse((await auth(tokens.reception1, { channel_name: channel })).body);
    expect(missing.errors.socket_id).toEqual(['The socket id field is required.']);
  });
});

describe('/broadcasting/auth request encodings', () => {
  it('takes form-encoded (as pusher-js posts) and JSON bodies alike', async () => {
    for (const channel of [channels.notifications(world.user.doctor1).fullName, channels.presenceClinic(1).fullName]) {
      const form = await authAs('doctor1', channel, 'form');
      const json = await authAs('doctor1', channel, 'json');
      expect(form.status).toBe(200);
      expect(json.status).toBe(200);
      expect(json.body).toEqual(form.body);
    }
  });

  it('refuses the same way in both encodings', async () => {
    const channel = channels.notifications(world.user.reception2).fullName;
    expect((await authAs('doctor1', channel, 'form')).status).toBe(403);
    expect((await authAs('doctor1', channel, 'json')).status).toBe(403);
  });

  it('answers 400 for a JSON body that does not parse', async () => {
    const res = await request(clinic.info.apiUrl, 'POST', '/broadcasting/auth', {
      token: tokens.reception1,
      body: '{"socket_id":',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(ErrorBody.safeParse(res.body).success).toBe(true);
  });
});

describe('presence channel_data is encoded as PHP does', () => {
  it('escapes "/" and non-ASCII; the signature covers those exact bytes and the socket server accepts them', async () => {
    const fresh = await harness.clinic();
    const row = fresh.store.world.users.find((u) => u.email === EMAILS.reception1)!;
    row.name = 'Zoë Dubois / Front desk';
    const { token } = await login(fresh, EMAILS.reception1);
    const channel = channels.presenceClinic(1).fullName;

    const res = await auth(token, { socket_id: '123.456', channel_name: channel }, 'form', fresh);
    expect(res.status).toBe(200);
    const body = PresenceAuth.parse(res.body);
    expect(body.channel_data).toBe(`{"user_id":"${row.id}","user_info":{"name":"Zo\\u00eb Dubois \\/ Front desk","role":"reception"}}`);
    expect(PresenceData.parse(JSON.parse(body.channel_data)).user_info.name).toBe('Zoë Dubois / Front desk');
    expect(body.auth).toBe(`${fresh.info.appKey}:${hmacHex(fresh.info.appSecret, `123.456:${channel}:${body.channel_data}`)}`);
    // The SDK serialises the same data differently, so its signature differs: clients must pass
    // channel_data through verbatim, never re-encode it.
    const fromSdk = officialSdk(fresh).authorizeChannel('123.456', channel, JSON.parse(body.channel_data) as PusherSdk.PresenceChannelData);
    expect(fromSdk.channel_data).not.toBe(body.channel_data);
    expect(fromSdk.auth).not.toBe(body.auth);

    // End to end: pusher-js takes the PHP-encoded answer and the socket server accepts it.
    const client = await harness.pusherJs(fresh, ajaxAuthorization(fresh, token));
    const outcome = await subscribe(client, channel);
    expect(outcome.ok, JSON.stringify(outcome.data)).toBe(true);
    const me = (client.channel(channel) as PresenceChannel).members.me as { id: string; info: unknown };
    expect(me).toEqual({ id: String(row.id), info: { name: 'Zoë Dubois / Front desk', role: 'reception' } });
  });
});

// ------------------------------------------------------------- end to end ---

describe('pusher-js subscribing through /broadcasting/auth (its own ajax transport)', () => {
  const e2e = new UtcHarness();
  afterEach(() => e2e.cleanup());

  async function desk(fresh: DemoClinic, email: string): Promise<{ client: Pusher; userId: number; token: string }> {
    const { token, user } = await login(fresh, email);
    const client = await e2e.pusherJs(fresh, ajaxAuthorization(fresh, token));
    return { client, userId: user.id, token };
  }

  it('subscribes to an own private channel and receives what the back end broadcasts there', async () => {
    const fresh = await e2e.clinic();
    const { client, userId } = await desk(fresh, EMAILS.reception1);
    const channel = channels.notifications(userId).fullName;
    const outcome = await subscribe(client, channel);
    expect(outcome.ok, JSON.stringify(outcome.data)).toBe(true);

    const auths = fresh.api.requestLog.filter((r) => r.path === '/broadcasting/auth');
    expect(auths.map((r) => [r.method, r.status])).toEqual([['POST', 200]]);

    const event = nextEvent(client, channel, SERVER_EVENTS.notification.broadcastAs);
    const { notification, broadcast } = await fresh.backend.notify({ user_id: userId, type: 'system', title: 'Hello', message: 'over the socket', action_url: null });
    expect(broadcast).toBe(true);
    expect(await event).toMatchObject({ id: notification.id, user_id: userId, title: 'Hello', message: 'over the socket' });
  });

  it('surfaces a 403 to the client for a forbidden channel, and the socket stays usable', async () => {
    const fresh = await e2e.clinic();
    const { client, userId } = await desk(fresh, EMAILS.doctor1);
    const doctorId = account(fresh, EMAILS.doctor1).doctorId!;
    const colleague = account(fresh, EMAILS.doctor2).doctorId!;

    const refused = await subscribe(client, channels.doctorAppointments(colleague).fullName);
    expect(refused.ok).toBe(false);
    expect(refused.data).toMatchObject({ type: 'AuthError', status: 403 });
    expect(String((refused.data as { error: unknown }).error)).toContain('403');
    expect(client.connection.state).toBe('connected');

    const own = await subscribe(client, channels.doctorAppointments(doctorId).fullName);
    expect(own.ok, JSON.stringify(own.data)).toBe(true);
    const mine = await subscribe(client, channels.notifications(userId).fullName);
    expect(mine.ok).toBe(true);

    const auths = fresh.api.requestLog.filter((r) => r.path === '/broadcasting/auth').map((r) => r.status);
    expect(auths).toEqual([403, 200, 200]);
  });

  it('surfaces a 401 for a revoked token', async () => {
    const fresh = await e2e.clinic();
    const { client, userId, token } = await desk(fresh, EMAILS.reception1);
    fresh.store.revokeToken(token);
    const refused = await subscribe(client, channels.notifications(userId).fullName);
    expect(refused.ok).toBe(false);
    expect(refused.data).toMatchObject({ type: 'AuthError', status: 401 });
  });

  it('joins the clinic presence channel: members carry string ids and {name, role}; others see them join', async () => {
    const fresh = await e2e.clinic();
    const channel = channels.presenceClinic(1).fullName;
    const reception = await desk(fresh, EMAILS.reception1);
    const joined = await subscribe(reception.client, channel);
    expect(joined.ok, JSON.stringify(joined.data)).toBe(true);
    const receptionAccount = account(fresh, EMAILS.reception1);
    const presence = reception.client.channel(channel) as PresenceChannel;
    expect(presence.members.me).toEqual({ id: String(receptionAccount.id), info: { name: receptionAccount.name, role: 'reception' } });

    const memberAdded = nextEvent(reception.client, channel, 'pusher:member_added');
    const doctor = await desk(fresh, EMAILS.doctor1);
    expect((await subscribe(doctor.client, channel)).ok).toBe(true);
    const doctorAccount = account(fresh, EMAILS.doctor1);
    expect(await memberAdded).toEqual({ id: String(doctorAccount.id), info: { name: doctorAccount.name, role: 'doctor' } });
    expect(presence.members.count).toBe(2);

    // A patient is refused the same presence channel.
    const patient = await desk(fresh, EMAILS.patient);
    const refused = await subscribe(patient.client, channel);
    expect(refused.ok).toBe(false);
    expect(refused.data).toMatchObject({ status: 403 });
  });
});
