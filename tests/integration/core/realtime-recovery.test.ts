/**
 * The realtime core's recovery, where pusher-js alone falls short: a socket
 * server that restarts (pusher-js then waits 15 s and more between its own
 * attempts), a server that refuses the connection (pusher-js stops for good),
 * and a socket that goes silent without closing (sleep, network change).
 */
import Pusher from 'pusher-js';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { deskEchoFactory } from '../../../src/main/core/realtime/echo-instance';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { startTestClinic } from '../../helpers/demo';
import { signIn } from '../../helpers/staff-desk';
import { bearerAuthorizer } from '../../helpers/core-auth';
import { RealtimePool, collect, demoTransport, nextOf, settled, until } from '../../helpers/core-realtime';
import { startFreezableProxy, type FreezableProxy } from '../../helpers/tcp-proxy';

const RECEPTION = 'reception1@northside.clinic.test';
const N = channels.notifications(2);
const PRESENCE = channels.presenceClinic(1);

const pool = new RealtimePool();
const cleanups: Array<() => Promise<void> | void> = [];
let clinic: DemoClinic;

beforeEach(async () => {
  clinic = await startTestClinic();
});

afterEach(async () => {
  pool.disconnectAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await clinic.close();
});

async function authorizeAsReception() {
  const { token } = await signIn(clinic.info, RECEPTION);
  return bearerAuthorizer(clinic.info, token);
}

describe('socket server restarts', () => {
  it('is connected and subscribed again after each of three restarts in a row, well before pusher-js would retry', async () => {
    const rt = pool.create(clinic.info, { authorize: await authorizeAsReception() });
    rt.setChannels([N, PRESENCE]);
    rt.connect();
    await settled(rt, [N.fullName, PRESENCE.fullName]);
    const reconnects = collect(rt, 'connected');
    const states = collect(rt, 'state');
    // Control: pusher-js on its own, WebSocket only, as a Laravel front end configures it.
    const plain = new Pusher(clinic.info.appKey, {
      cluster: 'mt1',
      wsHost: clinic.info.wsHost,
      wsPort: clinic.info.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      enableStats: false,
    });
    cleanups.push(() => plain.disconnect());
    await new Promise((resolve) => plain.connection.bind('connected', resolve));

    const rebuilds = () => states.filter((s) => s.detail?.includes('new connection (attempt') === true).length;
    for (let round = 1; round <= 3; round++) {
      const rebuiltBefore = rebuilds();
      const dropped = until(rt, () => rt.status.state !== 'connected', `drop ${round}`);
      await clinic.stopRealtime();
      await dropped;
      // pusher-js has already retried against the closed port and now waits 15 s (then 30, 60).
      const restartedAt = Date.now();
      await clinic.startRealtime();
      await settled(rt, [N.fullName, PRESENCE.fullName], 'subscribed', 4_000);
      expect(Date.now() - restartedAt).toBeLessThan(4_000);
      // Each time a fresh instance of ours reconnected, not pusher-js's own (15 s later) retry.
      expect(rebuilds()).toBeGreaterThan(rebuiltBefore);
      if (round === 1) expect(plain.connection.state).not.toBe('connected');

      const title = `after restart ${round}`;
      const got = nextOf(rt, 'event', (e) => e.key === 'notification' && e.payload.title === title);
      expect((await clinic.backend.notify({ user_id: 2, type: 'info', title, message: '-', action_url: null })).broadcast).toBe(true);
      await got;
    }
    expect(reconnects.map((r) => r.reconnect)).toEqual([true, true, true]);
    expect(new Set(reconnects.map((r) => r.socketId)).size).toBe(3);
  });

  it('keeps trying with fresh instances when the server refuses the connection and pusher-js stops', async () => {
    const refusing = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
    let attempts = 0;
    refusing.on('connection', (ws) => {
      attempts += 1;
      ws.send(JSON.stringify({ event: 'pusher:error', data: { code: 4001, message: 'App key nope does not exist.' } }));
      ws.close(4001, 'App key nope does not exist.');
    });
    await new Promise<void>((resolve) => refusing.once('listening', () => resolve()));
    const port = (refusing.address() as AddressInfo).port;

    const rt = pool.create(clinic.info, { authorize: await authorizeAsReception(), transport: demoTransport(clinic.info, port) });
    const states = collect(rt, 'state');
    rt.connect();
    await until(rt, () => rt.status.state === 'failed', 'failed');
    expect(rt.status.detail).toContain('pusher-js stopped: App key nope does not exist. (4001)');
    await until(rt, () => attempts >= 3, 'three attempts', 4_000);
    expect(states.filter((s) => s.detail?.includes('new connection (attempt') === true).length).toBeGreaterThanOrEqual(2);
  });
});

describe('a connection that cannot be built', () => {
  it('fails with the reason and retries on its timer instead of throwing', async () => {
    let built = 0;
    const Broken = function () {
      built += 1;
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- pusher-js throws plain strings
      throw 'You must pass your app key when you instantiate Pusher.';
    } as unknown as typeof Pusher;
    const rt = pool.create(clinic.info, { authorize: await authorizeAsReception(), echo: deskEchoFactory(Broken) });
    rt.setChannels([N]);
    expect(() => rt.connect()).not.toThrow();
    expect(rt.status).toMatchObject({ state: 'failed', detail: 'cannot create the connection: You must pass your app key when you instantiate Pusher.' });
    await until(rt, () => built >= 3, 'three attempts', 3_000);
    expect(rt.logs.some((r) => r.level === 'error' && r.message === 'realtime: cannot create the connection')).toBe(true);
  });
});

describe('a silent socket', () => {
  let proxy: FreezableProxy;

  beforeEach(async () => {
    proxy = await startFreezableProxy(clinic.info.wsHost, clinic.info.wsPort);
    // Before the clinic closes: a frozen connection would hold its shutdown for 2 s.
    cleanups.push(() => proxy.close());
  });

  it('keeps a quiet healthy socket (the watchdog pings), and rebuilds one that went silent without closing', async () => {
    const silenceMs = 600;
    const rt = pool.create(clinic.info, {
      authorize: await authorizeAsReception(),
      transport: demoTransport(clinic.info, proxy.port),
      watchdog: { silenceMs },
    });
    rt.setChannels([N]);
    rt.connect();
    await settled(rt, [N.fullName]);
    const first = rt.status.socketId;

    // Quiet but alive: the server's activity timeout is 120 s, so only our ping keeps traffic going.
    await new Promise((resolve) => setTimeout(resolve, silenceMs * 2.5));
    expect(rt.status).toMatchObject({ state: 'connected', socketId: first });

    const states = collect(rt, 'state');
    const frozenAt = Date.now();
    proxy.freeze();
    const { socketId } = await nextOf(rt, 'connected', (e) => e.reconnect, 4_000);
    const took = Date.now() - frozenAt;
    expect(socketId).not.toBe(first);
    expect(took).toBeLessThan(silenceMs + 2_000);
    // Silence counts from the last frame received (a pong just before the freeze), not from the freeze.
    const fired = states.find((s) => s.state === 'connecting' && s.detail?.startsWith('watchdog: nothing received for') === true);
    expect(Number(/for (\d+) ms/.exec(fired?.detail ?? '')?.[1])).toBeGreaterThanOrEqual(silenceMs);
    await settled(rt, [N.fullName]);
    const got = nextOf(rt, 'event', (e) => e.key === 'notification');
    await clinic.backend.notify({ user_id: 2, type: 'info', title: 'after the watchdog', message: '-', action_url: null });
    await got;
  });

  it('reconnects at once when the wall clock jumped (resume from sleep), with the default silence', async () => {
    let jump = 0;
    const rt = pool.create(clinic.info, {
      authorize: await authorizeAsReception(),
      transport: demoTransport(clinic.info, proxy.port),
      now: () => Date.now() + jump,
    });
    rt.setChannels([N]);
    rt.connect();
    await settled(rt, [N.fullName]);
    const first = rt.status.socketId;

    // A laptop lid closed for ten minutes: nothing ran, the socket is dead, the clock moved on.
    const states = collect(rt, 'state');
    proxy.freeze();
    jump = 10 * 60_000;
    const wokeAt = Date.now();
    const { socketId } = await nextOf(rt, 'connected', (e) => e.reconnect, 3_000);
    expect(Date.now() - wokeAt).toBeLessThan(2_000);
    expect(socketId).not.toBe(first);
    expect(states.some((s) => s.detail?.startsWith('watchdog:') === true)).toBe(true);
  });
});

describe('reconnectNow', () => {
  it('builds a fresh connection and resubscribes every wanted channel; ignored before connect()', async () => {
    const rt = pool.create(clinic.info, { authorize: await authorizeAsReception() });
    rt.reconnectNow('too early');
    expect(rt.status.state).toBe('idle');
    rt.setChannels([N, PRESENCE]);
    rt.connect();
    await settled(rt, [N.fullName, PRESENCE.fullName]);
    const first = rt.status.socketId;
    const here = nextOf(rt, 'presence', (e) => e.kind === 'here');
    const again = nextOf(rt, 'connected', (e) => e.reconnect);
    rt.reconnectNow('resumed from sleep');
    expect((await again).socketId).not.toBe(first);
    await settled(rt, [N.fullName, PRESENCE.fullName]);
    expect((await here).kind).toBe('here');
    // The old socket is gone from the server: no leak of pusher-js instances or sockets.
    await until(rt, () => clinic.realtime!.connectionCount() === 1, 'one connection left');
  });

  it('leaves nothing behind in pusher-js globals across rebuilds', async () => {
    const network = Pusher.Runtime.getNetwork();
    const globals = () => ({ instances: Pusher.instances.length, online: network.callbacks.get('online')?.length ?? 0 });
    const rt = pool.create(clinic.info, { authorize: await authorizeAsReception() });
    rt.setChannels([N]);
    rt.connect();
    await settled(rt, [N.fullName]);
    const before = globals();
    for (let i = 0; i < 5; i++) {
      const again = nextOf(rt, 'connected', (e) => e.reconnect);
      rt.reconnectNow(`round ${i}`);
      await again;
    }
    expect(globals()).toEqual(before);
    rt.disconnect();
    expect(globals()).toEqual({ instances: before.instances - 1, online: before.online - 1 });
  });
});
