/**
 * What every benchmark reports the same way: percentiles, the machine, the
 * load average, the results file and the short table on stdout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
function rank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Latency summary in ms, rounded to 0.01 ms. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    p50: round(rank(sorted, 50)),
    p95: round(rank(sorted, 95)),
    p99: round(rank(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    mean: round(mean),
  };
}

export function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The commit measured, and uncommitted changes under the code the benchmarks run (others work in this tree). */
export function revision(): { commit: string; uncommitted: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(import.meta.dirname, '..', '..'), encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src/main/core', 'src/main/demo', 'src/shared');
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted: dirty === '' ? [] : dirty.split('\n').map((l) => l.trim()) };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

export const loadavg = (): number[] => os.loadavg().map((l) => round(l));

/** Busy CPU time of the whole machine so far (all cores, /proc/stat, USER_HZ = 100), in ms; 0 where unavailable. */
export function machineBusyMs(): number {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return 0;
  }
}

/**
 * How busy the machine was during a run apart from the benchmark itself: start
 * it, then `stop(ownCpuMs)` with the CPU the benchmark's processes used. Other
 * engineers share this 2-core machine; a run with `otherCores` well above 0
 * was contended.
 */
export function contention(): { stop(ownCpuMs: number): { wallMs: number; machineCores: number; ownCores: number; otherCores: number } } {
  const wall0 = performance.now();
  const busy0 = machineBusyMs();
  return {
    stop(ownCpuMs) {
      const wallMs = performance.now() - wall0;
      const busy = machineBusyMs() - busy0;
      return { wallMs: round(wallMs), machineCores: round(busy / wallMs), ownCores: round(ownCpuMs / wallMs), otherCores: round(Math.max(0, busy - ownCpuMs) / wallMs) };
    },
  };
}

/**
 * CPU time (user + system, ms) of `root` and every process under it, from
 * /proc (USER_HZ = 100): for a benchmark, its own Node process and the
 * Chromium it launched, so that `contention().stop(processTreeCpuMs() - t0)`
 * leaves only other people's work in `otherCores`. 0 where /proc is missing.
 */
export function processTreeCpuMs(root = process.pid): number {
  const procs = new Map<number, { ppid: number; ms: number }>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return 0;
  }
  for (const name of names) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    // Field 2, the command, is in parentheses and may hold spaces: count from after its ')'. rest[0] is field 3.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(name), { ppid: Number(rest[1]), ms: (Number(rest[11]) + Number(rest[12])) * 10 });
  }
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let total = 0;
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    total += procs.get(pid)?.ms ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export const LOAD_NOTE = 'os.loadavg() 1/5/15 min; a shared 2-core machine (other engineers run tests on it), idle baseline ~0.9';

/** The fields every results file opens with: which benchmark, when, on what, at which commit, and how busy the machine was. */
export function resultHeader(benchmark: string, loadBefore: number[], loadAfter: number[] = loadavg()) {
  return {
    benchmark,
    date: new Date().toISOString(),
    machine: machine(),
    node: process.version,
    revision: revision(),
    load: { before: loadBefore, after: loadAfter, note: LOAD_NOTE },
  };
}

/**
 * Where results go: bench/results, or `CLINIC_DESK_BENCH_RESULTS` (a directory)
 * when set, as `npm run bench -- all --quick` sets it so a smoke run never
 * replaces the measured files.
 */
export function resultsDir(): string {
  const dir = process.env['CLINIC_DESK_BENCH_RESULTS'];
  return dir !== undefined && dir !== '' ? path.resolve(dir) : path.join(import.meta.dirname, '..', 'results');
}

/**
 * One headline figure of a benchmark, as `npm run bench -- all` reads it from
 * `bench/results/<name>.json` (`headline: Headline[]`): what it is, its value
 * and unit, the target as written in bench/README.md ("<= 150 ms"; null when
 * the issue sets none) and whether it was met (null: recorded, no target).
 */
export interface Headline {
  figure: string;
  value: number;
  unit: string;
  target: string | null;
  pass: boolean | null;
}

/** A headline figure; `target` null (and `pass` null) for a figure that is only recorded. */
export function headline(figure: string, value: number, unit: string, target: string | null = null, pass: boolean | null = null): Headline {
  return { figure, value: Number.isFinite(value) ? value : Number.NaN, unit, target, pass: target === null ? null : pass };
}

/**
 * Writes bench/results/<name>.json (or `<name>` itself when it is a path ending
 * in .json). `headline` goes first in the file, as `all` and people read it.
 */
export function writeResults(name: string, results: object, headlines?: readonly Headline[]): string {
  const out = name.endsWith('.json') ? path.resolve(name) : path.join(resultsDir(), `${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const body = headlines === undefined ? results : { headline: headlines, ...results };
  fs.writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  return path.relative(process.cwd(), out);
}

export function printTable(title: string, rows: Array<[name: string, figure: string, note?: string]>): void {
  process.stdout.write(`${title}\n`);
  const width = Math.max(...rows.map(([name]) => name.length));
  const figWidth = Math.max(...rows.map(([, figure]) => figure.length));
  for (const [name, figure, note] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${figure.padStart(figWidth)}  ${note ?? ''}\n`);
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const passMiss = (pass: boolean): string => (pass ? 'PASS' : 'MISS');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it is true; rejects after `ms`. Bounded by design. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, label: string, everyMs = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await sleep(everyMs);
  }
}
