/**
 * Staff-actions benchmark: `node bin/run-ts.mjs bench/actions.bench.ts [--actions N] [--interval-ms N] [--warmup N] [--no-mix] [--out FILE]`.
 *
 * Issue 15: "action → the other desk's paint, p50/p99, through the demo
 * server (target p99 ≤ 250 ms on loopback)". One embedded demo clinic (seed
 * 42, no scenario) and two desks on it, each its own `DeskService`, preview
 * host and Chromium page (Debian's, via playwright-core; the real renderer,
 * out/renderer, built when stale): reception1 and doctor1, each signed in
 * through its page with "Try the demo clinic" (bench/support/actions.ts has
 * the clinic, the desks, the plan and the pacing).
 *
 * `--actions` (60) check-ins by reception of the doctor's upcoming
 * appointments (the doctor's day topped up to that many), one action every
 * `--interval-ms` (250) so none waits behind another, each moved by a seeded
 * 0–17 ms so they meet the pages' frame clock at every phase (250 ms is 15
 * frames at 60 Hz); unless `--no-mix`, the
 * check-ins are followed in turn by reception's undo, no-show or cancel, and
 * by the doctor's start and completion of the consultation or call-in (about
 * as many again). A first cycle of `--warmup` (6) appointments with their
 * follow-ups goes first and is left out of the figures.
 *
 * Per action, from the moment just before the acting desk is called in Node:
 * the acting desk's answer (`done`); the other desk's core announcing it
 * (`appointment.updated` with the new status; a call-in: the notification at
 * reception's core, and the doctor's whisper); the other desk's page getting
 * the bridge frame, its card's `data-status` changing and the frame that
 * painted it (bench/support/dashboard-page.ts's init script; page clocks
 * mapped to Node's with round trips before and after the run); and the
 * acting desk's own card showing the pending action, painted.
 * Target: check-in → the other desk's paint, p99 ≤ 250 ms, every action
 * delivered once. Writes bench/results/actions.json (headline first) and
 * prints a table.
 */
import { parseArgs } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { z } from 'zod';
import { rendererDir } from '../src/main/preview/build-renderer';
import { startPreviewHost, type PreviewHost } from '../src/main/preview/server';
import { SLOT_JITTER_MS, awaitDelivery, delivered, planActions, runActions, startActionsRig, type Actor, type ActionsRig, type StepKind, type StepRecord } from './support/actions';
import { INSTRUMENT, clockOffset, readBoard, type BoardData } from './support/dashboard-page';
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT, ensureRenderer, launchChromium, openPage, signInDemoAs } from './support/dashboard-preview';
import { ROOT } from './support/ipc';
import { contention, fmt, headline, loadavg, passMiss, printTable, processTreeCpuMs, resultHeader, round, sleep, summarize, until, writeResults, type Summary } from './support/report';

const { values } = parseArgs({
  options: {
    actions: { type: 'string' },
    'interval-ms': { type: 'string' },
    warmup: { type: 'string' },
    'no-mix': { type: 'boolean' },
    out: { type: 'string' },
  },
});

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes a whole number >= ${min}, not ${raw}`);
  return value;
}

const ACTIONS = count('actions', values.actions, 60, 1);
const INTERVAL_MS = count('interval-ms', values['interval-ms'], 250, 1);
const WARMUP = count('warmup', values.warmup, 6, 0);
const MIX = values['no-mix'] !== true;
const TARGET_P99_MS = 250;
/** After sign-in, before the first action: the sign-in's own work (catch-up, snapshot saves, highlights) ends. */
const SETTLE_MS = 2_000;

interface DeskView {
  actor: Actor;
  host: PreviewHost;
  context: BrowserContext;
  page: Page;
}

const countCards = (page: Page, ids: readonly number[]) =>
  page.evaluate(`${JSON.stringify(ids)}.filter((id) => document.querySelector('[data-appointment-id="' + id + '"]') !== null).length`).then((n) => z.number().parse(n));

/** A page's records mapped to Node's clock: the first of `key` at or after `since` (Node epoch, less the clock's error). */
class PageTimes {
  private readonly board = new Map<string, Array<{ domAt: number; paintAt: number | null }>>();
  private readonly frames = new Map<string, number[]>();

  constructor(
    data: BoardData,
    readonly offsetMs: number,
    readonly errorMs: number,
  ) {
    const toNode = (pageAt: number) => data.timeOrigin + pageAt - offsetMs;
    for (const [id, status, mutatedAt, paintedAt] of data.board) {
      const list = this.board.get(`${id}:${status}`) ?? [];
      list.push({ domAt: toNode(mutatedAt), paintAt: paintedAt === null ? null : toNode(paintedAt) });
      this.board.set(`${id}:${status}`, list);
    }
    for (const [id, status, at] of data.bridge) {
      const list = this.frames.get(`${id}:${status}`) ?? [];
      list.push(toNode(at));
      this.frames.set(`${id}:${status}`, list);
    }
  }

  card(id: number, status: string, since: number) {
    return this.board.get(`${id}:${status}`)?.find((e) => e.domAt >= since - this.errorMs) ?? null;
  }

  frame(id: number, status: string, since: number): number | null {
    return this.frames.get(`${id}:${status}`)?.find((at) => at >= since - this.errorMs) ?? null;
  }
}

interface Timed {
  index: number;
  kind: StepKind;
  actor: Actor;
  appointmentId: number;
  to: string | null;
  warmup: boolean;
  lagMs: number;
  answerMs: number | null;
  otherCoreMs: number | null;
  otherCoreCount: number;
  whisperMs: number | null;
  otherFrameMs: number | null;
  otherDomMs: number | null;
  otherPaintMs: number | null;
  ownPaintMs: number | null;
  error: string | null;
}

const since = (at: number | null | undefined, from: number) => (at === null || at === undefined ? null : round(at - from));

function timeStep(rig: ActionsRig, r: StepRecord, pages: Record<Actor, PageTimes>): Timed {
  const other = pages[r.actor === 'reception' ? 'doctor' : 'reception'];
  const own = pages[r.actor];
  const d = delivered(rig, r);
  const card = r.to === null ? null : other.card(r.appointmentId, r.to, r.sentAt);
  const ownCard = r.to === null ? null : own.card(r.appointmentId, r.to, r.sentAt);
  return {
    index: r.index,
    kind: r.kind,
    actor: r.actor,
    appointmentId: r.appointmentId,
    to: r.to,
    warmup: r.warmup,
    lagMs: round(r.lagMs),
    answerMs: since(r.answerAt, r.sentAt),
    otherCoreMs: since(d.otherCoreAt, r.sentAt),
    otherCoreCount: d.otherCoreCount,
    whisperMs: since(d.whisperAt, r.sentAt),
    otherFrameMs: r.to === null ? null : since(other.frame(r.appointmentId, r.to, r.sentAt), r.sentAt),
    otherDomMs: since(card?.domAt, r.sentAt),
    otherPaintMs: since(card?.paintAt, r.sentAt),
    ownPaintMs: since(ownCard?.paintAt, r.sentAt),
    error: r.error,
  };
}

const present = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);

function figures(steps: readonly Timed[]) {
  return {
    n: steps.length,
    answer: summarize(present(steps.map((s) => s.answerMs))),
    otherCore: summarize(present(steps.map((s) => s.otherCoreMs))),
    otherFrame: summarize(present(steps.map((s) => s.otherFrameMs))),
    otherDom: summarize(present(steps.map((s) => s.otherDomMs))),
    otherPaint: summarize(present(steps.map((s) => s.otherPaintMs))),
    ownPaint: summarize(present(steps.map((s) => s.ownPaintMs))),
    whisper: summarize(present(steps.map((s) => s.whisperMs))),
  };
}

async function measure() {
  const built = await ensureRenderer();
  const browser = await launchChromium();
  const rig = await startActionsRig({ appointments: WARMUP + ACTIONS });
  const views: DeskView[] = [];
  try {
    for (const actor of ['reception', 'doctor'] as const) {
      const d = rig[actor];
      const host = await startPreviewHost({ rendererDir: rendererDir(ROOT), desk: d.desk, logger: d.logger });
      const { context, page } = await openPage(browser, INSTRUMENT);
      views.push({ actor, host, context, page });
      await signInDemoAs(page, host.url, actor === 'reception' ? 'Reception' : 'Doctor');
    }
    await rig.ready();
    const ids = rig.appointments.map((a) => a.id);
    for (const v of views) await until(async () => (await countCards(v.page, ids)) === ids.length, 30_000, `the ${ids.length} appointments on the ${v.actor}'s page`, 50);
    await sleep(SETTLE_MS);
    for (const v of views) {
      await readBoard(v.page, true);
      await v.page.evaluate('window.__dashBench.armBoard()');
    }

    const plan = planActions(rig.appointments, { mix: MIX, warmup: WARMUP });
    const before = await Promise.all(views.map((v) => clockOffset(v.page)));
    const cpu = contention();
    const cpu0 = processTreeCpuMs();
    const records = await runActions(rig, plan, INTERVAL_MS);
    await awaitDelivery(rig, records, 5_000);
    // Then every card change painted on the other desk's page, or 5 s.
    const changes = records.filter((r) => r.to !== null);
    await until(
      async () => {
        const painted = await Promise.all(views.map((v) => v.page.evaluate('window.__dashBench.board.filter((e) => e[3] !== null).map((e) => e[0] + ":" + e[1])')));
        const keys = new Set(painted.flatMap((p) => z.array(z.string()).parse(p)));
        return changes.every((r) => keys.has(`${r.appointmentId}:${r.to ?? ''}`));
      },
      5_000,
      'every card change painted',
      50,
    ).catch(() => undefined);
    const usage = cpu.stop(processTreeCpuMs() - cpu0);
    const after = await Promise.all(views.map((v) => clockOffset(v.page)));
    const data = await Promise.all(views.map((v) => readBoard(v.page, true)));

    const pages = {} as Record<Actor, PageTimes>;
    const clocks: Record<string, unknown> = {};
    views.forEach((v, i) => {
      const b = before[i];
      const a = after[i];
      const board = data[i];
      if (!b || !a || !board) throw new Error('a page was not read');
      const errorMs = Math.max(b.errorMs, a.errorMs) + Math.abs(a.offsetMs - b.offsetMs) / 2;
      pages[v.actor] = new PageTimes(board, (b.offsetMs + a.offsetMs) / 2, errorMs);
      clocks[v.actor] = { offsetBeforeMs: round(b.offsetMs, 3), offsetAfterMs: round(a.offsetMs, 3), errorMs: round(errorMs, 3), driftMs: round(a.offsetMs - b.offsetMs, 3) };
    });
    const timed = records.map((r) => timeStep(rig, r, pages));
    const errors = rig.errors();
    return { built, chromium: browser.version(), rig: { day: rig.day, appointments: rig.appointments.length, added: rig.added }, timed, usage, clocks, errors };
  } finally {
    for (const v of views) {
      await v.context.close();
      await v.host.close();
    }
    await rig.close();
    await browser.close();
  }
}

const row = (s: Summary) => `${fmt(s.p50, 1)} / ${fmt(s.p95, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const m = await measure();
  const measured = m.timed.filter((t) => !t.warmup);
  const faults = m.timed.filter((t) => t.error !== null || t.answerMs === null || t.otherCoreMs === null || t.otherCoreCount !== 1 || (t.to !== null && t.otherPaintMs === null) || (t.kind === 'call-in' && t.whisperMs === null));
  const kinds = [...new Set(measured.map((t) => t.kind))];
  const byKind = Object.fromEntries(kinds.map((k) => [k, figures(measured.filter((t) => t.kind === k))]));
  const checkIn = figures(measured.filter((t) => t.kind === 'check-in'));
  const cardChanges = figures(measured.filter((t) => t.to !== null));
  const pass = checkIn.otherPaint.p99 <= TARGET_P99_MS && checkIn.otherPaint.n === checkIn.n && faults.length === 0 && m.errors.length === 0;

  const header = resultHeader('actions', loadBefore);
  const results = {
    ...header,
    chromium: { version: m.chromium, executable: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: VIEWPORT, rendererBuiltNow: m.built },
    options: { actions: ACTIONS, intervalMs: INTERVAL_MS, slotJitterMs: SLOT_JITTER_MS, warmup: WARMUP, mix: MIX },
    setup: {
      processes: 'this Node process: the embedded demo clinic (REST API + socket server), two desk cores (DeskService via createPreviewDesk, each its own cache) and their two preview hosts; Chromium (headless) with one page per desk',
      desks: 'reception1@northside.clinic.test and doctor1@northside.clinic.test, each signed in through its page with "Try the demo clinic"',
      day: m.rig,
      timed: 'from just before desk.staffAction / desk.undoStaffAction is called in Node (Node performance.timeOrigin + now()); page times mapped with round trips before and after the run (clocks)',
      painted: 'MutationObserver on data-status of [data-appointment-id] → requestAnimationFrame → MessageChannel task: the end of the frame that shows the change',
      otherLoad: 'load.otherCores: CPU of every process but this one and its children (Chromium) during the run, in cores, from /proc',
    },
    load: { ...header.load, run: m.usage },
    clocks: m.clocks,
    checkIn: {
      what: "reception's check-in (desk.staffAction in Node) → the doctor's desk: core, page, DOM, paint; and reception's own answer and card",
      ...checkIn,
      target: { otherPaintP99Ms: TARGET_P99_MS },
      pass,
    },
    cardChanges: { what: 'every action that changes a card (all but call-in), the other desk', ...cardChanges },
    byKind,
    faults: faults.map((f) => ({ index: f.index, kind: f.kind, appointmentId: f.appointmentId, error: f.error, otherCoreCount: f.otherCoreCount, otherPaintMs: f.otherPaintMs })),
    deskErrors: m.errors,
    lagMaxMs: round(Math.max(0, ...m.timed.map((t) => t.lagMs))),
    steps: m.timed,
  };
  const heads = [
    headline("actions: check-in → the other desk's paint, p99", checkIn.otherPaint.p99, 'ms', `<= ${TARGET_P99_MS} ms`, pass),
    headline("actions: check-in → the other desk's paint, p50", checkIn.otherPaint.p50, 'ms'),
    headline("actions: check-in → the other desk's core, p99", checkIn.otherCore.p99, 'ms'),
    headline("actions: any card change → the other desk's paint, p99", cardChanges.otherPaint.p99, 'ms'),
  ];
  const file = writeResults(values.out ?? 'actions', results, heads);

  const kindRows: Array<[string, string, string?]> = kinds
    .filter((k) => k !== 'check-in')
    .map((k) => {
      const f = byKind[k];
      if (!f) return [k, ''];
      if (k === 'call-in') return [`${k} (${f.n}) → reception's core: notification / whisper, p50 / max`, `${fmt(f.otherCore.p50, 1)} / ${fmt(f.otherCore.max, 1)}; ${fmt(f.whisper.p50, 1)} / ${fmt(f.whisper.max, 1)} ms`];
      return [`${k} (${f.n}, ${k.endsWith('consultation') ? 'doctor → reception' : 'reception → doctor'}) → other paint, p50 / max`, `${fmt(f.otherPaint.p50, 1)} / ${fmt(f.otherPaint.max, 1)} ms`];
    });
  printTable(`actions: ${checkIn.n} check-ins (${measured.length} actions measured, ${m.timed.length} with the warm-up), one every ${INTERVAL_MS} ms; p50 / p95 / p99 / max`, [
    ["check-in → doctor's desk painted", row(checkIn.otherPaint), `target p99 <= ${TARGET_P99_MS} ms  ${passMiss(pass)}`],
    ["  → reception's answer (done)", row(checkIn.answer)],
    ["  → doctor's core (appointment.updated)", row(checkIn.otherCore)],
    ["  → doctor's page has the frame", row(checkIn.otherFrame)],
    ["  → doctor's card data-status", row(checkIn.otherDom)],
    ["  → reception's own card painted (pending)", row(checkIn.ownPaint)],
    ["every card change → other desk painted", row(cardChanges.otherPaint), `${cardChanges.n} actions`],
    ...kindRows,
    ['faults (not done, not delivered once, not painted)', String(faults.length), faults.length === 0 ? '' : JSON.stringify(results.faults.slice(0, 3))],
    ['other processes during the run', `${fmt(m.usage.otherCores, 2)} cores`, `this process + Chromium ${fmt(m.usage.ownCores, 2)}, machine ${fmt(m.usage.machineCores, 2)}`],
  ]);
  process.stdout.write(`results: ${file}\n`);
  if (m.errors.length > 0) throw new Error(`the desks logged errors: ${JSON.stringify(m.errors.slice(0, 3))}`);
}

await main();
