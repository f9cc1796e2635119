/**
 * The realtime connection's state as the desk shows it: the current state
 * since when, and a bounded timeline of transitions for the diagnostics
 * screen. Kept apart from the socket code so it is plain data and easy to test.
 */

export const REALTIME_STATES = ['idle', 'connecting', 'connected', 'unavailable', 'failed', 'disconnected'] as const;
export type RealtimeState = (typeof REALTIME_STATES)[number];

export interface RealtimeStatus {
  state: RealtimeState;
  /** ISO 8601, when `state` was entered. */
  since: string;
  socketId: string | null;
  /** Why, in words: the last error, the reason of a forced reconnect, the next retry. */
  detail: string | null;
}

/** Shaped like the shared `ConnectionTransition`, with the socket-level states. */
export interface RealtimeTransition {
  at: string;
  from: RealtimeState;
  to: RealtimeState;
  detail: string | null;
}

export const TIMELINE_LIMIT = 100;

export class RealtimeStateTracker {
  private current: RealtimeStatus;
  private readonly entries: RealtimeTransition[] = [];

  constructor(
    private readonly now: () => number,
    private readonly limit = TIMELINE_LIMIT,
  ) {
    this.current = { state: 'idle', since: this.iso(), socketId: null, detail: null };
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  get status(): RealtimeStatus {
    return { ...this.current };
  }

  /** Oldest first, at most `limit` entries. */
  get timeline(): RealtimeTransition[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /**
   * Moves to `state`. Returns the transition when one was recorded: a change
   * of state, or `force` (a rebuilt connection that stays "connecting" is
   * still worth a line in the timeline). A detail-only change updates the
   * status without a timeline entry.
   */
  set(state: RealtimeState, detail: string | null, options: { socketId?: string | null; force?: boolean } = {}): RealtimeTransition | null {
    const from = this.current.state;
    const changed = from !== state;
    const socketId = state === 'connected' ? (options.socketId ?? this.current.socketId) : null;
    if (!changed && options.force !== true) {
      this.current = { ...this.current, detail, socketId };
      return null;
    }
    const at = this.iso();
    this.current = { state, since: changed ? at : this.current.since, socketId, detail };
    const transition: RealtimeTransition = { at, from, to: state, detail };
    this.entries.push(transition);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return { ...transition };
  }
}

/**
 * Exponential backoff with ±20 % jitter, so that a clinic's desks do not all
 * reconnect in the same millisecond after the socket server restarts.
 * `attempt` 0 gives about `baseMs`.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const jittered = raw * (0.8 + 0.4 * random());
  return Math.max(1, Math.round(Math.min(maxMs, jittered)));
}
