/**
 * The realtime socket's own state as the session reads it: the current state
 * since when, the socket id and why. Plain data, apart from the socket code.
 * It keeps no history: the one timeline of the connection is the desk's
 * (`session/connection-status.ts`, `ConnectionTimeline`), in the status
 * bar's terms, with this state's detail as each entry's reason.
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

export class RealtimeStateTracker {
  private current: RealtimeStatus;

  constructor(private readonly now: () => number) {
    this.current = { state: 'idle', since: this.iso(), socketId: null, detail: null };
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  get status(): RealtimeStatus {
    return { ...this.current };
  }

  /**
   * Moves to `state`. Returns the change when there was one: a new state, or
   * `force` (a rebuilt connection that stays "connecting" is still news for
   * the log). A detail-only change updates the status and returns null.
   */
  set(state: RealtimeState, detail: string | null, options: { socketId?: string | null; force?: boolean } = {}): { from: RealtimeState; to: RealtimeState } | null {
    const from = this.current.state;
    const changed = from !== state;
    const socketId = state === 'connected' ? (options.socketId ?? this.current.socketId) : null;
    if (!changed && options.force !== true) {
      this.current = { ...this.current, detail, socketId };
      return null;
    }
    this.current = { state, since: changed ? this.iso() : this.current.since, socketId, detail };
    return { from, to: state };
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
