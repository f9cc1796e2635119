/**
 * Memory benchmark: `node bin/run-ts.mjs bench/memory.bench.ts [--rows N] [--runs N]`.
 *
 * The memory of one idle desk core holding a large notification cache. A cache
 * file with N (default 100,000) notifications for a receptionist is built with
 * `openCache` + `upsertNotifications` in batches of 500 (as bench/cache.bench.ts).
 * Then, in a fresh Node process per measurement (so nothing from an earlier one
 * is counted) and with the demo clinic in a process of its own:
 *  1. baseline: the process with the desk's modules loaded and no desk, after GC;
 *  2. a DeskService with `cacheFile` pointing at a copy of the file signs in, goes
 *     live, catches up, reads the first page of notifications (50, as the window
 *     does), and goes idle (nothing emitted for 1 s); then GC again and measure.
 * RSS and V8 heap used, after minus baseline, for the N-row cache and for an empty
 * cache (a new user), median of `--runs` (default 3) processes each.
 * GC: `v8.setFlagsFromString('--expose_gc')` + `vm.runInNewContext('gc')`, three
 * full collections 50 ms apart before each reading.
 * Side figure: `DeskCache.prune(30)` on the N-row file with nothing to prune
 * (the session runs it after every catch-up).
 * No target in the issue: the figures are the record.
 * Writes bench/results/memory.json and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { openCache } from '../src/main/core/cache/cache';
import type { DemoServerInfo } from '../src/main/demo/info';
import { buildCacheFile, CACHE_BATCH } from './support/cache-rows';
import { createBenchDesk, idle, signInLive, type BenchDesk } from './support/desk';
import { Remote, hr, serve } from './support/ipc';
import { startClinic } from './support/remote';
import { fmt, headline, loadavg, median, printTable, resultHeader, round, sleep, writeResults } from './support/report';

const EMAIL = 'reception1@northside.clinic.test';
const MB = 1024 * 1024;

interface Reading {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

interface Measurement {
  baseline: Reading;
  idle: Reading;
  rows: number;
  signInToReadyMs: number;
  firstPageItems: number;
}

async function collectAndRead(): Promise<Reading> {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Child mode: one measurement in a fresh process. */
const probe = {
  async measure(info: DemoServerInfo, cacheFile: string): Promise<Measurement> {
    const baseline = await collectAndRead();
    const d = createBenchDesk(info, { cacheFile, cacheDir: path.dirname(cacheFile) });
    const started = hr();
    const { readyAt } = await signInLive(d, info, EMAIL);
    const page = await d.desk.listNotifications({ limit: 50, unreadOnly: false });
    await d.desk.getSnapshot();
    await idle(d, 1_000, 15_000);
    const reading = await collectAndRead();
    const rows = (await d.desk.getDiagnostics()).cache.notifications;
    // Keep the desk alive until after the reading; the parent ends this process.
    held.push(d);
    return { baseline, idle: reading, rows, signInToReadyMs: round(readyAt - started), firstPageItems: page.items.length };
  },
};
const held: BenchDesk[] = [];
export type ProbeHandlers = typeof probe;

/**
 * Side figure: `DeskCache.prune(30)` with nothing to prune, which the session
 * runs after every catch-up (sign-in, reconnect, poll, refresh), median of 5.
 */
function pruneCost(file: string): { ms: number; pruned: number } {
  const { cache } = openCache({ file });
  const times: number[] = [];
  let pruned = 0;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    pruned += cache.prune(30).notifications;
    times.push(performance.now() - started);
  }
  cache.close();
  return { ms: median(times), pruned };
}

const mb = (bytes: number) => round(bytes / MB, 1);

async function parent(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
  const N = Number(values.rows ?? 100_000);
  const RUNS = Number(values.runs ?? 3);
  const loadBefore = loadavg();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-memory-bench-'));
  const clinic = await startClinic();
  try {
    const user = clinic.info.users.find((u) => u.email === EMAIL);
    if (!user) throw new Error(`no ${EMAIL}`);
    const master = path.join(dir, 'master.sqlite');
    const built = buildCacheFile(master, N, user.id);
    const pruneFile = path.join(dir, 'prune.sqlite');
    fs.copyFileSync(master, pruneFile);
    const prune = pruneCost(pruneFile);

    const variants = { full: [] as Measurement[], empty: [] as Measurement[] };
    for (let r = 0; r < RUNS; r++) {
      for (const variant of ['full', 'empty'] as const) {
        const file = path.join(dir, `${variant}-${r}.sqlite`);
        if (variant === 'full') fs.copyFileSync(master, file);
        const child = Remote.start<ProbeHandlers>('memory-probe', 'bench/memory.bench.ts', { env: { CLINIC_DESK_MEMORY_PROBE: '1' } });
        try {
          const m = await child.call.measure(clinic.info, file);
          variants[variant].push(m);
          process.stderr.write(`run ${r + 1} ${variant}: rows ${m.rows}, rss ${mb(m.baseline.rss)} → ${mb(m.idle.rss)} MB, heap ${mb(m.baseline.heapUsed)} → ${mb(m.idle.heapUsed)} MB\n`);
        } finally {
          await child.stop();
        }
      }
    }
    const loadAfter = loadavg();
    const figures = (list: Measurement[]) => {
      const pick = (f: (m: Measurement) => number) => mb(median(list.map(f)));
      return {
        rows: median(list.map((m) => m.rows)),
        baseline: { rssMB: pick((m) => m.baseline.rss), heapUsedMB: pick((m) => m.baseline.heapUsed), externalMB: pick((m) => m.baseline.external) },
        idle: { rssMB: pick((m) => m.idle.rss), heapUsedMB: pick((m) => m.idle.heapUsed), heapTotalMB: pick((m) => m.idle.heapTotal), externalMB: pick((m) => m.idle.external) },
        delta: { rssMB: pick((m) => m.idle.rss - m.baseline.rss), heapUsedMB: pick((m) => m.idle.heapUsed - m.baseline.heapUsed), externalMB: pick((m) => m.idle.external - m.baseline.external) },
        signInToReadyMs: round(median(list.map((m) => m.signInToReadyMs))),
      };
    };
    const full = figures(variants.full);
    const empty = figures(variants.empty);
    const results = {
      ...resultHeader('memory', loadBefore, loadAfter),
      setup: {
        what: 'one DeskService signed in as a receptionist, live, caught up, first page read, idle 1 s; a fresh Node process (tsx loader included) per measurement; demo clinic in its own process',
        baseline: 'the same process with the desk modules imported and no DeskService, after GC',
        gc: "v8.setFlagsFromString('--expose_gc') + vm.runInNewContext('gc'), 3 collections 50 ms apart",
        cacheFile: { rows: N, bytes: built.bytes, buildMs: round(built.ms), unread: built.unread, how: `openCache + upsertNotifications, batches of ${CACHE_BATCH}, half read, dated over the last 20 days` },
        runs: RUNS,
      },
      withCache: full,
      emptyCache: empty,
      pruneWithNothingToPrune: { what: `DeskCache.prune(30) on the ${N}-row file, nothing old enough (the session runs it after every catch-up), median of 5`, ms: round(prune.ms), pruned: prune.pruned },
      cacheCostMB: { rss: round(full.delta.rssMB - empty.delta.rssMB, 1), heapUsed: round(full.delta.heapUsedMB - empty.delta.heapUsedMB, 1) },
      target: 'none in the issue (recorded for regressions)',
      measurements: variants,
    };
    const out = writeResults('memory', results, [
      headline(`memory: idle desk, ${fmt(N)}-row cache, RSS over baseline`, full.delta.rssMB, 'MB'),
      headline(`memory: idle desk, ${fmt(N)}-row cache, heap over baseline`, full.delta.heapUsedMB, 'MB'),
    ]);
    printTable(`memory benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}; median of ${RUNS} processes`, [
      ['baseline process (no desk): RSS / heap', `${full.baseline.rssMB} / ${full.baseline.heapUsedMB} MB`, 'node + tsx + the desk modules'],
      [`idle desk, ${fmt(N)}-row cache: RSS / heap`, `${full.idle.rssMB} / ${full.idle.heapUsedMB} MB`, `+${full.delta.rssMB} / +${full.delta.heapUsedMB} MB over baseline`],
      ['idle desk, empty cache: RSS / heap', `${empty.idle.rssMB} / ${empty.idle.heapUsedMB} MB`, `+${empty.delta.rssMB} / +${empty.delta.heapUsedMB} MB over baseline`],
      [`what the ${fmt(N)} rows add: RSS / heap`, `${results.cacheCostMB.rss} / ${results.cacheCostMB.heapUsed} MB`, `file ${mb(built.bytes)} MB`],
      ['sign-in → ready: full / empty cache', `${full.signInToReadyMs} / ${empty.signInToReadyMs} ms`, 'live, subscribed, caught up'],
      [`side: prune(30) on ${fmt(N)} rows, none due`, `${round(prune.ms)} ms`, 'runs after every catch-up'],
    ]);
    process.stdout.write(`results: ${out}\n`);
  } finally {
    await clinic.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env['CLINIC_DESK_MEMORY_PROBE'] === '1') {
  serve(probe, async () => {
    for (const d of held) await d.close();
  });
} else await parent();
