/**
 * A quiet live desk asks the server for nothing but its reconciliation
 * (issue 14, the idle cost; bench/idle.bench.ts measures CPU and wake-ups,
 * which a shared machine cannot assert). Seeded demo clinic, scenario off,
 * reconciliation every 300 ms instead of 60 s: between two reconciliations
 * the clinic's request log grows by exactly the requests the desk counts as
 * its reconciliation's, one a feature at most. And a reconciliation that
 * finds nothing new (every answer a 304) tells the window nothing and writes
 * no snapshot; a change made on the server is still announced, once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskCache } from '../../../src/main/core/cache/cache';
import type { DeskEvent } from '../../../src/shared/bridge';
import { closeAfterEach } from '../../helpers/close-after-each';
import { createDesk, deskConfig, signInLive } from '../../helpers/desk';
import { DEMO_SEED, startTestClinic } from '../../helpers/demo';

const RECEPTION = 'reception1@northside.clinic.test';
const ROUNDS = 4;
/** The session writes snapshots this long after a change (SNAPSHOT_DELAY_MS), plus a margin. */
const SNAPSHOT_SETTLE_MS = 800;
/** What a read of the lists announces to the window. */
const STATE_KINDS = new Set<DeskEvent['kind']>(['board.replaced', 'consultations.replaced', 'presence.replaced', 'conversation.updated', 'appointment.updated', 'consultation.updated', 'message.created']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const open = closeAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

/** A receptionist's desk, live on a quiet clinic, reconciling every 300 ms, after its first reconciliation. */
async function quietLiveDesk() {
  const clinic = await startTestClinic({ seed: DEMO_SEED, now: Date.now, timeZone: 'UTC' });
  open.push(clinic);
  const t = createDesk(clinic, { config: deskConfig(clinic), now: Date.now, reconcileIntervalMs: () => 300 });
  open.push(t);
  await signInLive(t, clinic, RECEPTION);
  await t.waitFor('sync', (e) => e.reason === 'reconcile', 5_000);
  return { clinic, t };
}

describe('idle desk', () => {
  it('sends only its reconciliation while nothing happens', async () => {
    const { clinic, t } = await quietLiveDesk();

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

  it('tells the window nothing and saves no snapshot when a reconciliation finds nothing new; a change on the server is announced once', async () => {
    const { clinic, t } = await quietLiveDesk();
    // What sign-in saved is written by now.
    await sleep(SNAPSHOT_SETTLE_MS);
    const saves = vi.spyOn(DeskCache.prototype, 'saveSnapshot');
    const reconciled = async (rounds: number) => {
      let since = t.mark();
      for (let i = 0; i < rounds; i++) since = t.events.indexOf(await t.waitFor('sync', (e) => e.reason === 'reconcile', 5_000, since)) + 1;
    };
    const stateEvents = (since: number) => t.events.slice(since).filter((e) => STATE_KINDS.has(e.kind));

    // Quiet: two reconciliations, every answer a 304.
    const quiet = t.mark();
    const diag0 = (await t.desk.getDiagnostics()).reconciliation;
    await reconciled(2);
    await sleep(SNAPSHOT_SETTLE_MS);
    const diag1 = (await t.desk.getDiagnostics()).reconciliation;
    expect(diag1.requests - diag0.requests).toBeGreaterThanOrEqual(2);
    expect(diag1.notModified - diag0.notModified).toBeGreaterThanOrEqual(2);
    expect(stateEvents(quiet).map((e) => e.kind)).toEqual([]);
    expect(saves).not.toHaveBeenCalled();

    // A change no broadcast announces (the queue worker stopped): the next reconciliation finds it,
    // tells the window once, saves the board once, and counts it as unannounced.
    clinic.setBroadcasting(false);
    const row = clinic.store.appointmentsOn(1, clinic.today()).find((a) => ['scheduled', 'confirmed', 'reminder_sent'].includes(a.status));
    if (!row) throw new Error('no appointment to check in today');
    const changed = t.mark();
    await clinic.setAppointmentStatus(row.id, 'checked_in');
    await t.waitFor('board.replaced', (e) => e.board.appointments.some((a) => a.id === row.id && a.status === 'checked_in'), 5_000, changed);
    await reconciled(2);
    await sleep(SNAPSHOT_SETTLE_MS);
    expect(stateEvents(changed).map((e) => e.kind)).toEqual(['board.replaced']);
    expect(saves.mock.calls.map(([key]) => key)).toEqual([`board:${clinic.today()}`]);
    expect((await t.desk.getDiagnostics()).reconciliation.unannounced - diag1.unannounced).toBe(1);
  });
});
