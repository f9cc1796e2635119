/**
 * One retry budget per desk: every request the API client sends (REST reads,
 * outbox actions, channel authorizations) asks it first, so that the desk's
 * many loops (catch-up, polling, feature retries, the outbox timer, channel
 * retries) cannot add up to a herd when the clinic's server is in trouble.
 *
 * - While the server answers, nothing is limited: a catch-up may read 200
 *   pages, a reconnect authorizes every channel at once.
 * - After `threshold` failure rounds in a row (a failure counts as a new round
 *   only when its request started after the last failure, so a burst of
 *   concurrent requests failing together is one round), the gate closes for an
 *   exponential backoff with jitter over its upper half (`baseDelayMs`
 *   doubling to `maxDelayMs`). When it reopens, one background request goes
 *   as the probe; the others are refused here, without a request, until the
 *   probe has an answer. A success anywhere opens everything again (`recovered`).
 * - While unhealthy, background requests are also capped at `perMinute` in
 *   any rolling `windowMs` (counted from when the budget became unhealthy): a
 *   safety net under the backoff, whose probes alone stay about that rate.
 * - `Retry-After` (429, or a 503 of maintenance mode) closes the gate for as
 *   long as the server asked (at most `maxRetryAfterMs`), for user requests too:
 *   the server said when to come back.
 * - User requests (sign-in, an action the user just took, opening a thread or
 *   a day of the board) bypass the backoff, the probe and the cap, so that a
 *   click is answered at once; they do not use up the cap (a user clicking
 *   through an outage must not delay the desk's own healing), and their
 *   success or failure teaches the budget like any other. They are not
 *   retried within the call once the server is failing.
 *
 * Times come from a monotonic clock: a wall clock changed by the user or
 * frozen by a test must not open or close the gate.
 */

export type Priority = 'background' | 'user';

export interface RetryBudgetOptions {
  /** The first wait once the gate closes. */
  baseDelayMs: number;
  /** No wait of the gate is longer (a `Retry-After` may be, up to `maxRetryAfterMs`). */
  maxDelayMs: number;
  /** Failure rounds in a row before the gate closes. */
  threshold: number;
  /** Background requests allowed in any `windowMs` while unhealthy. */
  perMinute: number;
  windowMs: number;
  /** A longer `Retry-After` is taken as this (a wrong header must not stall a desk for a day). */
  maxRetryAfterMs: number;
  /** Monotonic milliseconds. */
  clock: () => number;
  /** In [0, 1), for the jitter. */
  random: () => number;
}

export const DEFAULT_BUDGET: RetryBudgetOptions = {
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  threshold: 2,
  perMinute: 6,
  windowMs: 60_000,
  maxRetryAfterMs: 5 * 60_000,
  clock: () => performance.now(),
  random: Math.random,
};

/** One logical request (its in-call retries included), from admission to its last answer. */
export interface Ticket {
  readonly priority: Priority;
  /** Admitted while the gate was closed-then-reopened: the one request that checks whether the server is back. */
  readonly probe: boolean;
  /** Admitted while the budget was healthy: only such a request may retry within the call. */
  readonly healthyAtStart: boolean;
  attemptStartedAt: number;
  seqAtStart: number;
  ownFailures: number;
  settled: boolean;
}

export type Admission = { ok: true; ticket: Ticket } | { ok: false; waitMs: number; reason: string };

export interface BudgetState {
  healthy: boolean;
  /** Failure rounds in a row. */
  level: number;
  /** Until a background request would be admitted. */
  waitMs: number;
  /** The server asked to wait (`Retry-After`). */
  serverAsked: boolean;
  /** Background requests sent in the last `windowMs` while unhealthy. */
  sentInWindow: number;
}

type BudgetEvents = {
  /** The server answered again after the budget had closed. */
  recovered: void;
  /** The gate closed (or closed again after a failed probe): a background request may go in `waitMs`. */
  closed: { waitMs: number };
};

export class RetryBudget {
  readonly options: RetryBudgetOptions;
  private level = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private reopenAt = 0;
  private serverWaitUntil = 0;
  private probe: Ticket | null = null;
  private failureSeq = 0;
  private readonly sent: number[] = [];
  private total = 0;
  private readonly listeners = new Map<keyof BudgetEvents, Set<(e: never) => void>>();

  constructor(options: Partial<RetryBudgetOptions> = {}) {
    this.options = { ...DEFAULT_BUDGET, ...options };
  }

  /** Requests sent through this budget since it was made. */
  get requestsSent(): number {
    return this.total;
  }

  get healthy(): boolean {
    return this.level < this.options.threshold && this.clock() >= this.serverWaitUntil;
  }

  state(): BudgetState {
    const now = this.clock();
    this.prune(now);
    return { healthy: this.healthy, level: this.level, waitMs: this.waitMs(), serverAsked: now < this.serverWaitUntil, sentInWindow: this.sent.length };
  }

  on<K extends keyof BudgetEvents>(event: K, listener: (e: BudgetEvents[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as (e: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** How long until a request of this priority would be admitted (0: now). */
  waitMs(priority: Priority = 'background'): number {
    const now = this.clock();
    const server = Math.max(0, this.serverWaitUntil - now);
    if (priority === 'user' || this.level < this.options.threshold) return server;
    this.prune(now);
    const gate = Math.max(0, this.reopenAt - now);
    const cap = this.sent.length >= this.options.perMinute ? (this.sent[0] ?? now) + this.options.windowMs - now : 0;
    // A probe in flight answers within the request timeout; ask again in a moment.
    const probe = this.probe !== null ? this.options.baseDelayMs : 0;
    return Math.ceil(Math.max(server, gate, cap, probe));
  }

  /** Asks to send a request now. */
  begin(priority: Priority): Admission {
    const now = this.clock();
    this.prune(now);
    if (now < this.serverWaitUntil) {
      return { ok: false, waitMs: Math.ceil(this.serverWaitUntil - now), reason: `the server asked to wait ${Math.ceil((this.serverWaitUntil - now) / 1000)} s more (Retry-After)` };
    }
    const healthy = this.level < this.options.threshold;
    let probe = false;
    if (!healthy && priority === 'background') {
      const wait = this.waitMs('background');
      if (wait > 0) return { ok: false, waitMs: wait, reason: 'the server has been failing; the desk waits before asking again' };
      probe = true;
    }
    const ticket: Ticket = { priority, probe, healthyAtStart: healthy, attemptStartedAt: now, seqAtStart: this.failureSeq, ownFailures: 0, settled: false };
    if (probe) this.probe = ticket;
    this.count(now, !healthy && priority === 'background');
    return { ok: true, ticket };
  }

  /**
   * May this call try again within itself (after a 502, a reset connection)?
   * Only a call admitted while healthy whose failures since are all its own: a
   * burst of calls failing together does not become three bursts, and a probe
   * is one request.
   */
  mayRetry(ticket: Ticket): boolean {
    if (!ticket.healthyAtStart) return false;
    if (ticket.priority === 'user' && this.level >= this.options.threshold) return false;
    return this.failureSeq - ticket.seqAtStart === ticket.ownFailures;
  }

  /** The call is about to try again (after `mayRetry`). */
  retrying(ticket: Ticket): void {
    const now = this.clock();
    ticket.attemptStartedAt = now;
    ticket.settled = false;
    this.count(now, this.level >= this.options.threshold && ticket.priority === 'background');
  }

  /** The server answered (a success, or an answer such as 404 or 422 that is not a failure of the server). */
  answered(ticket: Ticket): void {
    if (ticket.settled) return;
    ticket.settled = true;
    if (this.probe === ticket) this.probe = null;
    const wasUnhealthy = !this.healthy || this.level >= this.options.threshold;
    this.level = 0;
    this.reopenAt = 0;
    this.serverWaitUntil = 0;
    if (wasUnhealthy) this.emit('recovered', undefined);
  }

  /** No answer, a 5xx, a 429, or something that is not the clinic's API (an HTML page, a redirect, cut-short JSON). */
  failed(ticket: Ticket, retryAfterMs: number | null = null): void {
    if (ticket.settled) return;
    ticket.settled = true;
    if (this.probe === ticket) this.probe = null;
    const now = this.clock();
    this.failureSeq += 1;
    ticket.ownFailures += 1;
    const news = ticket.attemptStartedAt > this.lastFailureAt;
    this.lastFailureAt = now;
    let closed = false;
    if (news) {
      this.level += 1;
      if (this.level >= this.options.threshold) {
        // The cap counts from the start of the trouble, not the busy minute before it.
        if (this.level === this.options.threshold) this.sent.length = 0;
        this.reopenAt = now + this.backoff(this.level);
        closed = true;
      }
    } else if (ticket.probe) {
      // A probe always reports: its failure closes the gate again even when another failure came first.
      this.reopenAt = Math.max(this.reopenAt, now + this.backoff(this.level));
      closed = true;
    }
    if (retryAfterMs !== null && retryAfterMs > 0) {
      this.serverWaitUntil = Math.max(this.serverWaitUntil, now + Math.min(retryAfterMs, this.options.maxRetryAfterMs));
      if (this.level < this.options.threshold) this.sent.length = 0;
      this.level = Math.max(this.level, this.options.threshold);
      this.reopenAt = Math.max(this.reopenAt, this.serverWaitUntil);
      closed = true;
    }
    if (closed) this.emit('closed', { waitMs: this.waitMs() });
  }

  /** Neither answer nor failure (a request that was never sent, or cancelled). */
  release(ticket: Ticket): void {
    if (ticket.settled) return;
    ticket.settled = true;
    if (this.probe === ticket) this.probe = null;
  }

  /**
   * The user asked to reconnect: the backoff's wait is skipped (the next
   * background request goes as a probe), a `Retry-After` is still honoured.
   */
  probeNow(): void {
    this.reopenAt = 0;
  }

  private backoff(level: number): number {
    const { baseDelayMs, maxDelayMs, threshold, random } = this.options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, Math.max(0, level - threshold)));
    // Over the upper half: desks that failed together spread out, and none waits longer than the ceiling.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  private count(now: number, unhealthy: boolean): void {
    if (unhealthy) this.sent.push(now);
    this.total += 1;
  }

  private prune(now: number): void {
    const from = now - this.options.windowMs;
    let drop = 0;
    while (drop < this.sent.length && (this.sent[drop] ?? 0) <= from) drop++;
    if (drop > 0) this.sent.splice(0, drop);
  }

  private clock(): number {
    return this.options.clock();
  }

  private emit<K extends keyof BudgetEvents>(event: K, payload: BudgetEvents[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])] as Array<(e: BudgetEvents[K]) => void>) {
      try {
        listener(payload);
      } catch {
        // A listener's trouble is its own; the request that reported goes on.
      }
    }
  }
}
