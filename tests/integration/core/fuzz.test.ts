/**
 * The seeded fuzz suite of issue 11: ≥ 10,000 payloads per run through the
 * real socket path (the demo clinic's Pusher server → pusher-js →
 * laravel-echo → the desk core → SQLite): depth bombs (arrays, objects,
 * mixed; in a field, as the whole data, at frame level, in whispers), frames
 * around Pusher's 10 KB limit and far beyond (past the desk's 4 MiB screen),
 * prototype keys (`__proto__`, `constructor`, `prototype` as keys and as
 * values), invalid Unicode (lone surrogates, controls, bidi overrides), wrong
 * types, wrong events and channels, malformed protocol frames, with valid
 * notifications and whispers interleaved (tests/helpers/fuzz.ts builds them).
 *
 * Asserted: 0 crashes (no uncaught exception, the desk still live), 0
 * unhandled rejections, 0 wrong rows (no row from an invalid payload, every
 * valid one stored exactly once with the text the contract's hygiene
 * leaves), the desk's own counts match what each case was built to be,
 * and 0 prototype pollution.
 *
 * FUZZ_SEED picks the run (default 20261126; printed on failure);
 * FUZZ_PAYLOADS its size (default 10,000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { checkStored, DEFAULT_FUZZ_SEED, generateFuzz, runFuzz, storedNotifications, targetsFrom, type FuzzResult } from '../../helpers/fuzz';
import { createDesk, signInLive, type TestDesk } from '../../helpers/desk';
import { account, FIXED_NOW_MS, startTestClinic } from '../../helpers/demo';

const SEED = Number(process.env.FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
const PAYLOADS = Number(process.env.FUZZ_PAYLOADS ?? 10_000);
const RECEPTION = 'reception1@northside.clinic.test';
const DOCTOR = 'doctor1@northside.clinic.test';

const faults: Array<{ kind: string; error: unknown }> = [];
let failFast: (error: Error) => void = () => undefined;
/** Rejects with the first fault, so the run stops there instead of waiting out a barrier. */
const faulted = new Promise<never>((_resolve, reject) => {
  failFast = reject;
});
faulted.catch(() => undefined);
function fault(kind: string, error: unknown): void {
  faults.push({ kind, error });
  failFast(new Error(`${kind} in the desk's process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
}
const onException = (error: unknown) => fault('uncaughtException', error);
const onRejection = (error: unknown) => fault('unhandledRejection', error);

/** Everything a pollution could show up in: own names of the built-in prototypes. */
function prototypeSnapshot(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));
}

let clinic: DemoClinic;
let desk: TestDesk;

beforeAll(async () => {
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  clinic = await startTestClinic();
  desk = createDesk(clinic);
});

afterAll(async () => {
  await desk?.close();
  await clinic?.close();
  process.off('uncaughtException', onException);
  process.off('unhandledRejection', onRejection);
});

describe(`fuzz (seed ${SEED}, ${PAYLOADS} payloads; FUZZ_SEED=${SEED} reruns it)`, () => {
  it('nothing crashes, nothing invalid is stored, every valid notification is stored once, nothing is polluted', { timeout: 120_000 }, async () => {
    await signInLive(desk, clinic, RECEPTION);
    const me = account(clinic, RECEPTION);
    const doctor = account(clinic, DOCTOR);
    const snapshot = await desk.desk.getSnapshot();
    const targets = targetsFrom(
      snapshot.channels.map((c) => c.name),
      { userId: me.id, otherUserId: doctor.id, peer: { id: doctor.id, name: doctor.name } },
    );
    const cases = generateFuzz(SEED, PAYLOADS, targets, FIXED_NOW_MS);
    const prototypesBefore = prototypeSnapshot();

    let result: FuzzResult | undefined;
    const context = () => `seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_PAYLOADS=${PAYLOADS} npx vitest run tests/integration/core/fuzz.test.ts)`;
    try {
      result = await runFuzz({ clinic, desk: desk.desk, targets, cases, seed: SEED, now: FIXED_NOW_MS, faulted });
      const rows = await storedNotifications(desk.desk);
      const problems = checkStored(result, rows);
      expect(faults.map((f) => `${f.kind}: ${f.error instanceof Error ? (f.error.stack ?? f.error.message) : String(f.error)}`), context()).toEqual([]);
      expect(problems.slice(0, 20), context()).toEqual([]);
      expect({ accepted: result.accepted, rejected: result.rejected, dropped: result.dropped }, context()).toEqual({
        accepted: result.expectedAccepted,
        rejected: result.expectedRejected,
        dropped: result.expectedDropped,
      });
      expect(prototypeSnapshot(), context()).toEqual(prototypesBefore);
      expect(({} as Record<string, unknown>).polluted, context()).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin, context()).toBeUndefined();
      const after = await desk.desk.getSnapshot();
      expect(after.connection.status, context()).toBe('live');
      expect(after.channels.every((c) => c.state === 'subscribed'), context()).toBe(true);
      // What the run covered, so a change in the generator that drops a kind is seen.
      for (const kind of ['valid', 'valid-unicode', 'valid-extra-keys', 'valid-typing', 'depth-array-whole', 'depth-object-field', 'depth-mixed-frame', 'oversize-10241', 'frame-over-limit', 'protocol-junk', 'raw-not-json']) {
        expect(result.byKind[kind] ?? 0, `${context()}: no ${kind} case`).toBeGreaterThan(0);
      }
      expect(result.byOutcome.accepted, context()).toBeGreaterThan(PAYLOADS / 20);
    } catch (error) {
      process.stderr.write(`\nfuzz failed: ${context()}\n`);
      throw error;
    } finally {
      if (result) {
        process.stderr.write(
          `fuzz: seed ${SEED}, ${result.cases} payloads + ${result.barriers} barriers in ${(result.ms / 1000).toFixed(1)} s (${Math.round(result.perSecond)}/s); ` +
            `accepted ${result.accepted}, rejected ${result.rejected}, dropped ${result.dropped}\n`,
        );
      }
    }
  });
});
