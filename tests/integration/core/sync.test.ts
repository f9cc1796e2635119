import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/main/core/api-client';
import { openCache, type DeskCache } from '../../../src/main/core/cache';
import { memoryLogger } from '../../../src/main/core/log';
import { catchUpNotifications, flushOutbox } from '../../../src/main/core/sync';

const OPTIONS = { retentionDays: 3650, now: Date.now };
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
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
});
