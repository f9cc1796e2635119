import type { Notification } from '../../shared/domain';
import { ApiError, ForbiddenError, NetworkError, NotFoundError, RateLimitedError, ServerError, UnauthorizedError, ValidationFailedError, type ApiClient } from './api-client';
import type { DeskCache, OutboxEntry } from './cache';
import type { Logger } from './log';

/**
 * Catching up and flushing: the two halves of "nothing lost". Catch-up asks
 * the server for every notification after the last one it fetched,
 * page by page, and stores them in one transaction per page (so none is
 * stored twice and a crash mid-way resumes where it stopped). The outbox sends
 * actions taken offline, oldest first, and stops at the first one the server
 * cannot take yet, so their order holds.
 */

export const CATCH_UP_PAGE_SIZE = 500;

export interface CatchUpResult {
  inserted: Notification[];
  pages: number;
}

export async function catchUpNotifications(api: ApiClient, cache: DeskCache, pageSize = CATCH_UP_PAGE_SIZE): Promise<CatchUpResult> {
  const inserted: Notification[] = [];
  let pages = 0;
  for (;;) {
    // The catch-up cursor, not the highest id held: a live event that arrived
    // first (id 105) must not hide the ids created while away (101-104).
    const afterId = cache.catchUpCursor();
    const page = await api.notifications(afterId, pageSize);
    pages++;
    if (page.data.length === 0) break;
    inserted.push(...cache.upsertNotifications(page.data).inserted);
    const last = page.data[page.data.length - 1];
    if (last) cache.advanceCatchUpCursor(last.id);
    // A server that ignores after_id would loop forever: stop when the cursor stops moving.
    if (!page.meta.has_more || !last || last.id <= afterId) break;
  }
  return { inserted, pages };
}

export interface FlushResult {
  flushed: number;
  dropped: number;
  pending: number;
  /** Why flushing stopped early (the server is unreachable, or the session expired). */
  stoppedBy: ApiError | null;
}

/** What happened to one action: done (or moot), dropped as refused, or keep for later. */
type Outcome = 'done' | 'dropped' | 'retry-later';

export async function flushOutbox(
  api: ApiClient,
  cache: DeskCache,
  logger: Logger,
  onDone?: (entry: OutboxEntry) => void,
  /** Checked before each action: a session that ended sends nothing more. */
  cancelled: () => boolean = () => false,
): Promise<FlushResult> {
  let flushed = 0;
  let dropped = 0;
  let stoppedBy: ApiError | null = null;
  for (const entry of cache.pendingActions()) {
    if (cancelled()) break;
    const outcome = await send(api, entry).then(
      (): Outcome => 'done',
      (error: unknown): Outcome => {
        if (error instanceof NotFoundError) return 'done'; // already deleted / gone: the intent holds
        if (error instanceof UnauthorizedError || error instanceof NetworkError || error instanceof ServerError || error instanceof RateLimitedError) {
          stoppedBy = error;
          cache.failAction(entry.id, error.message);
          return 'retry-later';
        }
        if (error instanceof ForbiddenError || error instanceof ValidationFailedError) {
          logger.warn('outbox action refused by the server; dropped', { action: entry.action, error: error.message });
          return 'dropped';
        }
        stoppedBy = error instanceof ApiError ? error : null;
        cache.failAction(entry.id, error instanceof Error ? error.message : String(error));
        logger.warn('outbox action failed', { action: entry.action, error: String(error) });
        return 'retry-later';
      },
    );
    if (outcome === 'retry-later') break;
    cache.completeAction(entry.id);
    if (outcome === 'done') flushed++;
    else dropped++;
    onDone?.(entry);
  }
  return { flushed, dropped, pending: cache.pendingActions().length, stoppedBy };
}

async function send(api: ApiClient, entry: OutboxEntry): Promise<void> {
  const action = entry.action;
  switch (action.kind) {
    case 'read':
      await api.markNotificationRead(action.notificationId);
      return;
    case 'read-all':
      await api.markAllNotificationsRead();
      return;
    case 'delete':
      await api.deleteNotification(action.notificationId);
      return;
    case 'send-message':
      await api.sendMessage(action.conversationId, action.body, action.clientId);
      return;
  }
}
