/**
 * The baseline: a bare pusher-js client in its own process, subscribed to a
 * private channel with an auth signed by the official `pusher` SDK's
 * `authorizeChannel`. It does the least a receiver can do (note the time, read
 * the id and the publisher's timestamp), so what the desk adds on top
 * (laravel-echo, validation, the SQLite cache, its events) shows as a ratio.
 */
import PusherSdk from 'pusher';
import Pusher from 'pusher-js';
import type { Channel } from 'pusher-js';
import type { DemoServerInfo } from '../../src/main/demo/info';
import { hr, serve } from './ipc';
import { NOTIFICATION_EVENT, sentAtOf } from './payloads';

let client: Pusher | null = null;
let channel: Channel | null = null;
let channelName = '';

interface Expectation {
  firstId: number;
  count: number;
  received: number;
  firstAt: number;
  lastAt: number;
  latencies: number[] | null;
  done: () => void;
}
let expecting: Expectation | null = null;
let outcome: Promise<{ received: number; firstAt: number; lastAt: number; latencies: number[] | null }> | null = null;

function onEvent(data: unknown): void {
  const at = hr();
  const e = expecting;
  if (!e) return;
  const payload = data as { id?: unknown; message?: unknown };
  const id = typeof payload.id === 'number' ? payload.id : -1;
  if (id < e.firstId || id >= e.firstId + e.count) return;
  if (e.received === 0) e.firstAt = at;
  e.received++;
  e.lastAt = at;
  if (e.latencies && typeof payload.message === 'string') e.latencies.push(at - sentAtOf(payload.message));
  if (e.received === e.count) e.done();
}

function subscribed(ch: Channel): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscription to ${channelName} timed out`)), 10_000);
    ch.bind('pusher:subscription_succeeded', () => {
      clearTimeout(timer);
      resolve();
    });
    ch.bind('pusher:subscription_error', (status: unknown) => {
      clearTimeout(timer);
      reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(status)}`));
    });
  });
}

const handlers = {
  async connect(info: DemoServerInfo, name: string) {
    const signer = new PusherSdk({ appId: info.appId, key: info.appKey, secret: info.appSecret, host: info.wsHost, port: String(info.wsPort), useTLS: false });
    channelName = name;
    const c = new Pusher(info.appKey, {
      cluster: 'mt1',
      wsHost: info.wsHost,
      wsPort: info.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: ({ socketId, channelName: ch }, callback) => callback(null, signer.authorizeChannel(socketId, ch)),
      },
    });
    client = c;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw client did not connect')), 10_000);
      c.connection.bind('connected', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await handlers.subscribe();
    return { socketId: c.connection.socket_id };
  },

  async subscribe() {
    if (!client) throw new Error('not connected');
    if (channel?.subscribed) return;
    const ch = client.subscribe(channelName);
    channel = ch;
    ch.bind(NOTIFICATION_EVENT, onEvent);
    await subscribed(ch);
  },

  unsubscribe() {
    if (!client || !channel) return;
    channel.unbind();
    client.unsubscribe(channelName);
    channel = null;
  },

  /** Starts counting ids [firstId, firstId + count); call before the events are sent, then `collect()`. */
  arm(o: { firstId: number; count: number; latencies: boolean; timeoutMs: number }) {
    outcome = new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const e: Expectation = {
        firstId: o.firstId,
        count: o.count,
        received: 0,
        firstAt: 0,
        lastAt: 0,
        latencies: o.latencies ? [] : null,
        done: () => {
          if (timer) clearTimeout(timer);
          expecting = null;
          resolve({ received: e.received, firstAt: e.firstAt, lastAt: e.lastAt, latencies: e.latencies });
        },
      };
      expecting = e;
      timer = setTimeout(() => e.done(), o.timeoutMs);
    });
    return true;
  },

  /** What arrived for the armed range: when all did, or at the time-out. */
  collect() {
    if (!outcome) throw new Error('not armed');
    return outcome;
  },

  memory() {
    return process.memoryUsage();
  },

  /** user + system CPU of this process so far, in ms. */
  cpu() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

export type RawClientHandlers = typeof handlers;

serve(handlers, async () => {
  client?.disconnect();
});
