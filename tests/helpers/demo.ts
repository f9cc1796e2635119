/**
 * Shared helpers for integration tests against the embedded demo clinic:
 * starting one on a fixed clock, signing in, plain `fetch` requests that keep
 * status, headers and raw body, real pusher-js clients, and a harness that
 * closes everything a test opened (clients first, then clinics).
 */
import { createHmac } from 'node:crypto';
import Pusher from 'pusher-js';
import type { Options as PusherJsOptions } from 'pusher-js';
import PusherSdk from 'pusher';
import { startDemoClinic, type DemoClinic, type DemoClinicOptions } from '../../src/main/demo/demo-clinic';
import type { DemoUserInfo } from '../../src/main/demo/info';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { LoginResponse } from '../../src/shared/domain';

/** The demo lays its appointments out on this UTC day. */
export const TODAY = '2026-11-26';
export const YESTERDAY = '2026-11-25';
export const TOMORROW = '2026-11-27';
export const FIXED_NOW_MS = Date.parse(`${TODAY}T10:00:00Z`);
export const fixedClock = (): number => FIXED_NOW_MS;
export const DEMO_SEED = 42;

/** How long a test waits for something that should take milliseconds on loopback. */
export const WAIT_MS = 3_000;

export function withTimeout<T>(promise: Promise<T>, label: string, ms = WAIT_MS): Promise<T> {
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

/** A demo clinic on seed 42 and the fixed clock, silent, on free loopback ports. */
export function startTestClinic(options: DemoClinicOptions = {}): Promise<DemoClinic> {
  return startDemoClinic({ seed: DEMO_SEED, now: fixedClock, logger: quietDemoLogger, ...options });
}

/** The demo account with this email (throws when the world has none, so a renamed seed fails loudly). */
export function account(clinic: DemoClinic, email: string): DemoUserInfo {
  const found = clinic.info.users.find((u) => u.email === email);
  if (!found) throw new Error(`the demo world has no account ${email}`);
  return found;
}

// ----------------------------------------------------------------- HTTP ---

export interface RequestOptions {
  token?: string;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`, as pusher-js posts its auth request. */
  form?: Record<string, string>;
  /** A raw body; give `contentType` with it. */
  body?: string;
  contentType?: string;
  /** `Accept` header; `null` sends none (fetch then sends its default `*\/*`). */
  accept?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: T;
}

/**
 * One request to the demo API with global fetch, redirects not followed, so a
 * test sees exactly what the server answered.
 */
export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.accept !== null) headers.Accept = options.accept ?? 'application/json';
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.body !== undefined) {
    body = options.body;
  }
  if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
  Object.assign(headers, options.headers);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text) as unknown;
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A request client bound to one clinic and, optionally, one user's token. */
export interface ApiClient {
  get(path: string, options?: RequestOptions): Promise<ApiResponse>;
  post(path: string, options?: RequestOptions): Promise<ApiResponse>;
  delete(path: string, options?: RequestOptions): Promise<ApiResponse>;
  send(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

export function apiClient(clinic: DemoClinic, token?: string): ApiClient {
  const send = (method: string, path: string, options: RequestOptions = {}) =>
    request(clinic.info.apiUrl, method, path, token === undefined ? options : { token, ...options });
  return {
    send,
    get: (path, options) => send('GET', path, options),
    post: (path, options) => send('POST', path, options),
    delete: (path, options) => send('DELETE', path, options),
  };
}

/** Signs in through `POST /api/login` (password `password`) and checks the answer's shape. */
export async function login(clinic: DemoClinic, email: string, password = 'password'): Promise<LoginResponse> {
  const res = await request(clinic.info.apiUrl, 'POST', '/api/login', { json: { email, password } });
  if (res.status !== 200) throw new Error(`login of ${email} answered ${res.status}: ${res.text}`);
  return LoginResponse.parse(res.body);
}

/** `apiClient` for a user signed in through the API. */
export async function clientFor(clinic: DemoClinic, email: string): Promise<ApiClient & { token: string; user: LoginResponse['user'] }> {
  const { token, user } = await login(clinic, email);
  return { ...apiClient(clinic, token), token, user };
}

// ----------------------------------------------------------- signatures ---

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** The official server SDK with the clinic's app credentials: what a real Laravel back end signs with. */
export function officialSdk(clinic: DemoClinic): PusherSdk {
  return new PusherSdk({
    appId: clinic.info.appId,
    key: clinic.info.appKey,
    secret: clinic.info.appSecret,
    host: clinic.info.wsHost,
    port: String(clinic.info.wsPort),
    useTLS: false,
  });
}

// ------------------------------------------------------------ pusher-js ---

export type PusherJsConfig = Partial<PusherJsOptions>;

export function pusherJsOptions(clinic: DemoClinic, extra: PusherJsConfig = {}): PusherJsOptions {
  return {
    cluster: 'mt1',
    wsHost: clinic.info.wsHost,
    wsPort: clinic.info.wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...extra,
  };
}

/** pusher-js's channel authorization through the demo's `/broadcasting/auth`, with its own (ajax) transport. */
export function ajaxAuthorization(clinic: DemoClinic, token: string): PusherJsConfig {
  return {
    channelAuthorization: {
      endpoint: `${clinic.info.apiUrl}/broadcasting/auth`,
      transport: 'ajax',
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    },
  };
}

export function socketIdOf(client: Pusher): string {
  const id = client.connection.socket_id;
  if (id === undefined) throw new Error('pusher-js client has no socket id (not connected)');
  return id;
}

export interface SubscriptionOutcome {
  ok: boolean;
  /** `pusher:subscription_succeeded` data, or pusher-js's `{type, error, status}` on failure. */
  data: unknown;
}

/** Subscribes and resolves on `pusher:subscription_succeeded` or `pusher:subscription_error`. */
export function subscribe(client: Pusher, channelName: string): Promise<SubscriptionOutcome> {
  const channel = client.subscribe(channelName);
  return withTimeout(
    new Promise<SubscriptionOutcome>((resolve) => {
      channel.bind('pusher:subscription_succeeded', (data: unknown) => resolve({ ok: true, data }));
      channel.bind('pusher:subscription_error', (data: unknown) => resolve({ ok: false, data }));
    }),
    `the subscription to ${channelName}`,
  );
}

/** The next `event` on a subscribed pusher-js channel. */
export function nextEvent(client: Pusher, channelName: string, event: string): Promise<unknown> {
  const channel = client.channel(channelName);
  let handler: ((data: unknown) => void) | undefined;
  const got = new Promise<unknown>((resolve) => {
    handler = resolve;
    channel.bind(event, handler);
  });
  return withTimeout(got, `${event} on ${channelName}`).finally(() => channel.unbind(event, handler));
}

// -------------------------------------------------------------- harness ---

/**
 * Owns what a test starts: `await harness.cleanup()` in afterEach/afterAll
 * disconnects pusher-js clients before closing the clinics, so no client is
 * left reconnecting to a closed server.
 */
export class DemoHarness {
  private readonly clinics: DemoClinic[] = [];
  private readonly clients: Pusher[] = [];

  async clinic(options: DemoClinicOptions = {}): Promise<DemoClinic> {
    const clinic = await startTestClinic(options);
    this.clinics.push(clinic);
    return clinic;
  }

  /** A connected pusher-js client (resolves on `connected`, rejects on `failed`/`unavailable`). */
  async pusherJs(clinic: DemoClinic, extra: PusherJsConfig = {}): Promise<Pusher> {
    const client = new Pusher(clinic.info.appKey, pusherJsOptions(clinic, extra));
    this.clients.push(client);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        if (client.connection.state === 'connected') return resolve();
        client.connection.bind('connected', () => resolve());
        client.connection.bind('failed', () => reject(new Error('pusher-js could not connect (failed)')));
        client.connection.bind('unavailable', () => reject(new Error('pusher-js could not connect (unavailable)')));
      }),
      'pusher-js to connect',
    );
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.clients.splice(0)) client.disconnect();
    await Promise.all(this.clinics.splice(0).map((clinic) => clinic.close()));
  }
}

/** Resolves once some socket is subscribed to `channel` on the demo server. */
export function subscribed(c: DemoClinic, channel: string): Promise<void> {
  const server = c.realtime;
  if (!server) throw new Error('socket server not running');
  if (server.channelInfo(c.info.appId, channel).occupied) return Promise.resolve();
  return new Promise((resolve) => {
    const off = server.on('subscribed', (e) => {
      if (e.channel !== channel) return;
      off();
      resolve();
    });
  });
}
