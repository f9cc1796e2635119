/**
 * DeskCache on real SQLite files in a temp folder: notifications (upsert,
 * paging, read and delete state), the durable outbox, snapshots, pruning,
 * stats and sign-out. Rows are built with the shared schemas; the clock is fixed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cacheFileFor, openCache } from '../../../src/main/core/cache/cache';
import { Board, Presence } from '../../../src/shared/desk-state';
import { Consultation } from '../../../src/shared/domain';
import { DAY_MS, T0, fixedClock, note, notes, sideFiles, useCacheDir } from './cache-fixtures';

const ctx = useCacheDir();

describe('cacheFileFor', () => {
  it('names one file per back end and user', () => {
    const a = cacheFileFor('/data', 'https://north.clinic.test', 5);
    expect(a).toMatch(/^\/data\/desk-[0-9a-f]{12}-u5\.sqlite$/);
    expect(cacheFileFor('/data', 'https://north.clinic.test', 6)).not.toBe(a);
    expect(cacheFileFor('/data', 'https://south.clinic.test', 5)).not.toBe(a);
    expect(cacheFileFor('/data', 'https://north.clinic.test/', 5)).toBe(a);
    expect(() => cacheFileFor('/data', 'https://north.clinic.test', 0)).toThrow(RangeError);
  });
});

describe('notifications', () => {
  it('upserts by id: the same rows twice are inserted once', () => {
    const { cache } = ctx.open();
    const rows = notes(1, 10);
    const first = cache.upsertNotifications(rows);
    expect(first.inserted.map((n) => n.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.updated).toBe(0);
    expect(cache.upsertNotifications(rows)).toEqual({ inserted: [], updated: 0 });
    // Overlapping catch-up page: only the unseen ids are new.
    const overlap = cache.upsertNotifications(notes(8, 12));
    expect(overlap.inserted.map((n) => n.id)).toEqual([11, 12]);
    expect(cache.maxNotificationId()).toBe(12);
    expect(cache.stats().notifications).toBe(12);
  });

  it('keeps the latest server fields, and a server read_at never goes back to null', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications([note(1)]);
    expect(cache.upsertNotifications([note(1, { title: 'Moved to 10:00' })])).toEqual({ inserted: [], updated: 1 });
    expect(cache.getNotification(1)?.title).toBe('Moved to 10:00');

    const readAt = '2026-11-26T08:30:00.000000Z';
    cache.upsertNotifications([note(1, { title: 'Moved to 10:00', read_at: readAt })]);
    // A stale copy (fetched before it was read) arrives late.
    cache.upsertNotifications([note(1, { title: 'Moved to 10:00', read_at: null })]);
    expect(cache.getNotification(1)).toMatchObject({ read_at: readAt, pending: null });
    expect(cache.unreadCount()).toBe(0);
  });

  it('counts a duplicate id inside one batch once', () => {
    const { cache } = ctx.open();
    const result = cache.upsertNotifications([note(1), note(1, { title: 'second copy' })]);
    expect(result.inserted.map((n) => n.id)).toEqual([1]);
    expect(result.updated).toBe(1);
    expect(cache.getNotification(1)?.title).toBe('second copy');
  });

  it('keeps a catch-up cursor that live events do not move, across a restart', () => {
    const first = ctx.open();
    expect(first.cache.catchUpCursor()).toBe(0);
    first.cache.upsertNotifications(notes(1, 100)); // a catch-up page
    first.cache.advanceCatchUpCursor(100);
    first.cache.upsertNotifications([note(105)]); // live, while 101..104 were created offline
    expect(first.cache.maxNotificationId()).toBe(105);
    expect(first.cache.catchUpCursor()).toBe(100);
    first.cache.advanceCatchUpCursor(50); // never backwards
    first.cache.close();
    const second = ctx.open();
    expect(second.cache.catchUpCursor()).toBe(100);
    expect(second.cache.upsertNotifications(notes(101, 105)).inserted.map((n) => n.id)).toEqual([101, 102, 103, 104]);
  });

  it('lists newest first, pages with beforeId, and filters by type and unread', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications(notes(1, 120, {}).map((n) => (n.id % 3 === 0 ? { ...n, type: 'message' } : n)));
    cache.upsertNotifications(notes(1, 120).filter((n) => n.id % 2 === 0).map((n) => ({ ...n, type: n.id % 3 === 0 ? 'message' : n.type, read_at: n.created_at })));

    const first = cache.listNotifications({ limit: 50 });
    expect(first.hasMore).toBe(true);
    expect(first.items.map((n) => n.id)).toEqual(range(120, 71));

    const seen: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = cache.listNotifications({ limit: 50, ...(beforeId !== undefined ? { beforeId } : {}) });
      seen.push(...page.items.map((n) => n.id));
      if (!page.hasMore) break;
      beforeId = page.items.at(-1)?.id;
    }
    expect(seen).toEqual(range(120, 1));

    const exact = cache.listNotifications({ limit: 20, beforeId: 21 });
    expect(exact.items.map((n) => n.id)).toEqual(range(20, 1));
    expect(exact.hasMore).toBe(false);

    const messages = cache.listNotifications({ limit: 200, type: 'message' });
    expect(messages.items.map((n) => n.id)).toEqual(range(120, 1).filter((id) => id % 3 === 0));
    const unread = cache.listNotifications({ limit: 200, unreadOnly: true });
    expect(unread.items.map((n) => n.id)).toEqual(range(120, 1).filter((id) => id % 2 === 1));
    const unreadMessages = cache.listNotifications({ limit: 5, type: 'message', unreadOnly: true });
    expect(unreadMessages.items.map((n) => n.id)).toEqual([117, 111, 105, 99, 93]);
    expect(unreadMessages.hasMore).toBe(true);
    expect(cache.listNotifications({ limit: 5, type: 'no-such-type' })).toEqual({ items: [], hasMore: false });
  });

  it('returns items that pass the shared NotificationItem schema', async () => {
    const { NotificationItem } = await import('../../../src/shared/desk-state');
    const { cache } = ctx.open();
    cache.upsertNotifications([note(1, { action_url: null })]);
    const item = cache.getNotification(1);
    expect(NotificationItem.parse(item)).toEqual(item);
    expect(item).toEqual({ ...note(1, { action_url: null }), pending: null });
    expect(cache.getNotification(99)).toBeNull();
  });

  it('skips and logs a row that no longer parses, and still fills the page', () => {
    const { cache, logger } = ctx.open();
    cache.upsertNotifications(notes(1, 10));
    const raw = new Database(ctx.file());
    raw.prepare("UPDATE notifications SET type = '', created_at = 'yesterday' WHERE id IN (9, 10)").run();
    raw.close();
    const page = cache.listNotifications({ limit: 3 });
    expect(page.items.map((n) => n.id)).toEqual([8, 7, 6]);
    expect(page.hasMore).toBe(true);
    expect(cache.getNotification(10)).toBeNull();
    expect(logger.records.filter((r) => r.message.includes('notification row that does not parse')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('read state', () => {
  it('counts local reads as read; the item shows the local time, pending until the server confirms', () => {
    const { cache, clock } = ctx.open();
    cache.upsertNotifications(notes(1, 5));
    expect(cache.unreadCount()).toBe(5);

    expect(cache.markReadLocal(2, clock.iso())).toBe(true);
    expect(cache.markReadLocal(2, clock.iso())).toBe(false); // already read
    expect(cache.markReadLocal(99, clock.iso())).toBe(false); // unknown
    const outboxId = cache.enqueue({ kind: 'read', notificationId: 2 });
    expect(cache.unreadCount()).toBe(4);
    expect(cache.getNotification(2)).toMatchObject({ read_at: '2026-11-26T09:00:00.000Z', pending: 'read' });
    expect(cache.listNotifications({ limit: 10, unreadOnly: true }).items.map((n) => n.id)).toEqual([5, 4, 3, 1]);

    cache.completeAction(outboxId);
    expect(cache.getNotification(2)).toMatchObject({ read_at: '2026-11-26T09:00:00.000Z', pending: null });
    expect(cache.unreadCount()).toBe(4);

    // The server's own time replaces the local one when it arrives.
    cache.upsertNotifications([note(2, { read_at: '2026-11-26T09:00:01.123456Z' })]);
    expect(cache.getNotification(2)).toMatchObject({ read_at: '2026-11-26T09:00:01.123456Z', pending: null });
  });

  it('enqueueing a read marks it read in the same step (no separate markReadLocal needed)', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications(notes(1, 3));
    cache.enqueue({ kind: 'read', notificationId: 3 });
    expect(cache.getNotification(3)).toMatchObject({ read_at: '2026-11-26T09:00:00.000Z', pending: 'read' });
    expect(cache.unreadCount()).toBe(2);
  });

  it('a pending local read shows the server read_at once the server has one', () => {
    const { cache, clock } = ctx.open();
    cache.upsertNotifications([note(1)]);
    cache.markReadLocal(1, clock.iso());
    cache.enqueue({ kind: 'read', notificationId: 1 });
    cache.upsertNotifications([note(1, { read_at: '2026-11-26T08:59:00.000000Z' })]);
    expect(cache.getNotification(1)).toMatchObject({ read_at: '2026-11-26T08:59:00.000000Z', pending: null });
  });

  it('marks all read locally, pending until the read-all is confirmed', () => {
    const { cache, clock } = ctx.open();
    cache.upsertNotifications(notes(1, 4));
    cache.upsertNotifications([note(4, { read_at: '2026-11-26T08:00:00.000000Z' })]);
    expect(cache.markAllReadLocal(clock.iso())).toBe(3);
    const outboxId = cache.enqueue({ kind: 'read-all', at: clock.iso() });
    expect(cache.unreadCount()).toBe(0);
    const items = cache.listNotifications({ limit: 10 }).items;
    expect(items.map((n) => [n.id, n.pending])).toEqual([
      [4, null],
      [3, 'read'],
      [2, 'read'],
      [1, 'read'],
    ]);
    // A notification that arrives afterwards is unread.
    cache.upsertNotifications([note(5)]);
    expect(cache.unreadCount()).toBe(1);
    cache.completeAction(outboxId);
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.pending)).toEqual([null, null, null, null, null]);
    expect(cache.unreadCount()).toBe(1);
  });
});

describe('delete', () => {
  it('hides at once and stays deleted when the same id is upserted again', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications(notes(1, 3));
    expect(cache.deleteLocal(2)).toBe(true);
    expect(cache.deleteLocal(2)).toBe(false);
    const outboxId = cache.enqueue({ kind: 'delete', notificationId: 2 });
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([3, 1]);
    expect(cache.getNotification(2)).toMatchObject({ id: 2, pending: 'delete' });
    expect(cache.unreadCount()).toBe(2);

    // A catch-up page fetched before the delete reached the server.
    expect(cache.upsertNotifications(notes(1, 3))).toEqual({ inserted: [], updated: 0 });
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([3, 1]);

    cache.completeAction(outboxId);
    expect(cache.getNotification(2)).toBeNull();
    expect(cache.upsertNotifications([note(2, { title: 'late copy' })])).toEqual({ inserted: [], updated: 0 });
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([3, 1]);
    expect(cache.stats()).toMatchObject({ notifications: 2, unread: 2 });
    expect(cache.maxNotificationId()).toBe(3);
  });

  it('a delete queued for an id the cache has not seen keeps it out when it arrives', () => {
    const { cache } = ctx.open();
    cache.enqueue({ kind: 'delete', notificationId: 7 });
    expect(cache.upsertNotifications([note(6), note(7)]).inserted.map((n) => n.id)).toEqual([6]);
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([6]);
  });

  it('keeps no message text once the server confirmed the delete', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications([note(1, { message: 'Patient Jane Roe, allergy to penicillin' })]);
    cache.deleteLocal(1);
    cache.completeAction(cache.enqueue({ kind: 'delete', notificationId: 1 }));
    cache.close();
    const raw = new Database(ctx.file(), { readonly: true });
    expect(raw.prepare('SELECT title, message, action_url FROM notifications WHERE id = 1').get()).toEqual({ title: '', message: '', action_url: null });
    raw.close();
  });
});

describe('outbox', () => {
  it('survives close and a new openCache on the same file, in order, with attempts and errors', () => {
    const clock = fixedClock();
    const first = ctx.open({ clock });
    first.cache.upsertNotifications(notes(1, 3));
    const a = first.cache.enqueue({ kind: 'read', notificationId: 1 });
    clock.ms += 1000;
    const b = first.cache.enqueue({ kind: 'send-message', conversationId: 4, body: 'On my way', clientId: 'c-1' });
    clock.ms += 1000;
    const c = first.cache.enqueue({ kind: 'delete', notificationId: 3 });
    first.cache.failAction(b, 'network down');
    first.cache.failAction(b, 'HTTP 503');
    first.cache.close();

    const second = ctx.open({ clock });
    expect(second.warnings).toEqual([]);
    const pending = second.cache.pendingActions();
    expect(pending.map((e) => e.id)).toEqual([a, b, c]);
    expect(pending[0]).toEqual({ id: a, action: { kind: 'read', notificationId: 1 }, attempts: 0, lastError: null, createdAt: '2026-11-26T09:00:00.000Z' });
    expect(pending[1]).toEqual({
      id: b,
      action: { kind: 'send-message', conversationId: 4, body: 'On my way', clientId: 'c-1' },
      attempts: 2,
      lastError: 'HTTP 503',
      createdAt: '2026-11-26T09:00:01.000Z',
    });
    expect(second.cache.getNotification(1)).toMatchObject({ pending: 'read' });
    expect(second.cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([2, 1]);

    second.cache.completeAction(a);
    second.cache.completeAction(b);
    expect(second.cache.pendingActions().map((e) => e.id)).toEqual([c]);
    second.cache.completeAction(c);
    expect(second.cache.stats().outbox).toBe(0);
    // Ids are never reused: a late completeAction of an old id cannot remove a new entry.
    const d = second.cache.enqueue({ kind: 'read', notificationId: 2 });
    expect(d).toBeGreaterThan(c);
    second.cache.completeAction(c);
    expect(second.cache.pendingActions().map((e) => e.id)).toEqual([d]);
  });

  it('survives a process that never closed the cache (crash)', () => {
    const first = ctx.open();
    first.cache.enqueue({ kind: 'read-all', at: '2026-11-26T09:00:00.000000Z' });
    // No close(): reopen next to the still-open handle, as a restarted process would find the file.
    const second = openCache({ file: ctx.file(), now: () => T0 });
    expect(second.cache.pendingActions().map((e) => e.action)).toEqual([{ kind: 'read-all', at: '2026-11-26T09:00:00.000000Z' }]);
    second.cache.close();
  });

  it('queues the same intent once', () => {
    const { cache } = ctx.open();
    const read = cache.enqueue({ kind: 'read', notificationId: 1 });
    expect(cache.enqueue({ kind: 'read', notificationId: 1 })).toBe(read);
    const send = cache.enqueue({ kind: 'send-message', conversationId: 1, body: 'hi', clientId: 'x' });
    expect(cache.enqueue({ kind: 'send-message', conversationId: 1, body: 'hi', clientId: 'x' })).toBe(send);
    expect(cache.enqueue({ kind: 'read-all', at: '2026-11-26T09:00:00Z' })).not.toBe(cache.enqueue({ kind: 'read-all', at: '2026-11-26T09:00:00Z' }));
    expect(cache.pendingActions()).toHaveLength(4);
  });

  it('rejects an invalid action and skips (and logs) a stored row that no longer parses', () => {
    const { cache, logger } = ctx.open();
    expect(() => cache.enqueue({ kind: 'read', notificationId: -1 })).toThrow(z.ZodError);
    expect(() => cache.enqueue({ kind: 'send-message', conversationId: 1, body: '   ', clientId: 'x' })).toThrow(z.ZodError);
    const good = cache.enqueue({ kind: 'delete', notificationId: 4 });
    const raw = new Database(ctx.file());
    raw.prepare("INSERT INTO outbox (kind, action, created_at) VALUES ('archive', '{\"kind\":\"archive\"}', '2026-11-26T09:00:00Z')").run();
    raw.prepare("INSERT INTO outbox (kind, action, created_at) VALUES ('read', 'not json', '2026-11-26T09:00:00Z')").run();
    raw.close();
    expect(cache.pendingActions().map((e) => e.id)).toEqual([good]);
    expect(logger.records.filter((r) => r.level === 'warn' && r.message.startsWith('cache: skipped an outbox row'))).toHaveLength(2);
  });
});

describe('snapshots', () => {
  const board: Board = {
    date: '2026-11-26',
    doctors: [{ doctorId: 3, name: 'Dr. Example', refreshSeconds: null }],
    appointments: [
      {
        id: 11,
        clinic_id: 1,
        doctor_id: 3,
        patient_id: 40,
        patient_name: 'Jane Roe',
        status: 'confirmed',
        appointment_date: '2026-11-26T10:00:00.000000Z',
        duration_minutes: 20,
        reason: null,
        updated_at: '2026-11-26T08:00:00.000000Z',
      },
    ],
    syncedAt: '2026-11-26T08:59:00.000Z',
    stale: false,
  };

  it('round-trips through the schema, across a restart, with savedAt', () => {
    const clock = fixedClock();
    const first = ctx.open({ clock });
    first.cache.saveSnapshot('board:2026-11-26', Board.parse(board), Board);
    first.cache.saveSnapshot('consultations', [], z.array(Consultation));
    first.cache.close();
    const second = ctx.open({ clock });
    expect(second.cache.loadSnapshot('board:2026-11-26', Board)).toEqual({ value: board, savedAt: '2026-11-26T09:00:00.000Z' });
    expect(second.cache.loadSnapshot('consultations', z.array(Consultation))).toEqual({ value: [], savedAt: '2026-11-26T09:00:00.000Z' });
    expect(second.cache.loadSnapshot('board:2026-11-27', Board)).toBeNull();
    clock.ms += 60_000;
    second.cache.saveSnapshot('board:2026-11-26', { ...board, stale: true }, Board);
    expect(second.cache.loadSnapshot('board:2026-11-26', Board)).toEqual({ value: { ...board, stale: true }, savedAt: '2026-11-26T09:01:00.000Z' });
  });

  it('deletes and logs a stored snapshot that does not pass the schema, and returns null', () => {
    const { cache, logger } = ctx.open();
    cache.saveSnapshot('board:2026-11-26', board, Board);
    cache.saveSnapshot('presence', { clinicId: 1, members: [], roster: [] }, Presence);
    const raw = new Database(ctx.file());
    raw.prepare("UPDATE snapshots SET value = json_set(value, '$.appointments[0].id', -5) WHERE key = 'board:2026-11-26'").run();
    raw.prepare("UPDATE snapshots SET value = '{not json' WHERE key = 'presence'").run();
    raw.close();
    expect(cache.loadSnapshot('board:2026-11-26', Board)).toBeNull();
    expect(cache.loadSnapshot('presence', Presence)).toBeNull();
    expect(logger.records.filter((r) => r.message === 'cache: deleted a snapshot that does not parse').map((r) => r.fields['key'])).toEqual([
      'board:2026-11-26',
      'presence',
    ]);
    // Deleted, so the next start does not trip over it again.
    expect(cache.loadSnapshot('board:2026-11-26', Board)).toBeNull();
    expect(logger.records.filter((r) => r.message === 'cache: deleted a snapshot that does not parse')).toHaveLength(2);
  });

  it('does not store a value that fails its own schema', () => {
    const { cache, logger } = ctx.open();
    cache.saveSnapshot('board:2026-11-26', { ...board, date: 'today' }, Board);
    expect(cache.loadSnapshot('board:2026-11-26', Board)).toBeNull();
    expect(logger.records.some((r) => r.level === 'error' && r.message.includes('snapshot does not match its schema'))).toBe(true);
  });
});

describe('prune', () => {
  it('removes read and unread notifications and snapshots older than the retention, never one with a pending action', () => {
    const clock = fixedClock(T0 - 40 * DAY_MS);
    const { cache } = ctx.open({ clock });
    cache.saveSnapshot('presence', { clinicId: 1, members: [], roster: [] }, Presence);
    clock.ms = T0;
    const old = (id: number, daysAgo: number, read = false) =>
      note(id, { created_at: new Date(T0 - daysAgo * DAY_MS).toISOString(), read_at: read ? new Date(T0 - daysAgo * DAY_MS).toISOString() : null });
    cache.upsertNotifications([old(1, 40, true), old(2, 35), old(3, 31), old(4, 31), old(5, 29), old(6, 1), old(7, 0)]);
    cache.enqueue({ kind: 'delete', notificationId: 3 });
    cache.enqueue({ kind: 'read', notificationId: 4 });
    cache.saveSnapshot('consultations', [], z.array(Consultation));

    expect(cache.prune(30)).toEqual({ notifications: 2, snapshots: 1 });
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([7, 6, 5, 4]);
    expect(cache.getNotification(3)).toMatchObject({ pending: 'delete' });
    expect(cache.loadSnapshot('presence', Presence)).toBeNull();
    expect(cache.loadSnapshot('consultations', z.array(Consultation))).not.toBeNull();

    // Once their actions are done, they go at the next prune.
    for (const entry of cache.pendingActions()) cache.completeAction(entry.id);
    expect(cache.prune(30)).toEqual({ notifications: 2, snapshots: 0 });
    expect(cache.prune(30)).toEqual({ notifications: 0, snapshots: 0 });
    expect(cache.stats().notifications).toBe(3);
  });

  it('prunes by creation time only: a row the server sends again after a prune is stored, and catch-up does not ask for it', () => {
    const clock = fixedClock();
    const { cache } = ctx.open({ clock });
    cache.upsertNotifications(notes(1, 5));
    cache.advanceCatchUpCursor(5);
    clock.ms += 60 * DAY_MS;
    expect(cache.prune(30).notifications).toBe(5);
    expect(cache.maxNotificationId()).toBe(0);
    // The cursor, not a high-water mark of pruned ids, is what keeps catch-up from fetching them again.
    expect(cache.catchUpCursor()).toBe(5);
    expect(cache.upsertNotifications(notes(4, 6)).inserted.map((n) => n.id)).toEqual([4, 5, 6]);
    cache.close();
    const reopened = ctx.open({ clock });
    expect(reopened.cache.catchUpCursor()).toBe(5);
    expect(reopened.cache.maxNotificationId()).toBe(6);
    // Still old by their creation time: the next prune takes them.
    expect(reopened.cache.prune(30).notifications).toBe(3);
  });

  it('one old-dated notification with a high id does not stop later ones from being stored (99 of 100 were lost)', () => {
    const clock = fixedClock();
    const { cache, logger } = ctx.open({ clock });
    cache.prune(30); // as the desk does at start: the retention is known from here on
    cache.upsertNotifications(notes(1, 10));
    // An import or a wrong clock: id 1000, created 90 days ago, arrives live.
    const backDated = note(1000, { created_at: new Date(T0 - 90 * DAY_MS).toISOString() });
    expect(cache.upsertNotifications([backDated], { live: true }).inserted.map((n) => n.id)).toEqual([1000]);
    expect(cache.dateFlag(1000)).toBe('past');
    // The hourly prune: the flagged row counts from its arrival, so it stays; nothing is remembered that could hide rows.
    clock.ms += 60 * 60 * 1000;
    expect(cache.prune(30).notifications).toBe(0);

    // 99 more valid notifications, with ids below and above the old one's.
    const later = [...notes(11, 60), ...notes(1001, 1049)].map((n) => ({ ...n, created_at: clock.iso() }));
    expect(later).toHaveLength(99);
    for (const n of later) expect(cache.upsertNotifications([n], { live: true }).inserted.map((i) => i.id)).toEqual([n.id]);
    const held = cache.listNotifications({ limit: 500 }).items.map((n) => n.id);
    expect(held).toHaveLength(10 + 1 + 99);
    for (const n of later) expect(held).toContain(n.id);
    expect(cache.unreadCount()).toBe(110);
    expect(cache.stats()).toMatchObject({ notifications: 110, datesFlagged: 1 });
    expect(logger.records.filter((r) => r.message.startsWith('cache: kept notifications whose creation time cannot be trusted')).map((r) => r.fields)).toEqual([
      { future: 0, backDated: 1, ids: [1000] },
    ]);

    // Across a restart too.
    cache.close();
    const reopened = ctx.open({ clock });
    expect(reopened.cache.listNotifications({ limit: 500 }).items).toHaveLength(110);
    // The flagged one leaves a retention after it arrived, like any other row after its creation.
    clock.ms += 31 * DAY_MS;
    reopened.cache.prune(30);
    expect(reopened.cache.getNotification(1000)).toBeNull();
  });

  it('keeps and flags rows from the future, and old-dated ones that came live; history from a list is pruned by its date', () => {
    const clock = fixedClock();
    const { cache } = ctx.open({ clock });
    cache.prune(7);
    const daysAgo = (id: number, days: number) => note(id, { created_at: new Date(T0 - days * DAY_MS).toISOString() });
    // A list (a first sign-in's catch-up), in any order of dates: old rows are just old.
    cache.upsertNotifications([daysAgo(1, 2), daysAgo(2, 40), daysAgo(3, 20), daysAgo(4, 1), daysAgo(6, -365)]);
    // Live, so made just now, but dated 30 days ago.
    cache.upsertNotifications([daysAgo(5, 30)], { live: true });
    expect([1, 2, 3, 4, 5, 6].map((id) => cache.dateFlag(id))).toEqual([null, null, null, null, 'past', 'future']);
    expect(cache.stats().datesFlagged).toBe(2);
    // A skew of hours is not flagged.
    cache.upsertNotifications([daysAgo(7, -0.5)], { live: true });
    expect(cache.dateFlag(7)).toBeNull();

    expect(cache.prune(7).notifications).toBe(2);
    expect(cache.listNotifications({ limit: 10 }).items.map((n) => n.id)).toEqual([7, 6, 5, 4, 1]);
    // A week and a day on, the flagged ones have been held a retention since they arrived: all go.
    clock.ms += 8 * DAY_MS;
    expect(cache.prune(7).notifications).toBe(5);
    expect(cache.listNotifications({ limit: 10 }).items).toEqual([]);
  });

  it('gives the freed space back to the file system', () => {
    const clock = fixedClock();
    const { cache } = ctx.open({ clock });
    for (let i = 0; i < 10; i++) cache.upsertNotifications(notes(i * 500 + 1, i * 500 + 500, { message: 'x'.repeat(2000) }));
    cache.close();
    const full = fs.statSync(ctx.file()).size;
    const again = ctx.open({ clock });
    clock.ms += 60 * DAY_MS;
    again.cache.prune(30);
    again.cache.close();
    expect(fs.statSync(ctx.file()).size).toBeLessThan(full / 4);
  });

  it('rejects a negative retention', () => {
    const { cache } = ctx.open();
    expect(() => cache.prune(-1)).toThrow(RangeError);
  });
});

describe('stats, close and wipe', () => {
  it('reports counts and the file size', () => {
    const { cache } = ctx.open();
    cache.upsertNotifications(notes(1, 4));
    cache.enqueue({ kind: 'read', notificationId: 1 });
    cache.enqueue({ kind: 'delete', notificationId: 2 });
    const stats = cache.stats();
    expect(stats).toMatchObject({ notifications: 3, unread: 2, outbox: 2 });
    expect(stats.fileBytes).toBeGreaterThan(0);
  });

  it('closing twice is harmless; a closed cache refuses work', () => {
    const { cache } = ctx.open();
    cache.close();
    cache.close();
    expect(cache.isOpen).toBe(false);
    expect(() => cache.unreadCount()).toThrow(/not open/);
  });

  it('wipe (sign-out) deletes the file with its -wal and -shm, and leaves the folder otherwise alone', () => {
    const { cache } = ctx.open();
    fs.writeFileSync(path.join(ctx.dir, 'settings.json'), '{}');
    cache.upsertNotifications(notes(1, 50));
    cache.enqueue({ kind: 'read', notificationId: 1 });
    expect(sideFiles(ctx.file()).every((f) => fs.existsSync(f))).toBe(true);
    cache.wipe();
    expect(sideFiles(ctx.file()).some((f) => fs.existsSync(f))).toBe(false);
    expect(fs.readdirSync(ctx.dir)).toEqual(['settings.json']);
    const fresh = ctx.open();
    expect(fresh.warnings).toEqual([]);
    expect(fresh.cache.stats()).toMatchObject({ notifications: 0, outbox: 0 });
  });
});

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; from >= to ? i >= to : i <= to; from >= to ? i-- : i++) out.push(i);
  return out;
}
