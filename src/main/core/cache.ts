import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Notification } from '../../shared/domain';
import { NotificationItem } from '../../shared/desk-state';
import { IsoDateTime } from '../../shared/time';
import { openCacheFile, removeCacheFiles, type QuickCheckPolicy } from './cache-file';
import { ITEM_COLUMNS, UNREAD, prepareStatements, type CacheStatements, type NotificationParams, type RawItem } from './cache-statements';
import { silentLogger, type Logger } from './log';
import { OutboxAction, OutboxStore, type OutboxEntry } from './outbox';

/**
 * The desk's durable cache: one SQLite file per signed-in user and back end.
 * It holds the notifications the server sent (plus what this desk did to them
 * that the server has not confirmed yet), the outbox of those actions, and
 * JSON snapshots of the other screens, so the window can show the last known
 * state at start and nothing taken offline is lost.
 *
 * Rules it keeps:
 * - Upserts are by id, one transaction per call, and report which rows are
 *   new so the desk alerts once. A notification deleted here stays deleted
 *   (the row is kept as a tombstone until pruned), and a server `read_at`
 *   never goes back to null.
 * - `enqueue` applies an action's local effect (read, read-all, delete) in the
 *   same transaction as the outbox row, so a crash cannot leave one without
 *   the other. The `*Local` methods alone record a state without an outbox
 *   entry (for a change the server already confirmed); calling them before
 *   `enqueue` is harmless.
 * - An item's `pending` comes from the outbox: it shows until `completeAction`.
 * - Every row read back is parsed with its zod schema; a bad row is logged and
 *   skipped (a bad snapshot is also deleted).
 * - Pruning removes notifications (read or unread) created before the
 *   retention, and snapshots saved before it, but never a notification an
 *   outbox action still refers to. The highest pruned id is remembered, so
 *   catch-up does not fetch pruned notifications again and alert twice.
 * - `catchUpCursor` is where catch-up should resume; unlike
 *   `maxNotificationId` a live event cannot move it past a gap.
 */

export { CacheOpenError } from './cache-file';
export { OutboxAction, type OutboxEntry } from './outbox';

export interface CacheOptions {
  file: string;
  now?: () => number;
  logger?: Logger;
  /**
   * `auto` (default): run `PRAGMA quick_check` at open only after an unclean
   * shutdown (flag row still 0, or a -wal left over), a header/size mismatch,
   * or when the last check is over a week old; it costs ~25 ms at 100k rows,
   * more than the whole cold-start budget. `always`: on every open.
   */
  quickCheck?: QuickCheckPolicy;
}

export interface OpenedCache {
  cache: DeskCache;
  /** What had to be repaired, in words for the log and diagnostics ("cache file was corrupt; moved to …"). */
  warnings: string[];
}

export interface NotificationQuery {
  beforeId?: number;
  limit: number;
  type?: string;
  unreadOnly?: boolean;
}

/** `${dir}/desk-<sha256(apiUrl), 12 hex>-u<userId>.sqlite`: one file per back end and user. */
export function cacheFileFor(dir: string, apiUrl: string, userId: number): string {
  if (!Number.isSafeInteger(userId) || userId <= 0) throw new RangeError(`cacheFileFor: userId must be a positive integer, got ${userId}`);
  // `https://clinic.example/` and `https://clinic.example` are the same back end.
  const digest = createHash('sha256').update(apiUrl.replace(/\/+$/, '')).digest('hex').slice(0, 12);
  return path.join(dir, `desk-${digest}-u${userId}.sqlite`);
}

export function openCache(options: CacheOptions): OpenedCache {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const { value, warnings } = openCacheFile(
    { file: options.file, now, logger, quickCheck: options.quickCheck ?? 'auto' },
    (db) => new DeskCache(db, options.file, now, logger),
  );
  return { cache: value, warnings };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

const SnapshotRow = z.object({ value: z.string(), saved_at: IsoDateTime });

export class DeskCache {
  private readonly outbox: OutboxStore;
  private readonly stmt: CacheStatements;
  private readonly listStmts = new Map<string, Database.Statement<[{ before: number; limit: number; type?: string }], RawItem>>();
  private readonly upsertTx: (rows: readonly Notification[]) => { inserted: Notification[]; updated: number };
  /** Highest id ever pruned: ids at or below it that the cache does not hold are not new. */
  private prunedThrough: number;
  private catchUpThrough: number;

  /** Use `openCache`: it checks, repairs and migrates the file first. */
  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {
    this.outbox = new OutboxStore(db, logger);
    this.stmt = prepareStatements(db);
    this.upsertTx = db.transaction((rows: readonly Notification[]) => this.upsertRows(rows));
    const pruned = this.stmt.getMeta.get('pruned_through_id');
    this.prunedThrough = typeof pruned === 'number' ? pruned : 0;
    const caughtUp = this.stmt.getMeta.get('catch_up_through_id');
    this.catchUpThrough = typeof caughtUp === 'number' ? caughtUp : 0;
    // Cleared by close(); still 0 at the next open means a crash, which earns an integrity check.
    this.stmt.setMeta.run('clean_shutdown', 0);
  }

  // ── notifications ─────────────────────────────────────────────────────

  upsertNotifications(rows: readonly Notification[]): { inserted: Notification[]; updated: number } {
    if (rows.length === 0) return { inserted: [], updated: 0 };
    return this.upsertTx(rows);
  }

  private upsertRows(rows: readonly Notification[]): { inserted: Notification[]; updated: number } {
    const pendingDeletes = this.outbox.pendingDeletes();
    const inserted: Notification[] = [];
    let updated = 0;
    for (const row of rows) {
      if (pendingDeletes.has(row.id)) continue;
      const params: NotificationParams = {
        id: row.id,
        user_id: row.user_id,
        type: row.type,
        title: row.title,
        message: row.message,
        action_url: row.action_url ?? null,
        created_at: row.created_at,
        read_at: row.read_at ?? null,
      };
      if (row.id > this.prunedThrough && this.stmt.insert.run(params).changes > 0) inserted.push(row);
      else if (this.stmt.update.run(params).changes > 0) updated++;
    }
    return { inserted, updated };
  }

  /** Catch-up asks the server for ids after this one (pruned ids count: they must not come back). */
  maxNotificationId(): number {
    return Math.max(this.stmt.maxId.get() ?? 0, this.prunedThrough);
  }

  /**
   * Where the next catch-up should start: the highest id up to which the
   * server's list has been read in full. Unlike `maxNotificationId`, a live
   * event does not move it, so ids created while the desk was away and lower
   * than a live one that arrived first are still fetched. Survives restarts.
   */
  catchUpCursor(): number {
    return this.catchUpThrough;
  }

  /** Called after a catch-up page is stored; only ever moves forward. */
  advanceCatchUpCursor(id: number): void {
    if (!Number.isSafeInteger(id) || id <= this.catchUpThrough) return;
    this.stmt.setMeta.run('catch_up_through_id', id);
    this.catchUpThrough = id;
  }

  listNotifications(q: NotificationQuery): { items: NotificationItem[]; hasMore: boolean } {
    const limit = Math.max(1, Math.trunc(q.limit));
    const stmt = this.listStatement(q.type !== undefined, q.unreadOnly === true);
    const items: NotificationItem[] = [];
    let before = q.beforeId ?? NO_UPPER_BOUND;
    // Rows that fail validation are skipped, so a page may need another read to fill up.
    for (;;) {
      const want = limit - items.length + 1;
      const rows = stmt.all({ before, limit: want, ...(q.type !== undefined ? { type: q.type } : {}) });
      for (const raw of rows) {
        if (items.length === limit) return { items, hasMore: true };
        before = raw.id;
        const item = this.parseItem(raw);
        if (item) items.push(item);
      }
      if (rows.length < want) return { items, hasMore: false };
    }
  }

  private listStatement(byType: boolean, unreadOnly: boolean) {
    const key = `${byType ? 'type' : ''}:${unreadOnly ? 'unread' : ''}`;
    let stmt = this.listStmts.get(key);
    if (!stmt) {
      const where = ['n.deleted_at IS NULL', 'n.id < @before'];
      if (byType) where.push('n.type = @type');
      if (unreadOnly) where.push(UNREAD);
      stmt = this.db.prepare<[{ before: number; limit: number; type?: string }], RawItem>(
        `SELECT ${ITEM_COLUMNS} FROM notifications n WHERE ${where.join(' AND ')} ORDER BY n.id DESC LIMIT @limit`,
      );
      this.listStmts.set(key, stmt);
    }
    return stmt;
  }

  /** A pending delete still shows here (with `pending: 'delete'`); a confirmed one is gone. */
  getNotification(id: number): NotificationItem | null {
    const raw = this.stmt.getItem.get(id);
    if (!raw) return null;
    const { deleted_at: deletedAt, ...fields } = raw;
    if (deletedAt != null && fields['pending'] !== 'delete') return null;
    return this.parseItem({ ...fields, id: raw.id });
  }

  private parseItem(raw: RawItem): NotificationItem | null {
    const item = NotificationItem.safeParse(raw);
    if (item.success) return item.data;
    this.logger.warn('cache: skipped a notification row that does not parse', { id: raw.id, reason: z.prettifyError(item.error) });
    return null;
  }

  /** Counts locally read (pending) notifications as read. */
  unreadCount(): number {
    return this.stmt.unread.get() ?? 0;
  }

  /** False when it is unknown, deleted or already read. */
  markReadLocal(id: number, at: string): boolean {
    return this.stmt.markRead.run(at, id).changes > 0;
  }

  markAllReadLocal(at: string): number {
    return this.stmt.markAllRead.run(at).changes;
  }

  /** Hides it at once; false when it is unknown or already deleted. */
  deleteLocal(id: number): boolean {
    return this.stmt.hide.run(this.iso(), id).changes > 0;
  }

  // ── outbox ────────────────────────────────────────────────────────────

  /**
   * Adds an action (validated with `OutboxAction`, throws on an invalid one)
   * and applies its local effect in the same transaction. The same intent
   * queued twice (read or delete of one id, a message's clientId) returns the
   * first entry's id.
   */
  enqueue(action: OutboxAction): number {
    const parsed = OutboxAction.parse(action);
    return this.db.transaction(() => {
      const createdAt = this.iso();
      const { id, created } = this.outbox.add(parsed, createdAt);
      if (created) {
        switch (parsed.kind) {
          case 'read':
            this.stmt.markRead.run(createdAt, parsed.notificationId);
            break;
          case 'read-all':
            this.stmt.markAllRead.run(parsed.at);
            break;
          case 'delete':
            this.stmt.hide.run(createdAt, parsed.notificationId);
            break;
          case 'send-message':
            break;
        }
      }
      return id;
    })();
  }

  /** Oldest first. */
  pendingActions(): OutboxEntry[] {
    return this.outbox.all();
  }

  /** The server confirmed it (or it is moot): remove it; the local state it applied stays. */
  completeAction(id: number): void {
    this.db.transaction(() => {
      const entry = this.outbox.get(id);
      this.outbox.remove(id);
      if (entry?.action.kind === 'delete') this.stmt.scrub.run(entry.action.notificationId);
    })();
  }

  failAction(id: number, error: string): void {
    this.outbox.fail(id, error);
  }

  // ── snapshots ─────────────────────────────────────────────────────────

  /** A value that does not pass its own schema is logged and not stored: it could not be loaded back. */
  saveSnapshot<T>(key: string, value: T, schema: z.ZodType<T>): void {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      this.logger.error('cache: snapshot does not match its schema; not saved', { key, reason: z.prettifyError(parsed.error) });
      return;
    }
    const nowMs = this.now();
    this.stmt.saveSnapshot.run(key, JSON.stringify(parsed.data), new Date(nowMs).toISOString(), nowMs);
  }

  loadSnapshot<T>(key: string, schema: z.ZodType<T>): { value: T; savedAt: string } | null {
    const raw = this.stmt.loadSnapshot.get(key);
    if (raw === undefined) return null;
    const parsed = parseSnapshot(raw, schema);
    if (parsed.ok) return { value: parsed.value, savedAt: parsed.savedAt };
    this.logger.warn('cache: deleted a snapshot that does not parse', { key, reason: parsed.reason });
    this.stmt.deleteSnapshot.run(key);
    return null;
  }

  // ── housekeeping ──────────────────────────────────────────────────────

  /**
   * Removes notifications created more than `olderThanDays` ago, read or
   * unread (the desk shows recent work; the server keeps the history), and
   * snapshots saved that long ago. A notification an outbox action still
   * refers to stays until the action is done. Freed pages go back to the file
   * system.
   */
  prune(olderThanDays: number): { notifications: number; snapshots: number } {
    if (!Number.isFinite(olderThanDays) || olderThanDays < 0) throw new RangeError(`prune: olderThanDays must be >= 0, got ${olderThanDays}`);
    const cutoff = this.now() - olderThanDays * DAY_MS;
    const result = this.db.transaction(() => {
      const maxPruned = this.stmt.maxPrunable.get({ cutoff }) ?? 0;
      const notifications = this.stmt.prune.run({ cutoff }).changes;
      if (maxPruned > this.prunedThrough) this.stmt.setMeta.run('pruned_through_id', maxPruned);
      const snapshots = this.stmt.pruneSnapshots.run(cutoff).changes;
      return { notifications, snapshots, maxPruned };
    })();
    this.prunedThrough = Math.max(this.prunedThrough, result.maxPruned);
    if (result.notifications + result.snapshots > 0) this.db.pragma('incremental_vacuum');
    return { notifications: result.notifications, snapshots: result.snapshots };
  }

  stats(): { notifications: number; unread: number; outbox: number; fileBytes: number } {
    return {
      notifications: this.stmt.visible.get() ?? 0,
      unread: this.unreadCount(),
      outbox: this.outbox.count(),
      fileBytes: sizeOf(this.file) + sizeOf(`${this.file}-wal`),
    };
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Marks the shutdown clean (the next open can skip the integrity check) and closes. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.stmt.setMeta.run('clean_shutdown', 1);
      this.db.pragma('optimize');
    } catch (error) {
      this.logger.warn('cache: could not record a clean shutdown', { file: this.file, error: String(error) });
    }
    this.db.close();
  }

  /** Sign-out: closes and deletes the file with its -wal and -shm. */
  wipe(): void {
    if (this.db.open) this.db.close();
    removeCacheFiles(this.file);
    this.logger.info('cache: wiped', { file: this.file });
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function parseSnapshot<T>(raw: unknown, schema: z.ZodType<T>): { ok: true; value: T; savedAt: string } | { ok: false; reason: string } {
  const row = SnapshotRow.safeParse(raw);
  if (!row.success) return { ok: false, reason: z.prettifyError(row.error) };
  let json: unknown;
  try {
    json = JSON.parse(row.data.value);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${String(error)}` };
  }
  const value = schema.safeParse(json);
  if (!value.success) return { ok: false, reason: z.prettifyError(value.error) };
  return { ok: true, value: value.data, savedAt: row.data.saved_at };
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
