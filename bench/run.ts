/**
 * `npm run bench -- <name> [args...]` runs bench/<name>.bench.ts in a fresh
 * Node process (`node bin/run-ts.mjs bench/<name>.bench.ts args...`);
 * `npm run bench` alone lists the benchmarks. Figures and targets: bench/README.md.
 *
 * `npm run bench -- all [--quick] [--only a,b] [--skip a,b]` runs every
 * benchmark, each in its own process, in the order below (cheap and
 * single-process first, the browser ones last), then reads the `headline` of each
 * results file and prints one table: figure, value, target, PASS/MISS, with the
 * machine and the commit. Each figure is appended as one JSON line to
 * bench/results/history.jsonl (date, machine, CPU, Node, commit, dirty flag,
 * figure, value, target, pass), so a regression shows. `--quick` passes each
 * benchmark smaller sizes (QUICK below, or a "Quick: `--opt N`" line in the
 * benchmark's header) for a smoke run of a few minutes, and sends its results
 * and history to bench/results/quick/ (not committed), never over the measured files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Headline } from './support/report';

const here = import.meta.dirname;
const root = path.resolve(here, '..');
const SUFFIX = '.bench.ts';

/** The order of `all`: in-process and short first, the socket benchmarks, the long ones, the browser last; others after, by name. */
const ORDER = ['cache', 'startup', 'start', 'memory', 'idle', 'reconcile', 'catch-up', 'catch-up-dialects', 'pipeline', 'load', 'fuzz', 'heal', 'working-day', 'actions', 'dashboard'];

/** Smaller sizes for `all --quick` (a smoke run: the figures are not the benchmark's). */
const QUICK: Record<string, string[]> = {
  cache: ['--rows', '20000', '--runs', '2'],
  startup: ['--calls', '200', '--runs', '2'],
  start: ['--runs', '3'],
  memory: ['--rows', '20000', '--runs', '1'],
  idle: ['--seconds', '10', '--reconcile-sec', '5'],
  reconcile: ['--rounds', '3', '--dialects', 'default,cursor'],
  'catch-up': ['--notifications', '1000', '--runs', '1', '--large-cache-rows', '20000'],
  'catch-up-dialects': ['--notifications', '1000', '--runs', '1', '--dialects', 'default,cursor'],
  pipeline: ['--events', '5000', '--rounds', '1', '--sdk-events', '500', '--seconds', '2', '--latency-runs', '1', '--large-cache-rows', '20000'],
  load: ['--desks', '20', '--presence-rounds', '2', '--notifications', '100'],
  fuzz: ['--payloads', '10000', '--rounds', '1'],
  heal: ['--fault-ms', '1000', '--outage-min', '2'],
  actions: ['--actions', '12'],
  dashboard: ['--appointments', '500', '--seconds', '3', '--runs', '1', '--notifications', '2000'],
};

interface Bench {
  name: string;
  usage: string;
  quick: string[] | null;
}

function benchmarks(): Bench[] {
  return fs
    .readdirSync(here)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((file) => {
      const name = file.slice(0, -SUFFIX.length);
      const text = fs.readFileSync(path.join(here, file), 'utf8');
      // The first doc line reads "X benchmark: `node bin/run-ts.mjs bench/x.bench.ts [--opt N]`."
      const head = text.split('\n').slice(0, 3).join(' ');
      const command = /`node bin\/run-ts\.mjs bench\/[\w-]+\.bench\.ts([^`]*)`/.exec(head)?.[1] ?? '';
      const declared = /^\s*\*\s*Quick:\s*`([^`]*)`/m.exec(text.split('*/')[0] ?? '')?.[1];
      const quick = QUICK[name] ?? (declared === undefined ? null : declared.trim().split(/\s+/).filter((a) => a !== ''));
      return { name, usage: `npm run bench -- ${name}${command}`, quick };
    });
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const list = (value: string | undefined) => (value === undefined ? null : new Set(value.split(',').filter((s) => s !== '')));

interface Row {
  bench: string;
  status: 'ok' | 'failed' | 'no headline';
  seconds: number;
  headline: Headline[];
}

function readHeadline(file: string, since: number): Headline[] | null {
  try {
    if (fs.statSync(file).mtimeMs < since) return null; // an earlier run's file: this run wrote none
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { headline?: unknown };
    return Array.isArray(parsed.headline) ? (parsed.headline as Headline[]) : null;
  } catch {
    return null;
  }
}

const show = (v: number | null, unit: string) => (v === null || !Number.isFinite(v) ? 'n/a' : `${v.toLocaleString('en', { maximumFractionDigits: 3 })} ${unit}`);

function all(args: string[], known: Bench[]): number {
  const quick = args.includes('--quick');
  let only: Set<string> | null = null;
  let skip: Set<string> | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = list(args[++i]);
    else if (args[i] === '--skip') skip = list(args[++i]);
    else if (args[i] !== '--quick') {
      process.stderr.write(`all: unknown option ${args[i]}; usage: npm run bench -- all [--quick] [--only a,b] [--skip a,b]\n`);
      return 2;
    }
  }
  for (const name of [...(only ?? []), ...(skip ?? [])]) {
    if (!known.some((b) => b.name === name)) {
      process.stderr.write(`all: no benchmark "${name}"; there are: ${known.map((b) => b.name).join(', ')}\n`);
      return 2;
    }
  }
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  const chosen = known.filter((b) => (only === null || only.has(b.name)) && !(skip?.has(b.name) ?? false)).sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const resultsDir = quick ? path.join(here, 'results', 'quick') : path.join(here, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });

  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', '.', ':(exclude)bench/results').length > 0;
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const machine = `${os.cpus().length}-core ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}`;
  const rows: Row[] = [];
  const started = Date.now();
  for (const b of chosen) {
    const extra = quick ? (b.quick ?? []) : [];
    process.stdout.write(`\n━━ ${b.name}${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
    const t0 = Date.now();
    const env = quick ? { ...process.env, CLINIC_DESK_BENCH_RESULTS: resultsDir } : process.env;
    const run = spawnSync(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join('bench', `${b.name}${SUFFIX}`), ...extra, ...(b.name === 'dashboard' && quick ? ['--out', path.join(resultsDir, 'dashboard.json')] : [])], { cwd: root, stdio: 'inherit', env });
    const seconds = Math.round((Date.now() - t0) / 100) / 10;
    const heads = readHeadline(path.join(resultsDir, `${b.name}.json`), t0);
    rows.push({ bench: b.name, status: run.status !== 0 ? 'failed' : heads === null ? 'no headline' : 'ok', seconds, headline: heads ?? [] });
  }

  // One table.
  const table: Array<[string, string, string, string]> = [];
  for (const r of rows) {
    if (r.status === 'failed') table.push([`${r.bench}: the benchmark failed`, '', '', 'FAIL']);
    else if (r.headline.length === 0) table.push([`${r.bench}: no headline in its results file`, '', '', '—']);
    for (const h of r.headline) table.push([h.figure, show(h.value, h.unit), h.target ?? '(recorded)', h.pass === null ? '—' : h.pass ? 'PASS' : 'MISS']);
  }
  const w = [0, 1, 2].map((i) => Math.max(...table.map((t) => t[i]?.length ?? 0), 6));
  const total = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\nall benchmarks${quick ? ' (--quick: smoke sizes, not the figures)' : ''}: ${machine}, node ${process.version}, commit ${commit}${dirty ? ' (uncommitted changes)' : ''}, ${total} s\n`);
  process.stdout.write(`  ${'figure'.padEnd(w[0] ?? 0)}  ${'value'.padStart(w[1] ?? 0)}  ${'target'.padEnd(w[2] ?? 0)}  \n`);
  for (const [figure, value, target, verdict] of table) process.stdout.write(`  ${figure.padEnd(w[0] ?? 0)}  ${value.padStart(w[1] ?? 0)}  ${target.padEnd(w[2] ?? 0)}  ${verdict}\n`);

  // History: one line per figure.
  const date = new Date().toISOString();
  const lines = rows.flatMap((r) =>
    (r.status === 'failed' ? [{ figure: `${r.bench}: failed`, value: null, unit: '', target: null, pass: false }] : r.headline).map((h) =>
      JSON.stringify({ date, machine, cpu, cores: os.cpus().length, node: process.version, commit, dirty, quick, benchmark: r.bench, seconds: r.seconds, figure: h.figure, value: h.value, unit: h.unit, target: h.target, pass: h.pass }),
    ),
  );
  const history = path.join(resultsDir, 'history.jsonl');
  fs.appendFileSync(history, lines.map((l) => `${l}\n`).join(''));
  process.stdout.write(`history: ${path.relative(process.cwd(), history)} (+${lines.length} lines)\n`);
  return rows.some((r) => r.status === 'failed') ? 1 : 0;
}

const [name, ...args] = process.argv.slice(2);
const known = benchmarks();

if (name === undefined || name === '--help' || name === '-h' || name === '--list') {
  process.stdout.write('benchmarks (results in bench/results/<name>.json, figures and targets in bench/README.md):\n');
  for (const b of known) process.stdout.write(`  ${b.usage}\n`);
  process.stdout.write('  npm run bench -- all [--quick] [--only a,b] [--skip a,b]   every one, then one table and a line per figure in bench/results/history.jsonl\n');
  process.exit(0);
}

if (name === 'all') process.exit(all(args, known));

if (!known.some((b) => b.name === name)) {
  process.stderr.write(`no benchmark "${name}"; there are: ${known.map((b) => b.name).join(', ')}, or all\n`);
  process.exit(2);
}

const result = spawnSync(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join('bench', `${name}${SUFFIX}`), ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
