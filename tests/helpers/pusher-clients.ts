/**
 * Third-party clients against the demo Pusher server: real pusher-js,
 * laravel-echo, the official `pusher` SDK and a raw `ws` socket for frames no
 * library would send. Every client is registered in a pool so that one
 * `closeAll()` in afterEach leaves no socket (and no open handle) behind.
 */
import PusherJs from 'pusher-js';
import type { Channel, ChannelAuthorizationCallback } from 'pusher-js';
import Echo from 'laravel-echo';
import PusherSdk from 'pusher';
import WebSocket from 'ws';
import {
  startPusherServer,
  type PusherServer,
  type PusherServerEventName,
  type PusherServerEvents,
  type PusherServerOptions,
} from '../../src/main/demo/pusher/server';

export const TEST_APP = { id: 'clinic-app', key: 'clinic-key', secret: 'clinic-secret' } as const;
export const OTHER_APP = { id: 'other-app', key: 'other-key', secret: 'other-secret' } as const;

export const DEFAULT_WAIT_MS = 3_000;

export function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Resolves with the first matching server event; registered before the action that causes it. */
export function waitForServer<K extends PusherServerEventName>(
  server: PusherServer,
  event: K,
  predicate: (payload: PusherServerEvents[K]) => boolean = () => true,
  ms = DEFAULT_WAIT_MS,
): Promise<PusherServerEvents[K]> {
  let off: () => void = () => undefined;
  const found = new Promise<PusherServerEvents[K]>((resolve) => {
    off = server.on(event, (payload) => {
      if (!predicate(payload)) return;
      off();
      resolve(payload);
    });
  });
  return withTimeout(found, ms, `server event ${event}`).finally(() => off());
}

export function startTestServer(overrides: Partial<PusherServerOptions> = {}): Promise<PusherServer> {
  return startPusherServer({ apps: [{ ...TEST_APP }, { ...OTHER_APP }], ...overrides });
}

export function sdkFor(server: PusherServer, app: { id: string; key: string; secret: string } = TEST_APP): PusherSdk {
  return new PusherSdk({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
  });
}

export interface PresenceUser {
  user_id: string | number;
  user_info?: Record<string, unknown>;
}

export interface ClientAuth {
  /** Signs with this SDK (the back end's role); a SDK holding the wrong secret makes bad signatures. */
  sdk: PusherSdk;
  presence?: PresenceUser;
}

type AuthHandler = (params: { socketId: string; channelName: string }, callback: ChannelAuthorizationCallback) => void;

/**
 * The SDK's typings say `user_id: string`, but its code signs any JSON and
 * Laravel sends integer ids: the numeric case is the one the desk meets.
 */
export function authorizePresence(sdk: PusherSdk, socketId: string, channel: string, user: PresenceUser): PusherSdk.ChannelAuthResponse {
  return sdk.authorizeChannel(socketId, channel, user as PusherSdk.PresenceChannelData);
}

function localAuthorizer(auth: ClientAuth | undefined): AuthHandler {
  return ({ socketId, channelName }, callback) => {
    if (auth === undefined) {
      callback(new Error('no authorizer configured for this client'), null);
      return;
    }
    try {
      const presence = channelName.startsWith('presence-') ? auth.presence : undefined;
      callback(null, presence === undefined ? auth.sdk.authorizeChannel(socketId, channelName) : authorizePresence(auth.sdk, socketId, channelName, presence));
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)), null);
    }
  };
}

export interface PusherJsOptions {
  key?: string;
  auth?: ClientAuth;
  /** pusher-js activityTimeout in ms (how long it stays silent before its own ping). */
  activityTimeout?: number;
}

/** Tracks every client made by a test so afterEach can close them all. */
export class ClientPool {
  private readonly closers: Array<() => Promise<void> | void> = [];

  track(closer: () => Promise<void> | void): void {
    this.closers.push(closer);
  }

  async closeAll(): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.all(closers.map(async (close) => close()));
  }
}

function pusherJsConfig(server: PusherServer, options: PusherJsOptions) {
  return {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws' as const],
    disableStats: true,
    channelAuthorization: { customHandler: localAuthorizer(options.auth) },
    ...(options.activityTimeout === undefined ? {} : { activityTimeout: options.activityTimeout }),
  };
}

function waitConnected(client: PusherJs, label: string): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      if (client.connection.state === 'connected') return resolve();
      client.connection.bind('connected', () => resolve());
      client.connection.bind('failed', () => reject(new Error(`${label} failed to connect`)));
    }),
    DEFAULT_WAIT_MS,
    `${label} to connect`,
  );
}

/**
 * pusher-js disconnects synchronously on its side (timers included); the
 * server side is drained by `server.close()` in afterEach, which waits for
 * every socket. Not waiting here also covers clients whose server was
 * replaced by a restart.
 */
function disconnectPusherJs(client: PusherJs): void {
  client.disconnect();
}

export async function connectPusherJs(server: PusherServer, pool: ClientPool, options: PusherJsOptions = {}): Promise<PusherJs> {
  const client = new PusherJs(options.key ?? TEST_APP.key, pusherJsConfig(server, options));
  pool.track(() => disconnectPusherJs(client));
  await waitConnected(client, 'pusher-js');
  return client;
}

export function socketIdOf(client: PusherJs): string {
  const id = client.connection.socket_id;
  if (id === undefined) throw new Error('pusher-js client has no socket id (not connected)');
  return id;
}

export interface SubscriptionOutcome {
  ok: boolean;
  data: unknown;
}

/** Subscribes and resolves on pusher:subscription_succeeded or pusher:subscription_error. */
export function subscribe(client: PusherJs, channelName: string): Promise<{ channel: Channel; outcome: SubscriptionOutcome }> {
  const channel = client.subscribe(channelName);
  const outcome = new Promise<SubscriptionOutcome>((resolve) => {
    channel.bind('pusher:subscription_succeeded', (data: unknown) => resolve({ ok: true, data }));
    channel.bind('pusher:subscription_error', (data: unknown) => resolve({ ok: false, data }));
  });
  return withTimeout(outcome, DEFAULT_WAIT_MS, `subscription to ${channelName}`).then((o) => ({ channel, outcome: o }));
}

/** The next occurrence of `event` on a pusher-js channel. */
export function nextEvent<T = unknown>(channel: Channel, event: string, ms = DEFAULT_WAIT_MS): Promise<{ data: T; metadata: unknown }> {
  let handler: ((data: T, metadata: unknown) => void) | undefined;
  const got = new Promise<{ data: T; metadata: unknown }>((resolve) => {
    handler = (data, metadata) => resolve({ data, metadata });
    channel.bind(event, handler);
  });
  return withTimeout(got, ms, `${event} on ${channel.name}`).finally(() => channel.unbind(event, handler));
}

/** Collects every occurrence of `event` on a channel, to assert that something did NOT arrive. */
export function collectEvents(channel: Channel, event: string): unknown[] {
  const seen: unknown[] = [];
  channel.bind(event, (data: unknown) => seen.push(data));
  return seen;
}

// ------------------------------------------------------------------- Echo ---

export interface EchoOptions {
  auth?: ClientAuth;
}

export type EchoClient = Echo<'pusher'>;

export async function connectEcho(server: PusherServer, pool: ClientPool, options: EchoOptions = {}): Promise<EchoClient> {
  const authorize = localAuthorizer(options.auth);
  const echo = new Echo({
    broadcaster: 'pusher',
    key: TEST_APP.key,
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    Pusher: PusherJs,
    // Echo's own option (pusher-js's deprecated `authorizer`), as a Laravel front end would configure it.
    authorizer: (channel: { name: string }) => ({
      authorize: (socketId: string, callback: ChannelAuthorizationCallback) =>
        authorize({ socketId, channelName: channel.name }, callback),
    }),
  });
  const client = echo.connector.pusher;
  pool.track(() => disconnectPusherJs(client));
  await waitConnected(client, 'laravel-echo');
  return echo;
}

// -------------------------------------------------------------------- raw ---

export interface RawFrame {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

export interface RawClient {
  readonly ws: WebSocket;
  readonly frames: RawFrame[];
  /** Resolves with the first frame (already received or future) matching the predicate, and consumes it. */
  next(predicate: (frame: RawFrame) => boolean, ms?: number): Promise<RawFrame>;
  sendJson(value: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

function parseRawFrame(text: string): RawFrame {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || !('event' in value) || typeof value.event !== 'string') {
    throw new Error(`server sent a frame without event: ${text}`);
  }
  return value as RawFrame;
}

/** Decodes a frame's data the way pusher-js does: objects as is, JSON strings parsed. */
export function frameData(frame: RawFrame): unknown {
  return typeof frame.data === 'string' ? (JSON.parse(frame.data) as unknown) : frame.data;
}

export function connectRaw(server: PusherServer, pool: ClientPool, pathAndQuery?: string): Promise<RawClient> {
  const url = pathAndQuery === undefined ? server.wsUrl(TEST_APP.key) : `ws://127.0.0.1:${server.port}${pathAndQuery}`;
  const ws = new WebSocket(url);
  const frames: RawFrame[] = [];
  const waiters: Array<{ predicate: (f: RawFrame) => boolean; resolve: (f: RawFrame) => void }> = [];
  ws.on('message', (data) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    const frame = parseRawFrame(bytes.toString('utf8'));
    const index = waiters.findIndex((w) => w.predicate(frame));
    if (index === -1) {
      frames.push(frame);
      return;
    }
    const [waiter] = waiters.splice(index, 1);
    waiter?.resolve(frame);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
  pool.track(async () => {
    if (ws.readyState === WebSocket.CLOSED) return;
    ws.terminate();
    await closed;
  });
  const client: RawClient = {
    ws,
    frames,
    closed,
    sendJson: (value) => ws.send(JSON.stringify(value)),
    next: (predicate, ms = DEFAULT_WAIT_MS) => {
      const index = frames.findIndex(predicate);
      if (index !== -1) {
        const [frame] = frames.splice(index, 1);
        if (frame !== undefined) return Promise.resolve(frame);
      }
      const waiter = { predicate, resolve: (_frame: RawFrame): void => undefined };
      const arrived = new Promise<RawFrame>((resolve) => {
        waiter.resolve = resolve;
        waiters.push(waiter);
      });
      return withTimeout(arrived, ms, 'a raw frame').finally(() => {
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
      });
    },
  };
  return withTimeout(
    new Promise<RawClient>((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    }),
    DEFAULT_WAIT_MS,
    `raw socket to ${url}`,
  );
}

/** A raw client that has received connection_established; returns its socket id too. */
export async function connectRawEstablished(server: PusherServer, pool: ClientPool): Promise<{ raw: RawClient; socketId: string }> {
  const raw = await connectRaw(server, pool);
  const established = await raw.next((f) => f.event === 'pusher:connection_established');
  const data = frameData(established) as { socket_id: string };
  return { raw, socketId: data.socket_id };
}

/** What the SDK's rejected promise carries: status and body of the HTTP answer. */
export async function sdkFailure(promise: Promise<unknown>): Promise<{ status: number; body: string }> {
  try {
    await promise;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'status' in error && 'body' in error) {
      return { status: Number(error.status), body: String(error.body) };
    }
    throw error;
  }
  throw new Error('expected the SDK request to fail, it succeeded');
}
