/**
 * A quiet live desk asks the server for nothing but its reconciliation
 * (issue 14, the idle cost; bench/idle.bench.ts measures CPU and wake-ups,
 * which a shared machine cannot assert). Seeded demo clinic, scenario off,
 * reconciliation every 300 ms instead of 60 s: between two reconciliations
 * the clinic's request log grows by exactly the requests the desk counts as
 * its reconciliation's, one a feature at most.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, deskConfig, signInLive } from '../../helpers/desk';
import { DEMO_SEED, startTestClinic } from '../../helpers/demo';

const RECEPTION = 'reception1@northside.clinic.test';
const ROUNDS = 4;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

describe('idle desk', () => {
  it('sends only its reconciliation while nothing happens', async () => {
    const clinic = await startTestClinic({ seed: DEMO_SEED, now: Date.now, timeZone: 'UTC' });
    cleanups.push(() => clinic.close());
    const t = createDesk(clinic, { config: deskConfig(clinic), now: Date.now, reconcileIntervalMs: () => 300 });
    cleanups.push(() => t.close());
    await signInLive(t, clinic, RECEPTION);
    await t.waitFor('sync', (e) => e.reason === 'reconcile', 5_000);

    const log0 = clinic.api.requestLog.length;
    const diag0 = (await t.desk.getDiagnostics()).reconciliation;
    let since = t.mark();
    for (let i = 0; i < ROUNDS; i++) {
      await t.waitFor('sync', (e) => e.reason === 'reconcile', 5_000, since);
      since = t.mark();
    }
    const requests = clinic.api.requestLog.slice(log0);
    const diag1 = (await t.desk.getDiagnostics()).reconciliation;

    expect(requests.length).toBe(diag1.requests - diag0.requests);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
    const perPath = new Map<string, number>();
    for (const r of requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    // One request a feature a round (the default dialect pages everything in one).
    for (const [, n] of perPath) expect(n).toBeLessThanOrEqual(ROUNDS);
    expect(requests.length).toBeGreaterThanOrEqual(ROUNDS);
  });
});
