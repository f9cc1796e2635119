/**
 * A large desk cache file made the way the desk writes one (`openCache` +
 * `upsertNotifications` in batches of 500), with the rows of
 * bench/cache.bench.ts: a short title, a sentence or two, half with a link,
 * half read. Dates are spread over the last 20 days, inside the desk's default
 * 30-day retention (the session prunes older rows after every catch-up).
 */
import fs from 'node:fs';
import type { Notification } from '../../src/shared/domain';
import { openCache } from '../../src/main/core/cache/cache';

export const CACHE_BATCH = 500;
const SPAN_DAYS = 20;
const TYPES = ['appointment', 'consultation', 'message', 'reminder', 'system'];

/**
 * Ids 1..count, as a server's history would be. Whoever adds notifications to
 * the demo store afterwards should first move its id counter past them
 * (`reserveNotificationIds` in clinic-host.ts), so a new one is new to the
 * cache and lands at the end of its id index, as on a real desk.
 */
export function cacheRows(count: number, userId: number, now = Date.now()): Notification[] {
  const step = (SPAN_DAYS * 86_400_000) / count;
  const rows: Notification[] = [];
  for (let i = 1; i <= count; i++) {
    const created = new Date(Math.round(now - (count - i) * step)).toISOString().replace('Z', '123Z');
    rows.push({
      id: i,
      user_id: userId,
      type: TYPES[i % TYPES.length] ?? 'system',
      title: `Appointment #${10_000 + i} confirmed`,
      message: `Patient ${i % 977} is confirmed for ${created.slice(0, 10)} at ${created.slice(11, 16)} with Dr. Example; room ${i % 12}. Please prepare the file.`,
      action_url: i % 2 === 0 ? `/appointments/${10_000 + i}` : null,
      created_at: created,
      read_at: i % 2 === 0 ? created : null,
    });
  }
  return rows;
}

/** Writes `count` rows for `userId` into a new cache file and closes it cleanly. */
export function buildCacheFile(file: string, count: number, userId: number): { ms: number; bytes: number; unread: number } {
  const started = performance.now();
  const { cache } = openCache({ file });
  const rows = cacheRows(count, userId);
  for (let i = 0; i < rows.length; i += CACHE_BATCH) cache.upsertNotifications(rows.slice(i, i + CACHE_BATCH));
  const unread = cache.unreadCount();
  cache.close();
  return { ms: performance.now() - started, bytes: fs.statSync(file).size, unread };
}
