import type { Notification } from '../../../shared/domain';
import type { FieldProblem } from '../../../shared/features';
import { ApiError, ForbiddenError, NotAClinicError, NetworkError, NotFoundError, RateLimitedError, ServerError, UnauthorizedError, ValidationFailedError, MAX_LIST_PAGES, routeMissing, type ApiClient, type NotificationPageRead } from '../api/client';
import type { DeskCache, OutboxEntry } from '../cache/cache';
import type { Logger } from '../log';
import { sendStaffAction } from './staff-action-send';

/**
 * Catching up and flushing: the two halves of "nothing lost". Catch-up asks
 * the server for every notification after the last one it fetched,
 * page by page, and stores them in one transaction per page (so none is
 * stored twice and a crash mid-way resumes where it stopped). The outbox sends
 * actions taken offline, oldest first, and stops at the first one the server
 * cannot take yet, so their order holds.
 */

export interface CatchUpResult {
  inserted: Notification[];
  pages: number;
  /** Records the desk could not read (the first one's problem in `problem`). */
  dropped: number;
  problem: FieldProblem | null;
  /** The server answered pages that ignored `after_id`; the desk walked them newest first instead. */
  ignoredAfterId: boolean;
  /** Stopped at the page limit with more to fetch: the caller catches up again at once (nothing was skipped). */
  incomplete: boolean;
  /** Where a walk of a server that ignores `after_id` stopped; the next catch-up goes on from there. */
  resume: WalkResume | null;
}

/**
 * A walk down a paginator that ignores `after_id`, stopped at the page limit.
 * Newest-first pages only shift down as notifications are added, so going on
 * from the same page may read some again (stored once) but skips none.
 */
export interface WalkResume {
  floor: number;
  next: Record<string, string>;
  highest: number;
}

export interface CatchUpOptions {
  /** Notifications older than this are not fetched from a server that ignores `after_id` (they would be pruned at once). */
  retentionDays: number;
  now: () => number;
  /** A server whose pages never end must not hold the desk: at most this many pages per catch-up. */
  maxPages?: number;
  /** Where the last catch-up's walk stopped, to go on from there. */
  resume?: WalkResume | null;
}

/**
 * A server that ignores `after_id` cannot be resumed where a catch-up stopped, so
 * its walk may take this many times the page limit (at 50 a page, 100,000
 * notifications) before it gives up for this catch-up.
 */
const WALK_PAGE_FACTOR = 10;

const DAY_MS = 86_400_000;

/**
 * Every notification the server has after the catch-up cursor. With a server
 * that honours `after_id`, page after page from the cursor. With one that
 * ignores it (it sends ids the desk asked to skip, or pages newest first), the
 * server's own pages are followed until a known id or the retention window:
 * newest-first paginators stop early, oldest-first ones are read to the end.
 * A catch-up stops at a page limit (`incomplete`); the next one goes on from
 * the cursor, or from where the walk stopped (`resume`), so nothing is skipped.
 */
export async function catchUpNotifications(api: ApiClient, cache: DeskCache, options: CatchUpOptions): Promise<CatchUpResult> {
  const result: CatchUpResult = { inserted: [], pages: 0, dropped: 0, problem: null, ignoredAfterId: false, incomplete: false, resume: null };
  const maxPages = options.maxPages ?? MAX_LIST_PAGES;
  if (options.resume) {
    result.ignoredAfterId = true;
    await walkIgnoringAfterId(api, cache, options.resume.floor, result, options, maxPages * WALK_PAGE_FACTOR, null, options.resume);
    return result;
  }
  const floor = cache.catchUpCursor();
  while (result.pages < maxPages) {
    // The catch-up cursor, not the highest id held: a live event that arrived
    // first (id 105) must not hide the ids created while away (101-104).
    const afterId = cache.catchUpCursor();
    const page = await api.notificationsPage(afterId);
    result.pages++;
    result.dropped += page.dropped;
    result.problem ??= page.problem;
    if (page.items.length === 0) break;
    // It sent ids the desk asked to skip, or it pages newest first: its own pagination is the way down.
    const newestFirst = page.items.length > 1 && page.items.every((n, i, all) => i === 0 || (all[i - 1]?.id ?? 0) > n.id);
    if (newestFirst || page.items.some((n) => n.id <= afterId)) {
      result.ignoredAfterId = true;
      // Asked from the floor, the page in hand is the top of the server's own pagination: walk on from it.
      await walkIgnoringAfterId(api, cache, floor, result, options, maxPages * WALK_PAGE_FACTOR, afterId === floor ? page : null);
      return result;
    }
    result.inserted.push(...cache.upsertNotifications(page.items).inserted);
    // Page by page: a catch-up stopped by the page limit resumes from here.
    cache.advanceCatchUpCursor(Math.max(...page.items.map((n) => n.id)));
    if (!page.hasNext) break;
    if (result.pages >= maxPages) result.incomplete = true;
  }
  return result;
}

async function walkIgnoringAfterId(
  api: ApiClient,
  cache: DeskCache,
  floor: number,
  result: CatchUpResult,
  options: CatchUpOptions,
  maxPages: number,
  top: NotificationPageRead | null,
  resume: WalkResume | null = null,
): Promise<void> {
  const oldest = options.now() - options.retentionDays * DAY_MS;
  let highest = resume?.highest ?? floor;
  // From the top of the server's own pagination (the page in hand, when it is that), or where the last walk stopped.
  let next: Record<string, string> | null = resume?.next ?? {};
  let inHand = top;
  while (next !== null && (inHand !== null || result.pages < maxPages)) {
    let page: NotificationPageRead;
    if (inHand) {
      page = inHand;
      inHand = null;
    } else {
      page = await api.notificationsPage(floor, next);
      result.pages++;
      result.dropped += page.dropped;
      result.problem ??= page.problem;
    }
    const fresh = page.items.filter((n) => n.id > floor && Date.parse(n.created_at) >= oldest);
    result.inserted.push(...cache.upsertNotifications(fresh).inserted);
    for (const n of page.items) highest = Math.max(highest, n.id);
    const reachedKnown = page.items.some((n) => n.id <= floor || Date.parse(n.created_at) < oldest);
    const newestFirst = page.items.every((n, i, all) => i === 0 || (all[i - 1]?.id ?? 0) > n.id);
    next = reachedKnown && newestFirst ? null : page.nextQuery;
  }
  // Walked to a known id, the retention window or the end: everything up to the highest id is held.
  // Stopped by the page limit, the ids between are not: the cursor stays, and the next walk fills them.
  if (next === null) cache.advanceCatchUpCursor(highest);
  else {
    result.incomplete = true;
    result.resume = { floor, next, highest };
  }
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

/**
 * What became of an action a flush took out of the outbox: the server took it
 * (`answer`: what it answered, the stored message for a message; null when the
 * action was moot), or refused it for good (`error` says why).
 */
export type ActionOutcome = { kind: 'done'; answer: unknown } | { kind: 'refused'; error: ApiError };

export interface FlushOptions {
  /** Told of every action taken out of the outbox, done or refused. */
  onDone?: (entry: OutboxEntry, outcome: ActionOutcome) => void;
  /** Checked before each action: a session that ended sends nothing more. */
  cancelled?: () => boolean;
  /** Told just before an action's request goes out (a staff action can be withdrawn only before that). */
  onSend?: (entry: OutboxEntry) => void;
  /** This desk's socket (`X-Socket-ID`): the broadcast of a message it sends is not echoed back to it. */
  socketId?: () => string | null;
}

export async function flushOutbox(api: ApiClient, cache: DeskCache, logger: Logger, options: FlushOptions = {}): Promise<FlushResult> {
  const cancelled = options.cancelled ?? (() => false);
  let flushed = 0;
  let dropped = 0;
  let stoppedBy: ApiError | null = null;
  for (const entry of cache.pendingActions()) {
    if (cancelled()) break;
    // Withdrawn while this flush went through the ones before it (an undo in time): never sent.
    if (!cache.hasAction(entry.id)) continue;
    let refusal: ApiError | null = null;
    let answer: unknown = null;
    options.onSend?.(entry);
    const outcome = await send(api, entry, options.socketId?.() ?? undefined).then(
      (answered): Outcome => {
        answer = answered ?? null;
        return 'done';
      },
      (error: unknown): Outcome => {
        // Already deleted, already read: the intent holds. A message to a conversation that is gone was not
        // sent, and a staff action on a record that is gone (or on a route the server lacks) did not happen.
        const staffAction = entry.action.kind === 'staff-action';
        if (error instanceof NotFoundError && entry.action.kind !== 'send-message' && !staffAction) return 'done';
        if (staffAction && error instanceof ApiError && routeMissing(error)) {
          logger.warn('staff action met a missing route; dropped', { action: entry.action, error: error.message });
          refusal = error;
          return 'dropped';
        }
        if (error instanceof UnauthorizedError || error instanceof NetworkError || error instanceof ServerError || error instanceof RateLimitedError) {
          stoppedBy = error;
          cache.failAction(entry.id, error.message);
          return 'retry-later';
        }
        // Refused for good (403, 422, a 409 conflict, a 400, a 405 for a method the profile got wrong):
        // sending it again cannot help, and keeping it would hold every later action back.
        if (error instanceof ForbiddenError || error instanceof ValidationFailedError || refusedForGood(error)) {
          logger.warn('outbox action refused by the server; dropped', { action: entry.action, error: error.message, ...(error.status === 405 ? { fix: 'check the action methods of the API profile ("api": {"methods": ...})' } : {}) });
          refusal = error;
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
    options.onDone?.(entry, refusal === null ? { kind: 'done', answer } : { kind: 'refused', error: refusal });
  }
  return { flushed, dropped, pending: cache.pendingActions().length, stoppedBy };
}

/** A client error the server will answer the same way next time (not a time-out or a throttle). */
function refusedForGood(error: unknown): error is ApiError {
  return error instanceof ApiError && !(error instanceof NotAClinicError) && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429 && error.status !== 401;
}

/** Sends one action; the server's answer where the desk uses it (the stored message). */
async function send(api: ApiClient, entry: OutboxEntry, socketId: string | undefined): Promise<unknown> {
  const action = entry.action;
  switch (action.kind) {
    case 'read':
      await api.markNotificationRead(action.notificationId);
      return null;
    case 'read-all':
      await api.markAllNotificationsRead();
      return null;
    case 'delete':
      await api.deleteNotification(action.notificationId);
      return null;
    case 'send-message':
      // The clientId is the idempotency key: sent again after a lost answer or a restart, the server stores it once.
      return api.sendMessage(action.conversationId, action.body, action.clientId, socketId);
    case 'conversation-read':
      await api.markConversationRead(action.conversationId);
      return null;
    case 'staff-action':
      return sendStaffAction(api, action, socketId);
  }
}
