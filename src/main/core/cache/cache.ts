import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Notification } from '../../../shared/domain';
import { NotificationItem } from '../../../shared/desk-state';
import { IsoDateTime } from '../../../shared/time';
import { openCacheFile, reconnect, removeCacheFiles, type QuickCheckPolicy } from './file';
import { PendingWrites, type Deferred, type LocalOp } from './pending';
import { ITEM_COLUMNS, UNREAD, prepareStatements, type CacheStatements, type DateFlag, type NotificationParams, type RawItem } from './statements';
import { wellFormed, wellFormedJson } from './text';
import { fastSnapshotCheck } from './fast-snapshot';
import { silentLogger, type Logger } from '../log';
import { OutboxAction, OutboxStore, parseOutboxRow, type OutboxEntry } from './outbox';

/**
 * The desk's durable cache: one SQLite file per signed-in user and back end.
 * It holds the notifications the server sent (plus what this desk did to them
 * that the server has not confirmed yet), the outbox of those actions, and
 * JSON snapshots of the other screens, so the window can show the last known
 * state at start and nothing taken offline is lost.
 *
 * Rules it keeps:
 * - Upserts are by id, one transaction per call, and report which rows are
 *   new so the desk alerts once. Every row the server sends is stored, however
 *   old its id or its date. A notification deleted here stays deleted
 *   (the row is kept as a tombstone until pruned), and a server `read_at`
 *   never goes back to null. Text is stored as well-formed Unicode.
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
 *   outbox action still refers to. A row whose creation time cannot be
 *   trusted when it arrives (over a day in the future; or older than the
 *   retention although it came live, so the server just made it: an import, a
 *   back-dated row, a wrong clock) is flagged, logged, counted in `stats()`,
 *   and kept for the retention from its arrival instead.
 * - `catchUpCursor` is where catch-up should resume (it is also what keeps
 *   pruned rows from being fetched again); unlike `maxNotificationId` a live
 *   event cannot move it past a gap.
 * - A write the disk refuses (full, read-only, I/O error, locked) does not
 *   throw: the change is kept in memory and shown as if written, `stats()`
 *   says why ("the disk is full: notifications are not being saved"), and
 *   everything is written, in order, once the disk takes writes again (tried
 *   every `writeRetryMs` and before the next write). The outbox is never
 *   dropped; notifications beyond a bound are (the server still has them).
 */

export { CacheOpenError } from './file';
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
  /** How often writes the disk refused are tried again (default 5 s); they are also tried before the next write. */
  writeRetryMs?: number;
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

export interface CacheStats {
  notifications: number;
  unread: number;
  outbox: number;
  fileBytes: number;
  /** Why writes are not reaching the file, in words; null while they are. */
  writeError: string | null;
  /** Changes kept in memory until the file takes them. */
  unsavedChanges: number;
  /** Notifications kept although their creation time could not be trusted (in the future, or back-dated). */
  datesFlagged: number;
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
    (db) => new DeskCache(db, options.file, now, logger, options.writeRetryMs === undefined ? {} : { writeRetryMs: options.writeRetryMs }),
    (cache, rows) => cache.restoreOutbox(rows),
  );
  return { cache: value, warnings };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;
/** A creation time this far ahead of the desk's clock is not a clock skew: it is flagged. */
const FUTURE_SLACK_MS = DAY_MS;
const DEFAULT_WRITE_RETRY_MS = 5_000;
/** How many flagged ids a log line names. */
const LOGGED_IDS = 10;

const SnapshotRow = z.object({ value: z.string(), saved_at: IsoDateTime });

/** A write the disk refused, in words; null for any other error (a bug, a constraint): those still throw. */
function diskFault(error: unknown): { code: string; reason: string } | null {
  if (!(error instanceof Database.SqliteError)) return null;
  const { code } = error;
  let reason: string | null = null;
  if (code === 'SQLITE_FULL') reason = 'the disk is full';
  else if (code.startsWith('SQLITE_READONLY')) reason = 'the cache file is read-only';
  else if (code.startsWith('SQLITE_IOERR')) reason = 'the disk reported an I/O error';
  else if (code.startsWith('SQLITE_CANTOPEN')) reason = 'the cache file cannot be opened for writing';
  else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) reason = 'the cache file is locked by another program';
  return reason === null ? null : { code, reason };
}

interface WriteFault {
  code: string;
  /** "the disk is full: notifications are not being saved" */
  message: string;
  lastTryMs: number;
}

/** Server text as stored: well-formed Unicode. */
function cleanRow(row: Notification): Notification {
  const type = wellFormed(row.type);
  const title = wellFormed(row.title);
  const message = wellFormed(row.message);
  const actionUrl = row.action_url == null ? null : wellFormed(row.action_url);
  // Nearly always already well-formed (a live row's text was cleaned when it was checked): no copy then.
  if (type === row.type && title === row.title && message === row.message && actionUrl === row.action_url) return row;
  return { ...row, type, title, message, action_url: actionUrl };
}

export class DeskCache {
  private db: Database.Database;
  private outbox: OutboxStore;
  private stmt: CacheStatements;
  private readonly listStmts = new Map<string, Database.Statement<[{ before: number; limit: number; type?: string }], RawItem>>();
  private upsertTx: (rows: readonly Notification[], receivedMs: number, live: boolean) => { inserted: Notification[]; updated: number };
  private catchUpThrough: number;
  /** The retention of the last prune: a live row dated before it is flagged as back-dated. Null before the first prune. */
  private retentionMs: number | null = null;
  /** Set while the disk refuses writes; `pending` holds what waits. */
  private fault: WriteFault | null = null;
  private readonly pending = new PendingWrites();
  /** Memory outbox ids that became file ids when written. */
  private readonly aliases = new Map<number, number>();
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly writeRetryMs: number;
  private readonly connect: () => Database.Database;

  /** Use `openCache`: it checks, repairs and migrates the file first. */
  constructor(
    db: Database.Database,
    readonly file: string,
    private readonly now: () => number,
    private readonly logger: Logger,
    options: { writeRetryMs?: number; reconnect?: () => Database.Database } = {},
  ) {
    this.db = db;
    this.writeRetryMs = options.writeRetryMs ?? DEFAULT_WRITE_RETRY_MS;
    this.connect = options.reconnect ?? (() => reconnect(file));
    this.outbox = new OutboxStore(db, logger);
    this.stmt = prepareStatements(db);
    this.upsertTx = db.transaction((rows: readonly Notification[], receivedMs: number, live: boolean) => this.upsertRows(rows, receivedMs, live));
    const caughtUp = this.stmt.getMeta.get('catch_up_through_id');
    this.catchUpThrough = typeof caughtUp === 'number' ? caughtUp : 0;
    // Cleared by close(); still 0 at the next open means a crash, which earns an integrity check.
    this.setMeta('clean_shutdown', 0);
  }

  /** Points every statement at a new connection (after reconnecting to a file that was read-only). */
  private attach(db: Database.Database): void {
    const old = this.db;
    this.db = db;
    this.outbox = new OutboxStore(db, this.logger);
    this.stmt = prepareStatements(db);
    this.listStmts.clear();
    this.upsertTx = db.transaction((rows: readonly Notification[], receivedMs: number, live: boolean) => this.upsertRows(rows, receivedMs, live));
    try {
      if (old.open) old.close();
    } catch {
      // It was read-only: nothing of ours is lost with it.
    }
  }

  // ── notifications ─────────────────────────────────────────────────────

  /**
   * `live`: the rows came in a broadcast, so the server created them just now
   * whatever their `created_at` says (one older than the retention is flagged).
   */
  upsertNotifications(rows: readonly Notification[], options: { live?: boolean } = {}): { inserted: Notification[]; updated: number } {
    if (rows.length === 0) return { inserted: [], updated: 0 };
    const clean = rows.map(cleanRow);
    const receivedMs = this.now();
    const live = options.live === true;
    return this.write(
      'notifications',
      () => this.upsertTx(clean, receivedMs, live),
      () => this.keepRows(clean, receivedMs, live),
    );
  }

  private upsertRows(rows: readonly Notification[], receivedMs: number, live: boolean): { inserted: Notification[]; updated: number } {
    const pendingDeletes = this.outbox.pendingDeletes();
    const readsById = this.outbox.pendingReads();
    const inserted: Notification[] = [];
    const flagged: { id: number; flag: DateFlag }[] = [];
    let updated = 0;
    for (const row of rows) {
      if (pendingDeletes.has(row.id)) continue;
      const flag = this.dateFlagFor(row, receivedMs, live);
      const actionUrl = row.action_url ?? null;
      const readAt = row.read_at ?? null;
      if (this.stmt.insert.run(row.id, row.user_id, row.type, row.title, row.message, actionUrl, row.created_at, readAt, receivedMs, flag).changes > 0) {
        inserted.push(row);
        if (flag !== null) flagged.push({ id: row.id, flag });
        // A read of this id queued before the row arrived (an outbox recovered from a damaged file): it
        // shows as read. Not a read-all: a row that arrives after one is unread, as on the server.
        const queuedRead = readsById.get(row.id);
        if (queuedRead !== undefined) this.stmt.markRead.run(queuedRead, row.id);
      } else {
        const params: NotificationParams = { id: row.id, user_id: row.user_id, type: row.type, title: row.title, message: row.message, action_url: actionUrl, created_at: row.created_at, read_at: readAt };
        if (this.stmt.update.run(params).changes > 0) updated++;
      }
    }
    if (flagged.length > 0) {
      const count = (f: DateFlag) => flagged.filter((x) => x.flag === f).length;
      this.logger.warn('cache: kept notifications whose creation time cannot be trusted; they stay for the retention from their arrival', {
        future: count('future'),
        backDated: count('past'),
        ids: flagged.slice(0, LOGGED_IDS).map((x) => x.id),
      });
    }
    return { inserted, updated };
  }

  /**
   * 'future': more than a day ahead of this desk. 'past': it came in a
   * broadcast (so the server made it just now) yet is dated before the
   * retention window. A row from a list dated that far back is history: it is
   * stored, and pruned by its date like any other.
   */
  private dateFlagFor(row: Notification, receivedMs: number, live: boolean): DateFlag | null {
    const created = Date.parse(row.created_at);
    if (!Number.isFinite(created)) return null;
    if (created > receivedMs + FUTURE_SLACK_MS) return 'future';
    if (live && this.retentionMs !== null && created < receivedMs - this.retentionMs) return 'past';
    return null;
  }

  /** Why a notification's creation time was not trusted when it arrived; null when it was (or it is not held). */
  dateFlag(id: number): DateFlag | null {
    return this.stmt.dateFlag.get(id) ?? null;
  }

  /** The highest id held (pruned ids are not: catch-up resumes from `catchUpCursor`). */
  maxNotificationId(): number {
    let max = this.stmt.maxId.get() ?? 0;
    for (const id of this.pending.rows.keys()) max = Math.max(max, id);
    return max;
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
    this.catchUpThrough = id;
    this.setMeta('catch_up_through_id', id);
  }

  listNotifications(q: NotificationQuery): { items: NotificationItem[]; hasMore: boolean } {
    const limit = Math.max(1, Math.trunc(q.limit));
    const page = this.listFromFile(q, limit);
    if (this.pending.isEmpty) return page;
    // Rows only memory holds (the disk refused them), merged in id order.
    const before = q.beforeId ?? NO_UPPER_BOUND;
    const extra: NotificationItem[] = [];
    for (const [id, { row, seq }] of this.pending.rows) {
      if (id >= before || (q.type !== undefined && row.type !== q.type)) continue;
      const item = this.pending.overlay({ ...row, pending: null }, seq, false);
      if (item && (q.unreadOnly !== true || item.read_at === null)) extra.push(item);
    }
    if (extra.length === 0) return page;
    const merged = [...page.items, ...extra].sort((a, b) => b.id - a.id);
    return { items: merged.slice(0, limit), hasMore: page.hasMore || merged.length > limit };
  }

  private listFromFile(q: NotificationQuery, limit: number): { items: NotificationItem[]; hasMore: boolean } {
    const stmt = this.listStatement(q.type !== undefined, q.unreadOnly === true);
    const items: NotificationItem[] = [];
    let before = q.beforeId ?? NO_UPPER_BOUND;
    const overlay = !this.pending.isEmpty;
    // Rows that fail validation (or that memory deleted or read) are skipped, so a page may need another read to fill up.
    for (;;) {
      const want = limit - items.length + 1;
      const rows = stmt.all({ before, limit: want, ...(q.type !== undefined ? { type: q.type } : {}) });
      for (const raw of rows) {
        if (items.length === limit) return { items, hasMore: true };
        before = raw.id;
        let item = this.parseItem(raw);
        if (item && overlay) {
          item = this.pending.overlay(item, -1, false);
          if (item && q.unreadOnly === true && item.read_at !== null) item = null;
        }
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
    if (!raw) {
      const kept = this.pending.rows.get(id);
      return kept ? this.pending.overlay({ ...kept.row, pending: null }, kept.seq, true) : null;
    }
    const { deleted_at: deletedAt, ...fields } = raw;
    if (deletedAt != null && fields['pending'] !== 'delete') return null;
    const item = this.parseItem({ ...fields, id: raw.id });
    return item && !this.pending.isEmpty ? this.pending.overlay(item, -1, true) : item;
  }

  private parseItem(raw: RawItem): NotificationItem | null {
    const item = NotificationItem.safeParse(raw);
    if (item.success) return item.data;
    this.logger.warn('cache: skipped a notification row that does not parse', { id: raw.id, reason: z.prettifyError(item.error) });
    return null;
  }

  /** Counts locally read (pending) notifications as read. */
  unreadCount(): number {
    const inFile = this.stmt.unread.get() ?? 0;
    if (this.pending.isEmpty) return inFile;
    let count = inFile;
    if (this.pending.hasReadAll()) count = 0;
    else for (const id of this.pending.touchedIds()) if (this.isUnreadInFile(id)) count--;
    for (const { row, seq } of this.pending.rows.values()) {
      const item = this.pending.overlay({ ...row, pending: null }, seq, false);
      if (item && item.read_at === null) count++;
    }
    return Math.max(0, count);
  }

  private isUnreadInFile(id: number): boolean {
    const raw = this.stmt.getItem.get(id);
    return raw !== undefined && raw.deleted_at == null && raw['read_at'] == null;
  }

  /** False when it is unknown, deleted or already read. */
  markReadLocal(id: number, at: string): boolean {
    return this.write(
      'read state',
      () => this.stmt.markRead.run(at, id).changes > 0,
      () => this.keepLocal({ kind: 'read', id, at }, () => this.getNotification(id)?.read_at === null && this.getNotification(id)?.pending !== 'delete'),
    );
  }

  markAllReadLocal(at: string): number {
    return this.write(
      'read state',
      () => this.stmt.markAllRead.run(at).changes,
      () => this.keepLocal({ kind: 'read-all', at }, () => this.unreadCount()),
    );
  }

  /** Hides it at once; false when it is unknown or already deleted. */
  deleteLocal(id: number): boolean {
    const at = this.iso();
    return this.write(
      'delete',
      () => this.stmt.hide.run(at, id).changes > 0,
      () => this.keepLocal({ kind: 'delete', id, at }, () => this.getNotification(id) !== null && this.getNotification(id)?.pending !== 'delete'),
    );
  }

  /** Records a local change in memory; `effect` says what it changes, asked before it is recorded. */
  private keepLocal<T>(op: LocalOp, effect: () => T): T {
    const result = effect();
    this.pending.local(op);
    return result;
  }

  // ── outbox ────────────────────────────────────────────────────────────

  /**
   * Adds an action (validated with `OutboxAction`, throws on an invalid one)
   * and applies its local effect in the same transaction. The same intent
   * queued twice (read or delete of one id, a message's clientId) returns the
   * first entry's id. When the disk refuses the write the action waits in
   * memory (with a negative id) and is written first thing once it can be.
   */
  enqueue(action: OutboxAction): number {
    const parsed = OutboxAction.parse(action);
    const createdAt = this.iso();
    return this.write(
      'the outbox',
      () => this.db.transaction(() => this.addAction(parsed, createdAt).id)(),
      () => this.outbox.existing(parsed) ?? this.pending.sameIntent(parsed) ?? this.pending.enqueue(parsed, createdAt),
    );
  }

  private addAction(parsed: OutboxAction, createdAt: string, carry?: { attempts: number; lastError: string | null }): { id: number; created: boolean } {
    const added = this.outbox.add(parsed, createdAt, carry);
    if (added.created) {
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
        case 'conversation-read':
          // Held in the conversations snapshot, which the session keeps read while this waits.
          break;
        case 'staff-action':
          // Shown as a mark on its card (the session's staff actions part), never written over the server's copy.
          break;
      }
    }
    return added;
  }

  /**
   * The outbox of a file that was set aside, as read from it: each row parsed
   * as the outbox parses its own (a bad one is logged and skipped) and queued
   * here in its old order, with its attempts. Returns how many were kept.
   */
  restoreOutbox(rows: readonly unknown[]): number {
    const entries = rows.map((raw) => parseOutboxRow(raw, this.logger)).filter((e): e is OutboxEntry => e !== null);
    if (entries.length === 0) return 0;
    const restore = () => {
      for (const e of entries) this.outbox.add(e.action, e.createdAt, { attempts: e.attempts, lastError: e.lastError });
      return entries.length;
    };
    return this.write(
      'the outbox',
      () => this.db.transaction(restore)(),
      () => {
        for (const e of entries) this.pending.enqueue(e.action, e.createdAt);
        return entries.length;
      },
    );
  }

  /** Oldest first. */
  pendingActions(): OutboxEntry[] {
    const inFile = this.outbox.all();
    if (this.pending.isEmpty) return inFile;
    return [...this.pending.overFile(inFile), ...this.pending.entries()];
  }

  /** Whether the action still waits in the outbox (not completed, not withdrawn). */
  hasAction(id: number): boolean {
    const target = this.aliases.get(id) ?? id;
    if (this.pending.isEmpty) return this.outbox.get(target) !== null;
    return this.pendingActions().some((e) => e.id === target);
  }

  /** The server confirmed it (or it is moot, or withdrawn): remove it; the local state it applied stays. */
  completeAction(id: number): void {
    const target = this.aliases.get(id) ?? id;
    this.write(
      'the outbox',
      () => this.db.transaction(() => this.applyComplete(target))(),
      () => {
        const entry = this.pendingActions().find((e) => e.id === target);
        this.pending.complete(target);
        if (entry?.action.kind === 'delete') this.pending.local({ kind: 'scrub', id: entry.action.notificationId });
      },
    );
  }

  private applyComplete(id: number): void {
    const entry = this.outbox.get(id);
    this.outbox.remove(id);
    if (entry?.action.kind === 'delete') this.stmt.scrub.run(entry.action.notificationId);
  }

  failAction(id: number, error: string): void {
    const target = this.aliases.get(id) ?? id;
    this.write(
      'the outbox',
      () => void this.outbox.fail(target, error),
      () => this.pending.fail(target, error),
    );
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
    const json = wellFormedJson(parsed.data);
    const savedAt = new Date(nowMs).toISOString();
    this.write(
      'a snapshot',
      () => void this.stmt.saveSnapshot.run(key, json, savedAt, nowMs),
      () => void this.pending.snapshots.set(key, { value: json, savedAt, savedMs: nowMs }),
    );
  }

  loadSnapshot<T>(key: string, schema: z.ZodType<T>): { value: T; savedAt: string } | null {
    const kept = this.pending.snapshots.get(key);
    const raw = kept ? { value: kept.value, saved_at: kept.savedAt } : this.stmt.loadSnapshot.get(key);
    if (raw === undefined) return null;
    const parsed = parseSnapshot(raw, schema);
    if (parsed.ok) return { value: parsed.value, savedAt: parsed.savedAt };
    this.logger.warn('cache: deleted a snapshot that does not parse', { key, reason: parsed.reason });
    this.pending.snapshots.delete(key);
    this.write(
      'a snapshot',
      () => void this.stmt.deleteSnapshot.run(key),
      () => undefined,
    );
    return null;
  }

  // ── housekeeping ──────────────────────────────────────────────────────

  /**
   * Removes notifications created more than `olderThanDays` ago, read or
   * unread (the desk shows recent work; the server keeps the history), and
   * snapshots saved that long ago. A notification an outbox action still
   * refers to stays until the action is done; one whose creation time was not
   * trusted counts from its arrival. Freed pages go back to the file system.
   * Nothing is pruned while the disk refuses writes.
   */
  prune(olderThanDays: number): { notifications: number; snapshots: number } {
    const retentionMs = this.setRetention(olderThanDays);
    const cutoff = this.now() - retentionMs;
    return this.write(
      'a prune',
      () => {
        const result = this.db.transaction(() => ({
          notifications: this.stmt.prune.run({ cutoff }).changes,
          snapshots: this.stmt.pruneSnapshots.run(cutoff).changes,
        }))();
        if (result.notifications + result.snapshots > 0) {
          try {
            this.db.pragma('incremental_vacuum');
          } catch (error) {
            // The rows are gone; giving the pages back can wait for the next prune.
            if (diskFault(error) === null) throw error;
          }
        }
        return result;
      },
      () => ({ notifications: 0, snapshots: 0 }),
    );
  }

  /** The retention, without pruning yet: a live row dated before it is flagged as back-dated from now on. */
  setRetention(olderThanDays: number): number {
    if (!Number.isFinite(olderThanDays) || olderThanDays < 0) throw new RangeError(`prune: olderThanDays must be >= 0, got ${olderThanDays}`);
    this.retentionMs = olderThanDays * DAY_MS;
    return this.retentionMs;
  }

  stats(): CacheStats {
    let notifications = this.stmt.visible.get() ?? 0;
    if (!this.pending.isEmpty) {
      for (const id of this.pending.deletedIds()) {
        const raw = this.stmt.getItem.get(id);
        if (raw && raw.deleted_at == null) notifications--;
      }
      for (const { row, seq } of this.pending.rows.values()) if (this.pending.overlay({ ...row, pending: null }, seq, false)) notifications++;
    }
    return {
      notifications,
      unread: this.unreadCount(),
      outbox: this.pending.isEmpty ? this.outbox.count() : this.pendingActions().length,
      fileBytes: sizeOf(this.file) + sizeOf(`${this.file}-wal`),
      writeError: this.fault?.message ?? null,
      unsavedChanges: this.pending.size,
      datesFlagged: this.stmt.flagCounts.all().reduce((sum, row) => sum + row.n, 0),
    };
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /**
   * Marks the shutdown clean (the next open can skip the integrity check) and
   * closes. What the disk still refuses is lost with the process; the log says
   * what. Idempotent.
   */
  close(): void {
    if (!this.db.open) return;
    this.stopRetrying();
    if (this.fault && !this.retryWrites()) {
      const actions = this.pending.entries().length;
      this.logger.error(`cache: closed with changes the disk did not take (${this.fault.message}); they are lost`, {
        file: this.file,
        notifications: this.pending.rows.size,
        queuedActions: actions,
        changes: this.pending.size,
      });
    }
    try {
      this.stmt.setMeta.run('clean_shutdown', 1);
      this.db.pragma('optimize');
    } catch (error) {
      this.logger.warn('cache: could not record a clean shutdown', { file: this.file, error: String(error) });
    }
    this.db.close();
  }

  /** Sign-out: closes and deletes the file with its -wal and -shm (and forgets what memory held). */
  wipe(): void {
    this.stopRetrying();
    this.pending.clear();
    this.fault = null;
    if (this.db.open) this.db.close();
    removeCacheFiles(this.file);
    this.logger.info('cache: wiped', { file: this.file });
  }

  // ── writes the disk refuses ──────────────────────────────────────────

  /**
   * Runs a write. While the disk refuses writes (or when this one is refused)
   * `keep` records the change in memory instead and answers as the write
   * would have; anything but a disk fault still throws.
   */
  private write<T>(what: string, run: () => T, keep: () => T): T {
    if (!this.db.open) return run(); // a closed cache refuses work, as before
    if (this.fault && !this.tryWrites(false)) return keep();
    try {
      return run();
    } catch (error) {
      const fault = diskFault(error);
      if (fault === null) throw error;
      this.enterFault(fault, what);
      return keep();
    }
  }

  private setMeta(key: string, value: number): void {
    this.write(
      'bookkeeping',
      () => void this.stmt.setMeta.run(key, value),
      () => void this.pending.meta.set(key, value),
    );
  }

  private enterFault(fault: { code: string; reason: string }, what: string): void {
    const message = `${fault.reason}: notifications are not being saved`;
    const changed = this.fault?.message !== message;
    this.fault = { code: fault.code, message, lastTryMs: performance.now() };
    if (changed) {
      this.logger.error(`cache: ${message}`, {
        file: this.file,
        code: fault.code,
        during: what,
        meanwhile: 'changes are kept in memory and written when the disk takes them again; queued actions are never dropped',
      });
    }
    if (!this.retryTimer) {
      this.retryTimer = setInterval(() => {
        try {
          this.tryWrites(true);
        } catch (error) {
          this.logger.error('cache: retrying the writes failed', { file: this.file, error: String(error) });
        }
      }, this.writeRetryMs);
      this.retryTimer.unref();
    }
  }

  private stopRetrying(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }

  /**
   * Tries now to write what memory holds; true when the file has it all (or
   * nothing was waiting). The cache also tries by itself every `writeRetryMs`.
   */
  retryWrites(): boolean {
    return this.tryWrites(true);
  }

  private tryWrites(force: boolean): boolean {
    const fault = this.fault;
    if (!fault) return true;
    if (!this.db.open) return false;
    if (!force && performance.now() - fault.lastTryMs < this.writeRetryMs) return false;
    fault.lastTryMs = performance.now();
    // A connection SQLite opened read-only stays so: only a new one can write once the file can be.
    if (fault.code.startsWith('SQLITE_READONLY')) {
      try {
        // Twice: SQLite shares a file's lock and shared-memory state between the connections of a process,
        // so the first new one can inherit the read-only state of the old until that one is closed.
        this.attach(this.connect());
        this.attach(this.connect());
      } catch (error) {
        this.logger.debug('cache: reconnecting to write failed', { file: this.file, error: String(error) });
      }
    }
    const waiting = { changes: this.pending.size, notifications: this.pending.rows.size, queuedActions: this.pending.entries().length, dropped: this.pending.dropped };
    try {
      this.db.transaction(() => this.replay())();
    } catch (error) {
      const again = diskFault(error);
      if (again === null) {
        this.logger.error('cache: writing what was kept in memory failed', { file: this.file, error: String(error) });
        return false;
      }
      this.logger.debug('cache: the disk still refuses writes', { file: this.file, code: again.code });
      this.enterFault(again, 'retrying the writes');
      return false;
    }
    this.pending.clear();
    this.fault = null;
    this.stopRetrying();
    this.logger.info('cache: writes reach the file again; what was kept in memory is saved', { file: this.file, ...waiting });
    return true;
  }

  /** Everything memory holds, in the order it happened; inside one transaction. */
  private replay(): void {
    const aliases = new Map<number, number>();
    const resolve = (id: number) => aliases.get(id) ?? this.aliases.get(id) ?? id;
    // Newer server copies of rows the file had: the update keeps a tombstone as it is.
    if (this.pending.updates.size > 0) this.upsertRows([...this.pending.updates.values()], this.now(), false);
    for (const d of this.pending.journal as readonly Deferred[]) {
      switch (d.kind) {
        case 'rows':
          this.upsertRows(
            d.rows.map((row) => this.pending.latest(row)),
            d.receivedMs,
            d.live,
          );
          break;
        case 'local':
          this.applyLocal(d.op);
          break;
        case 'enqueue':
          aliases.set(d.id, this.addAction(d.action, d.createdAt).id);
          break;
        case 'complete':
          this.applyComplete(resolve(d.id));
          break;
        case 'fail':
          this.outbox.fail(resolve(d.id), d.error);
          break;
      }
    }
    for (const [key, s] of this.pending.snapshots) this.stmt.saveSnapshot.run(key, s.value, s.savedAt, s.savedMs);
    for (const [key, value] of this.pending.meta) this.stmt.setMeta.run(key, value);
    for (const [from, to] of aliases) this.aliases.set(from, to);
  }

  private applyLocal(op: LocalOp): void {
    switch (op.kind) {
      case 'read':
        this.stmt.markRead.run(op.at, op.id);
        break;
      case 'read-all':
        this.stmt.markAllRead.run(op.at);
        break;
      case 'delete':
        this.stmt.hide.run(op.at, op.id);
        break;
      case 'scrub':
        this.stmt.scrub.run(op.id);
        break;
    }
  }

  /** Rows the disk refused: kept in memory; the catch-up cursor steps back below any that did not fit. */
  private keepRows(rows: readonly Notification[], receivedMs: number, live: boolean): { inserted: Notification[]; updated: number } {
    const kept = this.pending.addRows(rows, receivedMs, live, (id) => this.stmt.exists.get(id) !== undefined);
    if (kept.droppedBelow !== null) {
      if (kept.droppedBelow <= this.catchUpThrough) {
        this.catchUpThrough = kept.droppedBelow - 1;
        this.pending.meta.set('catch_up_through_id', this.catchUpThrough);
      }
      this.logger.warn('cache: too many notifications waiting for the disk; some are not kept and will be fetched again', {
        file: this.file,
        dropped: this.pending.dropped,
      });
    }
    return { inserted: kept.inserted, updated: kept.updated };
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
  // Read back as untrusted as anything else, but the well-formed board is checked by hand, not by zod row by row (fast-snapshot.ts).
  const quick = fastSnapshotCheck(schema)?.(json) ?? null;
  if (quick !== null) return { ok: true, value: quick, savedAt: row.data.saved_at };
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
