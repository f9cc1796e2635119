/**
 * A compressed working day against one desk (bench/working-day.bench.ts, and
 * its seeded short version in tests/integration/bench/working-day.test.ts).
 *
 * Three processes, as the socket benchmarks are built (bench/README.md): the
 * demo clinic (support/clinic-host.ts, the day's publisher in
 * working-day-clinic.ts), the desk (support/working-day-desk.ts, started with
 * `--expose-gc`; with `renderer`, the preview host on the same core), and this
 * one, which plans the day, paces it segment by segment, restarts the socket
 * server every `reconnectEvery` compressed minutes and reads the heaps.
 * With `renderer`, Debian's Chromium (playwright-core) shows the desk through
 * the preview host and its heap is read over CDP after a collection.
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { Rng } from '../../src/main/demo/rng';
import { Remote, hr } from './ipc';
import { startClinic, type RemoteClinic } from './remote';
import { round, sleep, summarize, type Summary } from './report';
import { DAY_KINDS, zeroCounts, type DaySegment, type KindCounts } from './working-day-clinic';
import type { HeapReading, WorkingDayDeskHandlers } from './working-day-desk';

export const DESK_EMAIL = 'reception1@northside.clinic.test';
/** 08:00 to 16:00. */
export const DAY_MINUTES = 480;
const MB = 1024 * 1024;

export interface WorkingDayOptions {
  events: number;
  /** Wall-clock minutes the 8-hour day takes (the pauses for reconnects come on top). */
  minutes: number;
  /** The socket server restarts every this many compressed minutes (30: 16 restarts in 8 hours). */
  reconnectEvery: number;
  seed: number;
  /** Chromium through the preview host too. */
  renderer: boolean;
  /** Notifications created while the socket server is down, per restart (caught up over REST). */
  missedPerRestart?: number;
  /** Wall-clock time the socket server stays down (default 500 ms). */
  downMs?: number;
  /** Events before the start reading (default 2% of the day, at least 500), with one restart: the start is warmed up. */
  warmupEvents?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Writes heap snapshots of the desk process (and of the page, with `renderer`) at the start and the end into this directory (to find what grows). */
  snapshotDir?: string;
}

export interface DayPlan {
  perMinute: number[];
  presence: Array<{ minute: number; userId: number; join: boolean }>;
}

/**
 * The day's load per compressed minute (08:00 + m): a morning ramp to a
 * peak from 09:00 to 11:30, a lunch lull 12:00–13:00, a steady afternoon,
 * winding down after 15:00; each minute jittered ±30% and one in twenty a
 * burst of three times its rate. Scaled to exactly `events`.
 */
function rateAt(minute: number): number {
  const h = 8 + minute / 60;
  if (h < 9) return 0.6 + 0.9 * (h - 8);
  if (h < 11.5) return 1.5;
  if (h < 12) return 1.0;
  if (h < 13) return 0.3;
  if (h < 15) return 1.1;
  return 0.7;
}

export function planDay(events: number, seed: number, colleagues: readonly number[], minutes = DAY_MINUTES): DayPlan {
  const rng = new Rng(seed);
  const weights = Array.from({ length: minutes }, (_, m) => rateAt(m) * (0.7 + 0.6 * rng.next()) * (rng.chance(0.05) ? 3 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * events);
  const perMinute = exact.map(Math.floor);
  // Largest remainders first, so the day has exactly `events`.
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  let missing = events - perMinute.reduce((a, b) => a + b, 0);
  for (const [, i] of order) {
    if (missing <= 0) break;
    perMinute[i] = (perMinute[i] ?? 0) + 1;
    missing--;
  }
  // Presence churn: every 10 compressed minutes a colleague comes online (up to three at once) or leaves.
  const presence: DayPlan['presence'] = [];
  const online = new Set<number>();
  for (let m = 5; m < minutes; m += 10) {
    const offline = colleagues.filter((id) => !online.has(id));
    const join = online.size === 0 || (offline.length > 0 && online.size < 3 && rng.chance(0.6));
    const userId = join ? rng.pick(offline) : rng.pick([...online].sort((a, b) => a - b));
    if (join) online.add(userId);
    else online.delete(userId);
    presence.push({ minute: m, userId, join });
  }
  return { perMinute, presence };
}

export interface RendererHeap {
  at: number;
  usedSize: number;
  totalSize: number;
}

export interface HourSample {
  hour: number;
  /** Compressed minutes since 08:00. */
  minute: number;
  core: HeapReading;
  renderer: RendererHeap | null;
}

export interface WorkingDayResult {
  options: Required<Omit<WorkingDayOptions, 'log' | 'snapshotDir'>>;
  plan: { perHour: number[]; peakPerMinute: number; lullPerMinute: number; presenceChanges: number };
  signInMs: number;
  start: { core: HeapReading; renderer: RendererHeap | null };
  end: { core: HeapReading; renderer: RendererHeap | null };
  hours: HourSample[];
  growth: { coreHeapMB: number; coreRssMB: number; rendererHeapMB: number | null };
  /** Before the start reading (counted in `delivery` too): what was published, missed, and its restart. */
  warmup: { published: KindCounts; missed: number; timeToLiveMs: number[] };
  /** From the warm-up on (both counted): every event published, and the notifications missed during restarts. */
  delivery: {
    published: KindCounts;
    missed: number;
    announced: KindCounts;
    /** announced − expected per kind (0 everywhere: each once). */
    difference: KindCounts;
    duplicateNotifications: number;
    cachedNotificationsAdded: number;
    wire: Record<string, number>;
    presence: { changes: number; joined: number; left: number; replaced: number; onlineExpected: number[]; onlineSeen: number[] };
    failedBroadcasts: number;
    exactlyOnce: boolean;
  };
  reconnects: { count: number; backToLive: number; timeToLiveMs: number[]; summary: Summary; fromStopMs: number[] };
  publisher: { maxLagMs: number };
  wallMs: number;
  status: string;
  deskWarnings: number;
  deskErrors: string[];
}

interface Browsing {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
}

async function openRenderer(url: string): Promise<Browsing> {
  const { launchChromium, openPage } = await import('./dashboard-preview');
  const browser = await launchChromium();
  try {
    const { context, page } = await openPage(browser, '');
    await page.goto(url);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: 60_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    return { browser, context, page, cdp };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The page's JS heap after two full collections (CDP `HeapProfiler.collectGarbage`, `Runtime.getHeapUsage`). */
async function rendererHeap(b: Browsing): Promise<RendererHeap> {
  for (let i = 0; i < 2; i++) {
    await b.cdp.send('HeapProfiler.collectGarbage');
    await sleep(50);
  }
  const usage = await b.cdp.send('Runtime.getHeapUsage');
  return { at: hr(), usedSize: usage.usedSize, totalSize: usage.totalSize };
}

/** Writes a heap snapshot of the page (CDP `HeapProfiler.takeHeapSnapshot`, its chunks joined) after a collection; returns its path. */
async function rendererSnapshot(b: Browsing, file: string): Promise<string> {
  const { createWriteStream } = await import('node:fs');
  await b.cdp.send('HeapProfiler.collectGarbage');
  const out = createWriteStream(file);
  const onChunk = ({ chunk }: { chunk: string }) => void out.write(chunk);
  b.cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await b.cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    b.cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return file;
}

const mb = (bytes: number) => round(bytes / MB, 2);

export async function runWorkingDay(options: WorkingDayOptions): Promise<WorkingDayResult> {
  const log = options.log ?? (() => undefined);
  const missedPerRestart = options.missedPerRestart ?? 5;
  const downMs = options.downMs ?? 500;
  const warmupEvents = options.warmupEvents ?? Math.max(500, Math.round(options.events * 0.02));
  const minuteMs = (options.minutes * 60_000) / DAY_MINUTES;
  const wall0 = hr();

  const clinic: RemoteClinic = await startClinic();
  const desk = Remote.start<WorkingDayDeskHandlers>('desk', 'bench/support/working-day-desk.ts', { execArgv: ['--expose-gc'] });
  let browsing: Browsing | null = null;
  try {
    const targets = await clinic.call.dayPrepare(DESK_EMAIL);
    if (options.renderer) {
      const { ensureRenderer } = await import('./dashboard-preview');
      await ensureRenderer();
    }
    const started = await desk.call.start(clinic.info, DESK_EMAIL, { preview: options.renderer });
    if (options.renderer) {
      if (started.url === null) throw new Error('the desk started no preview host');
      browsing = await openRenderer(started.url);
    }
    const plan = planDay(options.events, options.seed, targets.colleagues);

    let missed = 0;
    let maxLagMs = 0;
    const base = await desk.call.counts();
    const baseCached = (await desk.call.state()).cachedNotifications;
    const timeToLive: number[] = [];
    const fromStop: number[] = [];

    /** Waits until the desk announced everything published (and caught up what was missed); bounded. */
    const delivered = async (ms = 60_000): Promise<void> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const [pub, got] = await Promise.all([clinic.call.dayCounts(), desk.call.counts()]);
        const behind = DAY_KINDS.some((k) => got.announced[k] - base.announced[k] < pub.published[k] + (k === 'notification' ? missed : 0));
        if (!behind || Date.now() > deadline) return;
        await sleep(50);
      }
    };

    const restart = async (): Promise<void> => {
      const stop = await clinic.call.stopRealtime();
      missed += await clinic.call.dayMissed(missedPerRestart);
      const downFor = downMs - (hr() - stop.stoppedAt);
      if (downFor > 0) await sleep(downFor);
      const back = await clinic.call.startRealtime();
      const live = await desk.call.liveAfter(stop.calledAt, 60_000);
      timeToLive.push(live.liveAt - back.listeningAt);
      fromStop.push(live.liveAt - stop.calledAt);
      await delivered();
    };

    const sample = async (): Promise<{ core: HeapReading; renderer: RendererHeap | null }> => {
      const core = await desk.call.heap();
      const renderer = browsing ? await rendererHeap(browsing) : null;
      return { core, renderer };
    };

    const segment = async (seed: number, perMinute: number[], presence: DaySegment['presence']): Promise<void> => {
      const r = await clinic.call.daySegment({ seed, perMinute, minuteMs, presence });
      maxLagMs = Math.max(maxLagMs, r.maxLagMs);
      await delivered();
    };

    // Warm-up: the same mix at the day's mean rate, a colleague in and out, one restart.
    const warmMinutes = Math.max(1, Math.round(warmupEvents / (options.events / DAY_MINUTES)));
    const warmPer = Array.from({ length: warmMinutes }, (_, i) => Math.floor(warmupEvents / warmMinutes) + (i < warmupEvents % warmMinutes ? 1 : 0));
    const someone = targets.colleagues[0];
    log(`warm-up: ${warmupEvents} events over ${warmMinutes} compressed minutes, one restart`);
    await segment(options.seed * 7 + 1, warmPer, someone === undefined ? [] : [{ minute: 0, userId: someone, join: true }, { minute: Math.max(0, warmMinutes - 1), userId: someone, join: false }]);
    await restart();
    await sleep(500);
    const warm = { published: (await clinic.call.dayCounts()).published, missed, timeToLiveMs: timeToLive.splice(0).map((t) => round(t)) };
    fromStop.length = 0;

    const start = await sample();
    if (options.snapshotDir) {
      log(`snapshot: ${await desk.call.snapshot(`${options.snapshotDir}/start.heapsnapshot`)}`);
      if (browsing) log(`snapshot: ${await rendererSnapshot(browsing, `${options.snapshotDir}/renderer-start.heapsnapshot`)}`);
    }
    log(`start: core heap ${mb(start.core.heapUsed)} MB, RSS ${mb(start.core.rss)} MB${start.renderer ? `, renderer heap ${mb(start.renderer.usedSize)} MB` : ''}`);
    const hours: HourSample[] = [];
    const reconnectAt = new Set<number>();
    for (let m = options.reconnectEvery; m <= DAY_MINUTES; m += options.reconnectEvery) reconnectAt.add(m);
    const boundaries = [...new Set([...reconnectAt, ...Array.from({ length: DAY_MINUTES / 60 }, (_, i) => (i + 1) * 60)])].sort((a, b) => a - b);
    let from = 0;
    for (const [index, to] of boundaries.entries()) {
      await segment(options.seed * 1000 + index, plan.perMinute.slice(from, to), plan.presence.filter((p) => p.minute >= from && p.minute < to).map((p) => ({ ...p, minute: p.minute - from })));
      if (reconnectAt.has(to)) await restart();
      if (to % 60 === 0) {
        const s = await sample();
        hours.push({ hour: to / 60, minute: to, ...s });
        log(`${String(8 + to / 60).padStart(2, '0')}:00  core heap ${mb(s.core.heapUsed)} MB, RSS ${mb(s.core.rss)} MB${s.renderer ? `, renderer heap ${mb(s.renderer.usedSize)} MB` : ''}; restarts ${timeToLive.length}, last back to Live in ${round(timeToLive[timeToLive.length - 1] ?? Number.NaN)} ms`);
      }
      from = to;
    }
    const last = hours[hours.length - 1];
    const end = last ? { core: last.core, renderer: last.renderer } : await sample();
    if (options.snapshotDir) {
      log(`snapshot: ${await desk.call.snapshot(`${options.snapshotDir}/end.heapsnapshot`)}`);
      if (browsing) log(`snapshot: ${await rendererSnapshot(browsing, `${options.snapshotDir}/renderer-end.heapsnapshot`)}`);
    }

    const [pub, got, state, online] = await Promise.all([clinic.call.dayCounts(), desk.call.counts(), desk.call.state(), clinic.call.colleaguesOnline()]);
    const announced = zeroCounts();
    const difference = zeroCounts();
    for (const k of DAY_KINDS) {
      announced[k] = got.announced[k] - base.announced[k];
      difference[k] = announced[k] - pub.published[k] - (k === 'notification' ? missed : 0);
    }
    const cachedAdded = state.cachedNotifications - baseCached;
    const onlineSeen = state.online.filter((id) => id !== targets.userId);
    const exactlyOnce = DAY_KINDS.every((k) => difference[k] === 0) && got.duplicateNotifications === 0 && cachedAdded === pub.published.notification + missed;
    const perHour = Array.from({ length: DAY_MINUTES / 60 }, (_, h) => plan.perMinute.slice(h * 60, h * 60 + 60).reduce((a, b) => a + b, 0));
    return {
      options: { events: options.events, minutes: options.minutes, reconnectEvery: options.reconnectEvery, seed: options.seed, renderer: options.renderer, missedPerRestart, downMs, warmupEvents },
      plan: { perHour, peakPerMinute: Math.max(...plan.perMinute), lullPerMinute: Math.min(...plan.perMinute), presenceChanges: plan.presence.length },
      signInMs: round(started.signInMs),
      start,
      end,
      hours,
      growth: {
        coreHeapMB: mb(end.core.heapUsed - start.core.heapUsed),
        coreRssMB: mb(end.core.rss - start.core.rss),
        rendererHeapMB: end.renderer && start.renderer ? mb(end.renderer.usedSize - start.renderer.usedSize) : null,
      },
      warmup: warm,
      delivery: {
        published: pub.published,
        missed,
        announced,
        difference,
        duplicateNotifications: got.duplicateNotifications,
        cachedNotificationsAdded: cachedAdded,
        wire: got.wire,
        presence: { changes: plan.presence.length + 2, joined: got.presence.joined - base.presence.joined, left: got.presence.left - base.presence.left, replaced: got.presence.replaced - base.presence.replaced, onlineExpected: online, onlineSeen },
        failedBroadcasts: pub.failed,
        exactlyOnce,
      },
      reconnects: { count: timeToLive.length, backToLive: timeToLive.length, timeToLiveMs: timeToLive.map((t) => round(t)), summary: summarize(timeToLive), fromStopMs: fromStop.map((t) => round(t)) },
      publisher: { maxLagMs: round(maxLagMs) },
      wallMs: round(hr() - wall0),
      status: state.status,
      deskWarnings: state.warnings,
      deskErrors: state.errors,
    };
  } finally {
    if (browsing) await browsing.browser.close().catch(() => undefined);
    await desk.stop();
    await clinic.stop();
  }
}
