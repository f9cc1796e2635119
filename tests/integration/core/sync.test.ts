import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, NotFoundError } from '../../../src/main/core/api/client';
import { openCache, type DeskCache, type OutboxEntry } from '../../../src/main/core/cache/cache';
import { memoryLogger } from '../../../src/main/core/log';
import { catchUpNotifications, flushOutbox, type ActionOutcome } from '../../../src/main/core/sync/catch-up';

const OPTIONS = { retentionDays: 3650, now: Date.now };
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../src/main/demo/dialects';
import type { Notification } from '../../../src/shared/domain';
import { account, startTestClinic } from '../../helpers/demo';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ clinic: DemoClinic; api: ApiClient; cache: DeskCache; userId: number }> {
  const clinic = await startTestClinic();
  cleanups.push(() => clinic.close());
  const me = account(clinic, 'reception1@northside.clinic.test');
  const api = new ApiClient({ baseUrl: clinic.info.apiUrl, retry: { attempts: 1 } });
  await api.login(me.email, me.password);
  const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-sync-'));
  const { cache } = openCache({ file: join(dir, 'desk.sqlite') });
  cleanups.push(() => {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { clinic, api, cache, userId: me.id };
}

describe('catch-up', () => {
  it('pages through everything the server has, once', async () => {
    const { clinic, api, cache, userId } = await setup();
    for (let i = 0; i < 1203; i++) clinic.store.createNotification({ user_id: userId, type: 'system', title: `n${i}`, message: 'm', action_url: null });
    const first = await catchUpNotifications(api, cache, OPTIONS);
    const serverCount = clinic.store.listNotifications(userId, 0, 5000).data.length;
    expect(first.inserted).toHaveLength(serverCount);
    expect(first.pages).toBe(3);
    const again = await catchUpNotifications(api, cache, OPTIONS);
    expect(again.inserted).toHaveLength(0);
  });

  it('still fetches ids created while away when a newer live event arrived first', async () => {
    const { clinic, api, cache, userId } = await setup();
    await catchUpNotifications(api, cache, OPTIONS);
    const missed = [1, 2, 3, 4].map((i) => clinic.store.createNotification({ user_id: userId, type: 'system', title: `missed ${i}`, message: 'm', action_url: null }));
    const live = clinic.store.createNotification({ user_id: userId, type: 'system', title: 'live', message: 'm', action_url: null });
    cache.upsertNotifications([live]); // the socket delivered it before the catch-up ran
    const result = await catchUpNotifications(api, cache, OPTIONS);
    expect(result.inserted.map((n) => n.id).sort((a, b) => a - b)).toEqual(missed.map((n) => n.id));
  });
});

describe('outbox flush', () => {
  it('sends actions in order, treats 404 as done, and stops at the first the server cannot take', async () => {
    const { clinic, api, cache, userId } = await setup();
    await catchUpNotifications(api, cache, OPTIONS);
    const [a, b] = clinic.store.listNotifications(userId, 0, 10).data;
    if (!a || !b) throw new Error('need two notifications');
    clinic.store.deleteNotification(userId, b.id); // deleted elsewhere meanwhile
    cache.enqueue({ kind: 'read', notificationId: a.id });
    cache.enqueue({ kind: 'delete', notificationId: b.id });
    const logger = memoryLogger();

    clinic.api.injectFault({ path: /\/read$/, status: 503, times: 1 });
    const blocked = await flushOutbox(api, cache, logger);
    expect(blocked).toMatchObject({ flushed: 0, pending: 2 });
    expect(blocked.stoppedBy?.status).toBe(503);
    expect(cache.pendingActions()[0]).toMatchObject({ attempts: 1 });

    const done = await flushOutbox(api, cache, logger);
    expect(done).toMatchObject({ flushed: 2, pending: 0, stoppedBy: null });
    expect(clinic.store.listNotifications(userId, a.id - 1, 1).data[0]?.read_at).not.toBeNull();
  });

  it('a message: the stored copy is handed back, a conversation that is gone refuses it (not done), and a resend is stored once', async () => {
    const { clinic, api, cache, userId } = await setup();
    const conversation = clinic.store.conversationsWhere((c) => c.participant_ids.includes(userId))[0];
    if (!conversation) throw new Error('no conversation');
    cache.enqueue({ kind: 'send-message', conversationId: 9999, body: 'Nowhere', clientId: 'flush-gone' });
    cache.enqueue({ kind: 'send-message', conversationId: conversation.id, body: 'Hello', clientId: 'flush-ok' });
    const outcomes: Array<[string, ActionOutcome['kind'], unknown]> = [];
    const onDone = (entry: OutboxEntry, outcome: ActionOutcome) =>
      outcomes.push([entry.action.kind === 'send-message' ? entry.action.clientId : '', outcome.kind, outcome.kind === 'done' ? (outcome.answer as { body?: string } | null)?.body : outcome.error.status]);
    const result = await flushOutbox(api, cache, memoryLogger(), { onDone });
    expect(result).toMatchObject({ flushed: 1, dropped: 1, pending: 0 });
    expect(outcomes).toEqual([
      ['flush-gone', 'refused', 404],
      ['flush-ok', 'done', 'Hello'],
    ]);
    // The same clientId again (its answer lost, or a restart before the outbox heard it): one message.
    cache.enqueue({ kind: 'send-message', conversationId: conversation.id, body: 'Hello', clientId: 'flush-ok' });
    await flushOutbox(api, cache, memoryLogger());
    expect(clinic.store.messagesOf(conversation.id, null, 10_000).filter((m) => m.body === 'Hello')).toHaveLength(1);
  });

  it('drops an action the server refuses for good (a 409 conflict, a 405) with a warning, so the ones after it still go', async () => {
    const { clinic, api, cache, userId } = await setup();
    await catchUpNotifications(api, cache, OPTIONS);
    const [a, b, c] = clinic.store.listNotifications(userId, 0, 10).data;
    if (!a || !b || !c) throw new Error('need three notifications');
    cache.enqueue({ kind: 'read', notificationId: a.id });
    cache.enqueue({ kind: 'delete', notificationId: b.id });
    cache.enqueue({ kind: 'read', notificationId: c.id });
    const logger = memoryLogger();
    clinic.api.injectFault({ path: new RegExp(`/notifications/${a.id}/read$`), status: 409, times: 1 });
    clinic.api.injectFault({ path: new RegExp(`/notifications/${b.id}$`), status: 405, times: 1 });
    const result = await flushOutbox(api, cache, logger);
    expect(result).toMatchObject({ flushed: 1, dropped: 2, pending: 0, stoppedBy: null });
    expect(clinic.store.listNotifications(userId, c.id - 1, 1).data[0]?.read_at).not.toBeNull();
    const warnings = logger.records.filter((r) => r.level === 'warn' && /refused by the server; dropped/.test(r.message));
    expect(warnings).toHaveLength(2);
    expect(JSON.stringify(warnings[1])).toMatch(/api.*methods/);
  });
});

describe('catch-up against the dialects of real Laravel apps', () => {
  async function setupDialect(apiDialect: ApiDialectName): Promise<{ clinic: DemoClinic; api: ApiClient; cache: DeskCache; userId: number }> {
    const clinic = await startTestClinic({ apiDialect });
    cleanups.push(() => clinic.close());
    const me = account(clinic, 'reception1@northside.clinic.test');
    const api = new ApiClient({ baseUrl: clinic.info.apiUrl, retry: { attempts: 1 } });
    await api.login(me.email, me.password);
    const dir = mkdtempSync(join(tmpdir(), `clinic-desk-sync-${apiDialect}-`));
    const { cache } = openCache({ file: join(dir, 'desk.sqlite') });
    cleanups.push(() => {
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { clinic, api, cache, userId: me.id };
  }

  const create = (clinic: DemoClinic, userId: number, count: number, label: string): Notification[] =>
    Array.from({ length: count }, (_, i) =>
      clinic.store.createNotification({ user_id: userId, type: 'system', title: `${label} ${i}`, message: `m ${i}`, action_url: i % 2 === 0 ? null : `/appointments/${i}` }),
    );
  const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
  const idsOf = (rows: readonly { id: number }[]) => rows.map((n) => n.id).sort((a, b) => a - b);
  const onServer = (clinic: DemoClinic, userId: number) => clinic.store.listNotifications(userId, 0, 10_000).data;
  const cachedIds = (cache: DeskCache) => idsOf(cache.listNotifications({ limit: 10_000 }).items);
  const notificationGets = (clinic: DemoClinic) => clinic.api.requestLog.filter((r) => r.method === 'GET' && r.path === '/api/notifications');

  it.each([
    { dialect: 'default', pageSize: 500, ignoredAfterId: false },
    { dialect: 'resource', pageSize: 50, ignoredAfterId: true },
    { dialect: 'paginate', pageSize: 25, ignoredAfterId: false },
    { dialect: 'cursor', pageSize: 100, ignoredAfterId: false },
    { dialect: 'nested', pageSize: 500, ignoredAfterId: false },
  ] as const)('$dialect: caches every notification of the user exactly once, then the new ones once', async ({ dialect, pageSize, ignoredAfterId }) => {
    const { clinic, api, cache, userId } = await setupDialect(dialect);
    create(clinic, userId, 130, 'before');
    const expected = onServer(clinic, userId);
    expect(expected.length).toBeGreaterThan(130);

    const first = await catchUpNotifications(api, cache, OPTIONS);
    // Every one, each once, read into the desk's shape whatever the dialect sent.
    expect(idsOf(first.inserted)).toEqual(idsOf(expected));
    expect([...first.inserted].sort(byId)).toEqual(expected);
    expect(first).toMatchObject({ dropped: 0, problem: null, ignoredAfterId });
    expect(cachedIds(cache)).toEqual(idsOf(expected));
    expect(cache.catchUpCursor()).toBe(Math.max(...expected.map((n) => n.id)));
    expect(api.pageSize).toBe(pageSize);

    const fresh = create(clinic, userId, 7, 'while away');
    const second = await catchUpNotifications(api, cache, OPTIONS);
    expect(idsOf(second.inserted)).toEqual(idsOf(fresh));
    expect([...second.inserted].sort(byId)).toEqual(fresh);
    expect(second).toMatchObject({ dropped: 0, problem: null });
    expect(cachedIds(cache)).toEqual(idsOf(onServer(clinic, userId)));
    expect(cache.catchUpCursor()).toBe(Math.max(...fresh.map((n) => n.id)));

    const third = await catchUpNotifications(api, cache, OPTIONS);
    expect(third.inserted).toEqual([]);
    expect(cachedIds(cache)).toHaveLength(expected.length + 7);
  });

  it.each([
    { dialect: 'paginate', cap: 25 },
    { dialect: 'cursor', cap: 100 },
  ] as const)('$dialect: learns the page cap from the 422 and asks within it from then on', async ({ dialect, cap }) => {
    const { clinic, api, cache, userId } = await setupDialect(dialect);
    create(clinic, userId, 230, 'before');
    expect(api.pageSize).toBe(500);

    const first = await catchUpNotifications(api, cache, OPTIONS);
    expect(api.pageSize).toBe(cap);
    const total = onServer(clinic, userId).length;
    expect(first.inserted).toHaveLength(total);
    // One refused request, then pages of the allowed size.
    expect(notificationGets(clinic).filter((r) => r.status === 422)).toHaveLength(1);
    expect(first.pages).toBeGreaterThanOrEqual(Math.ceil(total / cap));
    expect(first.pages).toBeLessThanOrEqual(Math.ceil(total / cap) + 1);

    create(clinic, userId, 7, 'while away');
    const second = await catchUpNotifications(api, cache, OPTIONS);
    expect(second.inserted).toHaveLength(7);
    expect(notificationGets(clinic).filter((r) => r.status === 422)).toHaveLength(1);
    expect(api.pageSize).toBe(cap);
  });

  it('resource: walks a server that ignores after_id newest first, and next time stops at the first known id', async () => {
    const { clinic, api, cache, userId } = await setupDialect('resource');
    create(clinic, userId, 300, 'before');
    const total = onServer(clinic, userId).length;
    const serverPages = Math.ceil(total / 50);
    expect(serverPages).toBeGreaterThanOrEqual(7);

    const first = await catchUpNotifications(api, cache, OPTIONS);
    expect(first.ignoredAfterId).toBe(true);
    expect(idsOf(first.inserted)).toEqual(idsOf(onServer(clinic, userId)));
    expect(cachedIds(cache)).toHaveLength(total);

    const fresh = create(clinic, userId, 7, 'while away');
    const before = notificationGets(clinic).length;
    const second = await catchUpNotifications(api, cache, OPTIONS);
    const asked = notificationGets(clinic).length - before;
    expect(second.ignoredAfterId).toBe(true);
    expect(idsOf(second.inserted)).toEqual(idsOf(fresh));
    expect(cachedIds(cache)).toEqual(idsOf(onServer(clinic, userId)));
    // The 7 new ones are on the first page, with known ids after them: no need to read the other pages.
    expect(second.pages).toBe(asked);
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(2);
    expect(asked).toBeLessThan(serverPages);
  });

  it('a long absence is caught up over several rounds, skipping nothing: after_id servers resume from the cursor, the others from the page the walk stopped at', async () => {
    // paginate (25 a page, after_id honoured), at most 2 pages a round.
    const paged = await setupDialect('paginate');
    create(paged.clinic, paged.userId, 120, 'away');
    const rounds: boolean[] = [];
    for (let round = 0; round < 10; round++) {
      const caught = await catchUpNotifications(paged.api, paged.cache, { ...OPTIONS, maxPages: 2 });
      rounds.push(caught.incomplete);
      if (!caught.incomplete) break;
    }
    expect(rounds.length).toBeGreaterThan(2);
    expect(rounds.at(-1)).toBe(false);
    expect(cachedIds(paged.cache)).toEqual(idsOf(onServer(paged.clinic, paged.userId)));

    // resource (50 a page, newest first, after_id ignored): a walk may take 10 pages a round here.
    const walked = await setupDialect('resource');
    create(walked.clinic, walked.userId, 1000, 'away');
    const total = onServer(walked.clinic, walked.userId).length;
    expect(Math.ceil(total / 50)).toBeGreaterThan(10);
    const first = await catchUpNotifications(walked.api, walked.cache, { ...OPTIONS, maxPages: 1 });
    expect(first).toMatchObject({ ignoredAfterId: true, incomplete: true });
    // The ids below the walk are not held yet: the cursor must not claim them.
    expect(walked.cache.catchUpCursor()).toBe(0);
    // Created meanwhile: at the top, where the resumed walk does not look; the next walk from the top finds them.
    const meanwhile = create(walked.clinic, walked.userId, 3, 'meanwhile');
    let resume = first.resume;
    let rounds2 = 1;
    while (resume) {
      const caught = await catchUpNotifications(walked.api, walked.cache, { ...OPTIONS, maxPages: 1, resume });
      resume = caught.resume;
      rounds2++;
      expect(rounds2).toBeLessThan(10);
    }
    const last = await catchUpNotifications(walked.api, walked.cache, { ...OPTIONS, maxPages: 1 });
    expect(idsOf(last.inserted)).toEqual(idsOf(meanwhile));
    expect(cachedIds(walked.cache)).toEqual(idsOf(onServer(walked.clinic, walked.userId)));
    expect(walked.cache.catchUpCursor()).toBe(Math.max(...onServer(walked.clinic, walked.userId).map((n) => n.id)));
  });

  it('minimal: a server without a notifications list answers NotFoundError, and nothing is cached', async () => {
    const { clinic, api, cache, userId } = await setupDialect('minimal');
    create(clinic, userId, 3, 'unlisted');
    await expect(catchUpNotifications(api, cache, OPTIONS)).rejects.toBeInstanceOf(NotFoundError);
    expect(cachedIds(cache)).toEqual([]);
    expect(cache.catchUpCursor()).toBe(0);
    expect(notificationGets(clinic).map((r) => r.status)).toEqual([404]);
  });
});
