/**
 * Conformance of the demo Pusher server's WebSocket side (protocol 7) with
 * the clients the desk really uses: pusher-js 8 and laravel-echo 2, signed by
 * the official `pusher` SDK; a raw `ws` socket sends what no library would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type PusherJs from 'pusher-js';
import type { PusherServer } from '../../../src/main/demo/pusher/server';
import { ErrorCode } from '../../../src/main/demo/pusher/protocol';
import {
  ClientPool,
  TEST_APP,
  collectEvents,
  connectEcho,
  connectPusherJs,
  connectRaw,
  connectRawEstablished,
  frameData,
  nextEvent,
  sdkFor,
  socketIdOf,
  startTestServer,
  subscribe,
  waitForServer,
  withTimeout,
  type RawClient,
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

const goodAuth = () => ({ sdk: sdkFor(server) });
const wrongSecretAuth = () => ({ sdk: sdkFor(server, { ...TEST_APP, secret: 'not-the-secret' }) });

async function expectRefusedHandshake(path: string, code: number): Promise<void> {
  const rejected = waitForServer(server, 'rejected', (e) => e.code === code);
  const raw = await connectRaw(server, pool, path);
  const error = await raw.next((f) => f.event === 'pusher:error');
  expect(frameData(error)).toMatchObject({ code });
  expect(await raw.closed).toMatchObject({ code });
  await rejected;
  expect(server.connectionCount()).toBe(0);
}

describe('connection', () => {
  it('announces a socket id and the activity timeout as a JSON string, and pusher-js connects', async () => {
    const { raw } = await connectRawEstablished(server, pool);
    expect(raw.frames).toEqual([]);
    const second = await connectRaw(server, pool);
    const established = await second.next((f) => f.event === 'pusher:connection_established');
    expect(typeof established.data).toBe('string');
    expect(frameData(established)).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 120 });

    const seen = waitForServer(server, 'connection');
    const client = await connectPusherJs(server, pool);
    expect((await seen).socketId).toBe(socketIdOf(client));
    expect(server.connectionCount()).toBe(3);
  });

  it('refuses an unknown app key with 4001, and pusher-js reports it', async () => {
    await expectRefusedHandshake('/app/nope?protocol=7', ErrorCode.AppDoesNotExist);

    const errors: unknown[] = [];
    const { default: PusherJs } = await import('pusher-js');
    const client = new PusherJs('nope', { cluster: 'mt1', wsHost: '127.0.0.1', wsPort: server.port, forceTLS: false, enabledTransports: ['ws'], disableStats: true });
    pool.track(() => client.disconnect());
    await withTimeout(
      new Promise<void>((resolve) =>
        client.connection.bind('error', (error: unknown) => {
          errors.push(error);
          resolve();
        }),
      ),
      3_000,
      'pusher-js error for unknown key',
    );
    expect(errors[0]).toMatchObject({ error: { data: { code: 4001 } } });
    expect(client.connection.state).not.toBe('connected');
  });

  it('refuses a wrong path (4005) and missing, malformed or unsupported protocol versions (4008/4006/4007)', async () => {
    await expectRefusedHandshake('/socket/clinic-key?protocol=7', ErrorCode.PathNotFound);
    await expectRefusedHandshake(`/app/${TEST_APP.key}`, ErrorCode.NoProtocolVersion);
    await expectRefusedHandshake(`/app/${TEST_APP.key}?protocol=seven`, ErrorCode.InvalidVersionFormat);
    await expectRefusedHandshake(`/app/${TEST_APP.key}?protocol=3`, ErrorCode.UnsupportedProtocolVersion);
  });

  it('answers pusher:ping with pusher:pong', async () => {
    const { raw } = await connectRawEstablished(server, pool);
    raw.sendJson({ event: 'pusher:ping', data: {} });
    await raw.next((f) => f.event === 'pusher:pong');
  });
});

describe('subscriptions', () => {
  it('subscribes pusher-js to public and private channels (signed by the SDK)', async () => {
    const client = await connectPusherJs(server, pool, { auth: goodAuth() });
    const subscribed = waitForServer(server, 'subscribed', (e) => e.channel === 'private-notifications.5');
    const pub = await subscribe(client, 'clinic-board');
    const priv = await subscribe(client, 'private-notifications.5');
    expect(pub.outcome.ok).toBe(true);
    expect(priv.outcome.ok).toBe(true);
    expect((await subscribed).socketId).toBe(socketIdOf(client));
    expect(server.channelInfo(TEST_APP.id, 'private-notifications.5')).toEqual({ occupied: true, subscriptionCount: 1 });
  });

  it('sends raw subscription_succeeded with channel and a JSON string {} as data', async () => {
    const { raw } = await connectRawEstablished(server, pool);
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'clinic-board' } });
    const ok = await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
    expect(ok).toEqual({ event: 'pusher_internal:subscription_succeeded', channel: 'clinic-board', data: '{}' });
  });

  it('refuses a wrong signature with a channel-tagged subscription_error that pusher-js and Echo surface', async () => {
    const rejected = waitForServer(server, 'rejected', (e) => e.code === ErrorCode.Unauthorized);
    const client = await connectPusherJs(server, pool, { auth: wrongSecretAuth() });
    const { outcome } = await subscribe(client, 'private-notifications.5');
    expect(outcome.ok).toBe(false);
    expect(outcome.data).toMatchObject({ type: 'AuthError', status: 401, error: expect.stringContaining('Invalid signature') });
    expect((await rejected).socketId).toBe(socketIdOf(client));
    expect(server.channelInfo(TEST_APP.id, 'private-notifications.5').occupied).toBe(false);

    const echo = await connectEcho(server, pool, { auth: wrongSecretAuth() });
    const echoError = await withTimeout(
      new Promise<unknown>((resolve) => echo.private('notifications.5').error((status: unknown) => resolve(status))),
      3_000,
      'Echo .error() callback',
    );
    expect(echoError).toMatchObject({ type: 'AuthError', status: 401 });
  });

  it('refuses private subscriptions without auth, with a foreign key, and encrypted channels', async () => {
    const { raw, socketId } = await connectRawEstablished(server, pool);
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-a' } });
    const noAuth = await raw.next((f) => f.event === 'pusher:subscription_error' && f.channel === 'private-a');
    expect(frameData(noAuth)).toMatchObject({ type: 'AuthError', status: 401 });

    const foreign = sdkFor(server, { id: 'x', key: 'other-key', secret: 'other-secret' }).authorizeChannel(socketId, 'private-b');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-b', auth: foreign.auth } });
    await raw.next((f) => f.event === 'pusher:subscription_error' && f.channel === 'private-b');

    // Signed for another socket: replaying someone else's auth must fail.
    const stolen = sdkFor(server).authorizeChannel('1.1', 'private-c');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-c', auth: stolen.auth } });
    await raw.next((f) => f.event === 'pusher:subscription_error' && f.channel === 'private-c');

    const encrypted = sdkFor(server).authorizeChannel(socketId, 'private-d');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-encrypted-d', auth: encrypted.auth } });
    const refused = await raw.next((f) => f.event === 'pusher:subscription_error' && f.channel === 'private-encrypted-d');
    expect(frameData(refused)).toMatchObject({ type: 'UnsupportedChannel' });

    const good = sdkFor(server).authorizeChannel(socketId, 'private-e');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-e', auth: good.auth } });
    await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === 'private-e');
    expect(server.stats().framesRejected).toBe(4);
  });

  it('unsubscribes on pusher:unsubscribe', async () => {
    const client = await connectPusherJs(server, pool);
    await subscribe(client, 'clinic-board');
    const left = waitForServer(server, 'unsubscribed', (e) => e.channel === 'clinic-board');
    client.unsubscribe('clinic-board');
    await left;
    expect(server.channelInfo(TEST_APP.id, 'clinic-board')).toEqual({ occupied: false, subscriptionCount: 0 });
  });
});

describe('robustness', () => {
  async function expectStillUsable(raw: RawClient): Promise<void> {
    raw.sendJson({ event: 'pusher:ping', data: {} });
    await raw.next((f) => f.event === 'pusher:pong');
  }

  it('answers malformed frames with pusher:error 4200 and keeps the connection', async () => {
    const { raw } = await connectRawEstablished(server, pool);
    const before = server.stats().framesRejected;
    const malformed: Array<string | Buffer> = ['not json {', JSON.stringify({ data: {} }), JSON.stringify({ event: 42 }), '[]', Buffer.from([1, 2, 3])];
    for (const frame of malformed) {
      raw.ws.send(frame);
      const error = await raw.next((f) => f.event === 'pusher:error');
      expect(frameData(error)).toMatchObject({ code: ErrorCode.InvalidMessage, message: expect.stringContaining('Invalid message format') });
    }
    raw.sendJson({ event: 'pusher:subscribe', data: 'not an object' });
    expect(frameData(await raw.next((f) => f.event === 'pusher:error'))).toMatchObject({ code: ErrorCode.InvalidMessage });
    // A bad channel name is tied to that channel, so pusher-js can route the refusal to it.
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'bad channel!' } });
    const badName = await raw.next((f) => f.event === 'pusher:subscription_error');
    expect(badName.channel).toBe('bad channel!');
    expect(frameData(badName)).toMatchObject({ type: 'InvalidChannel', status: 400 });
    await expectStillUsable(raw);
    expect(server.stats().framesRejected - before).toBe(malformed.length + 2);
  });

  it('refuses messages over maxMessageBytes without delivering them', async () => {
    await server.close();
    server = await startTestServer({ maxMessageBytes: 512 });
    const bob = await connectPusherJs(server, pool, { auth: goodAuth() });
    const heard = collectEvents((await subscribe(bob, 'private-chat')).channel, 'client-big');
    const { raw, socketId } = await connectRawEstablished(server, pool);
    const { auth } = sdkFor(server).authorizeChannel(socketId, 'private-chat');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-chat', auth } });
    await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');

    const rejected = waitForServer(server, 'rejected', (e) => e.code === ErrorCode.MessageTooLarge);
    raw.sendJson({ event: 'client-big', channel: 'private-chat', data: { text: 'x'.repeat(600) } });
    expect(frameData(await raw.next((f) => f.event === 'pusher:error'))).toMatchObject({ code: ErrorCode.MessageTooLarge });
    await rejected;
    await expectStillUsable(raw);

    const small = nextEvent(bob.channel('private-chat'), 'client-big');
    raw.sendJson({ event: 'client-big', channel: 'private-chat', data: { text: 'small' } });
    expect((await small).data).toEqual({ text: 'small' });
    expect(heard).toEqual([{ text: 'small' }]);
  });
});

describe('activity', () => {
  it('pings a silent client and closes it with 4201 when no pong comes', async () => {
    await server.close();
    server = await startTestServer({ activityTimeoutSec: 0.2, pongTimeoutSec: 0.2 });
    const { raw } = await connectRawEstablished(server, pool);
    await raw.next((f) => f.event === 'pusher:ping', 2_000);
    const gone = waitForServer(server, 'disconnection');
    const closed = await withTimeout(raw.closed, 2_000, 'close after missing pong');
    expect(closed).toEqual({ code: ErrorCode.PongNotReceived, reason: 'Pong reply not received' });
    expect(await gone).toMatchObject({ code: ErrorCode.PongNotReceived });
    expect(server.connectionCount()).toBe(0);
  });

  it('keeps a client that answers the ping, and pusher-js answers on its own', async () => {
    await server.close();
    // Five ping rounds outlast one activity + pong window (0.7 s), so a pusher-js that did not answer would be gone.
    server = await startTestServer({ activityTimeoutSec: 0.2, pongTimeoutSec: 0.5 });
    const client = await connectPusherJs(server, pool);
    const { raw } = await connectRawEstablished(server, pool);
    const disconnections = collectServer(server);
    for (let round = 0; round < 5; round += 1) {
      await raw.next((f) => f.event === 'pusher:ping', 2_000);
      raw.sendJson({ event: 'pusher:pong', data: {} });
    }
    expect(disconnections).toEqual([]);
    expect(client.connection.state).toBe('connected');
  });
});

function collectServer(target: PusherServer): string[] {
  const seen: string[] = [];
  target.on('disconnection', (e) => seen.push(e.socketId));
  return seen;
}

function stateReached(client: PusherJs, state: string): Promise<void> {
  const reached = new Promise<void>((resolve) => {
    if (client.connection.state === state) return resolve();
    client.connection.bind('state_change', (change: { current: string }) => {
      if (change.current === state) resolve();
    });
  });
  return withTimeout(reached, 3_000, `pusher-js state ${state}`);
}

describe('shutdown', () => {
  it('closes every client with 4200, frees the port at once, and the clients can reconnect to a restarted server', async () => {
    const client = await connectPusherJs(server, pool);
    await subscribe(client, 'clinic-board');
    const echo = await connectEcho(server, pool);
    const { raw } = await connectRawEstablished(server, pool);
    const errorCodes: unknown[] = [];
    client.connection.bind('error', (error: { data?: { code?: unknown } }) => errorCodes.push(error.data?.code));

    const port = server.port;
    await Promise.all([server.close(), server.close()]); // idempotent
    const notice = await raw.next((f) => f.event === 'pusher:error');
    expect(frameData(notice)).toEqual({ code: 4200, message: 'Server closed. Please reconnect shortly.' });
    expect(await raw.closed).toEqual({ code: 4200, reason: 'Server closed. Please reconnect shortly.' });
    // 4200 means "reconnect now": pusher-js retries at once (and fails, nothing listens), it does not give up.
    // Its close event may trail the server's, hence the wait.
    await Promise.all([stateReached(client, 'connecting'), stateReached(echo.connector.pusher, 'connecting')]);
    expect(errorCodes).toContain(4200);
    expect(echo.connectionStatus()).toBe('connecting');
    expect(server.connectionCount()).toBe(0);

    server = await startTestServer({ port });
    expect(server.port).toBe(port);
    // pusher-js would wait out its 15 s strategy timeout before the next try; a desk nudges it instead.
    const resubscribed = waitForServer(server, 'subscribed', (e) => e.channel === 'clinic-board');
    client.disconnect();
    client.connect();
    await resubscribed;
    expect(client.connection.state).toBe('connected');
  });
});
