import type { ActionResult } from '../../../shared/bridge';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationFailedError, type ApiClient, type ApiError } from '../api/client';
import type { DeskCache, OutboxEntry } from '../cache/cache';
import { backoffDelay } from '../realtime/connection-state';
import type { Logger } from '../log';
import { flushOutbox, type ActionOutcome, type FlushResult } from './catch-up';

export type SendPriority = 'user' | 'background';

export interface OutboxSenderDeps {
  api: ApiClient;
  cache: DeskCache;
  logger: Logger;
  /** Backoff of the outbox's own timer. */
  retry: { baseDelayMs: number; maxDelayMs: number };
  /** An action the server took (or that is moot), or refused for good: the window shows it. */
  onDone: (entry: OutboxEntry, outcome: ActionOutcome) => void;
  /** An action's request is about to go out. */
  onSend?: (entry: OutboxEntry) => void;
  /** This desk's socket, so that the broadcast of its own message is not echoed back to it. */
  socketId?: () => string | null;
  /** The server no longer accepts the token. */
  onExpired: () => void;
  /** The session ended: nothing more is sent. */
  ended: () => boolean;
}

export const DEFAULT_OUTBOX_RETRY = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

/**
 * What became of one action a user's call is waiting for: `done` (with the
 * server's answer), `queued` (it waits in the outbox: the server could not
 * take it yet, or the session ended), or `refused` for good.
 */
export type Delivery = { status: 'done'; answer: unknown } | { status: 'queued' } | { status: 'refused'; error: ApiError };

/** Outcomes kept for the calls waiting on them; more than this and the oldest go (a call reads its own at once). */
const OUTCOMES_KEPT = 200;

/**
 * Sends the outbox, oldest first, one flush at a time, on its own timer:
 * independent of the socket and of syncs, so an action taken while the
 * server failed goes out as soon as it answers, and a staff member's action
 * never waits for a sync (only for the actions queued before it).
 */
export class OutboxSender {
  private current: Promise<FlushResult | null> | null = null;
  private next: { priority: SendPriority; promise: Promise<FlushResult | null> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** What became of the actions flushes took out of the outbox, by outbox id, for `deliver`. */
  private readonly outcomes = new Map<number, ActionOutcome>();

  constructor(private readonly d: OutboxSenderDeps) {}

  /**
   * The user's action goes out now, behind whatever was queued before it.
   * `queued` while it is still waiting (the server could not take it yet).
   */
  async sendNow(outboxId: number): Promise<ActionResult> {
    const delivery = await this.deliver(outboxId);
    return { status: delivery.status === 'queued' ? 'queued' : 'done' };
  }

  /** As `sendNow`, and what the server answered or why it refused. */
  async deliver(outboxId: number): Promise<Delivery> {
    await this.send('user');
    const outcome = this.outcomes.get(outboxId);
    this.outcomes.delete(outboxId);
    // Signed out meanwhile (a 401): the action stays in the kept cache's outbox.
    if (this.d.ended() || this.d.cache.pendingActions().some((a) => a.id === outboxId)) return { status: 'queued' };
    if (outcome?.kind === 'refused') return { status: 'refused', error: outcome.error };
    return { status: 'done', answer: outcome?.answer ?? null };
  }

  /**
   * A call while a flush runs joins the next one (which reads the outbox when
   * it starts, so it holds every action queued until then). A user's call
   * makes that flush the user's (it bypasses the retry budget's backoff).
   * Null when the session ended.
   */
  send(priority: SendPriority): Promise<FlushResult | null> {
    if (this.d.ended()) return Promise.resolve(null);
    if (this.current === null) return this.start(priority);
    if (this.next === null) {
      const next: { priority: SendPriority; promise: Promise<FlushResult | null> } = { priority, promise: Promise.resolve(null) };
      next.promise = this.current.then(() => {
        this.next = null;
        return this.start(next.priority);
      });
      this.next = next;
    } else if (priority === 'user') {
      this.next.priority = 'user';
    }
    return this.next.promise;
  }

  /** Flushes still running, for closing the cache after them. */
  inFlight(): Array<Promise<unknown>> {
    return [this.current, this.next?.promise].filter((p): p is Promise<FlushResult | null> => p != null);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private start(priority: SendPriority): Promise<FlushResult | null> {
    if (this.d.ended()) return Promise.resolve(null);
    const api = priority === 'user' ? this.d.api.userView() : this.d.api;
    const onDone = (entry: OutboxEntry, outcome: ActionOutcome): void => {
      this.outcomes.set(entry.id, outcome);
      if (this.outcomes.size > OUTCOMES_KEPT) this.outcomes.delete(this.outcomes.keys().next().value ?? entry.id);
      this.d.onDone(entry, outcome);
    };
    const run: Promise<FlushResult | null> = flushOutbox(api, this.d.cache, this.d.logger, {
      onDone,
      cancelled: this.d.ended,
      ...(this.d.onSend ? { onSend: this.d.onSend } : {}),
      ...(this.d.socketId ? { socketId: this.d.socketId } : {}),
    })
      .then(
        (result) => {
          this.after(result);
          return result;
        },
        (error: unknown) => {
          this.d.logger.error('outbox flush failed', { error: error instanceof Error ? error.message : String(error) });
          this.after(null);
          return null;
        },
      )
      .finally(() => {
        if (this.current === run) this.current = null;
      });
    this.current = run;
    return run;
  }

  private after(result: FlushResult | null): void {
    if (this.d.ended()) return;
    if (result?.stoppedBy instanceof UnauthorizedError) {
      this.d.onExpired();
      return;
    }
    if (result !== null && result.pending === 0) {
      this.attempt = 0;
      this.stop();
      return;
    }
    // Stopped by the server (or the flush itself failed): the timer tries again.
    // Sent to the end with more queued meanwhile: whoever queued them sends them.
    if (result === null || result.stoppedBy !== null) this.retryLater();
  }

  /** Sends on the outbox's timer (an action queued without a flush): jittered backoff, never before the retry budget lets a request through. */
  retryLater(): void {
    if (this.d.ended() || this.timer) return;
    const delay = Math.max(backoffDelay(this.attempt++, this.d.retry.baseDelayMs, this.d.retry.maxDelayMs), this.d.api.budget.waitMs('background'));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.d.ended()) void this.send('background');
    }, delay);
    this.timer.unref();
  }
}

/** Why the server refused an action, in words for staff: the server's own message when it sent one. */
export function refusalReason(error: ApiError): string {
  const said = error instanceof ValidationFailedError ? (Object.values(error.fields).flat()[0] ?? error.serverMessage) : error.serverMessage;
  if (said) return said;
  if (error instanceof ForbiddenError) return 'the clinic server does not allow this account to do that (403)';
  if (error instanceof NotFoundError) return 'the clinic server no longer has what it was for (404)';
  if (error instanceof ValidationFailedError) return 'the clinic server did not accept it (422)';
  return `the clinic server refused it (${error.status})`;
}
