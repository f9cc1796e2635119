import type { Notification } from '../../../shared/domain';
import type { NotificationPayload } from '../../../shared/payloads';
import type { DeskCache } from '../cache/cache';
import type { Logger } from '../log';
import { catchUpNotifications, type CatchUpResult, type WalkResume } from './catch-up';
import type { PartContext } from './part';

const MAX_SINGLE_ALERTS = 20;
/**
 * Live arrivals held for another try when a write fails for a reason other
 * than the disk (the cache keeps those itself): beyond this many the oldest
 * go, and catch-up fetches them again.
 */
const MAX_HELD = 5_000;
const PRUNE_INTERVAL_MS = 3_600_000;
/**
 * The prune at start (a scan of the whole table and a write, ~25 ms at 100k
 * rows) waits until the cached desk has been shown; the first catch-up prunes
 * anyway, so this one matters only to a desk that starts offline.
 */
const START_PRUNE_DELAY_MS = 5_000;
/**
 * In a burst (the last write took at least `BURST_ROWS` rows), live arrivals
 * are written at most every `COALESCE_MS`: a few larger transactions cost
 * less per row than one per event-loop turn. A lone arrival, or a steady
 * trickle (each write a row or two), is written at the end of its turn as
 * before, so it waits no longer; a batch that reaches `MAX_BATCH` goes at once.
 */
const COALESCE_MS = 2;
const BURST_ROWS = 8;
const MAX_BATCH = 1_000;
const DAY_MS = 86_400_000;

export interface NotificationsDeps {
  /** At most this many pages per catch-up (tests make it small). */
  maxPages?: number;
  cache: DeskCache;
  logger: Logger;
  /** Notifications older than this leave the cache (patient data stays small). */
  retentionDays: number;
  now: () => number;
}

/**
 * Notifications: live arrivals written in one transaction per event-loop
 * turn, the catch-up of what was missed, the unread count, and the cache's
 * retention. New to the cache means new to the user: announced once, never
 * twice (live delivery and catch-up overlap).
 */
export class NotificationsPart {
  private readonly pending: Notification[] = [];
  /** The write waiting: at the end of this turn, or at the end of a burst's window. */
  private flushSoon: NodeJS.Immediate | null = null;
  private flushLater: NodeJS.Timeout | null = null;
  /** `performance.now()` and size of the last write of live arrivals. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private lastFlushRows = 0;
  /**
   * Unread count, kept up to date by arithmetic for live arrivals: counting
   * rows in SQLite after every burst costs more than the rest of the pipeline
   * together once the cache holds tens of thousands. Recounted after syncs
   * and user actions.
   */
  private unread = 0;
  /** When the last prune after a catch-up ran; null until the session's first catch-up. */
  private lastPruneAt: number | null = null;
  /** A long walk down a server that ignores `after_id`, to go on with. */
  private resume: WalkResume | null = null;
  private startPrune: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: PartContext,
    private readonly d: NotificationsDeps,
  ) {}

  start(): void {
    // Known from the start (a live row older than it is flagged), though the prune itself waits.
    this.d.cache.setRetention(this.d.retentionDays);
    this.unread = this.d.cache.unreadCount();
    this.startPrune = setTimeout(() => {
      this.startPrune = null;
      if (this.lastPruneAt === null) this.prune();
    }, START_PRUNE_DELAY_MS);
    this.startPrune.unref();
  }

  stop(flush: boolean): void {
    if (this.startPrune !== null) clearTimeout(this.startPrune);
    this.startPrune = null;
    this.clearFlushTimer();
    if (flush) this.flush();
  }

  private clearFlushTimer(): void {
    if (this.flushSoon !== null) clearImmediate(this.flushSoon);
    if (this.flushLater !== null) clearTimeout(this.flushLater);
    this.flushSoon = null;
    this.flushLater = null;
  }

  /** A live arrival; batched: one transaction per event-loop turn, or per few milliseconds in a burst (see `COALESCE_MS`). */
  onLive(payload: NotificationPayload): void {
    this.pending.push({ ...payload, read_at: null });
    // Large enough: no need to wait for the rest of the window.
    if (this.flushLater !== null && this.pending.length >= MAX_BATCH) this.clearFlushTimer();
    if (this.flushSoon !== null || this.flushLater !== null) return;
    const wait = this.lastFlushRows >= BURST_ROWS && this.pending.length < MAX_BATCH ? COALESCE_MS - (performance.now() - this.lastFlushAt) : 0;
    if (wait >= 1) {
      this.flushLater = setTimeout(() => this.flush(), wait);
    } else {
      this.flushSoon = setImmediate(() => this.flush());
    }
  }

  /**
   * Writes the live arrivals still waiting (before reading the list, or a
   * catch-up). A disk that refuses the write does not stop anything: the cache
   * keeps the rows in memory, shows them, and writes them once it can (its
   * `stats().writeError` says why meanwhile). Any other failure is logged and
   * the batch is held for the next flush, never thrown into the event loop.
   */
  flush(): void {
    this.clearFlushTimer();
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    this.lastFlushAt = performance.now();
    this.lastFlushRows = batch.length;
    let inserted: Notification[];
    try {
      inserted = this.d.cache.upsertNotifications(batch, { live: true }).inserted;
    } catch (error) {
      this.pending.unshift(...batch);
      const over = this.pending.length - MAX_HELD;
      if (over > 0) this.pending.splice(0, over);
      this.d.logger.error('live notifications could not be stored; held for the next try', {
        held: this.pending.length,
        dropped: Math.max(0, over),
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    this.announce(inserted);
  }

  async sync(): Promise<CatchUpResult> {
    this.flush();
    const caught = await catchUpNotifications(this.ctx.api, this.d.cache, { retentionDays: this.d.retentionDays, now: this.d.now, resume: this.resume, ...(this.d.maxPages === undefined ? {} : { maxPages: this.d.maxPages }) });
    this.resume = caught.resume;
    // Older than the retention window (a first sign-in's history): pruned at once and never announced,
    // so no alert is raised for what the list will not show.
    const cutoff = this.d.now() - this.d.retentionDays * DAY_MS;
    const fresh = caught.inserted.filter((n) => Date.parse(n.created_at) >= cutoff);
    this.announce(fresh);
    // Otherwise after the session's first catch-up, then at most hourly: a prune scans the whole
    // table (~27 ms at 100k rows), too much for every reconnect.
    const due = this.lastPruneAt === null || this.d.now() - this.lastPruneAt >= PRUNE_INTERVAL_MS;
    if (due || fresh.length < caught.inserted.length) {
      this.lastPruneAt = this.d.now();
      this.prune();
    }
    return caught;
  }

  /** Recounts from the cache (after actions and syncs, where arithmetic could drift) and tells the window. */
  recount(): void {
    this.unread = this.d.cache.unreadCount();
    this.ctx.emit({ kind: 'notifications.unread', unread: this.unread });
  }

  private announce(inserted: Notification[]): void {
    if (inserted.length === 0) return;
    // Just inserted, so no outbox action can refer to them yet: pending is null.
    if (inserted.length <= MAX_SINGLE_ALERTS) {
      for (const n of inserted) this.ctx.emit({ kind: 'notification.upserted', notification: { ...n, pending: null }, isNew: true });
    } else {
      const newest = [...inserted].sort((a, b) => b.id - a.id).slice(0, MAX_SINGLE_ALERTS);
      this.ctx.emit({ kind: 'notifications.synced', inserted: inserted.length, newest: newest.map((n) => ({ ...n, pending: null })) });
    }
    this.unread += inserted.filter((n) => n.read_at === null).length;
    this.ctx.emit({ kind: 'notifications.unread', unread: this.unread });
  }

  private prune(): void {
    const pruned = this.d.cache.prune(this.d.retentionDays);
    if (pruned.notifications > 0 || pruned.snapshots > 0) this.d.logger.info('cache pruned', { ...pruned, retentionDays: this.d.retentionDays });
    if (pruned.notifications > 0) this.recount();
  }
}
