/**
 * Start benchmark: `node bin/run-ts.mjs bench/start.bench.ts [--rows N] [--appointments N] [--runs N]`.
 *
 * Issue 14, target 4: from process start to the cached board ready in the
 * core <= 150 ms with a 100,000-row cache. A cache file is built the way the
 * desk writes one (support/cache-rows.ts: `--rows` notifications, half
 * unread) plus today's board snapshot of `--appointments` (2,000, the
 * dashboard benchmark's board) saved with `saveSnapshot`, as the session
 * saves it, and the user it belongs to, as the desk keeps them. Then `--runs`
 * (7) fresh Node processes (support/start-probe.ts), each on its own copy of
 * the file: import the core, `loadConfig`, a DeskService with a saved token,
 * `resume()` (open the cache, restore every part from its snapshot; the
 * server, a closed port, confirms the token afterwards and is not waited
 * for), `getSnapshot()` with the board: ready.
 * Timed on CLOCK_MONOTONIC from just before the parent spawns the process,
 * and from the process's own start (`performance.now()` counts from it).
 * Two ways of loading the code: through tsx (the TypeScript sources, as the
 * benchmarks and the CLI in development run), and a rolldown bundle of the
 * probe as electron-vite builds the main process (the same bundler, so the
 * same tree-shaking: zod's locales, for one, are left out): our code and the pure-JS
 * packages of build/bundled-deps.ts in one file, the others (better-sqlite3)
 * loaded by Node from node_modules.
 * The preview's first cached paint is the dashboard benchmark's (bench/dashboard.bench.ts).
 * Writes bench/results/start.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rolldown } from 'rolldown';
import { Board } from '../src/shared/desk-state';
import type { Appointment, User } from '../src/shared/domain';
import { openCache } from '../src/main/core/cache/cache';
import { BUNDLED_DEPENDENCIES } from '../build/bundled-deps';
import { SIGNED_IN_USER, SignedInUser } from '../src/main/core/desk/desk-service';
import { buildCacheFile } from './support/cache-rows';
import { hr, ROOT } from './support/ipc';
import { fmt, headline, loadavg, median, passMiss, printTable, resultHeader, round, writeResults } from './support/report';

const { values } = parseArgs({ options: { rows: { type: 'string' }, appointments: { type: 'string' }, runs: { type: 'string' } } });
const ROWS = Number(values.rows ?? 100_000);
const APPOINTMENTS = Number(values.appointments ?? 2_000);
const RUNS = Number(values.runs ?? 7);
/** Target: process start → cached board ready in the core. */
const TARGET_MS = 150;

/** The server: a closed port, never waited for. */
const API_URL = 'http://127.0.0.1:9';
const USER: User = { id: 2, name: 'Reception One', email: 'reception1@northside.clinic.test', role: 'receptionist', clinic_id: 1, doctor_id: null, time_zone: 'UTC' };

function board(day: string, count: number): Board {
  const doctors = [31, 32, 33];
  const start = Date.parse(`${day}T06:00:00Z`);
  const appointments: Appointment[] = Array.from({ length: count }, (_, i) => ({
    id: 100_000 + i,
    clinic_id: 1,
    doctor_id: doctors[i % doctors.length] ?? 31,
    patient_id: 1_000 + (i % 400),
    patient_name: `Patient ${i % 400}`,
    status: 'scheduled',
    appointment_date: new Date(start + Math.floor(i / doctors.length) * ((16 * 3_600_000) / Math.ceil(count / doctors.length))).toISOString(),
    duration_minutes: 15,
    reason: 'Check-up',
    updated_at: new Date(start - 86_400_000).toISOString(),
  }));
  return { date: day, doctors: doctors.map((d) => ({ doctorId: d, name: `Dr. ${d}`, refreshSeconds: null })), appointments, syncedAt: new Date().toISOString(), stale: false };
}

interface Probe {
  processStart: number;
  scriptStart: number;
  imported: number;
  configured: number;
  started: number;
  ready: number;
  firstPageAt: number;
  board: { date: string; appointments: number; stale: boolean } | null;
  unread: number;
  firstPageItems: number;
  rss: number;
}

function runProbe(args: string[], env: Record<string, string>): Probe & { spawnAt: number } {
  const spawnAt = hr();
  const out = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  if (out.status !== 0) throw new Error(`start probe failed (${out.status}): ${out.stderr}`);
  const line = out.stdout.trim().split('\n').pop() ?? '';
  return { spawnAt, ...(JSON.parse(line) as Probe) };
}

const loadBefore = loadavg();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-start-bench-'));
try {
  const day = new Date().toISOString().slice(0, 10);
  const master = path.join(dir, 'master.sqlite');
  const built = buildCacheFile(master, ROWS, USER.id);
  {
    const { cache } = openCache({ file: master });
    cache.saveSnapshot(`board:${day}`, board(day, APPOINTMENTS), Board);
    // Who the cache belongs to, as the desk keeps it once the server has confirmed the user: resume() starts from it.
    cache.saveSnapshot(SIGNED_IN_USER, { apiUrl: API_URL, user: USER }, SignedInUser);
    cache.close();
  }
  const userFile = path.join(dir, 'settings.json');
  fs.writeFileSync(userFile, JSON.stringify({ theme: 'dark' }));

  // The bundled probe: our code and the bundled packages in one file, the others loaded by Node (as electron-vite builds the main process).
  const bundleDir = path.join(ROOT, 'out', 'bench');
  const bundle = path.join(bundleDir, 'start-probe.mjs');
  fs.mkdirSync(bundleDir, { recursive: true });
  // The same packages bundled as electron.vite.config.ts bundles (build/bundled-deps.ts); every other one external.
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const inBundle = new Set<string>(BUNDLED_DEPENDENCIES);
  const external = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)].filter((name) => !inBundle.has(name));
  const isExternal = (id: string) => id.startsWith('node:') || external.some((name) => id === name || id.startsWith(`${name}/`));
  const bundler = await rolldown({
    input: path.join(ROOT, 'bench', 'support', 'start-probe.ts'),
    platform: 'node',
    external: isExternal,
    // As vite resolves them for the main build: a package's ES module build first (jsonc-parser's UMD one requires its files at run time).
    resolve: { mainFields: ['module', 'main'] },
    tsconfig: path.join(ROOT, 'tsconfig.node.json'),
    logLevel: 'warn',
  });
  await bundler.write({ file: bundle, format: 'es', codeSplitting: false });
  await bundler.close();

  const variants = { tsx: [] as Array<Probe & { spawnAt: number }>, bundle: [] as Array<Probe & { spawnAt: number }> };
  for (let r = 0; r < RUNS; r++) {
    for (const variant of ['bundle', 'tsx'] as const) {
      const file = path.join(dir, `run-${r}-${variant}.sqlite`);
      fs.copyFileSync(master, file);
      const env = { CLINIC_DESK_START_PROBE: JSON.stringify({ cacheFile: file, userFile, user: USER, apiUrl: API_URL, day }) };
      const args = variant === 'tsx' ? [path.join(ROOT, 'bin', 'run-ts.mjs'), 'bench/support/start-probe.ts'] : [bundle];
      const p = runProbe(args, env);
      if (p.board?.date !== day || p.board.appointments !== APPOINTMENTS) throw new Error(`run ${r} ${variant}: the cached board was not restored (${JSON.stringify(p.board)})`);
      variants[variant].push(p);
      fs.rmSync(file, { force: true });
      process.stderr.write(`run ${r + 1} ${variant}: spawn → ready ${fmt(p.ready - p.spawnAt, 1)} ms (process start → ready ${fmt(p.ready - p.processStart, 1)}; import ${fmt(p.imported - p.scriptStart, 1)}, session ${fmt(p.ready - p.configured, 1)})\n`);
    }
  }
  const figures = (list: Array<Probe & { spawnAt: number }>) => {
    const m = (f: (p: Probe & { spawnAt: number }) => number) => round(median(list.map(f)), 1);
    return {
      spawnToReadyMs: m((p) => p.ready - p.spawnAt),
      processStartToReadyMs: m((p) => p.ready - p.processStart),
      phases: {
        spawnToProcessStartMs: m((p) => p.processStart - p.spawnAt),
        nodeAndLoaderMs: m((p) => p.scriptStart - p.processStart),
        importCoreMs: m((p) => p.imported - p.scriptStart),
        loadConfigMs: m((p) => p.configured - p.imported),
        openCacheAndRestoreMs: m((p) => p.started - p.configured),
        snapshotMs: m((p) => p.ready - p.started),
      },
      firstPageAfterReadyMs: m((p) => p.firstPageAt - p.ready),
      rssMiB: m((p) => p.rss / 2 ** 20),
      runs: list.map((p) => round(p.ready - p.spawnAt, 1)),
    };
  };
  const bundled = figures(variants.bundle);
  const viaTsx = figures(variants.tsx);
  const pass = bundled.spawnToReadyMs <= TARGET_MS;
  const results = {
    ...resultHeader('start', loadBefore),
    setup: {
      cacheFile: { rows: ROWS, bytes: fs.statSync(master).size, unread: built.unread, boardAppointments: APPOINTMENTS },
      what: 'fresh Node process: import the core, loadConfig, DeskService with a saved token, resume() (open cache, the cached user, restore the parts; the token is confirmed after), getSnapshot() with the cached board; network not waited for (closed port)',
      clock: 'CLOCK_MONOTONIC in both processes; spawn = just before spawnSync in the parent; process start = hr() - performance.now() in the child',
      headlineVariant: 'bundle (rolldown, as electron-vite, the packages of build/bundled-deps.ts bundled, the others external: what electron-vite ships)',
      runs: RUNS,
    },
    target: `spawn → cached board ready <= ${TARGET_MS} ms`,
    pass,
    bundle: bundled,
    tsx: viaTsx,
  };
  const heads = [
    headline('start: spawn → cached board ready (100k-row cache, bundled core)', bundled.spawnToReadyMs, 'ms', `<= ${TARGET_MS} ms`, pass),
    headline('start: the same through tsx (TypeScript sources)', viaTsx.spawnToReadyMs, 'ms'),
  ];
  const out = writeResults('start', results, heads);
  const row = (label: string, f: typeof bundled): Array<[string, string, string]> => [
    [`${label}: spawn → cached board ready`, `${fmt(f.spawnToReadyMs, 1)} ms`, `runs ${f.runs.map((x) => fmt(x, 0)).join(', ')}`],
    ['  spawn → process start → script', `${fmt(f.phases.spawnToProcessStartMs, 1)} + ${fmt(f.phases.nodeAndLoaderMs, 1)} ms`, 'exec, Node bootstrap (and the tsx loader)'],
    ['  import the core / loadConfig', `${fmt(f.phases.importCoreMs, 1)} / ${fmt(f.phases.loadConfigMs, 1)} ms`, ''],
    ['  open cache + restore parts / snapshot', `${fmt(f.phases.openCacheAndRestoreMs, 1)} / ${fmt(f.phases.snapshotMs, 1)} ms`, `first page of 50 then ${fmt(f.firstPageAfterReadyMs, 1)} ms`],
  ];
  printTable(`start benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}; ${fmt(ROWS)}-row cache, ${fmt(APPOINTMENTS)}-row board; median of ${RUNS}`, [
    ...row('bundled core', bundled),
    ['  target', `<= ${TARGET_MS} ms`, passMiss(pass)],
    ...row('through tsx', viaTsx),
  ]);
  process.stdout.write(`results: ${out}\n`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
