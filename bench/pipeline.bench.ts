/**
 * Pipeline benchmark: `node bin/run-ts.mjs bench/pipeline.bench.ts [--events N] [--rounds N] [--sdk-events N] [--rate N] [--seconds N] [--latency-runs N] [--large-cache-rows N] [--profile]`.
 *
 * Events triggered → received, validated, cached and announced by the desk core,
 * beside a bare pusher-js client receiving the same events in the same run.
 * Three processes, as in production three programs: the demo clinic (socket
 * server + REST API), the baseline client, and this one with a DeskService
 * signed in as a receptionist (its `private-notifications.{id}` channel; the
 * baseline subscribes to the same channel, authorised with the `pusher` SDK's
 * `authorizeChannel`). Payloads are `general-notification`s built and
 * PHP-encoded as the demo's LaravelBroadcaster does, with distinct ids.
 *
 *  (a) throughput, `--rounds` times (after an unreported warm-up burst of 5,000): N events published straight into the socket
 *      server (`clinic.realtime.publish`, 200 per event-loop turn), timed from the
 *      first publish to the last arrival at the baseline / the last announcement
 *      by the desk (`notification.upserted` or its share of `notifications.synced`).
 *      Per round: baseline alone (desk signed out), desk alone (baseline
 *      unsubscribed), both at once. Each desk phase starts on a fresh cache.
 *  (b) the same through the official SDK's `trigger` (HTTP API, 8 requests in flight).
 *  (c) latency: `--rate` events/s for `--seconds` s, both subscribed, `--latency-runs`
 *      runs (default 3) on a fresh cache; per event publish → announced by the desk,
 *      and publish → received by the baseline;
 *  (d) one more such run with the desk holding a `--large-cache-rows` (100,000) row
 *      cache, half of it unread (the memory benchmark's file).
 * During (c) and (d) a `PerformanceObserver` for 'gc' entries records the desk
 * process's garbage collections: count, p99 and max pause of the young-generation
 * ones (scavenges), count and max of the others.
 * `--profile`: one more desk-alone burst with the CPU profiler on in the desk's
 * process (not in the medians), summarised per area and per function.
 * Targets (issue 14): desk throughput >= 1/2 the baseline's, alone and together;
 * at 1,000 events/s desk p99 <= 4 ms and max <= 15 ms (with the large cache too);
 * young-generation GC pauses <= 2 ms.
 * Writes bench/results/pipeline.json and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { channels } from '../src/shared/channels';
import { buildCacheFile } from './support/cache-rows';
import { createBenchDesk, idle, NotificationTracker, signInLive, type BenchDesk } from './support/desk';
import { BENCH_ID_BASE } from './support/payloads';
import { hr } from './support/ipc';
import { startProfiler, summariseProfile, type ProfileSummary } from './support/profile';
import { startClinic, startRawClient, type RemoteClinic, type RemoteRawClient } from './support/remote';
import { LOAD_NOTE, contention, ownCpuMs, revision, fmt, headline, loadavg, machine, median, passMiss, printTable, round, summarize, writeResults } from './support/report';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    rounds: { type: 'string' },
    'sdk-events': { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    'latency-runs': { type: 'string' },
    'large-cache-rows': { type: 'string' },
    profile: { type: 'boolean' },
  },
});
const N = Number(values.events ?? 20_000);
const ROUNDS = Number(values.rounds ?? 3);
const SDK_N = Number(values['sdk-events'] ?? 2_000);
const SDK_CONCURRENCY = 8;
const RATE = Number(values.rate ?? 1_000);
const SECONDS = Number(values.seconds ?? 5);
const LATENCY_RUNS = Number(values['latency-runs'] ?? 3);
const LARGE_ROWS = Number(values['large-cache-rows'] ?? 100_000);
const PROFILE = values.profile ?? false;
const CHUNK = 200;
const WARMUP = 5_000;
const EMAIL = 'reception1@northside.clinic.test';
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 4;
const TARGET_MAX_MS = 15;
const TARGET_MINOR_GC_MS = 2;
const WAIT_MS = 60_000;

let nextId = BENCH_ID_BASE;
const began = Date.now();
const progress = (what: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${what}\n`);

interface Phase {
  events: number;
  publishMs: number;
  raw: { received: number; ms: number; perSecond: number; cpuMsPerEvent: number } | null;
  desk: { announced: number; ms: number; perSecond: number; wireMs: number; wirePerSecond: number; cpuMsPerEvent: number; unmatched: number } | null;
  /** Cores busy with other work on the machine during this phase (not the three benchmark processes). */
  otherCores: number;
}

/** Publishes `count` events (burst or SDK) and times the receivers that are listening. */
async function run(
  clinic: RemoteClinic,
  raw: RemoteRawClient | null,
  desk: BenchDesk | null,
  count: number,
  send: (firstId: number) => Promise<{ startedAt: number; endedAt: number; maxLagMs?: number }>,
): Promise<Phase & { rawLatencies: number[] | null; tracker: NotificationTracker | null; lag: number }> {
  const firstId = nextId;
  nextId += count;
  if (raw) await raw.call.arm({ firstId, count, latencies: true, timeoutMs: WAIT_MS });
  const tracker = desk ? new NotificationTracker(desk, firstId, count) : null;
  const cpu0 = { raw: raw ? await raw.call.cpu() : 0, desk: ownCpuMs(), clinic: await clinic.call.cpu() };
  const meter = contention();
  const pub = await send(firstId);
  const [rawResult] = await Promise.all([raw ? raw.call.collect() : null, tracker?.waitEmitted(count, WAIT_MS)]);
  const cpu1 = { raw: raw ? await raw.call.cpu() : 0, desk: ownCpuMs(), clinic: await clinic.call.cpu() };
  const { otherCores } = meter.stop(cpu1.raw - cpu0.raw + (cpu1.desk - cpu0.desk) + (cpu1.clinic - cpu0.clinic));
  tracker?.stop();
  const rawMs = rawResult ? rawResult.lastAt - pub.startedAt : 0;
  const deskMs = tracker ? tracker.lastEmitAt() - pub.startedAt : 0;
  const wireMs = tracker ? tracker.lastWireAt() - pub.startedAt : 0;
  return {
    events: count,
    publishMs: round(pub.endedAt - pub.startedAt),
    raw: rawResult
      ? { received: rawResult.received, ms: round(rawMs), perSecond: Math.round(rawResult.received / (rawMs / 1000)), cpuMsPerEvent: round((cpu1.raw - cpu0.raw) / count, 4) }
      : null,
    desk: tracker
      ? {
          announced: tracker.emitAt.size,
          ms: round(deskMs),
          perSecond: Math.round(tracker.emitAt.size / (deskMs / 1000)),
          wireMs: round(wireMs),
          wirePerSecond: Math.round(tracker.wireAt.size / (wireMs / 1000)),
          cpuMsPerEvent: round((cpu1.desk - cpu0.desk) / count, 4),
          unmatched: tracker.unmatched,
        }
      : null,
    otherCores,
    rawLatencies: rawResult?.latencies ?? null,
    tracker,
    lag: pub.maxLagMs ?? 0,
  };
}

/** The desk process's GC pauses while it runs: young-generation (scavenges) apart from the rest. */
class GcWatch {
  private readonly minor: number[] = [];
  private readonly other: number[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.add(entry);
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  private add(entry: PerformanceEntry): void {
    const kind = ((entry as PerformanceEntry & { detail?: { kind?: number } | null }).detail)?.kind;
    (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? this.minor : this.other).push(entry.duration);
  }

  /** Stops, after the entries still queued are delivered. */
  async stop(): Promise<{ minor: number[]; other: number[] }> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const entry of this.observer.takeRecords()) this.add(entry);
    this.observer.disconnect();
    return { minor: this.minor, other: this.other };
  }
}

interface GcStats {
  minor: { count: number; p50: number; p99: number; max: number; totalMs: number };
  other: { count: number; max: number; totalMs: number };
}

function gcStats(runs: ReadonlyArray<{ minor: number[]; other: number[] }>): GcStats {
  const minor = runs.flatMap((r) => r.minor);
  const other = runs.flatMap((r) => r.other);
  const m = summarize(minor);
  const total = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0));
  return {
    minor: { count: minor.length, p50: minor.length ? m.p50 : 0, p99: minor.length ? m.p99 : 0, max: minor.length ? m.max : 0, totalMs: total(minor) },
    other: { count: other.length, max: other.length ? round(Math.max(...other)) : 0, totalMs: total(other) },
  };
}

async function freshDesk(desk: BenchDesk, info: RemoteClinic['info']): Promise<void> {
  await desk.desk.signOut(); // wipes the cache file
  await signInLive(desk, info, EMAIL);
  await idle(desk);
}

async function cachedRows(desk: BenchDesk): Promise<number> {
  return (await desk.desk.getDiagnostics()).cache.notifications;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const clinic = await startClinic();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-pipeline-bench-'));
  const cacheFile = path.join(dir, 'desk.sqlite');
  let raw: RemoteRawClient | null = null;
  let desk: BenchDesk | null = null;
  try {
    const info = clinic.info;
    const user = info.users.find((u) => u.email === EMAIL);
    if (!user) throw new Error(`no ${EMAIL}`);
    const channel = channels.notifications(user.id).fullName;
    raw = await startRawClient(info, channel);
    desk = createBenchDesk(info, { cacheDir: dir, cacheFile });
    const burst = (firstId: number) => clinic.call.publishBurst({ userId: user.id, firstId, count: N, chunk: CHUNK });

    // Warm-up (not reported): both receivers, so the JIT has seen the hot paths before round 1.
    progress('warm-up');
    await freshDesk(desk, info);
    await run(clinic, raw, desk, WARMUP, (firstId) => clinic.call.publishBurst({ userId: user.id, firstId, count: WARMUP, chunk: CHUNK }));

    // (a) throughput rounds
    const rounds: Array<{ rawAlone: Phase; deskAlone: Phase & { cacheRows: number }; together: Phase }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      progress(`round ${r + 1}`);
      await desk.desk.signOut();
      await raw.call.subscribe();
      progress('baseline alone');
      const rawAlone = await run(clinic, raw, null, N, burst);

      raw.call.unsubscribe().catch(() => undefined);
      await freshDesk(desk, info);
      progress('desk alone');
      const deskAlone = await run(clinic, null, desk, N, burst);
      const deskRows = await cachedRows(desk);

      await raw.call.subscribe();
      await freshDesk(desk, info);
      progress('together');
      const together = await run(clinic, raw, desk, N, burst);
      const strip = ({ rawLatencies: _r, tracker: _t, lag: _l, ...p }: Awaited<ReturnType<typeof run>>): Phase => p;
      rounds.push({ rawAlone: strip(rawAlone), deskAlone: { ...strip(deskAlone), cacheRows: deskRows }, together: strip(together) });
      process.stderr.write(
        `round ${r + 1}: raw alone ${fmt(rawAlone.raw?.perSecond ?? 0)}/s, desk alone ${fmt(deskAlone.desk?.perSecond ?? 0)}/s, together raw ${fmt(together.raw?.perSecond ?? 0)}/s desk ${fmt(together.desk?.perSecond ?? 0)}/s; other load ${Math.max(rawAlone.otherCores, deskAlone.otherCores, together.otherCores)} cores\n`,
      );
    }

    // (b) through the official SDK's HTTP trigger
    await freshDesk(desk, info);
    progress('SDK trigger');
    const sdkRun = await run(clinic, raw, desk, SDK_N, (firstId) =>
      clinic.call.triggerSdk({ userIds: [user.id], firstId, count: SDK_N, concurrency: SDK_CONCURRENCY }),
    );

    // (c) paced latency, fresh cache each run
    const pacedN = RATE * SECONDS;
    const pacedRuns: Array<{ desk: number[]; wire: number[]; raw: number[]; announced: number; maxLagMs: number; otherCores: number; cacheRowsAfter: number; gc: { minor: number[]; other: number[] } }> = [];
    const pacedSend = (firstId: number) => clinic.call.publishPaced({ userId: user.id, firstId, count: pacedN, ratePerSec: RATE });
    for (let r = 0; r < LATENCY_RUNS; r++) {
      await freshDesk(desk, info);
      progress(`paced latency ${r + 1}`);
      const watch = new GcWatch();
      const p = await run(clinic, raw, desk, pacedN, pacedSend);
      const gc = await watch.stop();
      const deskRun = summarize(p.tracker?.latencies() ?? []);
      process.stderr.write(`  desk p99 ${deskRun.p99} ms max ${deskRun.max} ms, baseline p99 ${summarize(p.rawLatencies ?? []).p99} ms; minor GCs ${gc.minor.length}, max ${round(Math.max(0, ...gc.minor))} ms; other load ${p.otherCores} cores\n`);
      pacedRuns.push({ desk: p.tracker?.latencies() ?? [], wire: p.tracker?.wireLatencies() ?? [], raw: p.rawLatencies ?? [], announced: p.desk?.announced ?? 0, maxLagMs: p.lag, otherCores: p.otherCores, cacheRowsAfter: await cachedRows(desk), gc });
    }

    // (d) the same with a large cache already held (the memory benchmark's file: half of it unread)
    await desk.desk.signOut();
    const large = buildCacheFile(cacheFile, LARGE_ROWS, user.id);
    await signInLive(desk, info, EMAIL);
    await idle(desk);
    progress(`paced latency, ${fmt(LARGE_ROWS)}-row cache`);
    const largeWatch = new GcWatch();
    const pacedLarge = await run(clinic, raw, desk, pacedN, pacedSend);
    const largeGc = gcStats([await largeWatch.stop()]);

    // (e) optionally, one more desk-alone burst under the CPU profiler (not in the medians)
    let profile: ProfileSummary | null = null;
    if (PROFILE) {
      await raw.call.unsubscribe();
      await freshDesk(desk, info);
      progress('desk alone, profiled');
      const profiler = await startProfiler();
      const from = hr();
      await run(clinic, null, desk, N, burst);
      profile = summariseProfile(await profiler.stop(), { fromMs: from, toMs: hr() }, 25);
      await raw.call.subscribe();
    }
    const largeRowsAfter = await cachedRows(desk);
    const loadAfter = loadavg();

    const med = (pick: (r: (typeof rounds)[number]) => number | undefined) => Math.round(median(rounds.map((r) => pick(r) ?? Number.NaN)));
    const rawAloneRate = med((r) => r.rawAlone.raw?.perSecond);
    const deskAloneRate = med((r) => r.deskAlone.desk?.perSecond);
    const togetherRaw = med((r) => r.together.raw?.perSecond);
    const togetherDesk = med((r) => r.together.desk?.perSecond);
    const publisherRate = Math.round(median(rounds.map((r) => N / (r.rawAlone.publishMs / 1000))));
    const ratioAlone = deskAloneRate / rawAloneRate;
    const ratioTogether = togetherDesk / togetherRaw;
    const deskLatency = summarize(pacedRuns.flatMap((r) => r.desk));
    const deskWireLatency = summarize(pacedRuns.flatMap((r) => r.wire));
    const rawLatency = summarize(pacedRuns.flatMap((r) => r.raw));
    const largeLatency = summarize(pacedLarge.tracker?.latencies() ?? []);
    const largeWireLatency = summarize(pacedLarge.tracker?.wireLatencies() ?? []);
    const largeRawLatency = summarize(pacedLarge.rawLatencies ?? []);
    const sdkDeskLatency = summarize(sdkRun.tracker?.latencies() ?? []);
    const sdkRawLatency = summarize(sdkRun.rawLatencies ?? []);
    const deskCpuPerEvent = median(rounds.map((r) => r.deskAlone.desk?.cpuMsPerEvent ?? Number.NaN));
    const rawCpuPerEvent = median(rounds.map((r) => r.rawAlone.raw?.cpuMsPerEvent ?? Number.NaN));
    const announced = pacedRuns.reduce((n, r) => n + r.announced, 0);
    const allPhases = [...rounds.flatMap((r) => [r.rawAlone, r.deskAlone, r.together]), sdkRun, ...pacedRuns, pacedLarge];
    const latencyGc = gcStats(pacedRuns.map((r) => r.gc));
    const latencyPass = deskLatency.p99 <= TARGET_P99_MS && deskLatency.max <= TARGET_MAX_MS && announced === pacedN * LATENCY_RUNS;
    const largePass = largeLatency.p99 <= TARGET_P99_MS && largeLatency.max <= TARGET_MAX_MS;
    const gcPass = latencyGc.minor.max <= TARGET_MINOR_GC_MS && largeGc.minor.max <= TARGET_MINOR_GC_MS;

    const results = {
      benchmark: 'pipeline',
      date: new Date().toISOString(),
      machine: machine(),
      node: process.version,
      revision: revision(),
      load: { before: loadBefore, after: loadAfter, note: LOAD_NOTE, otherCoresMax: round(Math.max(...allPhases.map((p) => p.otherCores))), otherCoresNote: 'cores busy with other processes during a measured phase (from /proc/stat minus the three benchmark processes); per phase in rounds[], perRun[], sdkTrigger' },
      setup: {
        processes: 'demo clinic (socket server + REST API), baseline pusher-js client, and the desk (DeskService) each in its own Node process on loopback',
        user: EMAIL,
        channel,
        payload: 'general-notification, 7 fields as LaravelBroadcaster sends them, PHP-encoded, ~260 bytes',
        desk: 'DeskService, default settings and realtime options, real clock, logger dropping debug/info',
        baseline: 'pusher-js 8 client, auth signed with the pusher SDK authorizeChannel; records arrival time, id and sent-at only',
        timing: 'process.hrtime (CLOCK_MONOTONIC, shared by the processes); sent-at embedded in each payload',
      },
      throughput: {
        what: `${fmt(N)} events published straight into the socket server (${CHUNK} per turn); first publish → last arrival (baseline) / last announcement (desk); median of ${ROUNDS} rounds`,
        publisherPerSecond: publisherRate,
        baselineAlone: rawAloneRate,
        deskAlone: deskAloneRate,
        ratioAlone: round(ratioAlone, 3),
        together: { baseline: togetherRaw, desk: togetherDesk, ratio: round(ratioTogether, 3) },
        cpuMsPerEvent: { baseline: round(rawCpuPerEvent, 4), desk: round(deskCpuPerEvent, 4), ratio: round(deskCpuPerEvent / rawCpuPerEvent, 2) },
        note: 'The publisher sends the burst well before the receivers finish (rounds[].*.publishMs), so these are the receivers\' own rates. Together, three busy processes share 2 cores, which lowers both; CPU per event (alone phases) compares the two without that.',
        target: `desk >= ${TARGET_RATIO} x baseline`,
        pass: ratioAlone >= TARGET_RATIO && ratioTogether >= TARGET_RATIO,
        rounds,
      },
      sdkTrigger: {
        what: `${fmt(SDK_N)} events through the official pusher SDK trigger (HTTP API, ${SDK_CONCURRENCY} in flight); both receivers subscribed; fresh cache`,
        triggerPerSecond: Math.round(SDK_N / (sdkRun.publishMs / 1000)),
        otherCores: sdkRun.otherCores,
        baseline: sdkRun.raw,
        desk: sdkRun.desk,
        latencyMs: { desk: sdkDeskLatency, baseline: sdkRawLatency },
      },
      latency: {
        what: `${LATENCY_RUNS} runs of ${fmt(pacedN)} events at ${fmt(RATE)}/s for ${SECONDS} s straight into the socket server, both receivers subscribed, fresh cache each run; per event publish → announced by the desk / received by the baseline; percentiles over all ${fmt(pacedN * LATENCY_RUNS)} events`,
        desk: deskLatency,
        deskAtWire: { what: 'publish → validated by the desk realtime layer (before the per-tick batch, cache and events)', ...deskWireLatency },
        baseline: rawLatency,
        perRun: pacedRuns.map((r) => ({ deskP99: summarize(r.desk).p99, deskMax: summarize(r.desk).max, baselineP99: summarize(r.raw).p99, announced: r.announced, publisherMaxLagMs: round(r.maxLagMs), otherCores: r.otherCores, cacheRowsAfter: r.cacheRowsAfter, minorGcs: r.gc.minor.length, minorGcMaxMs: round(Math.max(0, ...r.gc.minor)) })),
        gc: { what: "the desk process's GC pauses during these runs (PerformanceObserver 'gc' entries, ms): minor = young-generation scavenges", ...latencyGc, target: `minor max <= ${TARGET_MINOR_GC_MS} ms`, pass: latencyGc.minor.max <= TARGET_MINOR_GC_MS },
        target: `desk p99 <= ${TARGET_P99_MS} ms, max <= ${TARGET_MAX_MS} ms`,
        pass: latencyPass,
      },
      latencyLargeCache: {
        what: `one run as above, the desk holding a ${fmt(LARGE_ROWS)}-row cache (${fmt(large.unread)} unread, built as in the memory benchmark) before the events`,
        desk: largeLatency,
        deskAtWire: largeWireLatency,
        baseline: largeRawLatency,
        announced: pacedLarge.desk?.announced ?? 0,
        otherCores: pacedLarge.otherCores,
        cacheRowsAfter: largeRowsAfter,
        gc: largeGc,
        pass: largePass,
      },
      ...(profile === null ? {} : { profile: { what: `one more desk-alone burst of ${fmt(N)} with the CPU profiler on in the desk process (not in the medians); self time`, ...profile } }),
      warnings: desk.logger.warnings.slice(0, 10),
    };
    const out = writeResults('pipeline', results, [
      headline('pipeline: desk throughput alone / bare pusher-js', round(ratioAlone, 3), 'x', `>= ${TARGET_RATIO}x`, ratioAlone >= TARGET_RATIO),
      headline('pipeline: the same, both receiving the same run', round(ratioTogether, 3), 'x', `>= ${TARGET_RATIO}x`, ratioTogether >= TARGET_RATIO),
      headline(`pipeline: publish → announced at ${RATE}/s, p99`, deskLatency.p99, 'ms', `<= ${TARGET_P99_MS} ms`, latencyPass),
      headline(`pipeline: the same, max`, deskLatency.max, 'ms', `<= ${TARGET_MAX_MS} ms`, deskLatency.max <= TARGET_MAX_MS),
      headline(`pipeline: the same holding a ${fmt(LARGE_ROWS)}-row cache, p99`, largeLatency.p99, 'ms', `<= ${TARGET_P99_MS} ms`, largePass),
      headline('pipeline: young-generation GC pause in the desk, max', Math.max(latencyGc.minor.max, largeGc.minor.max), 'ms', `<= ${TARGET_MINOR_GC_MS} ms`, gcPass),
    ]);

    printTable(`pipeline benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}`, [
      ['baseline pusher-js alone', `${fmt(rawAloneRate)} ev/s`, `median of ${ROUNDS}, ${fmt(N)} events`],
      ['desk core alone', `${fmt(deskAloneRate)} ev/s`, `${round(ratioAlone, 2)}x baseline; target >= ${TARGET_RATIO}x: ${passMiss(ratioAlone >= TARGET_RATIO)}`],
      ['together: baseline / desk', `${fmt(togetherRaw)} / ${fmt(togetherDesk)}`, `${round(ratioTogether, 2)}x; ${passMiss(ratioTogether >= TARGET_RATIO)}`],
      ['CPU per event: baseline / desk', `${round(rawCpuPerEvent * 1000, 1)} / ${round(deskCpuPerEvent * 1000, 1)} µs`, `${round(deskCpuPerEvent / rawCpuPerEvent, 1)}x`],
      ['SDK trigger: sent / baseline / desk', `${fmt(results.sdkTrigger.triggerPerSecond)} / ${fmt(sdkRun.raw?.perSecond ?? 0)} / ${fmt(sdkRun.desk?.perSecond ?? 0)}`, `ev/s, ${fmt(SDK_N)} events, desk p99 ${sdkDeskLatency.p99} ms`],
      [`latency @ ${fmt(RATE)}/s desk p50/p95/p99/max`, `${deskLatency.p50} / ${deskLatency.p95} / ${deskLatency.p99} / ${deskLatency.max} ms`, `${LATENCY_RUNS} x ${SECONDS} s; target p99 <= ${TARGET_P99_MS}, max <= ${TARGET_MAX_MS} ms: ${passMiss(latencyPass)}`],
      ['  desk minor GCs: count, p99 / max', `${latencyGc.minor.count}, ${latencyGc.minor.p99} / ${latencyGc.minor.max} ms`, `others: ${latencyGc.other.count}, max ${latencyGc.other.max} ms; target minor <= ${TARGET_MINOR_GC_MS} ms: ${passMiss(gcPass)}`],
      ['  desk at its realtime layer p50/p99', `${deskWireLatency.p50} / ${deskWireLatency.p99} ms`, ''],
      ['  baseline p50/p95/p99/max', `${rawLatency.p50} / ${rawLatency.p95} / ${rawLatency.p99} / ${rawLatency.max} ms`, ''],
      [`  desk, ${fmt(LARGE_ROWS)}-row cache p50/p99/max`, `${largeLatency.p50} / ${largeLatency.p99} / ${largeLatency.max} ms`, `${fmt(large.unread)} unread held; ${passMiss(largePass)}`],
      ['  the same, minor GCs: count, p99 / max', `${largeGc.minor.count}, ${largeGc.minor.p99} / ${largeGc.minor.max} ms`, `others: ${largeGc.other.count}, max ${largeGc.other.max} ms`],
    ]);
    if (profile !== null) {
      const line = (rows: Array<{ ms: number; share: number }>, name: (r: never) => string) => rows.map((r) => `  ${String(r.share).padStart(5)}%  ${name(r as never)}`).join('\n');
      process.stdout.write(`profile, desk alone: busy ${profile.busyMs} of ${profile.windowMs} ms\nareas:\n${line(profile.areas, (r: { area: string }) => r.area)}\nfunctions:\n${line(profile.functions, (r: { fn: string }) => r.fn)}\nproject frames:\n${line(profile.byProjectFrame, (r: { frame: string }) => r.frame)}\n`);
    }
    process.stdout.write(`other load on the machine during the phases: up to ${results.load.otherCoresMax} cores\nresults: ${out}\n`);
  } finally {
    await desk?.close();
    await raw?.stop();
    await clinic.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
