/**
 * The cache file itself: migrations, the integrity-check policy, and what
 * happens with a file that is not a healthy Clinic Desk cache (garbage,
 * truncated, another application's database, a newer schema) or a folder the
 * desk cannot write to. Real files in a temp folder; real child processes for
 * a crash and for an unprivileged user.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CacheOpenError, openCache } from '../../../src/main/core/cache/cache';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from '../../../src/main/core/cache/schema';
import { DAY_MS, T0, fixedClock, note, notes, useCacheDir } from './cache-fixtures';

const ctx = useCacheDir();

const RUN_TS = fileURLToPath(new URL('../../../bin/run-ts.mjs', import.meta.url));
const CACHE_MODULE = fileURLToPath(new URL('../../../src/main/core/cache/cache.ts', import.meta.url));
/** `2026-11-26T09:00:00.000Z` as it appears in moved-aside names. */
const STAMP = '20261126T090000Z';

function header(file: string) {
  const db = new Database(file, { readonly: true });
  const result = {
    applicationId: Number(db.pragma('application_id', { simple: true })),
    userVersion: Number(db.pragma('user_version', { simple: true })),
    journalMode: String(db.pragma('journal_mode', { simple: true })),
  };
  db.close();
  return result;
}

/** A healthy cache with some data, closed cleanly. */
function seedCache(rows = 200): void {
  const { cache } = ctx.open();
  cache.upsertNotifications(notes(1, rows, { message: 'x'.repeat(500) }));
  cache.enqueue({ kind: 'read', notificationId: 1 });
  cache.close();
}

/** Runs a script with `openCache` in a separate Node process (optionally as another user); returns its JSON line. */
function runChild(body: string, options: { uid?: number; gid?: number } = {}): unknown {
  const script = path.join(ctx.dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(script, `import { openCache, CacheOpenError } from ${JSON.stringify(CACHE_MODULE)};\nvoid CacheOpenError;\n${body}\n`);
  fs.chmodSync(script, 0o644);
  const result = spawnSync(process.execPath, [RUN_TS, script], { encoding: 'utf8', timeout: 15_000, ...options });
  fs.rmSync(script, { force: true });
  if (result.error) throw result.error;
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`child printed no JSON (status ${result.status}, signal ${result.signal}): ${result.stdout}\n${result.stderr}`);
  }
}

describe('migrations', () => {
  it('creates a new file at the current version with the Clinic Desk application id, in WAL mode', () => {
    const { cache, warnings } = ctx.open();
    expect(warnings).toEqual([]);
    cache.close();
    expect(header(ctx.file())).toEqual({ applicationId: APPLICATION_ID, userVersion: SCHEMA_VERSION, journalMode: 'wal' });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('migrates an empty (0-byte) file, and reopens at the current version without changes', () => {
    fs.writeFileSync(ctx.file(), '');
    const first = ctx.open();
    expect(first.warnings).toEqual([]);
    first.cache.upsertNotifications(notes(1, 3));
    first.cache.close();
    const second = ctx.open();
    expect(second.warnings).toEqual([]);
    expect(second.cache.maxNotificationId()).toBe(3);
    second.cache.close();
    expect(header(ctx.file()).userVersion).toBe(SCHEMA_VERSION);
  });

  it('runs each missing step once, in order, each with its version bump (the next one is one more entry)', () => {
    const db = new Database(ctx.file());
    const n = MIGRATIONS.length;
    const next: Migration = (d) => d.exec('ALTER TABLE notifications ADD COLUMN priority INTEGER NOT NULL DEFAULT 0');
    migrate(db, 0, MIGRATIONS);
    expect(db.pragma('user_version', { simple: true })).toBe(n);
    migrate(db, n, [...MIGRATIONS, next]);
    expect(db.pragma('user_version', { simple: true })).toBe(n + 1);
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('notifications') WHERE name = 'priority'").pluck().get()).toBe(1);
    // A failing step leaves the file at the previous version.
    const broken: Migration = (d) => d.exec('CREATE TABLE x (a); SELECT no_such_function();');
    expect(() => migrate(db, n + 1, [...MIGRATIONS, next, broken])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(n + 1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'x'").pluck().get()).toBe(0);
    db.close();
  });

  it('v2 keeps a v1 file\'s rows and outbox, and forgets the highest-pruned-id mark', () => {
    const db = new Database(ctx.file());
    migrate(db, 0, MIGRATIONS.slice(0, 1));
    db.pragma('journal_mode = WAL');
    db.prepare("INSERT INTO meta (key, value) VALUES ('pruned_through_id', 900), ('clean_shutdown', 1)").run();
    const n = note(5);
    db.prepare('INSERT INTO notifications (id, user_id, type, title, message, action_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(n.id, n.user_id, n.type, n.title, n.message, n.action_url, n.created_at);
    db.prepare("INSERT INTO outbox (kind, notification_id, dedupe_key, action, created_at) VALUES ('read', 5, 'read:5', ?, ?)").run(JSON.stringify({ kind: 'read', notificationId: 5 }), n.created_at);
    db.close();

    const { cache, warnings } = ctx.open();
    expect(warnings).toEqual([]);
    expect(cache.listNotifications({ limit: 10 }).items.map((i) => [i.id, i.pending])).toEqual([[5, null]]);
    expect(cache.pendingActions().map((e) => e.action)).toEqual([{ kind: 'read', notificationId: 5 }]);
    // Ids below the old mark are stored again.
    expect(cache.upsertNotifications([note(6)]).inserted.map((i) => i.id)).toEqual([6]);
    cache.close();
    expect(header(ctx.file()).userVersion).toBe(SCHEMA_VERSION);
  });
});

describe('integrity check policy', () => {
  const checks = (logger: { records: { message: string; fields: Record<string, unknown> }[] }) =>
    logger.records.filter((r) => r.message === 'cache: integrity check passed').map((r) => r.fields['reason']);

  it('skips quick_check after a clean shutdown, runs it after a crash, weekly, and when asked', () => {
    const clock = fixedClock();
    const created = ctx.open({ clock }).cache;
    created.upsertNotifications(notes(1, 2000));
    clock.ms += 2 * DAY_MS;
    created.prune(1); // shrinks the file: its header and size must still agree
    created.close();

    const clean = ctx.open({ clock });
    expect(checks(clean.logger)).toEqual([]);
    // Left open, as a crashed process leaves it.
    const afterCrash = openCache({ file: ctx.file(), now: clock.now, logger: clean.logger });
    expect(checks(clean.logger)).toEqual(['the last session did not shut down cleanly']);
    afterCrash.cache.close();
    clean.cache.close();

    clock.ms += 8 * DAY_MS;
    const weekly = ctx.open({ clock });
    expect(checks(weekly.logger)).toEqual(['no check in the last week']);
    weekly.cache.close();

    const asked = ctx.open({ clock, quickCheck: 'always' });
    expect(checks(asked.logger)).toEqual(['requested']);
  });

  it('keeps committed writes when the process is killed without closing, and checks the file next time', () => {
    const out = runChild(`
      const { cache } = openCache({ file: ${JSON.stringify(ctx.file())}, now: () => ${T0} });
      cache.upsertNotifications([${JSON.stringify(note(1))}, ${JSON.stringify(note(2))}]);
      const id = cache.enqueue({ kind: 'delete', notificationId: 2 });
      process.stdout.write(JSON.stringify({ id }) + '\\n');
      process.kill(process.pid, 'SIGKILL');
    `) as { id: number };
    expect(fs.existsSync(`${ctx.file()}-wal`)).toBe(true);
    const { cache, warnings, logger } = ctx.open();
    expect(warnings).toEqual([]);
    expect(checks(logger)).toEqual(['the last session did not shut down cleanly']);
    expect(cache.pendingActions().map((e) => [e.id, e.action])).toEqual([[out.id, { kind: 'delete', notificationId: 2 }]]);
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([1]);
  });
});

describe('a file that is not a healthy cache is moved aside and rebuilt', () => {
  function expectMovedAside(warnings: string[], tag: 'corrupt' | 'foreign', original: Buffer): string {
    const moved = `${ctx.file()}.${tag}-${STAMP}`;
    expect(warnings).toHaveLength(1);
    const text = tag === 'corrupt' ? 'cache file was corrupt' : 'cache file was not a Clinic Desk cache';
    expect(warnings[0]).toContain(text);
    expect(warnings[0]).toContain(`moved to ${moved} and rebuilt`);
    expect(fs.readFileSync(moved).equals(original)).toBe(true);
    return moved;
  }

  /** `outbox`: actions recovered from the old file's outbox (`seedCache` queues one). */
  function expectFreshCache(cache: ReturnType<typeof ctx.open>['cache'], outbox = 0): void {
    expect(cache.stats()).toMatchObject({ notifications: 0, outbox });
    expect(cache.upsertNotifications([note(1)]).inserted).toHaveLength(1);
    expect(header(ctx.file())).toMatchObject({ applicationId: APPLICATION_ID, userVersion: SCHEMA_VERSION });
  }

  it('random bytes', () => {
    const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) % 251));
    fs.writeFileSync(ctx.file(), garbage);
    const { cache, warnings, logger } = ctx.open();
    expectMovedAside(warnings, 'corrupt', garbage);
    expect(warnings[0]).toMatch(/SQLITE_NOTADB/);
    expect(warnings[0]).toContain('its queued offline actions could not be read (it is not a SQLite database); none were recovered');
    expectFreshCache(cache);
    expect(logger.records.some((r) => r.level === 'warn' && r.message.includes('cache file was corrupt'))).toBe(true);
  });

  it('a truncated cache file', () => {
    seedCache(2000);
    const full = fs.readFileSync(ctx.file());
    const truncated = full.subarray(0, Math.floor(full.length / 2));
    fs.writeFileSync(ctx.file(), truncated);
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'corrupt', truncated);
    expectFreshCache(cache);
  });

  it('a cache whose tables were tampered with', () => {
    seedCache();
    const db = new Database(ctx.file());
    db.exec('DROP TABLE outbox');
    db.close();
    const original = fs.readFileSync(ctx.file());
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'corrupt', original);
    expect(warnings[0]).toContain('no such table: outbox');
    expect(warnings[0]).toContain('its queued offline actions could not be read (SQLITE_ERROR: no such table: outbox); none were recovered');
    expectFreshCache(cache);
  });

  it('a damaged page found by the integrity check after a crash', () => {
    seedCache(2000);
    // Damage pages in the middle of the b-tree and leave a WAL, as a crash (of the disk, then the app) would.
    const file = fs.readFileSync(ctx.file());
    const pageSize = file.readUInt16BE(16);
    file.fill(0xab, pageSize * 20, pageSize * 24);
    fs.writeFileSync(ctx.file(), file);
    fs.writeFileSync(`${ctx.file()}-wal`, '');
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'corrupt', file);
    expect(warnings[0]).toContain('integrity check failed');
    // seedCache's read of notification 1 sits on an undamaged page: it is recovered.
    expect(warnings[0]).toContain('; 1 queued offline action recovered from it');
    expectFreshCache(cache, 1);
  });

  it('garbage with a -wal and -shm: all three are moved aside untouched', () => {
    const garbage = Buffer.from('this is not a database '.repeat(1000));
    const wal = Buffer.alloc(8192, 0x5a);
    const shm = Buffer.alloc(32 * 1024, 0x11);
    fs.writeFileSync(ctx.file(), garbage);
    fs.writeFileSync(`${ctx.file()}-wal`, wal);
    fs.writeFileSync(`${ctx.file()}-shm`, shm);
    const { cache, warnings } = ctx.open();
    const moved = expectMovedAside(warnings, 'corrupt', garbage);
    expect(fs.readFileSync(`${moved}-wal`).equals(wal)).toBe(true);
    expect(fs.readFileSync(`${moved}-shm`).equals(shm)).toBe(true);
    expectFreshCache(cache);
  });

  it('a file too short to be a database', () => {
    fs.writeFileSync(ctx.file(), 'SQLite format 3');
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'corrupt', Buffer.from('SQLite format 3'));
    expectFreshCache(cache);
  });

  it("another application's SQLite database (no application id)", () => {
    const db = new Database(ctx.file());
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('someone');");
    db.close();
    const original = fs.readFileSync(ctx.file());
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'foreign', original);
    expect(warnings[0]).toContain('another application');
    expectFreshCache(cache);
  });

  it("another application's SQLite database (its own application id)", () => {
    const db = new Database(ctx.file());
    db.pragma('application_id = 0x0f055112');
    db.exec('CREATE TABLE blob (rid INTEGER PRIMARY KEY)');
    db.close();
    const original = fs.readFileSync(ctx.file());
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'foreign', original);
    expect(warnings[0]).toContain('application id 0xf055112');
    expectFreshCache(cache);
  });

  it('a cache written by a newer Clinic Desk (higher user_version)', () => {
    seedCache();
    const db = new Database(ctx.file());
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const original = fs.readFileSync(ctx.file());
    const { cache, warnings } = ctx.open();
    expectMovedAside(warnings, 'foreign', original);
    expect(header(`${ctx.file()}.foreign-${STAMP}`)).toMatchObject({ applicationId: APPLICATION_ID, userVersion: SCHEMA_VERSION + 1 });
    expect(warnings[0]).toContain(`newer Clinic Desk (cache schema v${SCHEMA_VERSION + 1}`);
    // Its outbox has the shape this build knows: the queued read is carried over.
    expect(warnings[0]).toContain('1 queued offline action recovered from it');
    expectFreshCache(cache, 1);
  });

  it('never overwrites an earlier moved-aside file', () => {
    fs.writeFileSync(ctx.file(), 'not a database, first time');
    ctx.open().cache.close();
    fs.writeFileSync(ctx.file(), 'not a database, second time');
    const { warnings } = ctx.open();
    expect(warnings[0]).toContain(`${ctx.file()}.corrupt-${STAMP}-2`);
    expect(fs.readFileSync(`${ctx.file()}.corrupt-${STAMP}`, 'utf8')).toBe('not a database, first time');
  });
});

describe('the outbox of a file set aside is salvaged into the new cache', () => {
  /** A cache of `rows` notifications with offline actions queued, closed cleanly; the actions as queued. */
  function seedWithOutbox(rows: number) {
    const { cache } = ctx.open();
    cache.upsertNotifications(notes(1, rows, { message: 'x'.repeat(500) }));
    cache.enqueue({ kind: 'read', notificationId: 1 });
    cache.enqueue({ kind: 'delete', notificationId: 2 });
    cache.enqueue({ kind: 'send-message', conversationId: 9, body: 'Back at 2', clientId: 'c-77' });
    cache.failAction(cache.pendingActions()[0]?.id ?? 0, 'HTTP 503');
    const queued = cache.pendingActions();
    cache.close();
    return queued;
  }

  /** Overwrites the given pages of the file with garbage. */
  function damagePages(pages: number[]): Buffer {
    const file = fs.readFileSync(ctx.file());
    const pageSize = file.readUInt16BE(16);
    for (const page of pages) file.fill(0xab, (page - 1) * pageSize, page * pageSize);
    fs.writeFileSync(ctx.file(), file);
    return file;
  }

  function pagesOf(table: string): number[] {
    const db = new Database(ctx.file(), { readonly: true });
    const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').pluck().all(table) as number[];
    db.close();
    return pages;
  }

  it('notification pages damaged, outbox readable: every queued action is recovered, in order, and still applies', () => {
    const queued = seedWithOutbox(2000);
    const outboxPages = pagesOf('outbox');
    const damaged = pagesOf('notifications').filter((p) => p > 2 && !outboxPages.includes(p)).slice(5, 12);
    expect(damaged).toHaveLength(7);
    damagePages(damaged);

    const { cache, warnings } = ctx.open({ quickCheck: 'always' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cache file was corrupt (integrity check failed');
    expect(warnings[0]).toContain('; 3 queued offline actions recovered from it');
    const recovered = cache.pendingActions();
    expect(recovered.map((e) => [e.action, e.attempts, e.lastError, e.createdAt])).toEqual(queued.map((e) => [e.action, e.attempts, e.lastError, e.createdAt]));
    expect(recovered[0]).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });

    // Catch-up refills the new cache: the deleted one stays out, the read one shows as read until the server confirms.
    cache.upsertNotifications(notes(1, 3));
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => [n.id, n.pending, n.read_at !== null])).toEqual([
      [3, null, false],
      [1, 'read', true],
    ]);
    expect(cache.unreadCount()).toBe(1);
  });

  it('a wholly unreadable file: nothing is salvaged, and the warning says so', () => {
    seedWithOutbox(50);
    // Keep the header (a SQLite file of ours) and scramble every page behind it.
    const file = fs.readFileSync(ctx.file());
    for (let i = 100; i < file.length; i++) file[i] = (i * 7919 + 13) % 251;
    fs.writeFileSync(ctx.file(), file);

    const { cache, warnings, logger } = ctx.open();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cache file was corrupt');
    expect(warnings[0]).toMatch(/its queued offline actions could not be read \(SQLITE_[A-Z_]+: .+\); none were recovered/);
    expect(cache.pendingActions()).toEqual([]);
    expect(logger.records.find((r) => r.message.startsWith('cache: cache file was corrupt'))?.fields).toMatchObject({ outboxRecovered: 0 });
  });
});

describe('a folder the desk cannot write to', () => {
  const asRoot = process.getuid?.() === 0;
  // Root ignores file permissions, so as root the check runs in a child process as `nobody`.
  const open = (file: string): { name: string; message: string } | { opened: true } => {
    if (!asRoot) {
      try {
        openCache({ file }).cache.close();
        return { opened: true };
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message };
      }
    }
    fs.chmodSync(ctx.dir, 0o755);
    return runChild(
      `try { openCache({ file: ${JSON.stringify(file)} }).cache.close(); process.stdout.write(JSON.stringify({ opened: true }) + '\\n'); }
       catch (error) { process.stdout.write(JSON.stringify({ name: error.name, message: error.message }) + '\\n'); }`,
      { uid: 65534, gid: 65534 },
    ) as { name: string; message: string } | { opened: true };
  };

  it('a new cache in a read-only folder fails with a clear error', () => {
    const folder = path.join(ctx.dir, 'readonly');
    fs.mkdirSync(folder, { mode: 0o555 });
    fs.chmodSync(folder, 0o555);
    const file = path.join(folder, 'desk.sqlite');
    const result = open(file);
    expect(result).toMatchObject({ name: 'CacheOpenError' });
    expect((result as { message: string }).message).toContain(`cannot open the Clinic Desk cache at ${file}`);
    expect((result as { message: string }).message).toContain('not writable');
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('an existing cache in a read-only folder is left untouched, not moved aside', () => {
    const folder = path.join(ctx.dir, 'readonly');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'desk.sqlite');
    const { cache } = openCache({ file, now: () => T0 });
    cache.upsertNotifications(notes(1, 3));
    cache.close();
    const before = fs.readFileSync(file);
    fs.chmodSync(file, 0o444);
    fs.chmodSync(folder, 0o555);
    const result = open(file);
    expect(result).toMatchObject({ name: 'CacheOpenError' });
    expect((result as { message: string }).message).toContain('not writable');
    expect(fs.readdirSync(folder)).toEqual(['desk.sqlite']);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a file where the cache folder (or a folder above it) should be: said in words, not EEXIST … mkdir', () => {
    const blocker = path.join(ctx.dir, 'profile');
    fs.writeFileSync(blocker, 'a file, not a folder');
    for (const file of [path.join(blocker, 'desk.sqlite'), path.join(blocker, 'cache', 'desk.sqlite')]) {
      let error: unknown = null;
      try {
        openCache({ file });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CacheOpenError);
      expect((error as Error).message).toBe(`cannot create the cache folder ${path.dirname(file)}: ${blocker} is a file, not a folder`);
    }
    expect(fs.readFileSync(blocker, 'utf8')).toBe('a file, not a folder');
  });

  it('CacheOpenError is exported for callers to tell it apart', () => {
    expect(new CacheOpenError('x', '/f')).toBeInstanceOf(Error);
  });
});
