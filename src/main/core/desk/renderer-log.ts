import type { RendererLogEntry } from '../../../shared/bridge';
import type { Logger } from '../log';

/**
 * The window's lines for the app's log (its errors, mostly), as they arrive
 * through the bridge's `log` method, already checked against the contract
 * (every field bounded). The page is not trusted with the log: a render loop
 * that throws on every frame must not fill the disk or push the desk's own
 * lines out of the rotated files. So at most `perMinute` lines are written a
 * minute; the rest are counted, and the count is written with the first line
 * of a later minute.
 */

export interface RendererLogOptions {
  /** The host's logger for the window's lines (the desktop app: its log with the `renderer` scope). */
  logger: Logger;
  now?: () => number;
  /** Lines written a minute at most; default 30. */
  perMinute?: number;
}

export const RENDERER_LOG_PER_MINUTE = 30;
const MINUTE_MS = 60_000;

export class RendererLog {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly perMinute: number;
  private minuteStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private dropped = 0;

  constructor(options: RendererLogOptions) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.perMinute = options.perMinute ?? RENDERER_LOG_PER_MINUTE;
  }

  write(entry: RendererLogEntry): void {
    const t = this.now();
    if (t - this.minuteStart >= MINUTE_MS) {
      if (this.dropped > 0) this.logger.warn(`window log lines dropped: more than ${this.perMinute} a minute`, { dropped: this.dropped });
      this.minuteStart = t;
      this.written = 0;
      this.dropped = 0;
    }
    if (this.written >= this.perMinute) {
      this.dropped += 1;
      return;
    }
    this.written += 1;
    const { level, message, ...fields } = entry;
    this.logger[level](message, fields);
  }
}
