/**
 * Catch-up by REST dialect benchmark: `node bin/run-ts.mjs bench/catch-up-dialects.bench.ts [--notifications N] [--runs N] [--dialects a,b,...] [--profile] [--server-latency-ms N]`.
 *
 * The catch-up benchmark (catch-up.bench.ts) against the demo clinic speaking
 * the REST dialects of real Laravel apps (src/main/demo/dialects,
 * docs/backend-contract.md "Dialects of the demo clinic"), the clinic in its own
 * process, one fresh clinic per dialect, all in one run:
 *  - `default`: the desk's contract (after_id, per_page up to 500): the baseline;
 *  - `cursor`: cursorPaginate(), per_page above 100 a 422 (the desk learns 100);
 *  - `paginate`: paginate(), per_page above 25 a 422 (for information);
 *  - `resource`: API Resources over paginate(), newest first, after_id ignored,
 *    per_page silently 50 (the desk walks the pages newest first to a known id).
 * A DeskService signed in as a receptionist on a new cache (fast reconnect:
 * `realtime.reconnect = { baseDelayMs: 50, maxDelayMs: 300 }`). Per run: the socket
 * server stops, N notifications (5,000) are created in the store (no broadcast),
 * `clinic.startRealtime()`. Timed to the desk's `sync` event of the catch-up the
 * reconnect starts, which should insert all N ("sync done"), and to the
 * announcement that completed the N ("all cached"), from
 * the `startRealtime()` call and from the desk's socket reconnecting (the first
 * connection event with a new socket id: the desk reports `live` only once that
 * catch-up is done, so `live` itself comes with the sync). Pages: the clinic's
 * GET /api/notifications requests that started before the sync event (timed in the
 * clinic's process; the demo's `requestLog` agrees). Every run checks the cache
 * file holds each of the N ids exactly once (a read-only connection to it) and the
 * desk announced N, no more. Before the next run the N are removed from the store
 * (no broadcast), so every run meets the same server. Median of `--runs` (3).
 * `--profile`: one more run per dialect with the CPU profiler on in both processes,
 * summarised over startRealtime() → sync (not in the medians). `--server-latency-ms N`:
 * the clinic holds every GET /api/notifications N ms before answering (after sign-in),
 * as a real Laravel app's per-request time would (the demo answers a page in 2-4 ms);
 * that run writes bench/results/catch-up-dialects.server-latency-<N>ms.json instead.
 * Targets (issue): cursor (capped at 100) <= 1.5 s after the desk is back, resource
 * (after_id ignored) <= 3 s. Writes bench/results/catch-up-dialects.json and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { ApiDialectName } from '../src/main/demo/dialects';
import type { TimedRequest } from './support/clinic-host';
import { createBenchDesk, FAST_RECONNECT, idle, nextEvent, signInLive, type BenchDesk } from './support/desk';
import { startProfiler, summariseProfile, type ProfileSummary } from './support/profile';
import { startClinic, type RemoteClinic } from './support/remote';
import { LOAD_NOTE, contention, fmt, headline, loadavg, machine, median, ownCpuMs, passMiss, printTable, revision, round, writeResults } from './support/report';

const { values } = parseArgs({
  options: { notifications: { type: 'string' }, runs: { type: 'string' }, dialects: { type: 'string' }, profile: { type: 'boolean' }, 'server-latency-ms': { type: 'string' } },
});
const N = Number(values.notifications ?? 5_000);
const RUNS = Number(values.runs ?? 3);
const PROFILE = values.profile ?? false;
const SERVER_LATENCY_MS = Number(values['server-latency-ms'] ?? 0);
const EMAIL = 'reception1@northside.clinic.test';
const NOTIFICATIONS_PATH = '/api/notifications';

interface Scenario {
  dialect: ApiDialectName;
  what: string;
  /** Target in ms from the desk being back (socket reconnected) to the sync done, if the issue sets one. */
  targetMs: number | null;
}
const SCENARIOS: Scenario[] = [
  { dialect: 'default', what: 'the desk contract: after_id, per_page up to 500 (baseline)', targetMs: null },
  { dialect: 'cursor', what: 'cursorPaginate(), per_page above 100 a 422, ids as strings', targetMs: 1_500 },
  { dialect: 'paginate', what: 'paginate(), per_page above 25 a 422 (for information)', targetMs: null },
  { dialect: 'resource', what: 'API Resources over paginate(): newest first, after_id ignored, per_page silently 50', targetMs: 3_000 },
];
const wanted = values.dialects?.split(',').map((s) => s.trim()) ?? SCENARIOS.map((s) => s.dialect);
for (const name of wanted) if (!SCENARIOS.some((s) => s.dialect === name)) throw new Error(`--dialects: no scenario "${name}" (there are ${SCENARIOS.map((s) => s.dialect).join(', ')})`);
const scenarios = SCENARIOS.filter((s) => wanted.includes(s.dialect));

/** The N ids in the cache file, read through a read-only connection of its own. */
function cacheFileCheck(file: string, first: number, last: number) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT COUNT(*) AS rows, COUNT(DISTINCT id) AS ids, MIN(id) AS minId, MAX(id) AS maxId FROM notifications WHERE id BETWEEN ? AND ? AND deleted_at IS NULL')
      .get(first, last) as { rows: number; ids: number; minId: number | null; maxId: number | null };
    const total = db.prepare('SELECT COUNT(*) FROM notifications').pluck().get() as number;
    return { ...row, totalRows: total };
  } finally {
    db.close();
  }
}

interface PageStats {
  /** GET /api/notifications answered 200 before the sync event. */
  pages: number;
  /** The same answered 422 (page size refused). */
  refused: number;
  /** per_page the desk asked for, as sent. */
  perPageAsked: string[];
  /** The same requests in the demo's own requestLog over the whole run (the follow-up refresh included). */
  requestLogGets: number;
  timedGets: number;
  /** Clinic-side time answering them (arrival → answer finished), summed. */
  serverMs: number;
  /** Between one answer's end and the next request's arrival, summed: the desk reading, storing, asking again. */
  betweenPagesMs: number;
  /** Socket reconnected → first notifications request arrives. */
  firstRequestAfterSocketMs: number;
  /** Last notifications answer finished → the sync event (other features, prune, outbox, events). */
  afterLastPageMs: number;
  /** Other REST requests before the sync event (members, board, ...): count. */
  otherRequests: number;
}

interface Run {
  serverHeld: number;
  serverStartMs: number;
  /** listening → socket reconnected (new socket id). */
  reconnectMs: number;
  fromStartToSyncMs: number;
  fromSocketToSyncMs: number;
  fromStartToCachedMs: number;
  fromSocketToCachedMs: number;
  /** The desk's `connection: live` relative to the sync event (it comes once the catch-up is done). */
  liveMinusSyncMs: number | null;
  sync: { reason: string; ok: boolean; error: string | null; inserted: number };
  announced: number;
  pages: PageStats;
  cpuMs: { desk: number; clinic: number };
  cache: ReturnType<typeof cacheFileCheck>;
  exactlyOnce: boolean;
}

function pageStats(timed: TimedRequest[], log: Array<{ method: string; path: string; status: number }>, socketAt: number, syncAt: number): PageStats {
  const gets = timed.filter((r) => r.method === 'GET' && r.path === NOTIFICATIONS_PATH).sort((a, b) => a.startAt - b.startAt);
  const inSync = gets.filter((r) => r.startAt <= syncAt);
  let between = 0;
  for (let i = 1; i < inSync.length; i++) between += (inSync[i]?.startAt ?? 0) - (inSync[i - 1]?.endAt ?? 0);
  const asked = new Set(inSync.map((r) => new URLSearchParams(r.query).get('per_page') ?? '(none)'));
  return {
    pages: inSync.filter((r) => r.status === 200).length,
    refused: inSync.filter((r) => r.status === 422).length,
    perPageAsked: [...asked],
    requestLogGets: log.filter((r) => r.method === 'GET' && r.path === NOTIFICATIONS_PATH).length,
    timedGets: gets.length,
    serverMs: round(inSync.reduce((s, r) => s + (r.endAt - r.startAt), 0)),
    betweenPagesMs: round(between),
    firstRequestAfterSocketMs: round((inSync[0]?.startAt ?? Number.NaN) - socketAt),
    afterLastPageMs: round(syncAt - (inSync.at(-1)?.endAt ?? Number.NaN)),
    otherRequests: timed.filter((r) => r.path !== NOTIFICATIONS_PATH && r.path.startsWith('/api/') && r.startAt <= syncAt).length,
  };
}

/** One run: server down, N created, server up; timed to the sync that inserted them. */
async function runOnce(clinic: RemoteClinic, d: BenchDesk, userId: number, cacheFile: string, profile: boolean): Promise<{ run: Run; profile?: { desk: ProfileSummary; clinic: ProfileSummary } }> {
  const down = nextEvent(d, (e) => e.kind === 'connection' && e.connection.status !== 'live', 10_000, 'the desk to see the server go');
  await clinic.call.stopRealtime();
  await down;
  const created = await clinic.call.createNotifications({ userId, count: N });
  const serverHeld = await clinic.call.notificationCount({ userId });
  const oldSocket = (await d.desk.getSnapshot()).connection.socketId;

  let socketAt = 0;
  let liveAt = 0;
  let cachedAt = 0;
  let announced = 0;
  const off = d.on((e, at) => {
    if (e.kind === 'connection') {
      if (socketAt === 0 && e.connection.socketId !== null && e.connection.socketId !== oldSocket) socketAt = at;
      if (liveAt === 0 && e.connection.status === 'live') liveAt = at;
    }
    if (e.kind === 'notifications.synced' || (e.kind === 'notification.upserted' && e.isNew)) {
      announced += e.kind === 'notifications.synced' ? e.inserted : 1;
      if (announced >= N && cachedAt === 0) cachedAt = at;
    }
  });
  // The catch-up the reconnect starts (past the desk's page limit it inserts fewer, and the rest come in the next rounds).
  const synced = nextEvent(d, (e) => e.kind === 'sync' && e.reason === 'reconnect', 60_000, 'the sync after the reconnect');
  const mark = await clinic.call.recordRequests(true);
  const deskProfiler = profile ? await startProfiler() : null;
  if (profile) await clinic.call.profileStart();
  const clinicCpu0 = await clinic.call.cpu();
  const deskCpu0 = process.cpuUsage();
  const started = await clinic.call.startRealtime();
  const { event, at: syncAt } = await synced;
  // The channels' resubscription asks for a refresh (a 'refresh' sync 250 ms later, run after this one).
  const followUp = nextEvent(d, (e) => e.kind === 'sync', 30_000, 'the follow-up refresh');
  const deskCpu = process.cpuUsage(deskCpu0);
  const clinicCpuMs = (await clinic.call.cpu()) - clinicCpu0;
  let summaries: { desk: ProfileSummary; clinic: ProfileSummary } | undefined;
  if (deskProfiler) {
    const window = { fromMs: started.calledAt, toMs: syncAt };
    summaries = { desk: summariseProfile(await deskProfiler.stop(), window), clinic: await clinic.call.profileStop(window) };
  }
  if (event.kind !== 'sync') throw new Error('unreachable');
  // The follow-up refresh ends (it would fetch what the catch-up left); then what was served and what is held.
  await followUp;
  // A catch-up longer than the page limit goes on in further rounds: wait for all N (or 30 s).
  for (const deadline = Date.now() + 30_000; cachedAt === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  await idle(d);
  off();
  const requests = await clinic.call.requestsSince(mark);
  await clinic.call.recordRequests(false);
  const cache = cacheFileCheck(cacheFile, created.firstId, created.lastId);
  // Every one held once and announced once, however many rounds it took.
  const exactlyOnce = cache.rows === N && cache.ids === N && announced === N;
  await clinic.call.removeNotifications({ userId, firstId: created.firstId, lastId: created.lastId });
  const run: Run = {
    serverHeld,
    serverStartMs: round(started.listeningAt - started.calledAt),
    reconnectMs: round(socketAt - started.listeningAt),
    fromStartToSyncMs: round(syncAt - started.calledAt),
    fromSocketToSyncMs: round(syncAt - socketAt),
    fromStartToCachedMs: cachedAt === 0 ? Number.NaN : round(cachedAt - started.calledAt),
    fromSocketToCachedMs: cachedAt === 0 ? Number.NaN : round(cachedAt - socketAt),
    liveMinusSyncMs: liveAt === 0 ? null : round(liveAt - syncAt),
    sync: { reason: event.reason, ok: event.ok, error: event.error, inserted: event.notificationsInserted },
    announced,
    pages: pageStats(requests.timed, requests.log, socketAt, syncAt),
    cpuMs: { desk: round((deskCpu.user + deskCpu.system) / 1000), clinic: round(clinicCpuMs) },
    cache,
    exactlyOnce,
  };
  return summaries === undefined ? { run } : { run, profile: summaries };
}

function medians(runs: Run[]) {
  const med = (pick: (r: Run) => number) => round(median(runs.map(pick)));
  return {
    fromStartRealtimeToSyncMs: med((r) => r.fromStartToSyncMs),
    fromSocketToSyncMs: med((r) => r.fromSocketToSyncMs),
    fromStartRealtimeToCachedMs: med((r) => r.fromStartToCachedMs),
    fromSocketToCachedMs: med((r) => r.fromSocketToCachedMs),
    reconnectMs: med((r) => r.reconnectMs),
    pages: med((r) => r.pages.pages),
    refused: med((r) => r.pages.refused),
    serverMs: med((r) => r.pages.serverMs),
    betweenPagesMs: med((r) => r.pages.betweenPagesMs),
    afterLastPageMs: med((r) => r.pages.afterLastPageMs),
    deskCpuMs: med((r) => r.cpuMs.desk),
    clinicCpuMs: med((r) => r.cpuMs.clinic),
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-catch-up-dialects-bench-'));
  const meter = contention();
  const ownCpu0 = ownCpuMs();
  let clinicCpu = 0;
  let clinic: RemoteClinic | null = null;
  let d: BenchDesk | null = null;
  try {
    const results: Array<{
      dialect: ApiDialectName;
      what: string;
      targetMs: number | null;
      signIn: { pageCapLearned: string[] };
      median: ReturnType<typeof medians>;
      runs: Run[];
      profile?: { desk: ProfileSummary; clinic: ProfileSummary; run: Run };
      warnings: unknown[];
    }> = [];
    for (const s of scenarios) {
      // A fresh clinic per dialect, on the same seed.
      clinic = await startClinic(42, { apiDialect: s.dialect });
      const info = clinic.info;
      if (info.apiDialect !== s.dialect) throw new Error(`the clinic speaks ${info.apiDialect}, not ${s.dialect}`);
      const user = info.users.find((u) => u.email === EMAIL);
      if (!user) throw new Error(`no ${EMAIL}`);
      const cacheFile = path.join(dir, `${s.dialect}.sqlite`);
      d = createBenchDesk(info, { realtime: FAST_RECONNECT, cacheDir: dir, cacheFile });
      const signInMark = await clinic.call.recordRequests(true);
      await signInLive(d, info, EMAIL);
      await idle(d);
      const signInRequests = await clinic.call.requestsSince(signInMark);
      await clinic.call.recordRequests(false);
      await clinic.call.setRequestDelay({ path: NOTIFICATIONS_PATH, ms: SERVER_LATENCY_MS });
      const pageCapLearned = signInRequests.timed.filter((r) => r.path === NOTIFICATIONS_PATH).map((r) => `per_page=${new URLSearchParams(r.query).get('per_page') ?? ''} → ${r.status}`);
      const runs: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        const { run } = await runOnce(clinic, d, user.id, cacheFile, false);
        runs.push(run);
        process.stderr.write(
          `${s.dialect} run ${r + 1}: start→sync ${run.fromStartToSyncMs} ms, socket→sync ${run.fromSocketToSyncMs} ms, ${run.pages.pages} pages (+${run.pages.refused} refused), server ${run.pages.serverMs} ms, between pages ${run.pages.betweenPagesMs} ms, exactly once: ${run.exactlyOnce}\n`,
        );
      }
      let profile: { desk: ProfileSummary; clinic: ProfileSummary; run: Run } | undefined;
      if (PROFILE) {
        const p = await runOnce(clinic, d, user.id, cacheFile, true);
        if (p.profile) profile = { ...p.profile, run: p.run };
        process.stderr.write(`${s.dialect} profiled run: socket→sync ${p.run.fromSocketToSyncMs} ms (not in the medians)\n`);
      }
      const warnings = [...d.logger.warnings].slice(0, 10);
      await d.close();
      d = null;
      clinicCpu += await clinic.call.cpu();
      await clinic.stop();
      clinic = null;
      results.push({ dialect: s.dialect, what: s.what, targetMs: s.targetMs, signIn: { pageCapLearned }, median: medians(runs), runs, ...(profile ? { profile } : {}), warnings });
    }

    const loadAfter = loadavg();
    const machineLoad = meter.stop(ownCpuMs() - ownCpu0 + clinicCpu);
    const base = results.find((r) => r.dialect === 'default')?.median;
    const dialects = results.map((r) => {
      const m = r.median;
      const exactlyOnce = r.runs.every((run) => run.exactlyOnce);
      const pass = r.targetMs === null ? null : exactlyOnce && m.fromSocketToSyncMs <= r.targetMs;
      const ratio = base === undefined ? null : { fromSocketToSync: round(m.fromSocketToSyncMs / base.fromSocketToSyncMs), fromStartRealtimeToSync: round(m.fromStartRealtimeToSyncMs / base.fromStartRealtimeToSyncMs) };
      return { ...r, exactlyOnce, pass, ratioToDefault: ratio };
    });
    // A run with a server latency is a side figure: its own file, next to the main one.
    const out = writeResults(SERVER_LATENCY_MS > 0 ? `catch-up-dialects.server-latency-${SERVER_LATENCY_MS}ms` : 'catch-up-dialects', {
      benchmark: 'catch-up-dialects',
      date: new Date().toISOString(),
      machine: machine(),
      node: process.version,
      revision: revision(),
      load: { before: loadBefore, after: loadAfter, note: LOAD_NOTE, during: machineLoad },
      setup: {
        processes: 'demo clinic (socket server + REST API in the dialect) in its own Node process, a fresh one per dialect; the desk (DeskService) in this one',
        user: EMAIL,
        desk: 'DeskService, default settings (profile page size 500), realtime.reconnect { baseDelayMs: 50, maxDelayMs: 300 }, real clock, a new cache file per dialect',
        runs: `per run: socket server stopped, ${N} notifications created in the store (no broadcast), socket server started; afterwards the ${N} are removed from the store (no broadcast) so each run meets the same server`,
        backAt: 'the desk is back = its first connection event with a new socket id (it reports live only after the catch-up)',
        pages: 'GET /api/notifications requests that started before the sync event, timed in the clinic process; requestLogGets counts the same path in the demo requestLog over the whole run (follow-up refresh included)',
      },
      notifications: N,
      runsPerDialect: RUNS,
      serverLatencyMs: SERVER_LATENCY_MS,
      dialects,
      note: 'fromStartRealtime figures include the reconnect (backoff 50 ms doubling to 300 ms, WebSocket connect, subscriptions).',
    }, dialects.map((r) => headline(`catch-up-dialects: ${r.dialect}, back → sync done${SERVER_LATENCY_MS > 0 ? ` (server ${SERVER_LATENCY_MS} ms a page)` : ''}`, r.median.fromSocketToSyncMs, 'ms', r.targetMs === null ? null : `<= ${r.targetMs} ms`, r.pass)));
    const rows: Array<[string, string, string]> = [];
    for (const r of dialects) {
      const m = r.median;
      const target = r.targetMs === null ? (r.dialect === 'default' ? 'baseline' : 'information') : `<= ${fmt(r.targetMs)} ms: ${passMiss(r.pass ?? false)}`;
      const ratio = r.ratioToDefault === null || r.dialect === 'default' ? '' : `, ${r.ratioToDefault.fromSocketToSync}x default`;
      rows.push([`${r.dialect}: back → sync done`, `${m.fromSocketToSyncMs} ms`, `${target}${ratio}`]);
      rows.push([`${r.dialect}: startRealtime() → sync / → all cached`, `${m.fromStartRealtimeToSyncMs} / ${m.fromStartRealtimeToCachedMs} ms`, `reconnect ${m.reconnectMs} ms`]);
      rows.push([`${r.dialect}: pages (+422) / server / between pages`, `${m.pages} (+${m.refused}) / ${m.serverMs} / ${m.betweenPagesMs} ms`, `${fmt(N)} cached exactly once: ${r.exactlyOnce ? 'yes' : 'NO'}; CPU desk ${m.deskCpuMs} / clinic ${m.clinicCpuMs} ms`]);
    }
    const latency = SERVER_LATENCY_MS > 0 ? `, every notifications page held ${SERVER_LATENCY_MS} ms by the server` : '';
    printTable(`catch-up by dialect: ${machine().cpu} x${machine().cores}, node ${process.version}, load ${loadBefore.join(' ')}; ${fmt(N)} missed notifications${latency}, median of ${RUNS}`, rows);
    if (PROFILE) {
      for (const r of dialects) {
        if (!r.profile) continue;
        const line = (p: ProfileSummary) => p.areas.slice(0, 6).map((a) => `${a.area} ${a.ms} ms`).join(', ');
        process.stdout.write(`profile ${r.dialect}: desk busy ${r.profile.desk.busyMs} of ${r.profile.desk.windowMs} ms: ${line(r.profile.desk)}\n`);
        process.stdout.write(`profile ${r.dialect}: clinic busy ${r.profile.clinic.busyMs} of ${r.profile.clinic.windowMs} ms: ${line(r.profile.clinic)}\n`);
      }
    }
    process.stdout.write(`other load on the machine during the run: ${machineLoad.otherCores} cores\nresults: ${out}\n`);
  } finally {
    await d?.close();
    await clinic?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
