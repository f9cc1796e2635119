/**
 * Working-day benchmark: `node bin/run-ts.mjs bench/working-day.bench.ts [--events N] [--minutes N] [--reconnect-every N] [--seed N] [--no-renderer] [--out FILE] [--snapshots DIR]`.
 *
 * Issue 14, target 5: a working day without growth. An 8-hour clinic day
 * (08:00–16:00) compressed into `--minutes` (7) wall-clock minutes: `--events`
 * (144,000) broadcasts to one receptionist's desk at a mixed rate (a morning
 * peak, a lunch lull, the afternoon, bursts), of every kind the desk receives
 * (notifications, appointment updates, consultation status, messages, typing
 * whispers), colleagues joining and leaving the clinic's presence channel, and
 * the socket server restarted every `--reconnect-every` (30) compressed
 * minutes: 16 restarts, each with a few notifications created while it is
 * down. The plan is seeded (`--seed`, default 20261206). See
 * support/working-day.ts for how it runs (three processes, the desk's with
 * `--expose-gc`; Chromium through the preview host unless `--no-renderer`).
 *
 * Measured: the desk process's V8 heap after full GCs at the start (signed
 * in, synced, warmed up by 2% of the events and one restart) and at the end,
 * with a sample each compressed hour, and its RSS; the renderer's JS heap
 * after GC (CDP) at the same points; every event announced by the desk once
 * (per kind, against what the clinic published, the missed notifications
 * caught up); the time back to Live after each restart (socket server
 * listening → the desk says Live, which it does only once caught up).
 * Targets: core heap within 5 MB of the start, renderer heap within 10 MB.
 * `--snapshots DIR` writes heap snapshots of the desk process at the start and
 * the end, and of the page with the renderer (renderer-start/-end), to compare
 * object counts when a heap grows.
 * Writes bench/results/working-day.json (headline first) and prints a table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, loadavg, passMiss, printTable, resultHeader, round, writeResults } from './support/report';
import { runWorkingDay } from './support/working-day';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    minutes: { type: 'string' },
    'reconnect-every': { type: 'string' },
    seed: { type: 'string' },
    'no-renderer': { type: 'boolean' },
    out: { type: 'string' },
    snapshots: { type: 'string' },
  },
});

function positive(name: string, raw: string | undefined, fallback: number): number {
  const value = Number(raw ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number, not ${raw}`);
  return value;
}

const EVENTS = Math.round(positive('events', values.events, 144_000));
const MINUTES = positive('minutes', values.minutes, 7);
const RECONNECT_EVERY = Math.round(positive('reconnect-every', values['reconnect-every'], 30));
const SEED = Math.round(positive('seed', values.seed, 20261206));
const TARGET_CORE_MB = 5;
const TARGET_RENDERER_MB = 10;

const loadBefore = loadavg();
const r = await runWorkingDay({
  events: EVENTS,
  minutes: MINUTES,
  reconnectEvery: RECONNECT_EVERY,
  seed: SEED,
  renderer: values['no-renderer'] !== true,
  log: (line) => process.stderr.write(`${line}\n`),
  ...(values.snapshots === undefined ? {} : { snapshotDir: path.resolve(values.snapshots) }),
});
const loadAfter = loadavg();

const corePass = r.growth.coreHeapMB <= TARGET_CORE_MB;
const rendererPass = r.growth.rendererHeapMB === null ? null : r.growth.rendererHeapMB <= TARGET_RENDERER_MB;
const lost = Object.values(r.delivery.difference).reduce((s, d) => s + Math.abs(d), 0) + r.delivery.duplicateNotifications;
const expectedRestarts = Math.floor(480 / RECONNECT_EVERY);
const mb = (bytes: number) => round(bytes / 2 ** 20, 2);

// The shape `npm run bench -- all` reads (bench/support/report.ts `Headline`).
const headline = [
  { figure: 'core heap growth over the day (after GC)', value: r.growth.coreHeapMB, unit: 'MB', target: `<= ${TARGET_CORE_MB} MB`, pass: corePass },
  ...(r.growth.rendererHeapMB === null ? [] : [{ figure: 'renderer heap growth over the day (after GC)', value: r.growth.rendererHeapMB, unit: 'MB', target: `<= ${TARGET_RENDERER_MB} MB`, pass: rendererPass }]),
  { figure: 'events lost or announced twice', value: lost, unit: 'events', target: '0', pass: r.delivery.exactlyOnce },
  { figure: 'socket restarts back to Live', value: r.reconnects.backToLive, unit: 'restarts', target: `${expectedRestarts} of ${expectedRestarts}`, pass: r.reconnects.backToLive === expectedRestarts },
  { figure: 'time back to Live after a restart, max', value: r.reconnects.summary.max, unit: 'ms', target: null, pass: null },
];

const results = {
  headline,
  ...resultHeader('working-day', loadBefore, loadAfter),
  indicative: 'taken on a shared 2-core machine; final figures come from a quiet one',
  ...r,
  targets: { coreHeapGrowthMB: TARGET_CORE_MB, rendererHeapGrowthMB: TARGET_RENDERER_MB },
};
let out: string;
if (values.out === undefined) out = writeResults('working-day', results);
else {
  out = path.resolve(values.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
}

const d = r.delivery;
printTable(`working-day benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}; ${fmt(EVENTS)} events over ${MINUTES} min, restart every ${RECONNECT_EVERY} compressed min (indicative)`, [
  ['core heap after GC: start → end', `${mb(r.start.core.heapUsed)} → ${mb(r.end.core.heapUsed)} MB`, `growth ${r.growth.coreHeapMB} MB, target <= ${TARGET_CORE_MB} MB: ${passMiss(corePass)}`],
  ['core heap per compressed hour', r.hours.map((h) => mb(h.core.heapUsed)).join(' '), 'MB, 09:00 … 16:00'],
  ['core RSS: start → end', `${mb(r.start.core.rss)} → ${mb(r.end.core.rss)} MB`, `growth ${r.growth.coreRssMB} MB (SQLite page cache and allocator are native)`],
  ...(r.start.renderer && r.end.renderer
    ? ([
        ['renderer heap after GC: start → end', `${mb(r.start.renderer.usedSize)} → ${mb(r.end.renderer.usedSize)} MB`, `growth ${r.growth.rendererHeapMB} MB, target <= ${TARGET_RENDERER_MB} MB: ${passMiss(rendererPass === true)}`],
        ['renderer heap per compressed hour', r.hours.map((h) => (h.renderer ? mb(h.renderer.usedSize) : '-')).join(' '), 'MB'],
      ] as Array<[string, string, string]>)
    : []),
  ['published (incl. warm-up) / announced', `${fmt(Object.values(d.published).reduce((a, b) => a + b, 0) + d.missed)} / ${fmt(Object.values(d.announced).reduce((a, b) => a + b, 0))}`, `exactly once: ${d.exactlyOnce ? 'yes' : 'NO'}; per kind ${JSON.stringify(d.difference)} off`],
  ['notifications missed during restarts', `${d.missed}`, `cached rows added ${fmt(d.cachedNotificationsAdded)} (= published + missed)`],
  ['restarts back to Live', `${r.reconnects.backToLive} of ${expectedRestarts}`, `listening → Live p50 ${fmt(r.reconnects.summary.p50)} / max ${fmt(r.reconnects.summary.max)} ms`],
  ['presence changes', `${d.presence.changes}`, `joined ${d.presence.joined}, left ${d.presence.left}; online at the end: expected ${JSON.stringify(d.presence.onlineExpected)}, seen ${JSON.stringify(d.presence.onlineSeen)}`],
  ['publisher lag, max', `${fmt(r.publisher.maxLagMs)} ms`, `wall ${fmt(r.wallMs / 1000, 1)} s`],
]);
process.stdout.write(`results: ${out}\n`);
