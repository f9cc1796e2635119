/**
 * Disk faults are errors, not crashes: a cache on a disk that fills up, on a
 * read-only file system, or in a file it may only read keeps the desk
 * running, says why in words, keeps every change in memory (the outbox above
 * all) and writes it once the disk takes writes again.
 *
 * The disk-full and read-only file system cases need a small tmpfs, so they
 * run as root (CI does) and are skipped, with the reason in their names,
 * otherwise. The read-only file case needs no root: as root it runs in a
 * child process as `nobody`, who cannot write a file mode 0444.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CacheOpenError, openCache, type DeskCache } from '../../../src/main/core/cache/cache';
import { memoryLogger } from '../../../src/main/core/log';
import { NotificationsPart } from '../../../src/main/core/sync/notifications';
import { Presence } from '../../../src/shared/desk-state';
import { T0, fixedClock, note, notes } from './cache-fixtures';
import { RECEPTION, closeAll, closedPortApi, recordedContext, takeProblems } from '../../unit/core/parts/context';

const RUN_TS = fileURLToPath(new URL('../../../bin/run-ts.mjs', import.meta.url));
const CACHE_MODULE = fileURLToPath(new URL('../../../src/main/core/cache/cache.ts', import.meta.url));
const FULL = 'the disk is full: notifications are not being saved';
const READ_ONLY = 'the cache file is read-only: notifications are not being saved';

/** Why the tmpfs tests cannot run here, or null when they can: root, and `mount -t tmpfs` works. */
function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not on Linux';
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const noTmpfs = tmpfsUnavailable();
const onTmpfs = (name: string) => (noTmpfs === null ? name : `${name} (skipped: ${noTmpfs}; needs root to mount a tmpfs)`);

const mounted: string[] = [];
const opened: DeskCache[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const cache of opened.splice(0)) if (cache.isOpen) cache.close();
  await closeAll();
  expect(takeProblems()).toEqual([]);
  for (const dir of mounted.splice(0)) {
    spawnSync('mount', ['-o', 'remount,rw', dir]);
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A tmpfs of `kb` KiB, unmounted after the test. */
function tmpfs(kb: number): { dir: string; fill(): void; free(): void; remount(mode: 'ro' | 'rw'): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  mounted.push(dir);
  const filler = path.join(dir, 'filler');
  return {
    dir,
    /** Takes every free byte. */
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir]);
    },
  };
}

function openOn(file: string, options: { writeRetryMs?: number; clock?: ReturnType<typeof fixedClock> } = {}) {
  const logger = memoryLogger();
  const clock = options.clock ?? fixedClock();
  const { cache } = openCache({ file, now: clock.now, logger, ...(options.writeRetryMs === undefined ? {} : { writeRetryMs: options.writeRetryMs }) });
  opened.push(cache);
  return { cache, logger, clock };
}

/** Writes live bursts of 2 KB notifications until the disk refuses one; returns the next free id. */
function writeUntilRefused(cache: DeskCache, from: number): number {
  let id = from;
  for (let burst = 0; burst < 500 && cache.stats().writeError === null; burst++) {
    const rows = notes(id, id + 19, { message: 'x'.repeat(2000) });
    // Never throws: before the fault the rows are written, from it on they are kept.
    expect(cache.upsertNotifications(rows, { live: true }).inserted).toHaveLength(20);
    id += 20;
  }
  expect(cache.stats().writeError).not.toBeNull();
  return id;
}

const errors = (logger: ReturnType<typeof memoryLogger>) => logger.records.filter((r) => r.level === 'error').map((r) => r.message);

describe('a full disk', () => {
  it.skipIf(noTmpfs !== null)(onTmpfs('keeps the desk running, says so in words, keeps every change in memory and writes it all when space returns'), () => {
    const disk = tmpfs(1024);
    const file = path.join(disk.dir, 'desk.sqlite');
    const { cache, logger, clock } = openOn(file, { writeRetryMs: 60_000 });
    cache.prune(30);
    cache.upsertNotifications(notes(1, 5));
    const queuedBefore = cache.enqueue({ kind: 'read', notificationId: 1 });
    cache.enqueue({ kind: 'delete', notificationId: 2 });
    expect(queuedBefore).toBeGreaterThan(0);

    disk.fill();
    const next = writeUntilRefused(cache, 100);
    expect(cache.stats().writeError).toBe(FULL);
    expect(errors(logger)).toEqual([`cache: ${FULL}`]);

    // Still running: new rows are new once, shown, and counted.
    const late = [note(next), note(next + 1)];
    expect(cache.upsertNotifications(late, { live: true }).inserted.map((n) => n.id)).toEqual([next, next + 1]);
    expect(cache.upsertNotifications(late, { live: true }).inserted).toEqual([]);
    const shown = cache.listNotifications({ limit: 5 }).items.map((n) => n.id);
    expect(shown.slice(0, 2)).toEqual([next + 1, next]);
    expect(cache.getNotification(next)).toMatchObject({ id: next, pending: null, read_at: null });
    const unreadBefore = cache.unreadCount();

    // The user's actions: queued in memory, shown at once, never dropped.
    expect(cache.markReadLocal(next, clock.iso())).toBe(true);
    const read = cache.enqueue({ kind: 'read', notificationId: next });
    expect(cache.enqueue({ kind: 'delete', notificationId: 3 })).toBeLessThan(0);
    const message = cache.enqueue({ kind: 'send-message', conversationId: 4, body: 'On my way', clientId: 'c-1' });
    expect(read).toBeLessThan(0);
    expect(cache.enqueue({ kind: 'read', notificationId: next })).toBe(read);
    expect(cache.getNotification(next)).toMatchObject({ pending: 'read', read_at: clock.iso() });
    expect(cache.listNotifications({ limit: 500 }).items.map((n) => n.id)).not.toContain(3);
    expect(cache.unreadCount()).toBe(unreadBefore - 2);
    // One sent while the disk is full (the server confirmed it): gone from the queue, in memory.
    cache.completeAction(queuedBefore);
    cache.failAction(message, 'HTTP 503');
    expect(cache.pendingActions().map((e) => [e.action.kind, e.attempts])).toEqual([
      ['delete', 0],
      ['read', 0],
      ['delete', 0],
      ['send-message', 1],
    ]);
    // Snapshots and the catch-up cursor, too.
    cache.saveSnapshot('presence', { clinicId: 1, members: [], roster: [] }, Presence);
    expect(cache.loadSnapshot('presence', Presence)?.value).toEqual({ clinicId: 1, members: [], roster: [] });
    cache.advanceCatchUpCursor(next + 1);
    expect(cache.prune(30)).toEqual({ notifications: 0, snapshots: 0 });
    expect(cache.retryWrites()).toBe(false);
    const waiting = cache.stats();
    expect(waiting.unsavedChanges).toBeGreaterThan(0);

    // Space returns.
    disk.free();
    expect(cache.retryWrites()).toBe(true);
    expect(cache.stats()).toMatchObject({ writeError: null, unsavedChanges: 0, notifications: waiting.notifications, unread: waiting.unread, outbox: 4 });
    expect(logger.records.some((r) => r.level === 'info' && r.message.startsWith('cache: writes reach the file again'))).toBe(true);
    // Memory ids still work for the session that holds them.
    cache.completeAction(message);
    expect(cache.pendingActions().map((e) => e.action.kind)).toEqual(['delete', 'read', 'delete']);

    // All of it is in the file.
    cache.close();
    const again = openOn(file, { clock });
    expect(again.cache.stats()).toMatchObject({ writeError: null, notifications: waiting.notifications, unread: waiting.unread, outbox: 3 });
    expect(again.cache.listNotifications({ limit: 2 }).items.map((n) => [n.id, n.pending])).toEqual([
      [next + 1, null],
      [next, 'read'],
    ]);
    expect(again.cache.getNotification(3)).toMatchObject({ pending: 'delete' });
    expect(again.cache.catchUpCursor()).toBe(next + 1);
    expect(again.cache.loadSnapshot('presence', Presence)).not.toBeNull();
    expect(errors(again.logger)).toEqual([]);
  });

  it.skipIf(noTmpfs !== null)(onTmpfs('the live notification write (NotificationsPart.flush) never throws into the event loop; it is retried on a timer'), async () => {
    const disk = tmpfs(1024);
    const file = path.join(disk.dir, 'desk.sqlite');
    const { cache, logger } = openOn(file, { writeRetryMs: 25 });
    const clock = { ms: T0 };
    const r = recordedContext(RECEPTION, await closedPortApi());
    const part = new NotificationsPart(r.ctx, { cache, logger, retentionDays: 30, now: () => clock.ms });
    part.start();

    disk.fill();
    const live = (id: number) => ({ id, user_id: RECEPTION.id, type: 'appointment', title: `#${id}`, message: 'x'.repeat(2000), action_url: null, created_at: new Date(T0).toISOString() });
    let id = 1;
    for (let burst = 0; burst < 500 && cache.stats().writeError === null; burst++) {
      for (let i = 0; i < 20; i++) part.onLive(live(id++));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(cache.stats().writeError).toBe(FULL);
    // Every one of them was announced once, and counted.
    const announced = r.of('notification.upserted').length + r.of('notifications.synced').reduce((sum, e) => sum + e.inserted, 0);
    expect(announced).toBe(id - 1);
    expect(r.of('notifications.unread').at(-1)).toEqual({ kind: 'notifications.unread', unread: id - 1 });
    expect(cache.unreadCount()).toBe(id - 1);

    disk.free();
    await vi.waitFor(() => expect(cache.stats().writeError).toBeNull(), { timeout: 5_000, interval: 10 });
    part.stop(true);
    cache.close();
    const again = openOn(file);
    expect(again.cache.stats()).toMatchObject({ notifications: id - 1, unread: id - 1 });
  });

  it.skipIf(noTmpfs !== null)(onTmpfs('a cache on a file system mounted read-only does not open, and says why in words'), () => {
    const disk = tmpfs(1024);
    const file = path.join(disk.dir, 'desk.sqlite');
    const { cache } = openOn(file);
    cache.upsertNotifications(notes(1, 3));
    cache.close();
    disk.remount('ro');
    let error: unknown = null;
    try {
      openOn(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheOpenError);
    expect((error as Error).message).toContain(`the file system that holds ${disk.dir} is mounted read-only`);
    // The file is as it was.
    disk.remount('rw');
    expect(openOn(file).cache.stats().notifications).toBe(3);
  });
});

describe('a cache file this user may only read', () => {
  it('opens read-only, keeps changes in memory, says so, and writes them once the file is writable again', () => {
    const asRoot = process.getuid?.() === 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-readonly-'));
    folders.push(dir);
    fs.chmodSync(dir, 0o777); // SQLite needs the folder for its -shm; only the file is protected
    const file = path.join(dir, 'desk.sqlite');
    const seeded = openCache({ file, now: () => T0 }).cache;
    seeded.upsertNotifications(notes(1, 3));
    seeded.enqueue({ kind: 'read', notificationId: 1 });
    seeded.close();
    if (asRoot) fs.chownSync(file, 65534, 65534);
    fs.chmodSync(file, 0o444);

    // Root may write any file, so as root the desk runs as `nobody`.
    const script = path.join(dir, 'child.ts');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { openCache } from ${JSON.stringify(CACHE_MODULE)};
const records: string[] = [];
const log = (m: string) => void records.push(m);
const logger = { debug: log, info: log, warn: log, error: log };
const { cache, warnings } = openCache({ file: ${JSON.stringify(file)}, now: () => ${T0}, logger, writeRetryMs: 60000 });
const inserted = cache.upsertNotifications([${JSON.stringify(note(4))}], { live: true }).inserted.map((n) => n.id);
const queued = cache.enqueue({ kind: 'delete', notificationId: 2 });
const during = { stats: cache.stats(), listed: cache.listNotifications({ limit: 10 }).items.map((n) => [n.id, n.pending]), actions: cache.pendingActions().map((e) => e.action) };
const stillRefused = cache.retryWrites();
fs.chmodSync(${JSON.stringify(file)}, 0o644);
const written = cache.retryWrites();
const after = cache.stats();
cache.close();
process.stdout.write(JSON.stringify({ warnings, inserted, queued, during, stillRefused, written, after, records }) + '\\n');
`,
    );
    fs.chmodSync(script, 0o644);
    const run = spawnSync(process.execPath, [RUN_TS, script], { encoding: 'utf8', timeout: 20_000, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    const line = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(line, `child failed (status ${run.status}): ${run.stderr}`).toMatch(/^\{/);
    const out = JSON.parse(line) as {
      warnings: string[];
      inserted: number[];
      queued: number;
      during: { stats: { writeError: string | null; notifications: number; outbox: number }; listed: unknown[]; actions: unknown[] };
      stillRefused: boolean;
      written: boolean;
      after: { writeError: string | null; unsavedChanges: number };
      records: string[];
    };
    expect(out.warnings).toEqual([]);
    expect(out.inserted).toEqual([4]);
    expect(out.queued).toBeLessThan(0);
    expect(out.during.stats).toMatchObject({ writeError: READ_ONLY, notifications: 3, outbox: 2 });
    expect(out.during.listed).toEqual([
      [4, null],
      [3, null],
      [1, 'read'],
    ]);
    expect(out.during.actions).toEqual([
      { kind: 'read', notificationId: 1 },
      { kind: 'delete', notificationId: 2 },
    ]);
    expect(out.stillRefused).toBe(false);
    expect(out.written).toBe(true);
    expect(out.after).toMatchObject({ writeError: null, unsavedChanges: 0 });
    expect(out.records).toContain(`cache: ${READ_ONLY}`);

    const { cache } = openOn(file);
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([4, 3, 1]);
    expect(cache.pendingActions().map((e) => e.action)).toEqual([
      { kind: 'read', notificationId: 1 },
      { kind: 'delete', notificationId: 2 },
    ]);
  });
});

describe('text is stored as well-formed Unicode', () => {
  it('replaces lone surrogates with U+FFFD in notifications, outbox actions and snapshots, and reads them back so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-unicode-'));
    folders.push(dir);
    const file = path.join(dir, 'desk.sqlite');
    const { cache } = openOn(file);
    const lone = 'Lab \uD83D result \uDE00 ready \uD83D\uDE00';
    const inserted = cache.upsertNotifications([note(1, { title: lone, message: `\uDC00${lone}\uD800`, type: 'lab\uD800' })]).inserted;
    expect(inserted[0]?.title).toBe('Lab \uFFFD result \uFFFD ready \uD83D\uDE00');
    cache.enqueue({ kind: 'send-message', conversationId: 1, body: `See you \uD800`, clientId: 'c-1' });
    cache.saveSnapshot('board', { note: `x\uDFFF` }, z.object({ note: z.string() }));
    cache.close();

    const again = openOn(file);
    const item = again.cache.getNotification(1);
    expect(item?.title).toBe('Lab \uFFFD result \uFFFD ready \uD83D\uDE00');
    expect(item?.message).toBe('\uFFFDLab \uFFFD result \uFFFD ready \uD83D\uDE00\uFFFD');
    expect(item?.type).toBe('lab\uFFFD');
    expect(again.cache.pendingActions()[0]?.action).toMatchObject({ body: 'See you \uFFFD' });
    expect(again.cache.loadSnapshot('board', z.object({ note: z.string() }))?.value).toEqual({ note: 'x\uFFFD' });
    again.cache.close();
    // The bytes SQLite holds are valid UTF-8 (a lone surrogate would be stored as ED A0..BF xx): a strict decoder takes them.
    const db = new Database(file, { readonly: true });
    const strict = new TextDecoder('utf-8', { fatal: true });
    const texts = [
      ...(db.prepare('SELECT CAST(type AS BLOB) AS a, CAST(title AS BLOB) AS b, CAST(message AS BLOB) AS c FROM notifications').raw().all() as Buffer[][]).flat(),
      ...(db.prepare('SELECT CAST(action AS BLOB) FROM outbox').pluck().all() as Buffer[]),
      ...(db.prepare('SELECT CAST(value AS BLOB) FROM snapshots').pluck().all() as Buffer[]),
    ];
    db.close();
    expect(texts).toHaveLength(5);
    for (const bytes of texts) expect(() => strict.decode(bytes)).not.toThrow();
  });

  it('a lone surrogate written raw is what the cache prevents: SQLite stores bytes no strict decoder accepts', () => {
    const db = new Database(':memory:');
    const bytes = db.prepare('SELECT CAST(? AS BLOB)').pluck().get('a\uD800b') as Buffer;
    db.close();
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });
});
