/**
 * Heal benchmark: `node bin/run-ts.mjs bench/heal.bench.ts [--fault-ms N] [--compress N] [--outage-min N]`.
 *
 * How long a desk takes to heal without a click after each kind of fault, how
 * many requests it makes per minute in a long outage, and how long a frozen
 * socket goes unnoticed. The demo clinic runs in this process (the figures are
 * seconds, not microseconds), with a TCP proxy (tests/helpers/tcp-proxy.ts) in
 * front of its socket server for cuts and freezes.
 *
 * A. Time to heal: a DeskService with the product's defaults (the retry budget,
 *    the outbox timer, reconnect 1.5 s doubling to 15 s, watchdog silence 20 s,
 *    polling every 30 s) except a 2 s request time-out (the default 10 s would
 *    make the time-out fault take a minute). Per fault: the socket server
 *    restarts (down for `--fault-ms`), an abrupt TCP cut, then REST faults on the
 *    API and `/broadcasting/auth` at once, each held for `--fault-ms` (3 s)
 *    with a TCP cut as it starts (every channel is authorized during it), three
 *    notifications created and one marked read during it: a 502 HTML page, a 503
 *    with Retry-After: 2, JSON cut short, a 302 to /login, an HTML 200, time-outs.
 *    Healed = Live, every channel subscribed, every feature available, the
 *    outbox empty and the notifications created during the fault cached; timed
 *    from the fault's end (the server back) to healed, polled every 20 ms.
 * B. A frozen socket: the proxy stops forwarding without closing; timed from the
 *    freeze to the status leaving Live, to the rebuilt connection, to healed.
 *    With the default 20 s silence the bound is 20.5 s after the last frame.
 * C. Requests per minute in a 10-minute outage (502 HTML on the API and on
 *    `/broadcasting/auth`, the socket server up, one TCP cut as it starts so
 *    every channel needs authorizing), compressed `--compress` (30) times: the
 *    desk is built from its parts (DeskSession, ApiClient, Realtime, the cache)
 *    with every timing of the loops divided by the factor (the budget's
 *    backoff, window and Retry-After cap, the outbox timer, the reconnect
 *    backoff, the watchdog, polling), so that `--outage-min` (10) minutes take
 *    20 s and the count of requests is the count a desk would make in 10 real
 *    minutes. The same run with the budget's gate and cap turned off is the
 *    baseline: what the desk's loops alone would send.
 * Writes bench/results/heal.json and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DeskEvent } from '../src/shared/bridge';
import { DEFAULT_SETTINGS } from '../src/shared/settings';
import { ApiClient } from '../src/main/core/api/client';
import { openCache } from '../src/main/core/cache/cache';
import { DeskConfig } from '../src/main/core/config/schema';
import { Realtime } from '../src/main/core/realtime/realtime';
import { DEFAULT_BUDGET } from '../src/main/core/api/retry-budget';
import { ConnectionTimeline } from '../src/main/core/session/connection-status';
import { DeskSession } from '../src/main/core/session/session';
import { startDemoClinic, type DemoClinic } from '../src/main/demo/demo-clinic';
import type { InjectedFault } from '../src/main/demo/laravel-app';
import { quietDemoLogger } from '../src/main/demo/logger';
import { startFreezableProxy, type FreezableProxy } from '../tests/helpers/tcp-proxy';
import { createBenchDesk, countingLogger, idle, nextEvent, signInLive, type BenchDesk } from './support/desk';
import { LOAD_NOTE, contention, fmt, headline, loadavg, machine, ownCpuMs, printTable, revision, round, sleep, until, writeResults } from './support/report';

const { values } = parseArgs({ options: { 'fault-ms': { type: 'string' }, compress: { type: 'string' }, 'outage-min': { type: 'string' } } });
const FAULT_MS = Number(values['fault-ms'] ?? 3_000);
const COMPRESS = Number(values.compress ?? 30);
const OUTAGE_MIN = Number(values['outage-min'] ?? 10);
const EMAIL = 'reception1@northside.clinic.test';
const FAULT_PATHS = /^\/(api|broadcasting)\//;
const REQUEST_TIMEOUT_MS = 2_000;
const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';

const REST_FAULTS: Array<{ name: string; fault: Omit<InjectedFault, 'path' | 'times'> }> = [
  { name: '502 HTML page', fault: { status: 502, raw: { body: HTML_502 } } },
  { name: '503 Retry-After: 2', fault: { status: 503, retryAfterSec: 2 } },
  { name: 'JSON cut short (200)', fault: { status: 200, raw: { body: '{"data":[{"id":1,"ti', contentType: 'application/json' } } },
  { name: '302 to /login', fault: { status: 302, raw: { body: '', headers: { Location: '/login' } } } },
  { name: 'HTML 200', fault: { status: 200, raw: { body: '<!doctype html><html><body>Maintenance</body></html>' } } },
  { name: 'time-outs', fault: { status: 200, delayMs: REQUEST_TIMEOUT_MS + 500 } },
];

interface Heal {
  fault: string;
  /** Fault's end (the server back) → healed. */
  healMs: number;
  requestsDuringFault: number;
  actionMs?: number;
}

function countingFetch(log: number[]): typeof fetch {
  return (input, init) => {
    log.push(performance.now());
    return fetch(input, init);
  };
}

/** Live, every channel subscribed, every feature available, the outbox empty, `expected` cached. */
async function healed(d: BenchDesk, expected: readonly number[], ms = 60_000): Promise<void> {
  await until(
    async () => {
      const s = await d.desk.getSnapshot();
      if (s.connection.status !== 'live') return false;
      if (!s.channels.filter((c) => c.state !== 'unsubscribed').every((c) => c.state === 'subscribed')) return false;
      if (!s.features.every((f) => f.state === 'available')) return false;
      if ((await d.desk.getDiagnostics()).cache.outbox !== 0) return false;
      const held = new Set((await d.desk.listNotifications({ limit: 200, unreadOnly: false })).items.map((n) => n.id));
      return expected.every((id) => held.has(id));
    },
    ms,
    'the desk to heal',
    20,
  );
}

async function notify(clinic: DemoClinic, userId: number, n: number, title: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await clinic.backend.notify({ user_id: userId, type: 'system', title: `${title} ${i}`, message: 'x', action_url: null })).notification.id);
  return ids;
}

/** A. and B.: the product's desk. */
async function productDesk(clinic: DemoClinic, proxy: FreezableProxy, userId: number): Promise<{ heals: Heal[]; frozen: { notLiveMs: number; rebuiltMs: number; healedMs: number } }> {
  const sent: number[] = [];
  const config = DeskConfig.parse({
    apiUrl: clinic.info.apiUrl,
    transport: { kind: 'reverb', key: clinic.info.appKey, host: clinic.info.wsHost, port: proxy.port, scheme: 'http' },
    settings: { ...DEFAULT_SETTINGS },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const d = createBenchDesk(clinic.info, { config, fetch: countingFetch(sent) });
  const heals: Heal[] = [];
  try {
    await signInLive(d, clinic.info, EMAIL);
    await idle(d);
    const requestsSince = (from: number) => sent.filter((at) => at >= from).length;

    // The socket server restarts.
    {
      const down = nextEvent(d, (e) => e.kind === 'connection' && e.connection.status !== 'live', 10_000, 'not live');
      const start = performance.now();
      await clinic.stopRealtime();
      await down;
      const missed = await notify(clinic, userId, 3, 'while the socket server is down');
      await sleep(FAULT_MS);
      const back = performance.now();
      const during = requestsSince(start);
      await clinic.startRealtime();
      await healed(d, missed);
      heals.push({ fault: `socket server down ${FAULT_MS / 1000} s`, healMs: round(performance.now() - back), requestsDuringFault: during });
      await idle(d);
    }
    // An abrupt TCP cut (RST both ways).
    {
      const down = nextEvent(d, (e) => e.kind === 'connection' && e.connection.status !== 'live', 10_000, 'not live');
      const cutAt = performance.now();
      proxy.cut();
      await down;
      await healed(d, []);
      heals.push({ fault: 'TCP cut', healMs: round(performance.now() - cutAt), requestsDuringFault: 0 });
      await idle(d);
    }
    for (const { name, fault } of REST_FAULTS) {
      const start = performance.now();
      clinic.api.injectFault({ path: FAULT_PATHS, times: 1_000_000, ...fault });
      proxy.cut();
      const unread = (await d.desk.listNotifications({ limit: 1, unreadOnly: true })).items[0]?.id;
      const actionAt = performance.now();
      if (unread !== undefined) await d.desk.markNotificationRead({ id: unread });
      const actionMs = round(performance.now() - actionAt);
      const missed = await notify(clinic, userId, 3, name);
      await sleep(Math.max(0, FAULT_MS - (performance.now() - start)));
      clinic.api.clearFaults();
      const back = performance.now();
      await healed(d, missed);
      heals.push({ fault: name, healMs: round(performance.now() - back), requestsDuringFault: sent.filter((at) => at >= start && at < back).length, actionMs });
      process.stderr.write(`${name}: healed ${round(performance.now() - back)} ms after the fault's end\n`);
      await idle(d);
    }

    // B. A frozen socket, with the default watchdog.
    await idle(d, 1_000);
    let notLiveAt = 0;
    let rebuiltAt = 0;
    const oldSocket = (await d.desk.getSnapshot()).connection.socketId;
    const off = d.on((e: DeskEvent) => {
      if (e.kind === 'connection' && e.connection.status !== 'live' && notLiveAt === 0) notLiveAt = performance.now();
      if (e.kind === 'connection' && e.connection.socketId !== null && e.connection.socketId !== oldSocket && rebuiltAt === 0) rebuiltAt = performance.now();
    });
    const frozenAt = performance.now();
    proxy.freeze();
    const missed = await notify(clinic, userId, 3, 'sent into a frozen socket');
    await healed(d, missed, 60_000);
    off();
    const frozen = {
      notLiveMs: round(notLiveAt - frozenAt),
      rebuiltMs: round(rebuiltAt - frozenAt),
      healedMs: round(performance.now() - frozenAt),
    };
    process.stderr.write(`frozen socket: not live after ${frozen.notLiveMs} ms, rebuilt after ${frozen.rebuiltMs} ms\n`);
    return { heals, frozen };
  } finally {
    clinic.api.clearFaults();
    await d.close();
  }
}

/** C. One compressed outage of the desk built from its parts; `budgetOn` false: the baseline without the gate and cap. */
interface Outage {
  /** HTTP requests (API calls and channel auths) during the outage. */
  requests: number;
  requestsPerMinute: number;
  /** By (real-time equivalent) minute of the outage. */
  perMinute: number[];
  firstMinute: number;
  maxMinuteAfterFirst: number;
  /** WebSocket connections made through the proxy during the outage. */
  socketConnections: number;
  healRealEquivalentMs: number;
}

async function compressedOutage(clinic: DemoClinic, proxy: FreezableProxy, budgetOn: boolean): Promise<Outage> {
  const k = COMPRESS;
  const sent: number[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-heal-bench-'));
  const budget = budgetOn
    ? { baseDelayMs: DEFAULT_BUDGET.baseDelayMs / k, maxDelayMs: DEFAULT_BUDGET.maxDelayMs / k, windowMs: DEFAULT_BUDGET.windowMs / k, maxRetryAfterMs: DEFAULT_BUDGET.maxRetryAfterMs / k }
    : { threshold: Number.POSITIVE_INFINITY };
  const api = new ApiClient({ baseUrl: clinic.info.apiUrl, fetch: countingFetch(sent), timeoutMs: 10_000 / k, retry: { baseDelayMs: 250 / k, maxDelayMs: 5_000 / k }, budget });
  const account = clinic.info.users.find((u) => u.email === EMAIL);
  if (!account) throw new Error(`no ${EMAIL}`);
  const { user } = await api.login(EMAIL, account.password);
  const logger = countingLogger();
  const opened = openCache({ file: path.join(dir, 'desk.sqlite'), logger });
  const realtime = new Realtime({
    transport: { kind: 'reverb', key: clinic.info.appKey, host: clinic.info.wsHost, port: proxy.port, scheme: 'http' },
    authorize: (socketId, channelName) => api.authorizeChannel(socketId, channelName),
    logger,
    reconnect: { baseDelayMs: 1_500 / k, maxDelayMs: 15_000 / k },
    watchdog: { silenceMs: 20_000 / k },
  });
  const events: DeskEvent[] = [];
  const session = new DeskSession({
    user,
    apiUrl: clinic.info.apiUrl,
    demo: false,
    transport: 'reverb',
    api,
    cache: opened.cache,
    realtime,
    timeZone: { zone: 'UTC', source: 'os', note: null },
    pollingIntervalMs: () => (DEFAULT_SETTINGS.pollingIntervalSec * 1_000) / k,
    reconcileIntervalMs: () => (DEFAULT_SETTINGS.reconcileIntervalSec * 1_000) / k,
    cacheRetentionDays: 30,
    allowedLinkHosts: [],
    now: Date.now,
    logger,
    emit: (e) => events.push(e),
    timeline: new ConnectionTimeline(),
    onExpired: () => undefined,
    openExternal: () => Promise.resolve(),
    outboxRetry: { baseDelayMs: 1_000 / k, maxDelayMs: 30_000 / k },
  });
  try {
    session.start();
    await until(() => session.connection.status === 'live' && session.channelStatuses().every((c) => c.state === 'subscribed'), 30_000, 'the compressed desk live', 20);
    await sleep(500);
    const outageMs = (OUTAGE_MIN * 60_000) / k;
    const accepted0 = proxy.accepted;
    const start = performance.now();
    clinic.api.injectFault({ path: FAULT_PATHS, times: 10_000_000, status: 502, raw: { body: HTML_502 } });
    proxy.cut();
    await sleep(outageMs);
    clinic.api.clearFaults();
    const back = performance.now();
    const during = sent.filter((at) => at >= start && at < back);
    const realMinuteMs = 60_000 / k;
    const perMinute = Array.from({ length: OUTAGE_MIN }, (_, m) => during.filter((at) => at >= start + m * realMinuteMs && at < start + (m + 1) * realMinuteMs).length);
    await until(() => session.connection.status === 'live' && session.channelStatuses().filter((c) => c.state !== 'unsubscribed').every((c) => c.state === 'subscribed'), 60_000, 'the compressed desk to heal', 5);
    const healMs = performance.now() - back;
    return {
      requests: during.length,
      requestsPerMinute: round(during.length / OUTAGE_MIN, 1),
      firstMinute: perMinute[0] ?? 0,
      maxMinuteAfterFirst: Math.max(...perMinute.slice(1)),
      perMinute,
      socketConnections: proxy.accepted - accepted0,
      healRealEquivalentMs: round(healMs * k),
    };
  } finally {
    clinic.api.clearFaults();
    session.dispose(true, 'the benchmark is over');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const meter = contention();
  const ownCpu0 = ownCpuMs();
  const clinic = await startDemoClinic({ seed: 42, logger: quietDemoLogger, scenario: { autoStart: false } });
  const proxy = await startFreezableProxy(clinic.info.wsHost, clinic.info.wsPort);
  const userId = clinic.info.users.find((u) => u.email === EMAIL)?.id ?? 0;
  try {
    const { heals, frozen } = await productDesk(clinic, proxy, userId);
    const withBudget = await compressedOutage(clinic, proxy, true);
    process.stderr.write(`outage with the budget: ${withBudget.requestsPerMinute} requests/min\n`);
    const baseline = await compressedOutage(clinic, proxy, false);
    process.stderr.write(`outage without the gate and cap: ${baseline.requestsPerMinute} requests/min\n`);
    const machineLoad = meter.stop(ownCpuMs() - ownCpu0);
    const results = {
      benchmark: 'heal',
      date: new Date().toISOString(),
      machine: machine(),
      node: process.version,
      revision: revision(),
      load: { before: loadBefore, after: loadavg(), note: LOAD_NOTE, during: machineLoad },
      options: { faultMs: FAULT_MS, compress: COMPRESS, outageMinutes: OUTAGE_MIN, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      bounds: {
        frozenSocketRebuiltWithinMsOfLastFrame: 20_500,
        frozenSocketNotLiveWithinMsOfLastFrame: 13_500,
        budget: { gateMs: [DEFAULT_BUDGET.baseDelayMs, DEFAULT_BUDGET.maxDelayMs], perMinute: DEFAULT_BUDGET.perMinute, maxRetryAfterMs: DEFAULT_BUDGET.maxRetryAfterMs },
      },
      heals,
      frozenSocket: frozen,
      outage: { withBudget, baselineWithoutGateAndCap: baseline, ratio: round(baseline.requests / Math.max(1, withBudget.requests), 1) },
    };
    const worstHeal = Math.max(...heals.map((h) => h.healMs));
    const file = writeResults('heal', results, [
      headline('heal: slowest fault, its end → Live again', worstHeal, 'ms', 'heals without a click', heals.every((h) => Number.isFinite(h.healMs))),
      headline('heal: frozen socket rebuilt, after the freeze', frozen.rebuiltMs, 'ms', '<= 20,500 ms', frozen.rebuiltMs <= 20_500),
      headline(`heal: ${OUTAGE_MIN}-min outage, requests a minute`, withBudget.requestsPerMinute, '/min', `<= ${DEFAULT_BUDGET.perMinute} /min ("a handful")`, withBudget.requestsPerMinute <= DEFAULT_BUDGET.perMinute),
    ]);
    printTable(`heal (${file})`, [
      ...heals.map((h): [string, string, string] => [h.fault, `${fmt(h.healMs)} ms`, `${h.requestsDuringFault} requests during the fault${h.actionMs === undefined ? '' : `, mark-read answered in ${fmt(h.actionMs)} ms`}`]),
      ['frozen socket: not Live', `${fmt(frozen.notLiveMs)} ms`, 'after the freeze (bound: 13.5 s after the last frame)'],
      ['frozen socket: rebuilt', `${fmt(frozen.rebuiltMs)} ms`, 'after the freeze (bound: 20.5 s after the last frame)'],
      [`${OUTAGE_MIN}-min outage, per minute`, `${withBudget.requestsPerMinute}`, `first minute ${withBudget.firstMinute}, then at most ${withBudget.maxMinuteAfterFirst}; healed ${fmt(withBudget.healRealEquivalentMs)} ms after (real-time equivalent)`],
      ['  baseline without gate and cap', `${baseline.requestsPerMinute}`, `${results.outage.ratio}x the requests`],
    ]);
  } finally {
    await proxy.close();
    await clinic.close();
  }
}

await main();
