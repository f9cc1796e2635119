/**
 * The demo clinic in its own process (started by `startClinic()` in
 * remote-clinic.ts): the socket server, the REST API and the store, plus the
 * senders a benchmark drives. In production the clinic is another machine, so
 * nothing it does here should cost the desk under test its event loop.
 *
 * Every time returned is `hr()` (see ipc.ts).
 */
import http from 'node:http';
import PusherSdk from 'pusher';
import { WebSocket } from 'ws';
import { channels } from '../../src/shared/channels';
import { startDemoClinic, type DemoClinic } from '../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../src/main/demo/dialects';
import { quietDemoLogger } from '../../src/main/demo/logger';
import type { PusherServer } from '../../src/main/demo/pusher/server';
import { SimulatedDesk } from '../../src/main/demo/simulated-desk';
import { hr, serve } from './ipc';
import { NOTIFICATION_EVENT, notificationData } from './payloads';
import { startProfiler, summariseProfile, type Profiler } from './profile';
import { WorkingDayClinic, type DaySegment } from './working-day-clinic';

let clinic: DemoClinic | null = null;
let sdk: PusherSdk | null = null;
/** `${channel}:${userId}` → hr() of the server's member_added / member_removed. */
const memberAdded = new Map<string, number>();
const memberRemoved = new Map<string, number>();
const joined = new Map<number, SimulatedDesk>();
let profiler: Profiler | null = null;

/**
 * The server fans a presence change out to every member's socket and only then
 * emits its `member_added`/`member_removed` event, so that event comes after
 * the first desks already have the frame. To time delivery from the start of
 * the fan-out, the first `ws` send of a matching frame is noted here (the
 * demo server is the only `ws` user in this process; pusher-js brings its own).
 */
let watchedFrame: { needles: string[]; at: number } | null = null;
const wsSend = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'send')?.value as (this: WebSocket, ...args: Parameters<WebSocket['send']>) => void;
WebSocket.prototype.send = function (this: WebSocket, ...args: Parameters<WebSocket['send']>) {
  const watch = watchedFrame;
  const data = args[0];
  if (watch !== null && watch.at === 0 && typeof data === 'string' && watch.needles.every((n) => data.includes(n))) watch.at = hr();
  wsSend.apply(this, args);
} as WebSocket['send'];

/**
 * HTTP requests served by this process while `recordRequests(true)`: path, query,
 * status and the hr() of the request's arrival and of its answer's end (`finish`).
 * The demo's own `api.requestLog` counts them too, without times or queries.
 */
export interface TimedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  startAt: number;
  endAt: number;
}
let recording = false;
const timedRequests: TimedRequest[] = [];
/** Requests to this path are held `ms` before the app sees them: a real server's latency (`setRequestDelay`). */
let requestDelay: { path: string; ms: number } | null = null;
const serverEmit = Reflect.get(http.Server.prototype, 'emit') as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
  if (recording && event === 'request') {
    const req = args[0] as http.IncomingMessage;
    const res = args[1] as http.ServerResponse;
    const startAt = hr();
    const [path = '', query = ''] = (req.url ?? '').split('?');
    res.once('finish', () => timedRequests.push({ method: req.method ?? '', path, query, status: res.statusCode, startAt, endAt: hr() }));
  }
  const delay = requestDelay;
  if (delay !== null && event === 'request' && ((args[0] as http.IncomingMessage).url ?? '').split('?')[0] === delay.path) {
    setTimeout(() => serverEmit.call(this, event, ...args), delay.ms);
    return true;
  }
  return serverEmit.call(this, event, ...args);
} as typeof http.Server.prototype.emit;

function need(): DemoClinic {
  if (!clinic) throw new Error('clinic not started');
  return clinic;
}

function needRealtime(): PusherServer {
  const rt = need().realtime;
  if (!rt) throw new Error('socket server is stopped');
  return rt;
}

function watch(rt: PusherServer): void {
  rt.on('member_added', (e) => memberAdded.set(`${e.channel}:${e.userId}`, hr()));
  rt.on('member_removed', (e) => memberRemoved.set(`${e.channel}:${e.userId}`, hr()));
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `send(i)` for i in [0, count) on schedule `start + i / rate`, checking about every millisecond (no busy loop). */
async function paced(count: number, ratePerSec: number, send: (i: number) => void | Promise<void>): Promise<{ startedAt: number; endedAt: number; maxLagMs: number }> {
  const startedAt = hr();
  let sent = 0;
  let maxLagMs = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((hr() - startedAt) * ratePerSec) / 1000) + 1);
    while (sent < due) {
      maxLagMs = Math.max(maxLagMs, hr() - (startedAt + (sent * 1000) / ratePerSec));
      await send(sent++);
    }
    if (sent < count) await wait(1);
  }
  return { startedAt, endedAt: hr(), maxLagMs };
}

/** The working-day benchmark's clinic day (working-day-clinic.ts); colleagues come and go through `joined`. */
const day = new WorkingDayClinic(need, {
  async join(userId, clinicId) {
    if (joined.has(userId)) return;
    const c = need();
    const desk = new SimulatedDesk(userId, clinicId, c.store.issueToken(userId), { apiUrl: c.info.apiUrl, wsHost: c.info.wsHost, wsPort: c.info.wsPort, appKey: c.info.appKey }, quietDemoLogger);
    joined.set(userId, desk);
    await desk.goOnline(10_000);
  },
  leave(userId) {
    joined.get(userId)?.goOffline();
    joined.delete(userId);
    return Promise.resolve();
  },
});

const handlers = {
  /** `apiDialect`: the REST dialect of the clinic's Laravel app (default 'default', the desk's contract). */
  async start(options: { seed?: number; apiDialect?: ApiDialectName } = {}) {
    clinic = await startDemoClinic({ seed: options.seed ?? 42, logger: quietDemoLogger, scenario: { autoStart: false }, ...(options.apiDialect === undefined ? {} : { apiDialect: options.apiDialect }) });
    watch(needRealtime());
    const info = clinic.info;
    sdk = new PusherSdk({ appId: info.appId, key: info.appKey, secret: info.appSecret, host: info.wsHost, port: String(info.wsPort), useTLS: false, timeout: 10_000 });
    return info;
  },

  /**
   * `count` events straight into the socket server (no HTTP), `chunk` per
   * event-loop turn. The payloads are encoded before the clock starts (their
   * sent-at is that moment), so the publisher is as fast as the server can send
   * and the receivers, not it, set the pace.
   */
  async publishBurst(o: { userId: number; firstId: number; count: number; chunk?: number }) {
    const rt = needRealtime();
    const { appId } = need().info;
    const channel = channels.notifications(o.userId).fullName;
    const chunk = o.chunk ?? 200;
    const builtAt = hr();
    const data = Array.from({ length: o.count }, (_, i) => notificationData(o.firstId + i, o.userId, builtAt));
    const startedAt = hr();
    for (let i = 0; i < o.count; i += chunk) {
      const end = Math.min(o.count, i + chunk);
      for (let j = i; j < end; j++) rt.publish(appId, [channel], NOTIFICATION_EVENT, data[j] ?? '');
      await tick();
    }
    return { startedAt, endedAt: hr() };
  },

  /** `count` events at `ratePerSec`, straight into the socket server. */
  async publishPaced(o: { userId: number; firstId: number; count: number; ratePerSec: number }) {
    const rt = needRealtime();
    const { appId } = need().info;
    const channel = channels.notifications(o.userId).fullName;
    return paced(o.count, o.ratePerSec, (i) => rt.publish(appId, [channel], NOTIFICATION_EVENT, notificationData(o.firstId + i, o.userId, hr())));
  },

  /**
   * `count` events through the official `pusher` SDK's `trigger` (HTTP API), as
   * Laravel's pusher driver sends them; user of event i = userIds[i % n]. At most
   * `concurrency` requests in flight; paced when `ratePerSec` is given.
   */
  async triggerSdk(o: { userIds: number[]; firstId: number; count: number; concurrency: number; ratePerSec?: number }) {
    const client = sdk;
    if (!client) throw new Error('clinic not started');
    let inflight = 0;
    let failures = 0;
    const slots: Array<() => void> = [];
    const done = new Set<Promise<void>>();
    const send = async (i: number): Promise<void> => {
      while (inflight >= o.concurrency) await new Promise<void>((resolve) => slots.push(resolve));
      inflight++;
      const userId = o.userIds[i % o.userIds.length] ?? 0;
      const p = client
        .trigger(channels.notifications(userId).fullName, NOTIFICATION_EVENT, notificationData(o.firstId + i, userId, hr()))
        .then(
          () => undefined,
          () => void failures++,
        )
        .finally(() => {
          inflight--;
          slots.shift()?.();
          done.delete(p);
        });
      done.add(p);
    };
    let timing: { startedAt: number; endedAt: number; maxLagMs: number };
    if (o.ratePerSec === undefined) {
      const startedAt = hr();
      for (let i = 0; i < o.count; i++) await send(i);
      timing = { startedAt, endedAt: 0, maxLagMs: 0 };
    } else {
      timing = await paced(o.count, o.ratePerSec, send);
    }
    await Promise.all([...done]);
    return { ...timing, endedAt: hr(), failures };
  },

  async stopRealtime() {
    const calledAt = hr();
    await need().stopRealtime();
    return { calledAt, stoppedAt: hr() };
  },

  async startRealtime() {
    const calledAt = hr();
    const rt = await need().startRealtime();
    const listeningAt = hr();
    watch(rt);
    return { calledAt, listeningAt };
  },

  /** Store only, no broadcast: what a desk that was offline has missed. */
  createNotifications(o: { userId: number; count: number }) {
    const store = need().store;
    const started = hr();
    let firstId = 0;
    let lastId = 0;
    for (let i = 0; i < o.count; i++) {
      const n = store.createNotification({ user_id: o.userId, type: 'system', title: `While you were away #${i + 1}`, message: `Catch-up notification ${i + 1} of ${o.count}.`, action_url: i % 2 === 0 ? `/appointments/${1001 + (i % 50)}` : null });
      if (i === 0) firstId = n.id;
      lastId = n.id;
    }
    return { firstId, lastId, ms: hr() - started };
  },

  /**
   * Store only, no broadcast: removes the user's notifications with ids in
   * [firstId, lastId], so the next run of a benchmark meets the same server
   * (the demo store reads all of a user's notifications for every page).
   */
  removeNotifications(o: { userId: number; firstId: number; lastId: number }) {
    const store = need().store;
    let removed = 0;
    for (let id = o.firstId; id <= o.lastId; id++) if (store.deleteNotification(o.userId, id)) removed++;
    return removed;
  },

  /** How many notifications the store holds for the user. */
  notificationCount(o: { userId: number }) {
    return need().store.listNotifications(o.userId, 0, Number.MAX_SAFE_INTEGER).data.length;
  },

  /**
   * Moves the store's next notification id above `above` (bench-only: `ClinicStore`
   * keeps its counter private and has no method for it; a seeded id offset in
   * the store would be the clean way, not added because src/ is outside this
   * work). Fails loudly if the store changed shape.
   */
  reserveNotificationIds(o: { above: number }) {
    const internals = need().store as unknown as { nextId?: { notification?: unknown } };
    const next = internals.nextId;
    if (next === undefined || typeof next.notification !== 'number') throw new Error('ClinicStore changed shape: no nextId.notification');
    next.notification = Math.max(next.notification, o.above + 1);
    return next.notification;
  },

  /** A colleague comes online: a pusher-js client joining the clinic's presence channel through /broadcasting/auth. */
  async joinPresence(o: { userId: number; clinicId: number }) {
    const c = need();
    const channel = channels.presenceClinic(o.clinicId).fullName;
    memberAdded.delete(`${channel}:${o.userId}`);
    const desk = new SimulatedDesk(o.userId, o.clinicId, c.store.issueToken(o.userId), { apiUrl: c.info.apiUrl, wsHost: c.info.wsHost, wsPort: c.info.wsPort, appKey: c.info.appKey }, quietDemoLogger);
    joined.set(o.userId, desk);
    const watch = { needles: ['pusher_internal:member_added', channel], at: 0 };
    watchedFrame = watch;
    const requestedAt = hr();
    await desk.goOnline(10_000);
    const subscribedAt = hr();
    watchedFrame = null;
    const addedAt = memberAdded.get(`${channel}:${o.userId}`);
    if (addedAt === undefined || watch.at === 0) throw new Error(`no member_added for user ${o.userId} (already online?)`);
    return { requestedAt, fanOutAt: watch.at, addedAt, subscribedAt };
  },

  async leavePresence(o: { userId: number; clinicId: number }) {
    const desk = joined.get(o.userId);
    if (!desk) throw new Error(`user ${o.userId} did not join here`);
    joined.delete(o.userId);
    const key = `${channels.presenceClinic(o.clinicId).fullName}:${o.userId}`;
    memberRemoved.delete(key);
    const watch = { needles: ['pusher_internal:member_removed', channels.presenceClinic(o.clinicId).fullName], at: 0 };
    watchedFrame = watch;
    const requestedAt = hr();
    desk.goOffline();
    for (let i = 0; i < 2000 && !memberRemoved.has(key); i++) await wait(1);
    watchedFrame = null;
    const removedAt = memberRemoved.get(key);
    if (removedAt === undefined || watch.at === 0) throw new Error(`no member_removed for user ${o.userId}`);
    return { requestedAt, fanOutAt: watch.at, removedAt };
  },

  /** Starts (or stops) timing the HTTP requests served; returns where the logs stand, for `requestsSince`. */
  recordRequests(on: boolean) {
    recording = on;
    return { log: need().api.requestLog.length, timed: timedRequests.length };
  },

  /** Holds every request to `path` for `ms` before the app answers it (0: none), as a real server's latency would. */
  setRequestDelay(o: { path: string; ms: number }) {
    requestDelay = o.ms > 0 ? { ...o } : null;
  },

  /** The demo's `requestLog` and the timed requests after a mark from `recordRequests`. */
  requestsSince(mark: { log: number; timed: number }) {
    return { log: need().api.requestLog.slice(mark.log), timed: timedRequests.slice(mark.timed) };
  },

  /** Starts a CPU profile of this process (see profile.ts). */
  async profileStart() {
    if (profiler) throw new Error('already profiling');
    profiler = await startProfiler();
  },

  /** Stops it and returns its summary over the window [fromMs, toMs] of hr() readings. */
  async profileStop(window: { fromMs?: number; toMs?: number } = {}) {
    const p = profiler;
    if (!p) throw new Error('not profiling');
    profiler = null;
    return summariseProfile(await p.stop(), window);
  },

  /** Working day: swap the broadcaster's SDK for a direct publish and pick what the desk of `email` follows. */
  dayPrepare(email: string) {
    return day.prepare(email);
  },

  /** Working day: one stretch between two reconnects, on its schedule. */
  daySegment(segment: DaySegment) {
    return day.segment(segment);
  },

  /** Working day: notifications created while the socket server is down (their broadcast fails). */
  dayMissed(count: number) {
    return day.missed(count);
  },

  dayCounts() {
    return day.counts();
  },

  /** The simulated colleagues online now (user ids). */
  colleaguesOnline() {
    return [...joined.keys()].sort((a, b) => a - b);
  },

  stats() {
    const rt = need().realtime;
    return rt ? { ...rt.stats(), connections: rt.connectionCount() } : null;
  },

  channelInfo(channel: string) {
    return needRealtime().channelInfo(need().info.appId, channel);
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

export type ClinicHandlers = typeof handlers;

serve(handlers, async () => {
  for (const desk of joined.values()) desk.goOffline();
  await clinic?.close();
});
