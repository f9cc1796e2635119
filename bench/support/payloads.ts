/**
 * `general-notification` payloads as the demo's LaravelBroadcaster builds them
 * (src/main/demo/broadcaster.ts): the seven NotificationPayload fields, a
 * Carbon timestamp with microseconds, PHP-encoded JSON. The message carries
 * the publisher's `hr()` at send time so receivers can compute latency
 * without a map shared between processes.
 */
import type { NotificationPayload } from '../../src/shared/payloads';
import { toLaravelIso } from '../../src/shared/time';
import { phpJsonEncode } from '../../src/main/demo/php-json';

export const NOTIFICATION_EVENT = 'general-notification';

/** Ids far above the demo seed's (which start at 1), so no run collides with the store or another run. */
export const BENCH_ID_BASE = 10_000_000;

const TYPES = ['appointment', 'consultation', 'message', 'reminder', 'system'];

export function notificationPayload(id: number, userId: number, sentAt: number, nowMs = Date.now()): NotificationPayload {
  return {
    id,
    user_id: userId,
    type: TYPES[id % TYPES.length] ?? 'system',
    title: `Appointment #${id % 100_000} confirmed`,
    message: `Patient ${id % 977} confirmed for 10:30 with Dr. Example, room ${id % 12}. sent@${sentAt.toFixed(4)}`,
    action_url: id % 2 === 0 ? `/appointments/${id % 100_000}` : null,
    created_at: toLaravelIso(nowMs, id % 1000),
  };
}

/** The PHP-encoded `data` string a Laravel back end would put in the Pusher event (~260 bytes). */
export function notificationData(id: number, userId: number, sentAt: number): string {
  return phpJsonEncode(notificationPayload(id, userId, sentAt));
}

/** The publisher's `hr()` embedded in a message, or NaN. */
export function sentAtOf(message: string): number {
  const at = message.lastIndexOf('sent@');
  return at === -1 ? Number.NaN : Number(message.slice(at + 5));
}
