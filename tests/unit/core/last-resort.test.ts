import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LastResort, scrubMessage, type FaultRecord } from '../../../src/main/core/desk/last-resort';
import { memoryLogger } from '../../../src/main/core/log';

/** A stand-in for `process`: faults are emitted on it, never thrown in the test runner. */
function harness(options: { restart?: (reason: string) => Promise<unknown>; windowMs?: number } = {}) {
  const source = new EventEmitter();
  const logger = memoryLogger();
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const restarts: string[] = [];
  const loops: Array<readonly FaultRecord[]> = [];
  const seen: FaultRecord[] = [];
  const lastResort = new LastResort({
    logger,
    now: () => clock,
    source,
    loop: { maxFaults: 3, windowMs: options.windowMs ?? 60_000 },
    restart: async (reason) => {
      restarts.push(reason);
      await options.restart?.(reason);
    },
    onCrashLoop: (faults) => void loops.push(faults),
    onFault: (fault) => void seen.push(fault),
  });
  const uninstall = lastResort.install();
  return {
    source,
    logger,
    lastResort,
    restarts,
    loops,
    seen,
    uninstall,
    advance: (ms: number) => (clock += ms),
    /** Lets the restart (scheduled on the next turn) run. */
    settle: () => new Promise((resolve) => setTimeout(resolve, 5)),
  };
}

const SECRET = 'Bearer 1|s3cr3t-t0k3n-that-must-not-be-logged';
const PATIENT = 'Jane Roe, potassium 6.1';

describe('LastResort', () => {
  it('logs and records a fault without its quoted contents, and restarts the core once, off the failing stack', async () => {
    const h = harness();
    h.source.emit('uncaughtException', new TypeError(`Cannot read properties of undefined (reading 'title') in "${PATIENT}" with ${SECRET.replace(/ /g, '_')}`));
    expect(h.restarts).toEqual([]); // not on the stack that threw
    await h.settle();
    expect(h.restarts).toEqual(['uncaughtException: TypeError']);
    const [fault] = h.lastResort.faults();
    expect(fault).toMatchObject({ kind: 'uncaughtException', error: 'TypeError', action: 'restarted', at: '2026-11-26T10:00:00.000Z' });
    expect(fault?.message).toBe('Cannot read properties of undefined (reading …) in … with …');
    expect(fault?.where[0]).toMatch(/^at .*last-resort\.test\.ts/);
    const text = JSON.stringify(h.logger.records);
    expect(text).not.toContain('Jane');
    expect(text).not.toContain('s3cr3t');
    expect(h.logger.records.find((r) => r.level === 'error')?.message).toBe('internal error caught (uncaughtException); restarting the core');
    expect(h.seen).toHaveLength(1);
  });

  it('a rejection with a plain value records its type only', async () => {
    const h = harness();
    h.source.emit('unhandledRejection', { token: SECRET });
    h.source.emit('unhandledRejection', null);
    await h.settle();
    expect(h.lastResort.faults().map((f) => [f.kind, f.error, f.message])).toEqual([
      ['unhandledRejection', 'object', ''],
      ['unhandledRejection', 'null', ''],
    ]);
    // The second came while the first restart was pending: one restart.
    expect(h.restarts).toHaveLength(1);
    expect(h.lastResort.faults()[1]?.action).toBe('restart-pending');
    expect(JSON.stringify(h.logger.records)).not.toContain('s3cr3t');
  });

  it('three faults within a minute are a crash loop: reported once, never restarted again', async () => {
    const h = harness();
    for (let i = 0; i < 2; i++) {
      h.source.emit('uncaughtException', new RangeError('Maximum call stack size exceeded'));
      await h.settle();
      h.advance(10_000);
    }
    expect(h.restarts).toHaveLength(2);
    h.source.emit('uncaughtException', new RangeError('Maximum call stack size exceeded'));
    await h.settle();
    expect(h.restarts).toHaveLength(2);
    expect(h.lastResort.gaveUp).toBe(true);
    expect(h.loops).toHaveLength(1);
    expect(h.loops[0]?.map((f) => f.action)).toEqual(['restarted', 'restarted', 'crash-loop']);
    h.source.emit('unhandledRejection', new Error('later'));
    await h.settle();
    expect(h.restarts).toHaveLength(2);
    expect(h.loops).toHaveLength(1);
    expect(h.lastResort.faults().at(-1)?.action).toBe('recorded');
    expect(h.logger.records.some((r) => r.message === 'crash loop: the core is not restarted again')).toBe(true);
  });

  it('faults spread wider than the window are each restarted', async () => {
    const h = harness({ windowMs: 60_000 });
    for (let i = 0; i < 6; i++) {
      h.source.emit('uncaughtException', new Error('rare'));
      await h.settle();
      h.advance(31_000);
    }
    expect(h.restarts).toHaveLength(6);
    expect(h.loops).toEqual([]);
  });

  it('a restart that fails is recorded as such, and the handler stays in place', async () => {
    const h = harness({ restart: () => Promise.reject(new Error('cache locked')) });
    h.source.emit('uncaughtException', new Error('first'));
    await h.settle();
    expect(h.lastResort.faults()[0]?.action).toBe('restart-failed');
    expect(h.logger.records.some((r) => r.message === 'restarting the core failed')).toBe(true);
    h.uninstall();
    expect(h.source.listenerCount('uncaughtException')).toBe(0);
    expect(h.source.listenerCount('unhandledRejection')).toBe(0);
  });

  it('a logger that throws neither becomes a second fault nor stops the restart', async () => {
    const source = new EventEmitter();
    const throwing = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => { throw new Error('disk full'); } };
    let restarts = 0;
    const lastResort = new LastResort({ logger: throwing, source, restart: async () => void restarts++, onCrashLoop: () => undefined });
    lastResort.install();
    expect(() => source.emit('uncaughtException', new Error('x'))).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(restarts).toBe(1);
    lastResort.uninstall();
  });

  it('after a crash loop a repeating fault is logged the 1st, 10th, 100th time, and kept 20 deep', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.source.emit('uncaughtException', new Error('again'));
    await h.settle();
    const before = h.logger.records.length;
    for (let i = 0; i < 100; i++) h.source.emit('uncaughtException', new Error('again'));
    expect(h.logger.records.length - before).toBe(3);
    expect(h.lastResort.faults()).toHaveLength(20);
  });

  it('scrubMessage keeps the words and drops quotes and long runs', () => {
    expect(scrubMessage(`Unexpected token 'h', "hello world" is not valid JSON`)).toBe('Unexpected token …, … is not valid JSON');
    expect(scrubMessage(`failed with ${'x'.repeat(60)} here`)).toBe('failed with … here');
    expect(scrubMessage('a '.repeat(200)).length).toBeLessThanOrEqual(160);
  });
});
