/**
 * The demo Pusher server's HTTP API driven by the official `pusher` SDK (as a
 * Laravel back end would), received by pusher-js and laravel-echo; crafted
 * requests cover what the SDK refuses to send.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PusherServer } from '../../../src/main/demo/pusher/server';
import { signRequest } from '../../../src/main/demo/pusher/signature';
import {
  ClientPool,
  OTHER_APP,
  TEST_APP,
  collectEvents,
  connectEcho,
  connectPusherJs,
  nextEvent,
  sdkFor,
  sdkFailure,
  socketIdOf,
  startTestServer,
  subscribe,
  waitForServer,
  withTimeout,
} from '../../helpers/pusher-clients';

let server: PusherServer;
let pool: ClientPool;

beforeEach(async () => {
  pool = new ClientPool();
  server = await startTestServer();
});

afterEach(async () => {
  await pool.closeAll();
  await server.close();
});

const notification = {
  id: 41,
  user_id: 5,
  type: 'appointment',
  title: 'Appointment confirmed',
  message: 'Tomorrow 09:00 with Dr. Who',
  action_url: 'https://clinic.example/appointments/9',
  created_at: '2026-11-26T09:00:00.000000Z',
};

async function restartWith(overrides: Parameters<typeof startTestServer>[0]): Promise<void> {
  await server.close();
  server = await startTestServer(overrides);
}

interface SignedFetchOptions {
  app?: { id: string; key: string; secret: string };
  /** Sent instead of the body that was signed. */
  sentBody?: string;
  query?: Record<string, string>;
}

function signedFetch(method: 'GET' | 'POST', rest: string, body?: string, options: SignedFetchOptions = {}): Promise<Response> {
  const app = options.app ?? TEST_APP;
  const path = `/apps/${app.id}${rest}`;
  const query = signRequest(app, method, path, body, Date.now(), options.query);
  const sent = options.sentBody ?? body;
  return fetch(`${server.httpUrl}${path}?${query}`, {
    method,
    ...(sent === undefined ? {} : { body: sent, headers: { 'content-type': 'application/json' } }),
  });
}

describe('events', () => {
  it('delivers an SDK trigger to pusher-js with the data as sent', async () => {
    const client = await connectPusherJs(server, pool);
    const { channel } = await subscribe(client, 'clinic-board');
    const got = nextEvent(channel, 'appointment-updated');
    const published = waitForServer(server, 'published');
    const response = await sdkFor(server).trigger('clinic-board', 'appointment-updated', { id: 9, action: 'confirmed' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect((await got).data).toEqual({ id: 9, action: 'confirmed' });
    expect(await published).toEqual({ appId: TEST_APP.id, channels: ['clinic-board'], event: 'appointment-updated', recipients: 1 });
  });

  it('reaches laravel-echo listeners, by broadcastAs name and by class name', async () => {
    const echo = await connectEcho(server, pool, { auth: { sdk: sdkFor(server) } });
    const channel = echo.private('notifications.5');
    const subscribed = new Promise<void>((resolve) => channel.subscribed(() => resolve()));
    const byAlias = new Promise<unknown>((resolve) => channel.listen('.general-notification', resolve));
    const byClass = new Promise<unknown>((resolve) => channel.listen('NotificationBroadcast', resolve));
    await withTimeout(subscribed, 3_000, 'Echo subscription');

    const sdk = sdkFor(server);
    await sdk.trigger('private-notifications.5', 'general-notification', notification);
    await sdk.trigger('private-notifications.5', 'App\\Events\\NotificationBroadcast', notification);
    expect(await withTimeout(byAlias, 3_000, '.general-notification')).toEqual(notification);
    expect(await withTimeout(byClass, 3_000, 'NotificationBroadcast')).toEqual(notification);
  });

  it('triggers one event on several channels', async () => {
    const reception = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server) } });
    const doctor = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server) } });
    const a = (await subscribe(reception, 'private-appointments.5')).channel;
    const b = (await subscribe(doctor, 'private-appointments.doctor.8')).channel;
    const gotA = nextEvent(a, 'appointment-updated');
    const gotB = nextEvent(b, 'appointment-updated');
    await sdkFor(server).trigger(['private-appointments.5', 'private-appointments.doctor.8', 'private-nobody'], 'appointment-updated', { id: 3 });
    expect((await gotA).data).toEqual({ id: 3 });
    expect((await gotB).data).toEqual({ id: 3 });
  });

  it('excludes the socket named in socket_id', async () => {
    const sender = await connectPusherJs(server, pool);
    const other = await connectPusherJs(server, pool);
    const mine = (await subscribe(sender, 'clinic-board')).channel;
    const theirs = (await subscribe(other, 'clinic-board')).channel;
    const senderSaw = collectEvents(mine, 'message-sent');
    const otherGot = nextEvent(theirs, 'message-sent');
    await sdkFor(server).trigger('clinic-board', 'message-sent', { text: 'hi' }, { socket_id: socketIdOf(sender) });
    expect((await otherGot).data).toEqual({ text: 'hi' });

    const marker = nextEvent(mine, 'marker');
    await sdkFor(server).trigger('clinic-board', 'marker', {});
    await marker;
    expect(senderSaw).toEqual([]);
  });

  it('answers info=subscription_count,user_count per channel', async () => {
    const client = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: { user_id: 1, user_info: {} } } });
    await subscribe(client, 'presence-clinic.1');
    await subscribe(client, 'clinic-board');
    const response = await sdkFor(server).trigger(['presence-clinic.1', 'clinic-board'], 'ping', {}, { info: 'subscription_count,user_count' });
    expect(await response.json()).toEqual({
      channels: { 'presence-clinic.1': { subscription_count: 1, user_count: 1 }, 'clinic-board': { subscription_count: 1 } },
    });
  });

  it('publishes batch_events, each to its channel', async () => {
    const client = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server) } });
    const consult = (await subscribe(client, 'private-consultations.4')).channel;
    const notes = (await subscribe(client, 'private-notifications.5')).channel;
    const gotConsult = nextEvent(consult, 'consultation-status-changed');
    const gotNote = nextEvent(notes, 'general-notification');
    const response = await sdkFor(server).triggerBatch([
      { channel: 'private-consultations.4', name: 'consultation-status-changed', data: { id: 4, status: 'active' }, info: 'subscription_count' },
      { channel: 'private-notifications.5', name: 'general-notification', data: notification },
    ]);
    expect(await response.json()).toEqual({ batch: [{ subscription_count: 1 }, {}] });
    expect((await gotConsult).data).toEqual({ id: 4, status: 'active' });
    expect((await gotNote).data).toEqual(notification);
  });

  it('publishes through the server object too, and reports channel info', async () => {
    const client = await connectPusherJs(server, pool);
    const { channel } = await subscribe(client, 'clinic-board');
    const got = nextEvent(channel, 'seeded');
    server.publish(TEST_APP.id, ['clinic-board'], 'seeded', JSON.stringify({ ok: true }));
    expect((await got).data).toEqual({ ok: true });
    expect(() => server.publish('nope', ['x'], 'e', '{}')).toThrow(/unknown Pusher app/);
    expect(server.channelInfo(TEST_APP.id, 'clinic-board')).toEqual({ occupied: true, subscriptionCount: 1 });
    expect(server.channelInfo(OTHER_APP.id, 'clinic-board')).toEqual({ occupied: false, subscriptionCount: 0 });
  });
});

describe('queries', () => {
  async function json(response: Promise<{ json(): Promise<unknown> }>): Promise<unknown> {
    return (await response).json();
  }

  it('lists channels, filters by prefix, and counts presence users', async () => {
    const sdk = sdkFor(server);
    const nurseA = await connectPusherJs(server, pool, { auth: { sdk, presence: { user_id: 7, user_info: { name: 'Joy' } } } });
    const nurseB = await connectPusherJs(server, pool, { auth: { sdk, presence: { user_id: 7, user_info: { name: 'Joy' } } } });
    const doctor = await connectPusherJs(server, pool, { auth: { sdk, presence: { user_id: 8, user_info: { name: 'Who' } } } });
    for (const client of [nurseA, nurseB, doctor]) await subscribe(client, 'presence-clinic.1');
    await subscribe(doctor, 'clinic-board');

    expect(await json(sdk.get({ path: '/channels' }))).toEqual({ channels: { 'clinic-board': {}, 'presence-clinic.1': {} } });
    expect(await json(sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }))).toEqual({
      channels: { 'presence-clinic.1': { user_count: 2 } },
    });
    expect(await json(sdk.get({ path: '/channels/presence-clinic.1', params: { info: 'user_count,subscription_count' } }))).toEqual({
      occupied: true,
      subscription_count: 3,
      user_count: 2,
    });
    expect(await json(sdk.get({ path: '/channels/private-empty' }))).toEqual({ occupied: false, subscription_count: 0 });
    expect(await json(sdk.get({ path: '/channels/presence-clinic.1/users' }))).toEqual({ users: [{ id: '7' }, { id: '8' }] });
  });

  it('refuses user queries on non-presence channels', async () => {
    const sdk = sdkFor(server);
    expect((await sdkFailure(sdk.get({ path: '/channels/clinic-board/users' }))).status).toBe(400);
    expect((await sdkFailure(sdk.get({ path: '/channels', params: { info: 'user_count' } }))).status).toBe(400);
    expect((await sdkFailure(sdk.get({ path: '/channels/clinic-board', params: { info: 'user_count' } }))).status).toBe(400);
  });
});

describe('authentication and validation', () => {
  it('rejects a request signed with the wrong secret with 401 and a reason', async () => {
    const rejected = waitForServer(server, 'http_rejected');
    const failure = await sdkFailure(sdkFor(server, { ...TEST_APP, secret: 'wrong' }).trigger('clinic-board', 'x', {}));
    expect(failure.status).toBe(401);
    expect(JSON.parse(failure.body)).toMatchObject({ error: expect.stringContaining('Invalid signature') });
    expect(await rejected).toMatchObject({ appId: TEST_APP.id, status: 401 });
    expect(server.stats().httpRejected).toBe(1);
  });

  it('answers 404 for an unknown app and 401 for a key that is not the app\'s', async () => {
    expect((await sdkFailure(sdkFor(server, { id: 'no-such-app', key: TEST_APP.key, secret: TEST_APP.secret }).trigger('a', 'x', {}))).status).toBe(404);
    expect((await sdkFailure(sdkFor(server, { ...OTHER_APP, id: TEST_APP.id }).trigger('a', 'x', {}))).status).toBe(401);
  });

  it('rejects a timestamp more than 600 s away from the server clock', async () => {
    await restartWith({ now: () => Date.now() + 601_000 });
    const failure = await sdkFailure(sdkFor(server).trigger('clinic-board', 'x', {}));
    expect(failure.status).toBe(401);
    expect(failure.body).toContain('Timestamp expired');

    await restartWith({ now: () => Date.now() + 590_000 });
    expect((await sdkFor(server).trigger('clinic-board', 'x', {})).status).toBe(200);
  });

  it('rejects a missing signature and a body that does not match body_md5', async () => {
    const bare = await fetch(`${server.httpUrl}/apps/${TEST_APP.id}/channels`);
    expect(bare.status).toBe(401);
    const body = JSON.stringify({ name: 'x', data: '{}', channel: 'clinic-board' });
    const tampered = await signedFetch('POST', '/events', body, { sentBody: body.replace('clinic-board', 'clinic-other') });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: expect.stringContaining('body_md5') });
    const honest = await signedFetch('POST', '/events', body);
    expect(honest.status).toBe(200);
  });

  it('rejects invalid bodies with 400 and the reason', async () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /not valid JSON/],
      [JSON.stringify({ data: '{}', channel: 'a' }), /name/],
      [JSON.stringify({ name: 'x', data: { not: 'a string' }, channel: 'a' }), /data must be a string/],
      [JSON.stringify({ name: 'x', data: '{}', channel: 'a', channels: ['b'] }), /exactly one/],
      [JSON.stringify({ name: 'x', data: '{}', channel: 'bad channel!' }), /channel/],
      [JSON.stringify({ name: 'x', data: '{}', channel: 'a', socket_id: 'abc' }), /socket_id/],
    ];
    for (const [body, reason] of cases) {
      const response = await signedFetch('POST', '/events', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(reason);
    }
  });

  it('answers 413 for data over the size limit and 400 for too many channels', async () => {
    await restartWith({ maxMessageBytes: 1_000, maxChannelsPerEvent: 3 });
    const sdk = sdkFor(server);
    const big = await sdkFailure(sdk.trigger('clinic-board', 'x', 'y'.repeat(1_001)));
    expect(big.status).toBe(413);
    const bigBatch = await sdkFailure(sdk.triggerBatch([{ channel: 'a', name: 'x', data: 'y'.repeat(1_001) }]));
    expect(bigBatch.status).toBe(413);
    const many = await sdkFailure(sdk.trigger(['a', 'b', 'c', 'd'], 'x', {}));
    expect(many.status).toBe(400);
    expect(many.body).toContain('more than 3 channels');
    expect((await sdk.trigger(['a', 'b', 'c'], 'x', 'y'.repeat(1_000))).status).toBe(200);
  });

  it('answers 404 for unknown endpoints and 405 for the wrong method', async () => {
    expect((await signedFetch('GET', '/nothing-here')).status).toBe(404);
    expect((await signedFetch('GET', '/events')).status).toBe(405);
    expect((await fetch(`${server.httpUrl}/elsewhere`)).status).toBe(404);
  });
});
