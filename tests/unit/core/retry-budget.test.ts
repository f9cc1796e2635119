import { describe, expect, it } from 'vitest';
import { RetryBudget, type Admission, type Ticket } from '../../../src/main/core/api/retry-budget';

/** A budget on a clock the test moves, with the jitter at the top of its range (the longest waits, exactly the ceilings). */
function budget(options: ConstructorParameters<typeof RetryBudget>[0] = {}) {
  let now = 1_000;
  const b = new RetryBudget({ clock: () => now, random: () => 1, ...options });
  const events: string[] = [];
  b.on('recovered', () => events.push('recovered'));
  b.on('closed', ({ waitMs }) => events.push(`closed ${waitMs}`));
  return {
    b,
    events,
    advance: (ms: number) => void (now += ms),
  };
}

function admitted(a: Admission): Ticket {
  if (!a.ok) throw new Error(`refused: ${a.reason}`);
  return a.ticket;
}

describe('RetryBudget', () => {
  it('limits nothing while the server answers', () => {
    const { b } = budget();
    for (let i = 0; i < 500; i++) b.answered(admitted(b.begin('background')));
    expect(b.healthy).toBe(true);
    expect(b.requestsSent).toBe(500);
    expect(b.state().sentInWindow).toBe(0);
  });

  it('closes after two failure rounds, reopens for one probe, and backs off up to the cap', () => {
    const { b, events, advance } = budget();
    b.failed(admitted(b.begin('background')));
    expect(b.healthy).toBe(true);
    advance(10);
    b.failed(admitted(b.begin('background')));
    expect(b.healthy).toBe(false);
    // First wait: the base (1 s), jittered over its upper half.
    expect(events).toEqual(['closed 1000']);
    const refused = b.begin('background');
    expect(refused).toMatchObject({ ok: false, waitMs: 1000 });
    advance(1000);
    const probe = admitted(b.begin('background'));
    expect(probe.probe).toBe(true);
    // Only one at a time while the server may still be down.
    expect(b.begin('background').ok).toBe(false);
    b.failed(probe);
    expect(events.at(-1)).toBe('closed 2000');
    const waits: number[] = [];
    for (let round = 0; round < 8; round++) {
      advance(b.waitMs());
      b.failed(admitted(b.begin('background')));
      waits.push(b.waitMs());
    }
    expect(waits).toEqual([4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
  });

  it('counts a burst of requests failing together as one round', () => {
    const { b } = budget();
    const burst = Array.from({ length: 10 }, () => admitted(b.begin('background')));
    for (const t of burst) b.failed(t);
    expect(b.state().level).toBe(1);
    expect(b.healthy).toBe(true);
  });

  it('one success opens everything again and says so', () => {
    const { b, events, advance } = budget();
    b.failed(admitted(b.begin('background')));
    advance(1);
    b.failed(admitted(b.begin('background')));
    advance(b.waitMs());
    b.answered(admitted(b.begin('background')));
    expect(b.healthy).toBe(true);
    expect(events.at(-1)).toBe('recovered');
    expect(b.begin('background').ok).toBe(true);
  });

  it('caps background requests at 6 a minute while unhealthy, counting from the start of the trouble', () => {
    const { b, advance } = budget({ maxDelayMs: 1, baseDelayMs: 1 });
    for (let i = 0; i < 50; i++) b.answered(admitted(b.begin('background')));
    b.failed(admitted(b.begin('background')));
    advance(1);
    b.failed(admitted(b.begin('background')));
    let sent = 0;
    for (let ms = 0; ms < 60_000; ms += 100) {
      advance(100);
      const a = b.begin('background');
      if (a.ok) {
        sent++;
        b.failed(a.ticket);
      }
    }
    expect(sent).toBeLessThanOrEqual(6);
    expect(sent).toBeGreaterThanOrEqual(5);
  });

  it('honours Retry-After for every request, the user\'s too, up to its own cap', () => {
    const { b, advance } = budget({ maxRetryAfterMs: 120_000 });
    b.failed(admitted(b.begin('background')), 30_000);
    expect(b.healthy).toBe(false);
    expect(b.begin('user')).toMatchObject({ ok: false, waitMs: 30_000 });
    expect(b.begin('background')).toMatchObject({ ok: false, waitMs: 30_000 });
    advance(30_000);
    expect(b.begin('user').ok).toBe(true);
    const { b: b2 } = budget({ maxRetryAfterMs: 120_000 });
    b2.failed(admitted(b2.begin('background')), 24 * 3_600_000);
    expect(b2.waitMs('user')).toBe(120_000);
  });

  it('lets user requests through the backoff and the cap, without retries within the call', () => {
    const { b, advance } = budget();
    b.failed(admitted(b.begin('background')));
    advance(1);
    b.failed(admitted(b.begin('background')));
    expect(b.begin('background').ok).toBe(false);
    const user = admitted(b.begin('user'));
    expect(user.probe).toBe(false);
    b.failed(user);
    expect(b.mayRetry(user)).toBe(false);
    // And a user's success heals the desk for everyone.
    b.answered(admitted(b.begin('user')));
    expect(b.healthy).toBe(true);
  });

  it('lets a lone call retry within itself, but not once others fail too, and never a probe', () => {
    const { b, advance } = budget();
    const lone = admitted(b.begin('background'));
    b.failed(lone);
    expect(b.mayRetry(lone)).toBe(true);
    advance(1);
    b.retrying(lone);
    b.failed(lone);
    // Its own two failures closed the gate, and it may still make its third attempt.
    expect(b.healthy).toBe(false);
    expect(b.mayRetry(lone)).toBe(true);

    const { b: b2 } = budget();
    const one = admitted(b2.begin('background'));
    const other = admitted(b2.begin('background'));
    b2.failed(one);
    b2.failed(other);
    expect(b2.mayRetry(one)).toBe(false);
    expect(b2.mayRetry(other)).toBe(false);

    const { b: b3, advance: advance3 } = budget();
    b3.failed(admitted(b3.begin('background')));
    advance3(1);
    b3.failed(admitted(b3.begin('background')));
    advance3(b3.waitMs());
    const probe = admitted(b3.begin('background'));
    b3.failed(probe);
    expect(b3.mayRetry(probe)).toBe(false);
  });

  it('probeNow skips the backoff (the user asked to reconnect) but not a Retry-After', () => {
    const { b, advance } = budget();
    b.failed(admitted(b.begin('background')));
    advance(1);
    b.failed(admitted(b.begin('background')));
    expect(b.healthy).toBe(false);
    b.probeNow();
    expect(admitted(b.begin('background')).probe).toBe(true);
    const { b: b2 } = budget();
    b2.failed(admitted(b2.begin('background')), 10_000);
    b2.probeNow();
    expect(b2.begin('background').ok).toBe(false);
  });
});
