/**
 * Start-up benchmark: `node bin/run-ts.mjs bench/startup.bench.ts [--calls N] [--runs N]`.
 *
 * What the admin's managed configuration and updater cost a desk at start (#6).
 *  1. In this process, alternating in rounds so both see the same machine:
 *     baseline `loadConfig` with a user settings file and no policy, against
 *     `loadConfig` with the full example policy (docs/examples/policy-reverb.json:
 *     server, transport, locked and starting settings, updates) read from its
 *     file and validated, plus the update decision. Median µs per start of
 *     `--calls` (default 2,000) each, after a warm-up.
 *  2. In fresh Node processes (`--runs`, default 7, median): loading
 *     electron-updater, which a desk whose policy turns updates off never does
 *     (src/main/electron/updater.ts imports it lazily): wall time of the import
 *     and RSS after it, against the same process importing nothing.
 * No target in the issue: the figures are the record.
 * Writes bench/results/startup.json and prints a table.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/main/core/config/load';
import { readPolicyFile } from '../src/main/core/policy/read';
import { decideUpdates } from '../src/main/core/updates/policy';
import { fmt, headline, loadavg, median, printTable, resultHeader, round, writeResults } from './support/report';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, runs: { type: 'string', default: '7' } } });
const CALLS = Number(values.calls);
const RUNS = Number(values.runs);
const ROOT = path.resolve(import.meta.dirname, '..');
const POLICY = path.join(ROOT, 'docs', 'examples', 'policy-reverb.json');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-bench-startup-'));
const userFile = path.join(dir, 'settings.json');
fs.writeFileSync(userFile, JSON.stringify({ theme: 'dark', alerts: { flashUrgent: true } }));
const loadBefore = loadavg();

function withoutPolicy(): void {
  loadConfig({ userFile, env: {} });
}

function withPolicy(): void {
  const loaded = loadConfig({ policy: readPolicyFile(POLICY), userFile, env: {} });
  if (loaded.policyProblems.length > 0) throw new Error(`the example policy is invalid: ${JSON.stringify(loaded.policyProblems)}`);
  decideUpdates(loaded.config.updates, { currentVersion: '1.4.2', packaged: true, platform: 'linux', install: 'appimage' });
}

/** µs per call of `fn`, over `n` calls. */
function time(fn: () => void, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - start) * 1000) / n;
}

// ── 1. loadConfig with and without the policy ──
time(withoutPolicy, 200);
time(withPolicy, 200);
const ROUNDS = 10;
const base: number[] = [];
const policy: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  base.push(time(withoutPolicy, CALLS / ROUNDS));
  policy.push(time(withPolicy, CALLS / ROUNDS));
}
const baseUs = median(base);
const policyUs = median(policy);

// ── 2. electron-updater, loaded or not, in fresh processes ──
const probe = (load: boolean) => `
  const { performance } = await import('node:perf_hooks');
  const start = performance.now();
  ${load ? "await import('electron-updater');" : ''}
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss }));
`;
function child(load: boolean): { ms: number; rss: number } {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', probe(load)], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`probe failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as { ms: number; rss: number };
}
const off: Array<{ ms: number; rss: number }> = [];
const on: Array<{ ms: number; rss: number }> = [];
for (let r = 0; r < RUNS; r++) {
  off.push(child(false));
  on.push(child(true));
}
const importMs = median(on.map((x) => x.ms));
const rssOff = median(off.map((x) => x.rss)) / 1024 / 1024;
const rssOn = median(on.map((x) => x.rss)) / 1024 / 1024;
fs.rmSync(dir, { recursive: true, force: true });

const results = {
  ...resultHeader('startup', loadBefore),
  setup: {
    policy: 'docs/examples/policy-reverb.json, read from its file and validated, plus decideUpdates',
    userFile: 'a settings.json with two keys',
    calls: CALLS,
    rounds: ROUNDS,
    runs: RUNS,
  },
  loadConfig: {
    withoutPolicyUs: round(baseUs, 1),
    withPolicyUs: round(policyUs, 1),
    ratio: round(policyUs / baseUs, 2),
  },
  electronUpdater: {
    importMs: round(importMs, 1),
    rssWithoutMiB: round(rssOff, 1),
    rssWithMiB: round(rssOn, 1),
    rssAddedMiB: round(rssOn - rssOff, 1),
  },
};
const file = writeResults('startup', results, [
  headline('startup: loadConfig + example policy + update decision', round(policyUs, 1), 'µs'),
  headline('startup: import electron-updater (skipped when updates are off)', round(importMs, 1), 'ms'),
]);
printTable('start-up: managed configuration and the updater', [
  ['loadConfig, no policy', `${fmt(baseUs, 1)} µs`, 'baseline, same process'],
  ['loadConfig + example policy + update decision', `${fmt(policyUs, 1)} µs`, `${fmt(policyUs / baseUs, 2)}x the baseline`],
  ['import electron-updater (fresh process)', `${fmt(importMs, 1)} ms`, 'skipped when the policy turns updates off'],
  ['RSS added by electron-updater', `${fmt(rssOn - rssOff, 1)} MiB`, `${fmt(rssOff, 1)} → ${fmt(rssOn, 1)} MiB`],
]);
process.stdout.write(`wrote ${file}\n`);
