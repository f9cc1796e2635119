/**
 * Reconciliation cost benchmark: `node bin/run-ts.mjs bench/reconcile.bench.ts [--rounds N] [--dialects a,b,...]`.
 *
 * What a quiet, live desk costs the clinic's server while it reconciles (issue
 * 12: "at most 2 requests a minute per feature and a few KB when nothing
 * changed"). Per REST dialect of the demo clinic: a DeskService signed in as a
 * receptionist, live, the clinic's scenario off (nothing happens), the
 * reconciliation interval shortened to 300 ms so `--rounds` (10)
 * reconciliations run in seconds. After two warm-up rounds (the first fills
 * the validators), the clinic's own request log counts the requests, 304s and
 * body bytes of the measured rounds. Per minute = per reconciliation at the
 * default interval of 60 s (one reconciliation a minute). The default,
 * resource and nested dialects send ETags (a Laravel ETag middleware); the
 * paginate, cursor and minimal ones answer in full every time.
 * Writes bench/results/reconcile.json and prints a table.
 */
import { parseArgs } from 'node:util';
import type { DeskEvent } from '../src/shared/bridge';
import { DEFAULT_SETTINGS } from '../src/shared/settings';
import { startDemoClinic } from '../src/main/demo/demo-clinic';
import { API_DIALECTS, type ApiDialectName } from '../src/main/demo/dialects';
import { createBenchDesk, signInLive } from './support/desk';
import { fmt, headline, machine, passMiss, printTable, revision, round, until, writeResults } from './support/report';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, dialects: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 10);
const DIALECTS = (values.dialects?.split(',') ?? [...API_DIALECTS]) as ApiDialectName[];
const INTERVAL_MS = 300;
const PER_MINUTE = 60_000 / (DEFAULT_SETTINGS.reconcileIntervalSec * 1000);
const EMAIL = 'reception1@northside.clinic.test';
/** Target: at most 2 requests a minute per feature (5 features), a few KB a minute when nothing changed. */
const MAX_REQUESTS_PER_FEATURE = 2;
const MAX_KB_PER_MINUTE = 8;

interface Row {
  dialect: ApiDialectName;
  requestsPerReconciliation: number;
  notModifiedShare: number;
  bytesPerReconciliation: number;
  requestsPerMinute: number;
  kbPerMinute: number;
  maxPerRoutePerMinute: number;
  pass: boolean;
}

async function measure(dialect: ApiDialectName): Promise<Row> {
  const clinic = await startDemoClinic({ seed: 42, apiDialect: dialect, timeZone: 'UTC', scenario: { autoStart: false } });
  const d = createBenchDesk(clinic.info, { reconcileIntervalMs: () => INTERVAL_MS });
  const reconciled: DeskEvent[] = [];
  d.on((e) => {
    if (e.kind === 'sync' && e.reason === 'reconcile') reconciled.push(e);
  });
  try {
    await signInLive(d, clinic.info, EMAIL);
    await until(() => reconciled.length >= 2, 10_000, 'two warm-up reconciliations');
    clinic.resetTraffic();
    const from = reconciled.length;
    await until(() => reconciled.length >= from + ROUNDS, 30_000, `${ROUNDS} reconciliations`);
    const traffic = clinic.traffic();
    const rounds = reconciled.length - from;
    const perRound = traffic.requests / rounds;
    const bytesPerRound = traffic.bytes / rounds;
    const maxPerRoute = Math.max(0, ...Object.values(traffic.byPath).map((p) => p.requests / rounds));
    const requestsPerMinute = perRound * PER_MINUTE;
    const kbPerMinute = (bytesPerRound * PER_MINUTE) / 1024;
    return {
      dialect,
      requestsPerReconciliation: round(perRound, 2),
      notModifiedShare: round(traffic.notModified / Math.max(1, traffic.requests), 2),
      bytesPerReconciliation: Math.round(bytesPerRound),
      requestsPerMinute: round(requestsPerMinute, 2),
      kbPerMinute: round(kbPerMinute, 2),
      maxPerRoutePerMinute: round(maxPerRoute * PER_MINUTE, 2),
      pass: maxPerRoute * PER_MINUTE <= MAX_REQUESTS_PER_FEATURE && kbPerMinute <= MAX_KB_PER_MINUTE,
    };
  } finally {
    await d.close();
    await clinic.close();
  }
}

const rows: Row[] = [];
for (const dialect of DIALECTS) rows.push(await measure(dialect));
printTable(
  `Reconciliation of a quiet live desk, per minute at the default ${DEFAULT_SETTINGS.reconcileIntervalSec} s (${ROUNDS} rounds)`,
  rows.map((r) => [
    r.dialect,
    `${fmt(r.requestsPerMinute, 1)} req/min (max ${fmt(r.maxPerRoutePerMinute, 1)} per feature), ${fmt(r.kbPerMinute, 2)} KB/min, ${Math.round(r.notModifiedShare * 100)}% 304`,
    passMiss(r.pass),
  ]),
);
writeResults(
  'reconcile',
  { machine: machine(), revision: revision(), rounds: ROUNDS, intervalMsInRun: INTERVAL_MS, rows },
  rows.flatMap((r) => [
    headline(`reconcile: ${r.dialect}, most requests a minute to one feature`, r.maxPerRoutePerMinute, '/min', `<= ${MAX_REQUESTS_PER_FEATURE} /min`, r.maxPerRoutePerMinute <= MAX_REQUESTS_PER_FEATURE),
    headline(`reconcile: ${r.dialect}, body KB a minute`, r.kbPerMinute, 'KB/min', `<= ${MAX_KB_PER_MINUTE} KB/min`, r.kbPerMinute <= MAX_KB_PER_MINUTE),
  ]),
);
