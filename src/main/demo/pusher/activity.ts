/**
 * Server-side liveness of one connection, as the protocol describes it: after
 * `activityMs` without any frame from the client, ping it; if nothing at all
 * comes back within `pongMs`, give up on it. Any inbound frame counts, not
 * only `pusher:pong`, since a client busy sending is plainly alive.
 */
export class ActivityMonitor {
  private silenceTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly activityMs: number,
    private readonly pongMs: number,
    private readonly ping: () => void,
    private readonly giveUp: () => void,
  ) {}

  /** Call on every inbound frame (and once at the start). */
  touch(): void {
    if (this.stopped) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.onSilence(), this.activityMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.silenceTimer);
    clearTimeout(this.pongTimer);
  }

  private onSilence(): void {
    this.ping();
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      if (!this.stopped) this.giveUp();
    }, this.pongMs);
  }
}
