import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { APPLICATION_ID, SCHEMA_VERSION, inspectFile, migrate, newerSchemaReason } from './schema';
import type { Logger } from '../log';

/**
 * Opening the cache file, and what to do when it is not a healthy Clinic Desk
 * cache. The cache only holds copies of server state plus the outbox, so a
 * corrupt or foreign file is moved aside (kept for support, never deleted)
 * and a fresh one is created; the sync layer then rebuilds it from the server.
 * Problems of the environment (a read-only folder, a full disk, a file locked
 * by another process) are different: the file may be fine, so nothing is moved
 * and `CacheOpenError` says what is wrong. A healthy file that SQLite can only
 * open read-only (the file, not its folder, is write-protected) opens: the
 * cache reads it and keeps its writes in memory until it can write again.
 *
 * The outbox of a file set aside (the user's offline actions) is read back
 * from it when SQLite still can, and handed to the new cache.
 */

type Db = Database.Database;

export type QuickCheckPolicy = 'auto' | 'always';

export interface OpenFileOptions {
  file: string;
  now: () => number;
  logger: Logger;
  quickCheck: QuickCheckPolicy;
}

/** The cache cannot be opened for a reason that moving the file aside would not fix. */
export class CacheOpenError extends Error {
  constructor(
    message: string,
    readonly file: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'CacheOpenError';
  }
}

/** A file that must be set aside: `corrupt` (unreadable, fails checks or migration) or `foreign`. */
class UnusableFile extends Error {
  constructor(
    readonly verdict: 'corrupt' | 'foreign',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** How long a clean-shutdown file goes without a `quick_check` before one is run anyway. */
const QUICK_CHECK_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const BUSY_TIMEOUT_MS = 3000;

export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Codes that mean "this file is damaged or is not a database". */
function isCorruptionCode(code: string): boolean {
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_FORMAT';
}

function sqliteCode(error: unknown): string | null {
  if (error instanceof Database.SqliteError) return error.code;
  return null;
}

function describe(error: unknown): string {
  const code = sqliteCode(error) ?? (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}

/**
 * Which checks a file gets depends on how it was left. `quick_check` reads
 * every page (tens of ms at 100k notifications), too slow for a cold start on
 * every launch, so it runs when the last session did not shut down cleanly
 * (the `clean_shutdown` meta row is 0 while a session runs), when the header's
 * page count disagrees with the file size (truncated or grown behind our
 * back), when a -wal file was left over, when the last check is more than
 * a week old, or when asked to.
 * A file that is garbage fails earlier, on the first read of its header.
 */
function needsQuickCheck(db: Db, file: string, policy: QuickCheckPolicy, now: number, walLeftOver: boolean): string | null {
  if (policy === 'always') return 'requested';
  const meta = new Map(
    (db.prepare("SELECT key, value FROM meta WHERE key IN ('clean_shutdown', 'last_quick_check_ms')").all() as { key: string; value: unknown }[]).map(
      (row) => [row.key, row.value],
    ),
  );
  if (meta.get('clean_shutdown') !== 1) return 'the last session did not shut down cleanly';
  // The last connection's close deletes the WAL; one still there means a crash (or another process has the file open).
  if (walLeftOver) return 'a write-ahead log was left over';
  const last = meta.get('last_quick_check_ms');
  if (typeof last !== 'number' || now - last > QUICK_CHECK_MAX_AGE_MS || now < last) return 'no check in the last week';
  if (!headerMatchesFileSize(file)) return 'the file size does not match its header';
  return null;
}

/** SQLite file header: page size at offset 16, page count at 28, valid when the counters at 24 and 92 agree. */
function headerMatchesFileSize(file: string): boolean {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, header, 0, 100, 0) < 100) return false;
    const size = fs.fstatSync(fd).size;
    const rawPageSize = header.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    const pageCount = header.readUInt32BE(28);
    const countValid = pageCount > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
    return !countValid || size === pageCount * pageSize;
  } finally {
    fs.closeSync(fd);
  }
}

function quickCheck(db: Db): void {
  const results = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const problems = results.map((row) => row.quick_check).filter((line) => line !== 'ok');
  if (problems.length > 0) throw new UnusableFile('corrupt', `integrity check failed: ${problems.join('; ')}`);
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Verdicts that the raw header allows before SQLite touches the file, so a
 * foreign or garbage file (and its -wal) is moved aside exactly as it was.
 * Only verdicts a stale header (newer state still in the WAL) cannot fake:
 * our application id is only ever set once, and our versions only go up.
 */
function inspectHeader(file: string): UnusableFile | null {
  let header: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      header = Buffer.alloc(100);
      header = header.subarray(0, fs.readSync(fd, header, 0, 100, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null; // missing or unreadable: SQLite creates it or says why it cannot
  }
  if (header.length === 0) return null;
  if (header.length < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    return new UnusableFile('corrupt', 'SQLITE_NOTADB: it is not a SQLite database (bad header)');
  }
  const applicationId = header.readUInt32BE(68);
  const version = header.readUInt32BE(60);
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    return new UnusableFile('foreign', `it is a SQLite database of another application (application id 0x${applicationId.toString(16)})`);
  }
  if (applicationId === APPLICATION_ID && version > SCHEMA_VERSION) {
    return new UnusableFile('foreign', newerSchemaReason(version));
  }
  return null;
}

/** The per-connection settings every cache connection runs with; what is wrong, in words, when WAL mode cannot be had. */
function configure(db: Db): string | null {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (mode.toLowerCase() !== 'wal') return `cannot switch to WAL mode (journal mode stays ${mode})`;
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted patient data is overwritten where that costs no extra I/O; prune() also gives freed pages back.
  db.pragma('secure_delete = FAST');
  return null;
}

/**
 * A new connection to a cache file that was opened (and checked) before: the
 * cache reconnects when its connection turned out read-only, in case the file
 * has become writable since.
 */
export function reconnect(file: string): Db {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  try {
    const problem = configure(db);
    if (problem !== null) throw new Error(problem);
    return db;
  } catch (error) {
    closeQuietly(db);
    throw error;
  }
}

/**
 * Opens, checks and migrates one file, then hands it to `build`. Throws
 * `UnusableFile` (set it aside) or `CacheOpenError` (leave it alone).
 */
function openChecked<T>(options: OpenFileOptions, build: (db: Db) => T): T {
  const { file, now, logger } = options;
  const early = inspectHeader(file);
  if (early) throw early;
  const walLeftOver = fs.existsSync(`${file}-wal`);
  let db: Db;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw environmentError(file, error);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Read-only so far: a file with a valid magic but garbage behind it fails here (SQLITE_NOTADB or _CORRUPT).
    const state = inspectFile(db);
    if (state.kind === 'foreign') throw new UnusableFile('foreign', state.reason);
    if (state.kind === 'empty') db.pragma('auto_vacuum = INCREMENTAL');
    const problem = configure(db);
    if (problem !== null) throw environmentError(file, new Error(problem));
    if (state.kind === 'ours' && state.version > 0) {
      const reason = needsQuickCheck(db, file, options.quickCheck, now(), walLeftOver);
      if (reason !== null) {
        const started = performance.now();
        quickCheck(db);
        logger.info('cache: integrity check passed', { file, reason, ms: Math.round(performance.now() - started) });
        recordQuickCheck(db, file, now(), logger);
      }
    }
    migrate(db, state.kind === 'ours' ? state.version : 0);
    if (state.kind === 'empty') db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_quick_check_ms', ?)").run(now());
    // Preparing the statements is part of the check: a file with our id but missing tables or columns fails here.
    return build(db);
  } catch (error) {
    closeQuietly(db);
    if (error instanceof UnusableFile || error instanceof CacheOpenError) throw error;
    const code = sqliteCode(error);
    if (code !== null && isCorruptionCode(code)) throw new UnusableFile('corrupt', describe(error));
    if (code !== null && isEnvironmentCode(code)) throw environmentError(file, error);
    // Anything else while checking or migrating (a missing table, a failing migration step) means the
    // file is not the cache it claims to be.
    throw new UnusableFile('corrupt', `checking or migrating it failed: ${describe(error)}`);
  }
}

/** The file passed; a full disk or a write-protected file only means the next open checks again. */
function recordQuickCheck(db: Db, file: string, nowMs: number, logger: Logger): void {
  try {
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_quick_check_ms', ?)").run(nowMs);
  } catch (error) {
    const code = sqliteCode(error);
    if (code === null || !isEnvironmentCode(code)) throw error;
    logger.warn('cache: could not record the integrity check; the next start checks again', { file, error: describe(error) });
  }
}

function isEnvironmentCode(code: string): boolean {
  return /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|IOERR|FULL|BUSY|LOCKED|NOMEM|NOLFS)/.test(code);
}

function environmentError(file: string, error: unknown): CacheOpenError {
  const dir = path.dirname(file);
  let hint = '';
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch (accessError) {
    hint =
      (accessError as NodeJS.ErrnoException).code === 'EROFS'
        ? ` — the file system that holds ${dir} is mounted read-only; the cache needs to create and write files there`
        : ` — the folder ${dir} or the file is not writable by this user; the cache needs to create and write files there`;
  }
  return new CacheOpenError(`cannot open the Clinic Desk cache at ${file} (${describe(error)})${hint}`, file, error);
}

/** `mkdir -p` failed: say which part of the path is in the way, in words, rather than `EEXIST … mkdir`. */
function folderError(file: string, error: unknown): CacheOpenError {
  const dir = path.dirname(file);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    const blocker = firstNonFolder(dir);
    if (blocker !== null) return new CacheOpenError(`cannot create the cache folder ${dir}: ${blocker} is a file, not a folder`, file, error);
  }
  if (code === 'EROFS') return new CacheOpenError(`cannot create the cache folder ${dir}: the file system that holds it is mounted read-only`, file, error);
  if (code === 'EACCES' || code === 'EPERM') return new CacheOpenError(`cannot create the cache folder ${dir}: this user may not create folders there`, file, error);
  return environmentError(file, error);
}

/** The first part of `dir`, from the top, that exists and is not a folder. */
function firstNonFolder(dir: string): string | null {
  const parts: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    parts.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const part of parts) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(part);
    } catch {
      return null;
    }
    if (!stat.isDirectory()) return part;
  }
  return null;
}

function closeQuietly(db: Db): void {
  try {
    if (db.open) db.close();
  } catch {
    // Closing a handle on a damaged file can fail; the file is about to be moved aside anyway.
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

/** Moves the file and its -wal/-shm next to it as `<file>.<tag>-<timestamp>[-n]`; returns the new path. */
export function moveAside(file: string, tag: 'corrupt' | 'foreign', nowMs: number): string {
  const base = `${file}.${tag}-${stamp(nowMs)}`;
  let target = base;
  for (let n = 2; fs.existsSync(target); n++) target = `${base}-${n}`;
  fs.renameSync(file, target);
  for (const suffix of SIDE_FILE_SUFFIXES) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}

export function removeCacheFiles(file: string): void {
  for (const candidate of [file, ...SIDE_FILE_SUFFIXES.map((suffix) => file + suffix)]) {
    fs.rmSync(candidate, { force: true });
  }
}

/** What could be read of the outbox of a file set aside. */
type Salvage = { ok: true; rows: unknown[]; damaged: string | null } | { ok: false; reason: string };

/**
 * Reads the outbox rows of a file that was set aside, without changing it
 * (read-only; SQLite may add a -shm next to it). Rows are returned raw: the
 * new cache parses each one as it parses its own. A file without our header
 * or application id has nothing of ours to read.
 */
export function readOutboxOf(file: string): Salvage {
  if (inspectHeader(file)?.verdict === 'corrupt') return { ok: false, reason: 'it is not a SQLite database' };
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    return { ok: false, reason: describe(error) };
  }
  const rows: unknown[] = [];
  try {
    if (Number(db.pragma('application_id', { simple: true })) !== APPLICATION_ID) return { ok: false, reason: 'it is not a Clinic Desk cache' };
    for (const row of db.prepare('SELECT id, action, attempts, last_error, created_at FROM outbox ORDER BY id').iterate()) rows.push(row);
    return { ok: true, rows, damaged: null };
  } catch (error) {
    // A damaged page part-way through: what was read before it still counts.
    return rows.length > 0 ? { ok: true, rows, damaged: describe(error) } : { ok: false, reason: describe(error) };
  } finally {
    closeQuietly(db);
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The part of the warning that says what became of the user's queued offline actions. */
function salvageNote(salvage: Salvage, restored: number, verdict: 'corrupt' | 'foreign'): string | null {
  if (!salvage.ok) return verdict === 'corrupt' ? `its queued offline actions could not be read (${salvage.reason}); none were recovered` : null;
  if (salvage.rows.length === 0) return verdict === 'corrupt' ? (salvage.damaged ? `its queued offline actions could not be read (${salvage.damaged})` : 'it held no queued offline actions') : null;
  const found = salvage.rows.length;
  const recovered = restored === found ? `${plural(found, 'queued offline action')} recovered from it` : `${restored} of its ${plural(found, 'queued offline action')} recovered (the others did not parse)`;
  return salvage.damaged ? `${recovered}; more may have been lost to a damaged page (${salvage.damaged})` : recovered;
}

/**
 * Opens the cache, setting a damaged or foreign file aside and starting a new
 * one; `restore` hands what could be read of the old file's outbox to the new
 * cache and says how many actions it kept. Throws `CacheOpenError` only when
 * even a fresh file cannot be created.
 */
export function openCacheFile<T>(
  options: OpenFileOptions,
  build: (db: Db) => T,
  restore?: (value: T, outboxRows: unknown[]) => number,
): { value: T; warnings: string[] } {
  const { file, now, logger } = options;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (error) {
    throw folderError(file, error);
  }
  try {
    return { value: openChecked(options, build), warnings: [] };
  } catch (error) {
    if (!(error instanceof UnusableFile)) throw error;
    let movedTo: string;
    try {
      movedTo = moveAside(file, error.verdict, now());
    } catch (moveError) {
      throw new CacheOpenError(
        `the cache at ${file} is unusable (${error.reason}) and could not be moved aside: ${describe(moveError)}`,
        file,
        moveError,
      );
    }
    let value: T;
    try {
      value = openChecked(options, build);
    } catch (retryError) {
      if (retryError instanceof CacheOpenError) throw retryError;
      throw new CacheOpenError(`cannot create a new cache at ${file} after moving the old one aside: ${describe(retryError)}`, file, retryError);
    }
    const salvage = readOutboxOf(movedTo);
    const restored = salvage.ok && salvage.rows.length > 0 && restore ? restore(value, salvage.rows) : 0;
    const note = salvageNote(salvage, restored, error.verdict);
    const warning =
      (error.verdict === 'corrupt'
        ? `cache file was corrupt (${error.reason}); moved to ${movedTo} and rebuilt`
        : `cache file was not a Clinic Desk cache (${error.reason}); moved to ${movedTo} and rebuilt`) + (note === null ? '' : `; ${note}`);
    logger.warn(`cache: ${warning}`, { file, movedTo, verdict: error.verdict, outboxRecovered: restored });
    return { value, warnings: [warning] };
  }
}
