import type Database from 'better-sqlite3';

/**
 * The cache file's schema and its migrations. `PRAGMA user_version` is the
 * schema version: migration `i` of `MIGRATIONS` takes a file from version `i`
 * to `i + 1`, in one transaction together with the version bump, so a crash
 * mid-migration leaves the file at the previous version. To change the schema,
 * append a function; never edit one that has shipped.
 *
 * `PRAGMA application_id` marks the file as Clinic Desk's, so that another
 * program's SQLite file at our path (or one written by a newer build) is
 * recognised and set aside instead of being "migrated" into nonsense.
 */

type Db = Database.Database;

/** 'CDsk' in ASCII: the 32-bit application id in the file header. */
export const APPLICATION_ID = 0x4344_736b;

export type Migration = (db: Db) => void;

const v1: Migration = (db) => {
  db.exec(`
    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value ANY
    ) STRICT;

    -- Server fields exactly as the server sent them (timestamps are its ISO
    -- strings; order is by id). local_read_at: read on this desk, the server
    -- has not said so yet. deleted_at: deleted on this desk; the row stays as a
    -- tombstone so a late copy from the server cannot bring it back.
    CREATE TABLE notifications (
      id INTEGER PRIMARY KEY,
      user_id INTEGER NOT NULL,
      type TEXT NOT NULL,
      title TEXT NOT NULL,
      message TEXT NOT NULL,
      action_url TEXT,
      created_at TEXT NOT NULL,
      read_at TEXT,
      local_read_at TEXT,
      deleted_at TEXT
    ) STRICT;
    CREATE INDEX notifications_by_type ON notifications (type, id);
    -- Partial: only unread rows, which stay few, so the bell's count and the
    -- "unread" filter (with or without a type) never scan the read history.
    CREATE INDEX notifications_unread ON notifications (id)
      WHERE read_at IS NULL AND local_read_at IS NULL AND deleted_at IS NULL;
    CREATE INDEX notifications_unread_by_type ON notifications (type, id)
      WHERE read_at IS NULL AND local_read_at IS NULL AND deleted_at IS NULL;

    -- AUTOINCREMENT: an outbox id is never reused, so a late completeAction(id)
    -- cannot remove a newer action. dedupe_key makes enqueueing the same
    -- intent twice (read 5, delete 5, a message's clientId) return the first.
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      notification_id INTEGER,
      dedupe_key TEXT UNIQUE,
      action TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX outbox_by_target ON outbox (kind, notification_id);

    CREATE TABLE snapshots (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      saved_at TEXT NOT NULL,
      saved_ms INTEGER NOT NULL
    ) STRICT;
  `);
};

/**
 * received_ms: when this desk first stored the row. date_flag: the row's
 * created_at could not be trusted when it arrived ('future': more than a day
 * ahead of this desk's clock; 'past': older than the retention window although
 * it came live, so the server had just made it: an import, a back-dated row, a
 * wrong clock). A flagged row is kept for the retention window from its
 * arrival instead of its creation. The highest-pruned-id mark is gone: it hid
 * every later row with a lower id.
 */
const v2: Migration = (db) => {
  db.exec(`
    ALTER TABLE notifications ADD COLUMN received_ms INTEGER;
    ALTER TABLE notifications ADD COLUMN date_flag TEXT CHECK (date_flag IN ('future', 'past'));
    DELETE FROM meta WHERE key = 'pruned_through_id';
  `);
};

/** Index `i` migrates version `i` to `i + 1`. Append only. */
export const MIGRATIONS: readonly Migration[] = [v1, v2];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** What is at the cache path, read from the header without changing the file. */
export type FileState =
  | { kind: 'empty' }
  | { kind: 'ours'; version: number }
  | { kind: 'foreign'; reason: string };

export function newerSchemaReason(version: number): string {
  return `it was written by a newer Clinic Desk (cache schema v${version}; this build knows up to v${SCHEMA_VERSION})`;
}

export function inspectFile(db: Db): FileState {
  const applicationId = Number(db.pragma('application_id', { simple: true }));
  const version = Number(db.pragma('user_version', { simple: true }));
  if (applicationId === 0) {
    const objects = Number(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get());
    if (objects === 0 && version === 0) return { kind: 'empty' };
    return { kind: 'foreign', reason: 'it is a SQLite database of another application (no Clinic Desk application id)' };
  }
  if (applicationId !== APPLICATION_ID) {
    return {
      kind: 'foreign',
      reason: `it is a SQLite database of another application (application id 0x${(applicationId >>> 0).toString(16)})`,
    };
  }
  if (version > SCHEMA_VERSION) {
    return { kind: 'foreign', reason: newerSchemaReason(version) };
  }
  return { kind: 'ours', version };
}

/** Brings an empty or older file to `SCHEMA_VERSION`; each step commits on its own. */
export function migrate(db: Db, from: number, migrations: readonly Migration[] = MIGRATIONS): void {
  for (let version = from; version < migrations.length; version++) {
    const step = migrations[version];
    if (!step) throw new Error(`no migration from cache schema v${version}`);
    db.transaction(() => {
      if (version === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
