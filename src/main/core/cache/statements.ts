import type Database from 'better-sqlite3';

/**
 * The cache's SQL, prepared once per open. Kept apart from `cache.ts` so the
 * rules there read without the queries in the way.
 */

/** What an item shows: the server's read time wins, else this desk's; `pending` from the outbox. */
export const ITEM_COLUMNS = `
  n.id, n.user_id, n.type, n.title, n.message, n.action_url, n.created_at,
  coalesce(n.read_at, n.local_read_at) AS read_at,
  CASE
    WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'delete' AND o.notification_id = n.id) THEN 'delete'
    WHEN n.read_at IS NULL AND n.local_read_at IS NOT NULL AND (
      EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'read' AND o.notification_id = n.id)
      OR EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'read-all')
    ) THEN 'read'
  END AS pending`;

export const UNREAD = 'n.read_at IS NULL AND n.local_read_at IS NULL AND n.deleted_at IS NULL';

/**
 * When a row's age is counted from: its creation, or its arrival on this desk
 * when its creation time was not to be trusted (`date_flag`). In ms.
 */
const KEPT_FROM = `CASE WHEN n.date_flag IS NULL THEN unixepoch(n.created_at, 'subsec') * 1000 ELSE n.received_ms END`;

/** Old enough to prune, and no outbox action refers to it. */
const PRUNABLE = `
  ${KEPT_FROM} < @cutoff
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind IN ('read', 'delete') AND o.notification_id = n.id)
  AND NOT (n.read_at IS NULL AND n.local_read_at IS NOT NULL AND EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'read-all'))`;

export type RawItem = { id: number; deleted_at?: string | null } & Record<string, unknown>;

export interface NotificationParams {
  id: number;
  user_id: number;
  type: string;
  title: string;
  message: string;
  action_url: string | null;
  created_at: string;
  read_at: string | null;
}

export type DateFlag = 'future' | 'past';

/**
 * The insert's values, in column order: bound by position, which is cheaper
 * per row than by name (the live path inserts one row per event).
 */
export type InsertArgs = [
  id: number,
  userId: number,
  type: string,
  title: string,
  message: string,
  actionUrl: string | null,
  createdAt: string,
  readAt: string | null,
  receivedMs: number,
  dateFlag: DateFlag | null,
];

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export interface CacheStatements {
  insert: Stmt<InsertArgs>;
  update: Stmt<[NotificationParams]>;
  maxId: Stmt<[], number | null>;
  getItem: Stmt<[number], RawItem>;
  unread: Stmt<[], number>;
  visible: Stmt<[], number>;
  markRead: Stmt<[string, number]>;
  markAllRead: Stmt<[string]>;
  hide: Stmt<[string, number]>;
  scrub: Stmt<[number]>;
  exists: Stmt<[number], number>;
  dateFlag: Stmt<[number], DateFlag | null>;
  flagCounts: Stmt<[], { date_flag: DateFlag; n: number }>;
  prune: Stmt<[{ cutoff: number }]>;
  pruneSnapshots: Stmt<[number]>;
  getMeta: Stmt<[string], unknown>;
  setMeta: Stmt<[string, number | string]>;
  saveSnapshot: Stmt<[string, string, string, number]>;
  loadSnapshot: Stmt<[string], unknown>;
  deleteSnapshot: Stmt<[string]>;
}

export function prepareStatements(db: Database.Database): CacheStatements {
  return {
    insert: db.prepare<InsertArgs>(
      `INSERT INTO notifications (id, user_id, type, title, message, action_url, created_at, read_at, received_ms, date_flag)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    // Only rows that change are written, so a catch-up that re-reads known rows costs no writes.
    update: db.prepare<[NotificationParams]>(
      `UPDATE notifications SET
         user_id = @user_id, type = @type, title = @title, message = @message, action_url = @action_url,
         created_at = @created_at, read_at = coalesce(@read_at, read_at)
       WHERE id = @id AND deleted_at IS NULL AND (
         user_id IS NOT @user_id OR type IS NOT @type OR title IS NOT @title OR message IS NOT @message
         OR action_url IS NOT @action_url OR created_at IS NOT @created_at
         OR (@read_at IS NOT NULL AND read_at IS NOT @read_at))`,
    ),
    maxId: db.prepare<[], number | null>('SELECT max(id) FROM notifications').pluck(),
    getItem: db.prepare<[number], RawItem>(`SELECT ${ITEM_COLUMNS}, n.deleted_at FROM notifications n WHERE n.id = ?`),
    unread: db.prepare<[], number>(`SELECT count(*) FROM notifications n WHERE ${UNREAD}`).pluck(),
    visible: db.prepare<[], number>('SELECT count(*) FROM notifications WHERE deleted_at IS NULL').pluck(),
    markRead: db.prepare<[string, number]>(
      'UPDATE notifications SET local_read_at = ? WHERE id = ? AND read_at IS NULL AND local_read_at IS NULL AND deleted_at IS NULL',
    ),
    markAllRead: db.prepare<[string]>(
      'UPDATE notifications SET local_read_at = ? WHERE read_at IS NULL AND local_read_at IS NULL AND deleted_at IS NULL',
    ),
    hide: db.prepare<[string, number]>('UPDATE notifications SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
    // Once the server confirmed a delete the tombstone keeps only what blocks a resurrection.
    scrub: db.prepare<[number]>("UPDATE notifications SET title = '', message = '', action_url = NULL WHERE id = ? AND deleted_at IS NOT NULL"),
    exists: db.prepare<[number], number>('SELECT 1 FROM notifications WHERE id = ?').pluck(),
    dateFlag: db.prepare<[number], DateFlag | null>('SELECT date_flag FROM notifications WHERE id = ?').pluck(),
    flagCounts: db.prepare<[], { date_flag: DateFlag; n: number }>(
      'SELECT date_flag, count(*) AS n FROM notifications WHERE date_flag IS NOT NULL AND deleted_at IS NULL GROUP BY date_flag',
    ),
    prune: db.prepare<[{ cutoff: number }]>(`DELETE FROM notifications AS n WHERE ${PRUNABLE}`),
    pruneSnapshots: db.prepare<[number]>('DELETE FROM snapshots WHERE saved_ms < ?'),
    getMeta: db.prepare<[string], unknown>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare<[string, number | string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    saveSnapshot: db.prepare<[string, string, string, number]>(
      'INSERT OR REPLACE INTO snapshots (key, value, saved_at, saved_ms) VALUES (?, ?, ?, ?)',
    ),
    loadSnapshot: db.prepare<[string], unknown>('SELECT value, saved_at FROM snapshots WHERE key = ?'),
    deleteSnapshot: db.prepare<[string]>('DELETE FROM snapshots WHERE key = ?'),
  };
}
