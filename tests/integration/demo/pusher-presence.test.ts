/**
 * Presence channels and client events of the demo Pusher server, seen through
 * pusher-js 8 and laravel-echo 2 (signed by the official `pusher` SDK) and a
 * raw `ws` socket for the frames no library would send.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PresenceChannel } from 'pusher-js';
import type { PusherServer } from '../../../src/main/demo/pusher/server';
import { ErrorCode } from '../../../src/main/demo/pusher/protocol';
import { signChannel } from '../../../src/main/demo/pusher/signature';
import {
  ClientPool,
  TEST_APP,
  authorizePresence,
  collectEvents,
  connectEcho,
  connectPusherJs,
  connectRawEstablished,
  frameData,
  nextEvent,
  sdkFor,
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

const goodAuth = () => ({ sdk: sdkFor(server) });

describe('presence', () => {
  const CHANNEL = 'presence-clinic.1';
  const nurse = { user_id: 7, user_info: { id: 7, name: 'Nurse Joy', role: 'reception' } };
  const doctor = { user_id: 'doc-8', user_info: { id: 8, name: 'Dr. Who', role: 'doctor' } };

  it('counts a user with two connections as one member, removed only when both have left', async () => {
    const watcher = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: doctor } });
    const watched = await subscribe(watcher, CHANNEL);
    const presence = watched.channel as PresenceChannel;
    expect(presence.members.count).toBe(1);
    const added = collectEvents(presence, 'pusher:member_added');
    const removed = collectEvents(presence, 'pusher:member_removed');

    const firstJoin = nextEvent(presence, 'pusher:member_added');
    const tab1 = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: nurse } });
    const sub1 = await subscribe(tab1, CHANNEL);
    expect((await firstJoin).data).toEqual({ id: '7', info: nurse.user_info });

    const tab2 = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: nurse } });
    const secondSubscribed = waitForServer(server, 'subscribed', (e) => e.socketId === socketIdOf(tab2));
    const sub2 = await subscribe(tab2, CHANNEL);
    await secondSubscribed;
    const members = (sub2.channel as PresenceChannel).members;
    expect(members.count).toBe(2);
    expect(members.me).toEqual({ id: 7, info: nurse.user_info });
    expect(Object.keys(members.members).sort()).toEqual(['7', 'doc-8']);
    expect(server.channelInfo(TEST_APP.id, CHANNEL)).toEqual({ occupied: true, subscriptionCount: 3, userCount: 2, userIds: ['doc-8', '7'] });

    // First tab goes away: the nurse is still there through the second one.
    const firstGone = waitForServer(server, 'disconnection', (e) => e.socketId === socketIdOf(tab1));
    tab1.disconnect();
    await firstGone;
    expect(server.channelInfo(TEST_APP.id, CHANNEL).userCount).toBe(2);

    const lastGone = nextEvent(presence, 'pusher:member_removed');
    sub2.channel.pusher.unsubscribe(CHANNEL);
    expect((await lastGone).data).toEqual({ id: '7', info: nurse.user_info });
    expect(added).toHaveLength(1);
    expect(removed).toHaveLength(1);
    expect(presence.members.count).toBe(1);
    expect(sub1.outcome.ok).toBe(true);
  });

  it('sends the presence payload ids/hash/count as a JSON string to a raw client', async () => {
    const { raw, socketId } = await connectRawEstablished(server, pool);
    const channelData = JSON.stringify(nurse);
    const { auth } = authorizePresence(sdkFor(server), socketId, CHANNEL, nurse);
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: CHANNEL, auth, channel_data: channelData } });
    const ok = await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
    expect(typeof ok.data).toBe('string');
    expect(frameData(ok)).toEqual({ presence: { ids: ['7'], hash: { '7': nurse.user_info }, count: 1 } });
  });

  it('refuses presence channel_data that was not signed, or is not JSON with a user_id', async () => {
    const { raw, socketId } = await connectRawEstablished(server, pool);
    const { auth } = authorizePresence(sdkFor(server), socketId, CHANNEL, nurse);
    // Signed for the nurse, claiming to be the doctor.
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: CHANNEL, auth, channel_data: JSON.stringify(doctor) } });
    expect(frameData(await raw.next((f) => f.event === 'pusher:subscription_error'))).toMatchObject({ status: 401 });

    // Correctly signed, but not the JSON object with a user_id that presence needs.
    for (const channelData of ['not-json', JSON.stringify({ user_info: {} })]) {
      const signed = signChannel(TEST_APP, socketId, CHANNEL, channelData);
      raw.sendJson({ event: 'pusher:subscribe', data: { channel: CHANNEL, auth: signed, channel_data: channelData } });
      expect(frameData(await raw.next((f) => f.event === 'pusher:subscription_error'))).toMatchObject({ status: 400 });
    }
    expect(server.channelInfo(TEST_APP.id, CHANNEL).occupied).toBe(false);
  });

  it('drives Echo here/joining/leaving', async () => {
    const echo = await connectEcho(server, pool, { auth: { sdk: sdkFor(server), presence: doctor } });
    const here = new Promise<unknown[]>((resolve) => {
      echo
        .join('clinic.1')
        .here((users: unknown[]) => resolve(users))
        .joining((user: unknown) => joined.push(user))
        .leaving((user: unknown) => left.push(user));
    });
    const joined: unknown[] = [];
    const left: unknown[] = [];
    expect(await withTimeout(here, 3_000, 'Echo here()')).toEqual([doctor.user_info]);

    const joinSeen = waitForServer(server, 'member_added', (e) => e.userId === '7');
    const other = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: nurse } });
    await subscribe(other, CHANNEL);
    await joinSeen;
    await withTimeout(until(() => joined.length === 1), 3_000, 'Echo joining()');
    expect(joined).toEqual([nurse.user_info]);

    other.disconnect();
    await withTimeout(until(() => left.length === 1), 3_000, 'Echo leaving()');
    expect(left).toEqual([nurse.user_info]);
  });
});

/** Polls a condition on the event loop; used only where a library offers no callback to await. */
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (condition()) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('client events', () => {
  it('relays client events to the other subscribers only, never echoing them to the sender', async () => {
    const auth = goodAuth();
    const alice = await connectPusherJs(server, pool, { auth });
    const bob = await connectPusherJs(server, pool, { auth });
    const a = (await subscribe(alice, 'private-conversation.3')).channel;
    const b = (await subscribe(bob, 'private-conversation.3')).channel;
    const echoed = collectEvents(a, 'client-typing');

    const got = nextEvent(b, 'client-typing');
    const relayed = waitForServer(server, 'client_event', (e) => e.event === 'client-typing');
    expect(a.trigger('client-typing', { conversation_id: 3, typing: true })).toBe(true);
    expect((await got).data).toEqual({ conversation_id: 3, typing: true });
    expect(await relayed).toMatchObject({ socketId: socketIdOf(alice), channel: 'private-conversation.3' });

    // Frames to one socket are ordered: once this marker arrives, an echo would have arrived first.
    const marker = nextEvent(a, 'marker');
    server.publish(TEST_APP.id, ['private-conversation.3'], 'marker', '{}');
    await marker;
    expect(echoed).toEqual([]);
  });

  it('adds user_id on presence channels', async () => {
    const alice = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: { user_id: 11, user_info: {} } } });
    const bob = await connectPusherJs(server, pool, { auth: { sdk: sdkFor(server), presence: { user_id: 12, user_info: {} } } });
    const a = (await subscribe(alice, 'presence-clinic.2')).channel;
    const b = (await subscribe(bob, 'presence-clinic.2')).channel;
    const got = nextEvent(b, 'client-wave');
    a.trigger('client-wave', { hi: 1 });
    expect(await got).toEqual({ data: { hi: 1 }, metadata: { user_id: '11' } });
  });

  it('refuses client events on public channels and on channels the socket is not subscribed to', async () => {
    const listener = await connectPusherJs(server, pool);
    const heard = collectEvents((await subscribe(listener, 'clinic-board')).channel, 'client-x');
    const { raw } = await connectRawEstablished(server, pool);
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'clinic-board' } });
    await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');

    raw.sendJson({ event: 'client-x', channel: 'clinic-board', data: {} });
    const publicRefusal = await raw.next((f) => f.event === 'pusher:error');
    expect(publicRefusal.channel).toBe('clinic-board');
    expect(frameData(publicRefusal)).toMatchObject({ code: null, message: expect.stringContaining('private and presence') });

    raw.sendJson({ event: 'client-x', channel: 'private-not-mine', data: {} });
    expect(frameData(await raw.next((f) => f.event === 'pusher:error'))).toMatchObject({ message: expect.stringContaining('not subscribed') });
    expect(heard).toEqual([]);
  });

  it('rate-limits client events with 4301', async () => {
    await server.close();
    server = await startTestServer({ clientEventsPerSecond: 3 });
    const { raw, socketId } = await connectRawEstablished(server, pool);
    const { auth } = sdkFor(server).authorizeChannel(socketId, 'private-chat');
    raw.sendJson({ event: 'pusher:subscribe', data: { channel: 'private-chat', auth } });
    await raw.next((f) => f.event === 'pusher_internal:subscription_succeeded');
    for (let i = 0; i < 5; i += 1) raw.sendJson({ event: 'client-spam', channel: 'private-chat', data: { i } });
    const limited = await raw.next((f) => f.event === 'pusher:error');
    expect(frameData(limited)).toMatchObject({ code: ErrorCode.ClientEventRateLimit });
  });
});

