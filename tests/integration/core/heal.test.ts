/**
 * Healing without a click, one fault at a time, through the real desk core
 * (and, for the channel retries, the realtime core alone): a bad answer from
 * `/broadcasting/auth` during a reconnect, a queued action while the socket
 * is live, a user action while a sync waits on a slow API, and the request
 * rate of channel retries against a failing auth endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { ApiClient, BackoffError } from '../../../src/main/core/api/client';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account } from '../../helpers/demo';
import { deskConfig, eventually, signInLive, testRig, type TestDesk } from '../../helpers/desk';
import { RealtimePool, settled, until } from '../../helpers/core-realtime';
import { signIn } from '../../helpers/staff-desk';
import { plainServer } from '../../helpers/core';

const RECEPTION = 'reception1@northside.clinic.test';
const FAST = { reconnect: { baseDelayMs: 100, maxDelayMs: 1_000 } };

const rig = testRig(FAST);
const { open, desk } = rig;
const clinic = (): Promise<DemoClinic> => rig.clinic();
const pool = new RealtimePool();
// Registered after the rig's closing, so it runs first: the pool's clients go before their clinic.
afterEach(() => pool.disconnectAll());

async function unread(d: TestDesk): Promise<number> {
  const id = (await d.desk.listNotifications({ limit: 1, unreadOnly: true })).items[0]?.id;
  if (id === undefined) throw new Error('no unread notification');
  return id;
}

describe('channel authorization that fails for a reason that may pass', () => {
  it('an HTML 200 from /broadcasting/auth during a reconnect: not Live, says why, healed without a click', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const mine = channels.notifications(me.id).fullName;
    c.api.injectFault({ path: /^\/broadcasting\/auth$/, status: 200, times: 1_000_000, raw: { body: '<!doctype html><title>Sign in</title>' } });
    const mark = d.mark();
    await d.desk.reconnect();
    const failed = await d.waitFor('channel', (e) => e.channel.name === mine && e.channel.state === 'failed', 5_000, mark);
    expect(failed.channel.error).toMatch(/HTML page.*retrying/);
    await eventually(async () => {
      const s = await d.desk.getSnapshot();
      expect(s.connection.status).toBe('polling');
      expect(s.connection.detail).toMatch(/channels? not authorized yet .*polling meanwhile/);
    }, 3_000);
    // Missed while the channel is down: a poll or the catch-up after the retry brings it.
    const { notification } = await c.backend.notify({ user_id: me.id, type: 'system', title: 'while refused', message: 'x', action_url: null });
    const cleared = d.mark();
    c.api.clearFaults();
    const clearedAt = Date.now();
    await d.waitFor('connection', (e) => e.connection.status === 'live', 20_000, cleared);
    const snapshot = await d.desk.getSnapshot();
    expect(snapshot.channels.filter((ch) => ch.state !== 'unsubscribed').every((ch) => ch.state === 'subscribed')).toBe(true);
    expect(Date.now() - clearedAt).toBeLessThan(5_000);
    await eventually(async () => expect((await d.desk.listNotifications({ limit: 5 })).items.map((n) => n.id)).toContain(notification.id));
  }, 30_000);

  it('ten channels against an auth endpoint answering 502: one request per round, not one per channel', async () => {
    const c = await clinic();
    const { token } = await signIn(c.info, RECEPTION);
    const sent: number[] = [];
    const api = new ApiClient({
      baseUrl: c.info.apiUrl,
      fetch: (input, init) => {
        sent.push(Date.now());
        return fetch(input, init);
      },
    });
    api.setToken(token);
    const wanted = [
      channels.notifications(2),
      channels.presenceClinic(1),
      ...[31, 32, 33].map((id) => channels.doctorAppointments(id)),
      ...[3003, 3005, 3006, 3007].map((id) => channels.consultation(id)),
      channels.conversation(7001),
    ];
    const rt = pool.create(c.info, { authorize: (socketId, name) => api.authorizeChannel(socketId, name), reconnect: { baseDelayMs: 200, maxDelayMs: 1_000 } });
    c.api.injectFault({ path: /^\/broadcasting\/auth$/, status: 502, times: 1_000_000, raw: { body: '<html><title>502 Bad Gateway</title></html>' } });
    rt.setChannels(wanted);
    rt.connect();
    await until(rt, () => rt.channelTrouble()?.channels.length === wanted.length, 'every channel waiting for a retry');
    const firstRound = sent.length;
    const windowStart = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const later = sent.filter((at) => at >= windowStart).length;
    // With the channel backoff (200 ms doubling to 1 s) and the budget's gate (1 s doubling): a handful, not 10 per round.
    expect(later).toBeLessThanOrEqual(6);
    expect(firstRound).toBeLessThanOrEqual(wanted.length * 3);
    c.api.clearFaults();
    await settled(rt, wanted.map((w) => w.fullName), 'subscribed', 10_000);
    expect(rt.channelTrouble()).toBeNull();
  }, 30_000);
});

describe('the outbox has its own timer, and user actions never wait for a sync', () => {
  it('three 500s on mark-read while live: sent by the outbox timer within seconds, not left for a reconnect', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const id = await unread(d);
    c.api.injectFault({ path: new RegExp(`^/api/notifications/${id}/read$`), status: 500, times: 3 });
    const at = Date.now();
    expect((await d.desk.markNotificationRead({ id })).status).toBe('queued');
    expect((await d.desk.getSnapshot()).connection.status).toBe('live');
    await eventually(() => expect(c.store.listNotifications(me.id, id - 1, 1).data[0]?.read_at).not.toBeNull(), 15_000);
    const took = Date.now() - at;
    // 1 s doubling, jittered, behind the budget's gate (opened after the second failure): about 3-7 s.
    expect(took).toBeLessThan(12_000);
    expect((await d.desk.getDiagnostics()).cache.outbox).toBe(0);
    expect(c.api.requestLog.filter((r) => r.path === `/api/notifications/${id}/read`).map((r) => r.status)).toEqual([500, 500, 500, 200]);
  }, 30_000);

  it('mark-read and delete return after their own request while a sync waits on a slow API, in queue order', async () => {
    const c = await clinic();
    const d = desk(c, { config: deskConfig(c, { requestTimeoutMs: 20_000 }) });
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const made: number[] = [];
    for (const title of ['to read', 'to delete']) made.push((await c.backend.notify({ user_id: me.id, type: 'system', title, message: 'x', action_url: null })).notification.id);
    const [first, second] = made as [number, number];
    await eventually(async () => expect((await d.desk.listNotifications({ limit: 5 })).items.map((n) => n.id)).toEqual(expect.arrayContaining(made)));
    // Every list read now takes 6 s: the sync the reconnect starts is held for that long.
    c.api.injectFault({ path: /^\/api\/(notifications|clinic\/members|appointments|consultations|conversations)$/, status: 200, times: 5, delayMs: 6_000 });
    const mark = d.mark();
    await d.desk.reconnect();
    await d.waitFor('connection', (e) => e.connection.status !== 'live', 2_000, mark);
    const startedAt = Date.now();
    const [read, removed] = await Promise.all([d.desk.markNotificationRead({ id: first }), d.desk.deleteNotification({ id: second })]);
    const took = Date.now() - startedAt;
    expect(read.status).toBe('done');
    expect(removed.status).toBe('done');
    expect(took).toBeLessThan(1_500);
    expect(c.store.listNotifications(me.id, first - 1, 1).data[0]?.read_at).not.toBeNull();
    expect(c.store.listNotifications(me.id, 0, 1_000).data.some((n) => n.id === second)).toBe(false);
    // Queued first, sent first.
    const actions = c.api.requestLog.filter((r) => r.path === `/api/notifications/${first}/read` || r.path === `/api/notifications/${second}`);
    expect(actions.map((r) => r.path)).toEqual([`/api/notifications/${first}/read`, `/api/notifications/${second}`]);
  }, 30_000);
});

describe('user priority', () => {
  it.each([
    ['userView', (api: ApiClient) => api.userView().user()],
    ['asUser', (api: ApiClient) => api.asUser(() => api.user())],
  ])('a user request that fails (%s) does not lend its priority to what the budget\'s listeners schedule', async (_, asUser) => {
    const s = await plainServer((_req, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>502</html>'));
    open.push(s);
    const api = new ApiClient({ baseUrl: s.url, retry: { attempts: 1 } });
    const later = new Promise<unknown>((resolve) => api.budget.on('closed', () => setTimeout(() => void api.user().then(resolve, resolve), 0)));
    await asUser(api).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The second failure closes the gate; the request its listener schedules is the desk's own, and waits.
    await asUser(api).catch(() => undefined);
    expect(await later).toBeInstanceOf(BackoffError);
    expect(s.requests).toHaveLength(2);
    // The user is still let through.
    await expect(asUser(api)).rejects.not.toBeInstanceOf(BackoffError);
    expect(s.requests).toHaveLength(3);
  });
});
