/**
 * Idle benchmark: `node bin/run-ts.mjs bench/idle.bench.ts [--seconds N] [--wake-seconds N] [--reconcile-sec N]`.
 *
 * What a live desk costs when nothing happens (issue 14, target 3: at most
 * 0.2% of one core, no REST request beyond its reconciliation). The demo
 * clinic in its own process (scenario off: no event at all); the real
 * DeskService in another fresh process, signed in as a receptionist with the
 * product's default settings (reconciliation every 60 s, `--reconcile-sec`
 * to change it), live, every channel subscribed, caught up, and quiet (nothing
 * emitted for 2 s). Then two windows of `--seconds` (60) each:
 *
 * 1. wake-ups (`--wake-seconds`, default the same): `support/wakeups.ts`
 *    counts, with async_hooks, every callback the desk process's event loop
 *    runs (timers, immediates, I/O; not promise reactions) and the wake-ups
 *    (a callback more than 1 ms after the previous one ended), each named by
 *    where its timer or socket was created;
 * 2. CPU, with the hooks off: `process.cpuUsage()` of the desk's process over
 *    the window, as a share of one core.
 *
 * In both, the clinic's request log counts the REST requests that reached it,
 * and the desk's diagnostics the requests of its reconciliations: every
 * request must be one of those, in `floor..ceil(window / interval)` rounds.
 * Writes bench/results/idle.json and prints a table.
 */
import { parseArgs } from 'node:util';
import type { DeskEvent } from '../src/shared/bridge';
import { DEFAULT_SETTINGS } from '../src/shared/settings';
import type { DemoServerInfo } from '../src/main/demo/info';
import { createBenchDesk, idle, signInLive, type BenchDesk } from './support/desk';
import { Remote, serve } from './support/ipc';
import { startClinic } from './support/remote';
import { contention, fmt, headline, loadavg, machineBusyMs, passMiss, printTable, resultHeader, round, sleep, writeResults } from './support/report';
import { wakeupCounter, type WakeupCount, type WakeupCounter } from './support/wakeups';

const EMAIL = 'reception1@northside.clinic.test';
/** Target: at most 0.2% of one core while idle. */
const MAX_CPU_PERCENT = 0.2;

interface WindowResult {
  ms: number;
  cpuMs: number;
  cpuPercent: number;
  eventLoopUtilization: number;
  reconcileRounds: number;
  reconcileRequests: number;
  deskEvents: Record<string, number>;
  wakeups: WakeupCount | null;
}

// ── the desk's process ──
let desk: BenchDesk | null = null;
let counter: WakeupCounter | null = null;
const reconciledAt: number[] = [];
const eventKinds = new Map<string, number>();

const probe = {
  async start(info: DemoServerInfo, o: { reconcileMs: number }): Promise<{ signInToQuietMs: number }> {
    // Hooks from before the desk exists, so every timer and socket it makes has a name.
    counter = wakeupCounter(['bench/']);
    const d = createBenchDesk(info, { reconcileIntervalMs: () => o.reconcileMs });
    desk = d;
    d.on((e: DeskEvent) => {
      eventKinds.set(e.kind, (eventKinds.get(e.kind) ?? 0) + 1);
      if (e.kind === 'sync' && e.reason === 'reconcile') reconciledAt.push(performance.now());
    });
    const started = performance.now();
    await signInLive(d, info, EMAIL);
    await idle(d, 2_000, 20_000);
    return { signInToQuietMs: round(performance.now() - started) };
  },

  /** One window of `ms`: CPU of this process, event-loop utilisation, the desk's reconciliations and events; wake-ups while the hooks are on. */
  async window(ms: number, withHooks: boolean): Promise<WindowResult> {
    const d = desk;
    if (d === null) throw new Error('start first');
    if (!withHooks && counter !== null) {
      counter.stop();
      counter = null;
    }
    const diag0 = (await d.desk.getDiagnostics()).reconciliation;
    const rounds0 = reconciledAt.length;
    eventKinds.clear();
    counter?.begin();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(ms);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    const wakeups = counter?.end() ?? null;
    const diag1 = (await d.desk.getDiagnostics()).reconciliation;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      ms: round(wall),
      cpuMs: round(cpuMs),
      cpuPercent: round((cpuMs / wall) * 100, 3),
      eventLoopUtilization: round(elu.utilization, 5),
      reconcileRounds: reconciledAt.length - rounds0,
      reconcileRequests: diag1.requests - diag0.requests,
      deskEvents: Object.fromEntries(eventKinds),
      wakeups,
    };
  },
};
export type IdleProbe = typeof probe;

// ── the benchmark ──
async function parent(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, 'wake-seconds': { type: 'string' }, 'reconcile-sec': { type: 'string' } } });
  const SECONDS = Number(values.seconds ?? 60);
  const WAKE_SECONDS = Number(values['wake-seconds'] ?? SECONDS);
  const RECONCILE_SEC = Number(values['reconcile-sec'] ?? DEFAULT_SETTINGS.reconcileIntervalSec);
  const loadBefore = loadavg();
  const clinic = await startClinic();
  const child = Remote.start<IdleProbe>('idle-desk', 'bench/idle.bench.ts', { env: { CLINIC_DESK_IDLE_PROBE: '1' } });
  try {
    const { signInToQuietMs } = await child.call.start(clinic.info, { reconcileMs: RECONCILE_SEC * 1000 });
    const measure = async (seconds: number, withHooks: boolean) => {
      const mark = await clinic.call.recordRequests(true);
      const busy0 = machineBusyMs();
      const clinicCpu0 = await clinic.call.cpu();
      const load = contention();
      const w = await child.call.window(seconds * 1000, withHooks);
      const clinicCpu = (await clinic.call.cpu()) - clinicCpu0;
      const other = load.stop(w.cpuMs + clinicCpu);
      const { log } = await clinic.call.requestsSince(mark);
      await clinic.call.recordRequests(false);
      const byPath: Record<string, number> = {};
      for (const r of log) {
        const key = `${r.method} ${r.path}`;
        byPath[key] = (byPath[key] ?? 0) + 1;
      }
      const expectedRounds = { min: Math.floor(seconds / RECONCILE_SEC), max: Math.ceil(seconds / RECONCILE_SEC) };
      const requests = log.length;
      const onlyReconcile = requests === w.reconcileRequests && w.reconcileRounds >= expectedRounds.min && w.reconcileRounds <= expectedRounds.max;
      return { ...w, machineBusyMs: machineBusyMs() - busy0, load: other, clinicCpuMs: round(clinicCpu), requests, requestsPerMinute: round((requests * 60_000) / w.ms, 2), byPath, expectedRounds, onlyReconcile };
    };
    process.stderr.write(`idle: live and quiet after ${signInToQuietMs} ms; counting wake-ups for ${WAKE_SECONDS} s…\n`);
    const wake = await measure(WAKE_SECONDS, true);
    process.stderr.write(`idle: ${wake.wakeups?.perMinute.wakeups ?? '?'} wake-ups/min; measuring CPU for ${SECONDS} s…\n`);
    const cpu = await measure(SECONDS, false);
    const loadAfter = loadavg();

    const wakeups = wake.wakeups;
    const cpuPass = cpu.cpuPercent <= MAX_CPU_PERCENT;
    const requestsPass = wake.onlyReconcile && cpu.onlyReconcile;
    const requestsPerMinute = round(((wake.requests + cpu.requests) * 60_000) / (wake.ms + cpu.ms), 2);
    const perRound = round((wake.requests + cpu.requests) / Math.max(1, wake.reconcileRounds + cpu.reconcileRounds), 2);
    const results = {
      ...resultHeader('idle', loadBefore, loadAfter),
      setup: {
        what: 'one DeskService (default settings) signed in as a receptionist to the demo clinic (scenario off), live, subscribed, caught up, quiet for 2 s; desk and clinic in processes of their own',
        reconcileIntervalSec: RECONCILE_SEC,
        windows: { wakeupsSec: WAKE_SECONDS, cpuSec: SECONDS },
        wakeups: 'async_hooks before/after in the desk process: callbacks at depth 0 that are not promise reactions; a wake-up is one starting > 1 ms after the previous ended; named by creation site (stack at init)',
        cpu: 'process.cpuUsage() of the desk process over the CPU window, hooks off; percent of one core',
        requests: "the clinic's request log over each window against the desk's reconciliation request counter (diagnostics)",
        signInToQuietMs,
      },
      cpu: { percentOfOneCore: cpu.cpuPercent, cpuMs: cpu.cpuMs, windowMs: cpu.ms, eventLoopUtilization: cpu.eventLoopUtilization, target: `<= ${MAX_CPU_PERCENT}%`, pass: cpuPass, withHooksPercent: wake.cpuPercent },
      wakeups: wakeups === null ? null : { perMinute: wakeups.perMinute.wakeups, callbacksPerMinute: wakeups.perMinute.callbacks, windowMs: round(wakeups.ms), sources: wakeups.sources.map((s) => ({ ...s, perMinute: round((s.wakeups * 60_000) / wakeups.ms, 1) })) },
      requests: { perMinute: requestsPerMinute, perReconciliation: perRound, onlyReconciliation: requestsPass, windows: [wake, cpu].map((w) => ({ ms: w.ms, requests: w.requests, byPath: w.byPath, reconcileRounds: w.reconcileRounds, expectedRounds: w.expectedRounds, reconcileRequests: w.reconcileRequests, deskEvents: w.deskEvents })) },
      contention: { wakeupWindow: wake.load, cpuWindow: cpu.load },
    };
    const heads = [
      headline('idle: CPU of one core', cpu.cpuPercent, '%', `<= ${MAX_CPU_PERCENT}%`, cpuPass),
      headline('idle: event-loop wake-ups', wakeups?.perMinute.wakeups ?? Number.NaN, '/min'),
      headline('idle: REST requests (reconciliation only)', requestsPerMinute, '/min', `only the reconciliation's (every ${RECONCILE_SEC} s)`, requestsPass),
    ];
    const out = writeResults('idle', results, heads);
    const top = (wakeups?.sources ?? []).slice(0, 6);
    printTable(`idle benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}; other processes ${cpu.load.otherCores} cores during the CPU window`, [
      ['CPU of the desk process, one core', `${fmt(cpu.cpuPercent, 3)} %`, `${fmt(cpu.cpuMs, 1)} ms in ${fmt(cpu.ms / 1000, 1)} s; target <= ${MAX_CPU_PERCENT}%: ${passMiss(cpuPass)}`],
      ['event-loop wake-ups', `${fmt(wakeups?.perMinute.wakeups ?? Number.NaN, 1)} /min`, `${fmt(wakeups?.perMinute.callbacks ?? Number.NaN, 1)} callbacks/min`],
      ...top.map((s): [string, string, string] => [`  ${s.source}`, `${fmt((s.wakeups * 60_000) / (wakeups?.ms ?? 1), 1)} /min`, `${s.callbacks} callbacks`]),
      ['REST requests', `${fmt(requestsPerMinute, 1)} /min`, `${perRound} per reconciliation; only the reconciliation's: ${passMiss(requestsPass)}`],
    ]);
    process.stdout.write(`results: ${out}\n`);
  } finally {
    await child.stop();
    await clinic.stop();
  }
}

if (process.env['CLINIC_DESK_IDLE_PROBE'] === '1') {
  serve(probe, async () => {
    counter?.stop();
    await desk?.close();
  });
} else await parent();
