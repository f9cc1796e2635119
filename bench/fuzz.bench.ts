/**
 * Fuzz benchmark: `node bin/run-ts.mjs bench/fuzz.bench.ts [--payloads N] [--seed N] [--rounds N]`.
 *
 * The fuzz suite of issue 11 (tests/helpers/fuzz.ts) at a larger size: hostile
 * and valid payloads (depth bombs, frames around and far past Pusher's 10 KB,
 * prototype keys, invalid Unicode, wrong types and events, malformed protocol
 * frames; valid notifications and whispers interleaved) through the real
 * socket path: the demo clinic's Pusher server → pusher-js → laravel-echo →
 * the desk core (DeskService) → SQLite. Demo clinic and desk share this
 * process (the cases are published and injected in-process), so the figure
 * is end to end on one core's worth of event loop.
 *
 * Per round (default 3; seeds `--seed`, +1, +2, ...): `--payloads` (default
 * 80,000) cases, a barrier notification after every 500 (waited for), then
 * the same checks as the test: no fault, every valid notification stored
 * once with its text as the contract leaves it, nothing from an invalid
 * payload stored, the desk's counts as built, no prototype polluted.
 * Baseline in the same process: as many valid notifications only, through
 * the same path; the ratio says what the hostile mix costs per payload.
 * Also the socket screen alone (pusher-guard.ts `screenFrame`) over a sample
 * of the frames, against `JSON.parse` of the same frames.
 * No target in the issue: the figures are the record.
 * Writes bench/results/fuzz.json and prints a table.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { screenFrame } from '../src/main/core/realtime/pusher-guard';
import { startDemoClinic } from '../src/main/demo/demo-clinic';
import { quietDemoLogger } from '../src/main/demo/logger';
import { DEFAULT_FUZZ_SEED, checkStored, fuzzCases, generateFuzz, runFuzz, storedNotifications, targetsFrom, type FuzzCase, type FuzzResult, type FuzzTargets } from '../tests/helpers/fuzz';
import { createBenchDesk, signInLive } from './support/desk';
import { LOAD_NOTE, contention, fmt, headline, loadavg, machine, median, ownCpuMs, printTable, revision, round, writeResults } from './support/report';

const { values } = parseArgs({ options: { payloads: { type: 'string' }, seed: { type: 'string' }, rounds: { type: 'string' } } });
const PAYLOADS = Number(values.payloads ?? 80_000);
const SEED = Number(values.seed ?? DEFAULT_FUZZ_SEED);
const ROUNDS = Number(values.rounds ?? 3);
const RECEPTION = 'reception1@northside.clinic.test';
const DOCTOR = 'doctor1@northside.clinic.test';

const began = Date.now();
const progress = (what: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${what}\n`);

const faults: string[] = [];
process.on('uncaughtException', (error) => faults.push(`uncaughtException: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (error) => faults.push(`unhandledRejection: ${String(error)}`));

interface Round {
  seed: number;
  kind: 'fuzz' | 'valid-only';
  payloads: number;
  ms: number;
  perSecond: number;
  cpuMsPerPayload: number;
  otherCores: number;
  accepted: number;
  rejected: number;
  dropped: number;
  problems: string[];
}

const loadBefore = loadavg();
const clinic = await startDemoClinic({ seed: 42, logger: quietDemoLogger });
const me = clinic.info.users.find((u) => u.email === RECEPTION);
const doctor = clinic.info.users.find((u) => u.email === DOCTOR);
if (!me || !doctor) throw new Error('demo accounts missing');

async function runRound(seed: number, kind: Round['kind']): Promise<{ round: Round; result: FuzzResult; targets: FuzzTargets; now: number }> {
  const bench = createBenchDesk(clinic.info);
  try {
    await signInLive(bench, clinic.info, RECEPTION);
    const targets = targetsFrom((await bench.desk.getSnapshot()).channels.map((c) => c.name), { userId: me!.id, otherUserId: doctor!.id, peer: { id: doctor!.id, name: doctor!.name } });
    const now = Date.now();
    // Made one batch at a time; the baseline is as many valid notifications from the same generator.
    const cases = fuzzCases(seed, PAYLOADS, targets, now, { validOnly: kind === 'valid-only' });
    const cpu0 = ownCpuMs();
    const load = contention();
    const result = await runFuzz({ clinic, desk: bench.desk, targets, cases, seed, now, barrierTimeoutMs: 120_000 });
    const cpu = ownCpuMs() - cpu0;
    const machineLoad = load.stop(cpu);
    const problems = checkStored(result, await storedNotifications(bench.desk));
    if (result.accepted !== result.expectedAccepted) problems.push(`accepted ${result.accepted}, built ${result.expectedAccepted}`);
    if (result.rejected !== result.expectedRejected) problems.push(`rejected ${result.rejected}, built ${result.expectedRejected}`);
    if (result.dropped !== result.expectedDropped) problems.push(`dropped ${result.dropped}, built ${result.expectedDropped}`);
    if (({} as Record<string, unknown>).polluted !== undefined) problems.push('Object.prototype polluted');
    return {
      round: {
        seed,
        kind,
        payloads: result.cases,
        ms: round(result.ms, 1),
        perSecond: Math.round(result.perSecond),
        cpuMsPerPayload: round(cpu / result.cases, 4),
        otherCores: machineLoad.otherCores,
        accepted: result.accepted,
        rejected: result.rejected,
        dropped: result.dropped,
        problems: problems.slice(0, 20),
      },
      result,
      targets,
      now,
    };
  } finally {
    await bench.close();
  }
}

/** µs per frame for `screenFrame` and for a bare `JSON.parse` of the same frames. */
function screenCost(frames: readonly string[]): { frames: number; screenUs: number; parseUs: number; ratio: number } {
  const time = (fn: (frame: string) => void) => {
    for (const f of frames.slice(0, 2_000)) fn(f); // warm-up
    const t0 = performance.now();
    for (let r = 0; r < 3; r++) for (const f of frames) fn(f);
    return ((performance.now() - t0) * 1000) / (3 * frames.length);
  };
  const parse = time((f) => {
    try {
      JSON.parse(f);
    } catch {
      // not JSON: what pusher-js would try too
    }
  });
  const screen = time((f) => void screenFrame(f));
  return { frames: frames.length, screenUs: round(screen, 2), parseUs: round(parse, 2), ratio: round(screen / parse, 2) };
}

/** The frames the cases make on the wire (what pusher-js's socket receives). */
function framesOf(cases: readonly FuzzCase[]): string[] {
  return cases.filter((c) => c.data.length < 1_000_000).map((c) => (c.via === 'raw' ? c.data : JSON.stringify({ event: c.event, channel: c.channel, data: c.data })));
}

const rounds: Round[] = [];
let lastFuzz: { result: FuzzResult; cases: FuzzCase[] } | null = null;
for (let i = 0; i < ROUNDS; i++) {
  const seed = SEED + i;
  progress(`round ${i + 1}/${ROUNDS}: valid-only baseline, ${fmt(PAYLOADS)} notifications`);
  rounds.push((await runRound(seed, 'valid-only')).round);
  progress(`round ${i + 1}/${ROUNDS}: fuzz, seed ${seed}, ${fmt(PAYLOADS)} payloads`);
  const fuzz = await runRound(seed, 'fuzz');
  rounds.push(fuzz.round);
  // The screen's own cost is measured over the first 20,000 cases of the same seed.
  lastFuzz = { result: fuzz.result, cases: generateFuzz(seed, Math.min(PAYLOADS, 20_000), fuzz.targets, fuzz.now) };
  progress(`  ${fmt(fuzz.round.perSecond)} payloads/s, ${fuzz.round.problems.length} problems`);
}
await clinic.close();

const fuzzRounds = rounds.filter((r) => r.kind === 'fuzz');
const baseRounds = rounds.filter((r) => r.kind === 'valid-only');
const fuzzRate = median(fuzzRounds.map((r) => r.perSecond));
const baseRate = median(baseRounds.map((r) => r.perSecond));
// The screen's cost over the fuzz mix, and over valid notifications alone (what every ordinary frame pays).
const screen = lastFuzz ? { mix: screenCost(framesOf(lastFuzz.cases)), valid: screenCost(framesOf(lastFuzz.cases.filter((c) => c.kind === 'valid'))) } : null;
const problems = [...faults, ...rounds.flatMap((r) => r.problems.map((p) => `seed ${r.seed} ${r.kind}: ${p}`))];

const results = {
  benchmark: 'fuzz',
  measuredAt: new Date().toISOString(),
  revision: revision(),
  machine: machine(),
  load: { before: loadBefore, after: loadavg(), note: LOAD_NOTE },
  payloadsPerRound: PAYLOADS,
  seeds: fuzzRounds.map((r) => r.seed),
  figures: {
    fuzzPayloadsPerSecond: Math.round(fuzzRate),
    validOnlyPerSecond: Math.round(baseRate),
    ratioFuzzToValid: round(fuzzRate / baseRate, 2),
    cpuMsPerFuzzPayload: median(fuzzRounds.map((r) => r.cpuMsPerPayload)),
    cpuMsPerValidNotification: median(baseRounds.map((r) => r.cpuMsPerPayload)),
    screen,
  },
  outcome: { faults: faults.length, problems },
  lastRound: lastFuzz ? { byOutcome: lastFuzz.result.byOutcome, byKind: lastFuzz.result.byKind, barriers: lastFuzz.result.barriers } : null,
  rounds,
};
const file = writeResults('fuzz', results, [
  headline('fuzz: hostile mix, socket to SQLite', Math.round(fuzzRate), 'payloads/s'),
  headline('fuzz: faults and wrong rows', faults.length + problems.length, 'count', '0', faults.length + problems.length === 0),
]);

printTable(`fuzz: ${fmt(PAYLOADS)} payloads per round, ${ROUNDS} rounds (medians), ${machine().cores} cores`, [
  ['fuzz mix through the socket to SQLite', `${fmt(fuzzRate)}/s`, `${fmt(results.figures.cpuMsPerFuzzPayload, 3)} ms CPU each`],
  ['valid notifications only (baseline)', `${fmt(baseRate)}/s`, `${fmt(results.figures.cpuMsPerValidNotification, 3)} ms CPU each`],
  ['ratio fuzz / baseline', `${results.figures.ratioFuzzToValid}`, ''],
  ...(screen
    ? ([
        ['socket screen per frame, fuzz mix', `${screen.mix.screenUs} µs`, `JSON.parse alone ${screen.mix.parseUs} µs (x${screen.mix.ratio})`],
        ['socket screen per valid notification', `${screen.valid.screenUs} µs`, `JSON.parse alone ${screen.valid.parseUs} µs (x${screen.valid.ratio})`],
      ] as Array<[string, string, string]>)
    : []),
  ['faults / problems', `${faults.length} / ${problems.length - faults.length}`, problems[0] ?? ''],
]);
process.stdout.write(`results: ${file}\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
