/**
 * NotificationsPart on its own, on a real cache file: live arrivals written
 * once per event-loop turn, the catch-up against a demo clinic over real
 * HTTP, each new notification announced once, the unread count, and pruning.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeskCache } from '../../../../src/main/core/cache/cache';
import { memoryLogger } from '../../../../src/main/core/log';
import { NotificationsPart } from '../../../../src/main/core/sync/notifications';
import type { Notification } from '../../../../src/shared/domain';
import type { NotificationPayload } from '../../../../src/shared/payloads';
import { FIXED_NOW_MS } from '../../../helpers/demo';
import { RECEPTION, closeAll, closedPortApi, recordedContext, requestsTo, signedIn, tempCache, takeProblems, type RecordedContext } from './context';

const HOUR_MS = 3_600_000;

afterEach(async () => {
  // Every event would cross the bridge and every snapshot passed its own schema.
  const problems = takeProblems();
  await closeAll();
  expect(problems).toEqual([]);
});

/** One turn of the event loop: the part's own setImmediate, queued first, has run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const live = (id: number, created_at = '2026-11-26T09:59:00.000000Z'): NotificationPayload => ({
  id,
  user_id: RECEPTION.id,
  type: 'appointment',
  title: `Appointment ${id}`,
  message: `Details of ${id}`,
  action_url: `/appointments/${id}`,
  created_at,
});
const stored = (n: NotificationPayload, read_at: string | null = null): Notification => ({ ...n, read_at });
const announced = (n: Notification) => ({ kind: 'notification.upserted', notification: { ...n, pending: null }, isNew: true });
const cachedIds = (cache: DeskCache) => cache.listNotifications({ limit: 1000 }).items.map((n) => n.id).sort((a, b) => a - b);

interface Setup {
  r: RecordedContext;
  part: NotificationsPart;
  cache: DeskCache;
  logger: ReturnType<typeof memoryLogger>;
  clock: { ms: number };
}

/** The part on a fresh cache file, on a clock the test can move, with `retentionDays`. */
function setup(r: RecordedContext, retentionDays = 30, startMs = FIXED_NOW_MS): Setup {
  const clock = { ms: startMs };
  const now = () => clock.ms;
  const cache = tempCache(now);
  const logger = memoryLogger(now);
  const part = new NotificationsPart(r.ctx, { cache, logger, retentionDays, now });
  return { r, part, cache, logger, clock };
}

async function offline(): Promise<Setup> {
  return setup(recordedContext(RECEPTION, await closedPortApi()));
}

async function online(retentionDays = 30, startMs = FIXED_NOW_MS) {
  const { clinic, api, user } = await signedIn('reception1@northside.clinic.test');
  return { clinic, user, ...setup(recordedContext(user, api), retentionDays, startMs) };
}

describe('NotificationsPart: live arrivals', () => {
  it('writes a burst in one transaction on the next turn and announces each new one once', async () => {
    const { r, part, cache } = await offline();
    part.start();
    const upserts = vi.spyOn(cache, 'upsertNotifications');
    const burst = [live(101), live(102), live(103)];
    for (const n of burst) part.onLive(n);
    expect(upserts).not.toHaveBeenCalled();
    expect(r.events).toEqual([]);

    await nextTurn();
    expect(upserts).toHaveBeenCalledTimes(1);
    expect(upserts.mock.calls[0]?.[0].map((n) => n.id)).toEqual([101, 102, 103]);
    expect(cachedIds(cache)).toEqual([101, 102, 103]);
    expect(r.events).toEqual([...burst.map((n) => announced(stored(n))), { kind: 'notifications.unread', unread: 3 }]);

    // Delivered again (another channel, a reconnect): stored already, so not new.
    r.clear();
    part.onLive(live(102));
    await nextTurn();
    expect(upserts).toHaveBeenCalledTimes(2);
    expect(r.events).toEqual([]);
    expect(cache.unreadCount()).toBe(3);
  });

  it('flushes what waits before the list is read, and on stop unless the cache is being wiped', async () => {
    const { r, part, cache } = await offline();
    part.start();
    const upserts = vi.spyOn(cache, 'upsertNotifications');
    part.onLive(live(201));
    part.flush();
    expect(cachedIds(cache)).toEqual([201]);
    expect(r.events).toEqual([announced(stored(live(201))), { kind: 'notifications.unread', unread: 1 }]);
    await nextTurn();
    expect(upserts).toHaveBeenCalledTimes(1);

    part.onLive(live(202));
    part.stop(true);
    expect(cachedIds(cache)).toEqual([201, 202]);

    part.onLive(live(203));
    part.stop(false);
    await nextTurn();
    expect(cachedIds(cache)).toEqual([201, 202]);
    expect(upserts).toHaveBeenCalledTimes(2);
  });
});

describe('NotificationsPart: catch-up', () => {
  it('stores and announces every notification of the server once; again, nothing new', async () => {
    const { clinic, user, r, part, cache } = await online();
    part.start();
    const server = clinic.store.listNotifications(user.id, 0, 100).data;
    expect(server.map((n) => [n.id, n.read_at === null])).toEqual([
      [4, true],
      [5, false],
      [6, false],
    ]);

    const first = await part.sync();
    expect(first.inserted).toEqual(server);
    expect(cachedIds(cache)).toEqual([4, 5, 6]);
    expect(r.events).toEqual([...server.map(announced), { kind: 'notifications.unread', unread: 1 }]);

    r.clear();
    const again = await part.sync();
    expect(again.inserted).toEqual([]);
    expect(r.events).toEqual([]);
    expect(requestsTo(clinic, '/api/notifications')).toEqual([200, 200]);
  });

  it('announces once a notification that arrives live and is listed by the catch-up right after', async () => {
    const { clinic, user, r, part } = await online();
    part.start();
    await part.sync();
    r.clear();

    const n = clinic.store.createNotification({ user_id: user.id, type: 'urgent', title: 'Lab result', message: 'Call the patient', action_url: null });
    part.onLive({ id: n.id, user_id: n.user_id, type: n.type, title: n.title, message: n.message, action_url: n.action_url, created_at: n.created_at });
    const caught = await part.sync(); // before the part's own turn came
    expect(caught.inserted).toEqual([]);
    expect(r.events).toEqual([announced(n), { kind: 'notifications.unread', unread: 2 }]);
    await nextTurn();
    expect(r.events).toHaveLength(2);
  });

  it('announces more than 20 new ones as one batch with the newest 20', async () => {
    const { clinic, user, r, part, cache } = await online();
    part.start();
    const created = Array.from({ length: 25 }, (_, i) => clinic.store.createNotification({ user_id: user.id, type: 'system', title: `n${i}`, message: `m${i}`, action_url: null }));
    const all = clinic.store.listNotifications(user.id, 0, 100).data;
    expect(all).toHaveLength(28);

    const caught = await part.sync();
    expect(caught.inserted).toHaveLength(28);
    const newest = [...all].sort((a, b) => b.id - a.id).slice(0, 20);
    expect(newest[0]?.id).toBe(created.at(-1)?.id);
    expect(r.events).toEqual([
      { kind: 'notifications.synced', inserted: 28, newest: newest.map((n) => ({ ...n, pending: null })) },
      { kind: 'notifications.unread', unread: 26 },
    ]);
    expect(cache.unreadCount()).toBe(26);
  });
});

describe('NotificationsPart: unread count', () => {
  it('counts live arrivals up from what the cache held, and recounts on demand', async () => {
    const { r, part, cache } = await offline();
    cache.upsertNotifications([stored(live(301)), stored(live(302)), stored(live(303), '2026-11-26T09:59:30.000000Z')]);
    part.start();
    expect(r.events).toEqual([]);

    part.onLive(live(304));
    part.onLive(live(301)); // known: not counted again
    await nextTurn();
    expect(r.of('notifications.unread')).toEqual([{ kind: 'notifications.unread', unread: 3 }]);
    expect(cache.unreadCount()).toBe(3);

    // The user reads two: the arithmetic knows nothing of it until a recount.
    cache.markReadLocal(301, '2026-11-26T10:00:00.000Z');
    cache.markReadLocal(304, '2026-11-26T10:00:00.000Z');
    r.clear();
    part.recount();
    expect(r.events).toEqual([{ kind: 'notifications.unread', unread: 1 }]);

    // And counts on from there.
    r.clear();
    part.onLive(live(305));
    await nextTurn();
    expect(r.of('notifications.unread')).toEqual([{ kind: 'notifications.unread', unread: 2 }]);
    expect(cache.unreadCount()).toBe(2);
  });
});

describe('NotificationsPart: retention', () => {
  it('prunes after the first catch-up, then at most hourly', async () => {
    // A day of retention, a day after the demo's morning: 4 (25th, 11:16) and 5 (25th, 15:51) are too old, 6 (26th) is not.
    const { r, part, cache, logger, clock } = await online(1, Date.parse('2026-11-27T00:00:00Z'));
    part.start();
    expect(logger.records.filter((l) => l.message === 'cache pruned')).toEqual([]);

    const first = await part.sync();
    expect(first.inserted.map((n) => n.id)).toEqual([4, 5, 6]);
    expect(cachedIds(cache)).toEqual([6]);
    expect(logger.records.filter((l) => l.message === 'cache pruned').map((l) => l.fields)).toEqual([{ notifications: 2, snapshots: 0, retentionDays: 1 }]);
    // The count follows the prune: 4 was the only unread one.
    expect(r.of('notifications.unread').at(-1)).toEqual({ kind: 'notifications.unread', unread: 0 });
    expect(cache.unreadCount()).toBe(0);

    // An old one in the cache stays through the next catch-ups within the hour ...
    cache.upsertNotifications([stored(live(1000, '2026-11-20T08:00:00.000000Z'))]);
    clock.ms += HOUR_MS - 1;
    await part.sync();
    expect(cachedIds(cache)).toEqual([6, 1000]);

    // ... and leaves with the first one an hour after the last prune.
    clock.ms += 1;
    r.clear();
    await part.sync();
    expect(cachedIds(cache)).toEqual([6]);
    expect(logger.records.filter((l) => l.message === 'cache pruned')).toHaveLength(2);
    expect(r.events).toEqual([{ kind: 'notifications.unread', unread: 0 }]);
  });

  it('at start, prunes only once the cached desk is shown (an offline desk a few seconds later); a catch-up first makes it unneeded', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { r, part, cache, logger, clock } = await offline();
      clock.ms = Date.parse('2026-11-27T00:00:00Z');
      cache.upsertNotifications([stored(live(1, '2026-10-01T08:00:00.000000Z')), stored(live(2, '2026-11-26T08:00:00.000000Z'))]);
      part.start();
      // Nothing written at start: the old row is still there, and counted.
      expect(cachedIds(cache)).toEqual([1, 2]);
      expect(logger.records.filter((l) => l.message === 'cache pruned')).toEqual([]);
      vi.advanceTimersByTime(5_000);
      expect(cachedIds(cache)).toEqual([2]);
      expect(logger.records.filter((l) => l.message === 'cache pruned').map((l) => l.fields)).toEqual([{ notifications: 1, snapshots: 0, retentionDays: 30 }]);
      expect(r.of('notifications.unread').at(-1)).toEqual({ kind: 'notifications.unread', unread: 1 });
      // Stopped before its time, a part prunes nothing.
      const again = setup(recordedContext(RECEPTION, await closedPortApi()));
      again.part.start();
      again.part.stop(false);
      vi.advanceTimersByTime(5_000);
      expect(again.logger.records.filter((l) => l.message === 'cache pruned')).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('one back-dated notification with a high id does not stop the 99 after it from being stored (issue 11)', async () => {
    const { r, part, cache, logger, clock } = await online(30);
    part.start();
    await part.sync();
    expect(cachedIds(cache)).toEqual([4, 5, 6]);
    r.clear();

    // Id 5000, dated 90 days ago (an import, a wrong clock), arrives live and is announced like any new one.
    const backDated = live(5000, new Date(clock.ms - 90 * 86_400_000).toISOString());
    part.onLive(backDated);
    await nextTurn();
    expect(r.of('notification.upserted').map((e) => e.notification.id)).toEqual([5000]);
    expect(cache.dateFlag(5000)).toBe('past');
    // The hourly prune after a catch-up keeps it (it counts from its arrival) and remembers nothing that could hide rows.
    clock.ms += HOUR_MS;
    await part.sync();
    expect(cachedIds(cache)).toContain(5000);

    r.clear();
    const next = Array.from({ length: 99 }, (_, i) => live(i < 50 ? 100 + i : 5001 + i, new Date(clock.ms).toISOString()));
    for (const n of next) part.onLive(n);
    await nextTurn();
    expect(r.of('notifications.synced')).toEqual([expect.objectContaining({ inserted: 99 })]);
    expect(cachedIds(cache)).toEqual([4, 5, 6, ...next.map((n) => n.id).filter((id) => id < 5000), 5000, ...next.map((n) => n.id).filter((id) => id > 5000)]);
    expect(cache.unreadCount()).toBe(1 + 1 + 99);
    expect(cache.stats().datesFlagged).toBe(1);
    expect(logger.records.filter((l) => l.level === 'error')).toEqual([]);
  });
});
