import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { cacheFileFor } from '../../../src/main/core/cache/cache';
import { memoryTokenStore } from '../../../src/main/core/desk/desk-service';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { quietDemoLogger } from '../../../src/main/demo/logger';
import { phpJsonEncode } from '../../../src/main/demo/php-json';
import { SimulatedDesk } from '../../../src/main/demo/simulated-desk';
import { account, startTestClinic } from '../../helpers/demo';
import { createDesk, deskConfig, eventually, signInLive, type TestDesk } from '../../helpers/desk';
import { closeAfterEach } from '../../helpers/close-after-each';

const RECEPTION = 'reception1@northside.clinic.test';
const RECEPTION_2 = 'reception2@northside.clinic.test';
const DOCTOR = 'doctor1@northside.clinic.test';
const FAST_RECONNECT = { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } };

const open = closeAfterEach();

async function clinic(options: Parameters<typeof startTestClinic>[0] = {}): Promise<DemoClinic> {
  const c = await startTestClinic(options);
  open.push(c);
  return c;
}


function desk(c: DemoClinic, options: Parameters<typeof createDesk>[1] = {}): TestDesk {
  const d = createDesk(c, { realtime: FAST_RECONNECT, ...options });
  open.push(d);
  return d;
}

/** Waits until the demo API has answered no request for `ms` (the catch-ups that follow going live are over). */
async function restQuiet(c: DemoClinic, ms = 300): Promise<void> {
  const deadline = Date.now() + 5000;
  let count = c.api.requestLog.length;
  let since = Date.now();
  while (Date.now() - since < ms) {
    if (Date.now() > deadline) throw new Error('the desk kept calling the API');
    await new Promise((r) => setTimeout(r, 20));
    if (c.api.requestLog.length !== count) {
      count = c.api.requestLog.length;
      since = Date.now();
    }
  }
}

/** The API's reads (GET) answered since the request log held `from` entries, as `GET /path`. */
function readsSince(c: DemoClinic, from: number): string[] {
  return c.api.requestLog.slice(from).filter((r) => r.method === 'GET').map((r) => `${r.method} ${r.path}`);
}

describe('desk core, end to end (SDK trigger → socket server → core → cache → events)', () => {
  it('stores and announces a new notification once, and counts it unread', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const before = (await d.desk.getSnapshot()).unreadNotifications;

    const { notification } = await c.backend.notify({ user_id: me.id, type: 'lab_result', title: 'Results', message: 'Ready', action_url: '/consultations/3001' });
    const upserted = await d.waitFor('notification.upserted', (e) => e.notification.id === notification.id);
    expect(upserted.isNew).toBe(true);
    expect(upserted.notification).toMatchObject({ title: 'Results', action_url: '/consultations/3001', read_at: null, pending: null });
    await d.waitFor('notifications.unread', (e) => e.unread === before + 1);

    const list = await d.desk.listNotifications({ limit: 5 });
    expect(list.items[0]?.id).toBe(notification.id);
    // A catch-up after the live event must not announce it again.
    const since = d.mark();
    await d.desk.reconnect();
    await d.waitFor('sync', (e) => e.ok, 5000, since);
    expect(d.events.filter((e) => e.kind === 'notification.upserted' && e.notification.id === notification.id && e.isNew)).toHaveLength(1);
  });

  it('updates the board, consultations and conversations live: over the socket, with no list read from the API', async () => {
    const c = await clinic();
    // No reconciliation during the test: a change can reach the desk over the socket only, or through a list read the request log shows.
    const d = desk(c, { reconcileIntervalMs: () => 3_600_000 });
    await signInLive(d, c, RECEPTION);
    await restQuiet(c);
    const board = (await d.desk.getSnapshot()).board;
    const target = board?.appointments.find((a) => a.status === 'scheduled');
    if (!board || !target) throw new Error('no scheduled appointment on the board');

    let requests = c.api.requestLog.length;
    let since = d.mark();
    await c.backend.updateAppointment(target.id, 'confirmed', { status: 'confirmed' });
    const seen = await d.waitFor('appointment.updated', (e) => e.appointment.id === target.id, 5000, since);
    expect(seen).toMatchObject({ action: 'confirmed', changed: ['status'], appointment: { status: 'confirmed' } });
    // The event itself, not a refresh that happened to bring the new state: the API was not asked for the day.
    expect(readsSince(c, requests)).toEqual([]);
    expect(d.events.slice(since).filter((e) => e.kind === 'board.replaced')).toEqual([]);
    expect((await d.desk.getSnapshot()).board?.appointments.find((a) => a.id === target.id)?.status).toBe('confirmed');

    const pending = (await d.desk.listConsultations()).find((x) => x.status === 'pending' || x.status === 'active');
    if (!pending) throw new Error('no open consultation');
    await restQuiet(c);
    requests = c.api.requestLog.length;
    since = d.mark();
    await c.backend.setConsultationStatus(pending.id, 'completed');
    const updated = await d.waitFor('consultation.updated', (e) => e.consultation.id === pending.id, 5000, since);
    expect(updated.consultation.status).toBe('completed');
    expect(updated.consultation.ended_at).not.toBeNull();
    expect(readsSince(c, requests)).toEqual([]);
    expect(d.events.slice(since).filter((e) => e.kind === 'consultations.replaced')).toEqual([]);

    const conversation = (await d.desk.listConversations())[0];
    if (!conversation) throw new Error('no conversation');
    const sender = c.store.userById(conversation.participant_ids.find((id) => id !== account(c, RECEPTION).id) ?? 0);
    if (!sender) throw new Error('no other participant');
    const { message } = await c.backend.postMessage(conversation.id, sender, 'Room 3 is free');
    const created = await d.waitFor('message.created', (e) => e.message.id === message.id);
    expect(created.message.body).toBe('Room 3 is free');
    const reader = c.store.userById(account(c, RECEPTION).id);
    if (!reader) throw new Error('no reader');
    await c.backend.markConversationRead(conversation.id, reader);
    const read = await d.waitFor('message.read', (e) => e.conversationId === conversation.id);
    expect(read.read).toMatchObject({ user_id: reader.id, last_read_message_id: message.id });
  });

  it('a message the list brings before its live delivery is announced once, not lost as a duplicate', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const conversation = (await d.desk.listConversations())[0];
    const sender = c.store.userById(conversation?.participant_ids.find((id) => id !== account(c, RECEPTION).id) ?? 0);
    if (!conversation || !sender) throw new Error('no conversation with a colleague');

    // Stored on the server, its broadcast not yet sent: a refresh lists it first.
    const since = d.mark();
    const { message } = c.store.addMessage(conversation.id, sender, 'Room 4 is free');
    await d.desk.reconnect();
    const first = await d.waitFor('message.created', (e) => e.message.id === message.id, 5000, since);
    expect(first).toMatchObject({ clientId: null, message: { body: 'Room 4 is free' } });
    const channel = channels.conversation(conversation.id).fullName;
    await d.waitFor('channel', (e) => e.channel.name === channel && e.channel.state === 'subscribed', 5000, since);

    // Now the live delivery arrives: a duplicate. A later message shows it was processed.
    const payload = { conversation_id: conversation.id, type: 'sent', data: { message }, timestamp: message.created_at };
    await c.backend.rawBroadcast(c.backend.eventName('messageSent'), [channel], phpJsonEncode(payload));
    const { message: later } = await c.backend.postMessage(conversation.id, sender, 'Room 5 is free too');
    await d.waitFor('message.created', (e) => e.message.id === later.id, 5000, since);
    expect(d.events.slice(since).filter((e) => e.kind === 'message.created' && e.message.id === message.id)).toHaveLength(1);
    expect((await d.desk.listConversations()).find((x) => x.id === conversation.id)?.last_message?.id).toBe(later.id);
  });

  it('shows "is typing…" from a colleague\'s whisper', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const conversation = (await d.desk.listConversations())[0];
    const colleagueId = conversation?.participant_ids.find((id) => id !== account(c, RECEPTION).id);
    const colleague = colleagueId === undefined ? null : c.store.userById(colleagueId);
    if (!conversation || !colleague) throw new Error('no colleague in a conversation');
    const sim = new SimulatedDesk(colleague.id, colleague.clinic_id, c.store.issueToken(colleague.id), { apiUrl: c.info.apiUrl, wsHost: c.info.wsHost, wsPort: c.info.wsPort, appKey: c.info.appKey }, quietDemoLogger);
    open.push({ close: () => sim.goOffline() });
    await d.waitFor('channel', (e) => e.channel.name === channels.conversation(conversation.id).fullName && e.channel.state === 'subscribed');
    await sim.typing(conversation.id, colleague.name, true, new Date().toISOString());
    const typing = await d.waitFor('typing', (e) => e.conversationId === conversation.id);
    expect(typing.typing).toEqual({ user_id: colleague.id, name: colleague.name, typing: true });
  });

  it('tracks presence with two cores, one user on two connections counted once', async () => {
    const c = await clinic();
    const watcher = desk(c);
    await signInLive(watcher, c, RECEPTION);
    const colleague = account(c, RECEPTION_2);

    const first = desk(c);
    await signInLive(first, c, RECEPTION_2);
    const joined = await watcher.waitFor('presence.joined', (e) => e.member.id === colleague.id);
    expect(joined.member).toMatchObject({ id: colleague.id, name: colleague.name, role: 'reception' });

    const second = desk(c);
    await signInLive(second, c, RECEPTION_2);
    await first.close();
    // Still online through the second connection: no "left" yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.events.some((e) => e.kind === 'presence.left' && e.memberId === colleague.id)).toBe(false);
    expect(watcher.events.filter((e) => e.kind === 'presence.joined' && e.member.id === colleague.id)).toHaveLength(1);
    await second.close();
    await watcher.waitFor('presence.left', (e) => e.memberId === colleague.id);
    expect((await watcher.desk.getSnapshot()).presence.members.some((m) => m.id === colleague.id)).toBe(false);
  });

  it('loses nothing across ten socket-server restarts: every notification once', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const created: number[] = [];
    for (let round = 0; round < 10; round++) {
      const down = d.mark();
      await c.stopRealtime();
      await d.waitFor('connection', (e) => e.connection.status !== 'live', 5000, down);
      for (let i = 0; i < 3; i++) {
        const { notification, broadcast } = await c.backend.notify({ user_id: me.id, type: 'system', title: `round ${round}`, message: `#${i}`, action_url: null });
        expect(broadcast).toBe(false);
        created.push(notification.id);
      }
      const up = d.mark();
      await c.startRealtime();
      await d.waitFor('connection', (e) => e.connection.status === 'live', 10_000, up);
      // Whichever catch-up brings them (the reconnect's, or one already under way), all must arrive.
      await eventually(async () => {
        const held = new Set((await d.desk.listNotifications({ limit: 200 })).items.map((n) => n.id));
        const missing = created.filter((id) => !held.has(id));
        if (missing.length > 0) throw new Error(`round ${round}: not cached yet: ${missing.join(', ')}`);
      });
    }
    const all = await d.desk.listNotifications({ limit: 200 });
    const ids = all.items.map((n) => n.id);
    for (const id of created) expect(ids.filter((x) => x === id)).toHaveLength(1);
    const announced = d.events.flatMap((e) => (e.kind === 'notification.upserted' && e.isNew ? [e.notification.id] : e.kind === 'notifications.synced' ? e.newest.map((n) => n.id) : []));
    for (const id of created) expect(announced.filter((x) => x === id)).toHaveLength(1);
  }, 60_000);

  it('keeps the newest appointment state when an older update arrives late', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const target = (await d.desk.getSnapshot()).board?.appointments.find((a) => a.status === 'scheduled');
    if (!target) throw new Error('no scheduled appointment');
    const first = await c.backend.updateAppointment(target.id, 'confirmed', { status: 'confirmed' });
    const second = await c.backend.updateAppointment(target.id, 'cancelled', { status: 'cancelled' });
    await d.waitFor('appointment.updated', (e) => e.appointment.id === target.id && e.appointment.status === 'cancelled');
    // Replay the older one, as a slow queue worker would.
    const stale = { id: target.id, action: 'confirmed', status: 'confirmed', appointment_date: first.appointment.appointment_date, details: { doctor_id: first.appointment.doctor_id }, timestamp: first.appointment.updated_at };
    await c.backend.rawBroadcast('appointment-updated', [channels.doctorAppointments(target.doctor_id).fullName], phpJsonEncode(stale));
    const marker = await c.backend.notify({ user_id: account(c, RECEPTION).id, type: 'system', title: 'marker', message: 'after the stale update', action_url: null });
    await d.waitFor('notification.upserted', (e) => e.notification.id === marker.notification.id);
    expect((await d.desk.getSnapshot()).board?.appointments.find((a) => a.id === target.id)?.status).toBe(second.appointment.status);
  });

  it('drops malformed payloads with a counted reason and keeps going', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const channel = channels.notifications(me.id).fullName;
    const bad = [
      JSON.stringify({ id: 99999, user_id: me.id, type: 'x', message: 'no title', action_url: null, created_at: '2026-11-26T10:00:00.000000Z' }),
      JSON.stringify({ id: 'seven', user_id: me.id, type: 'x', title: 't', message: 'm', action_url: null, created_at: '2026-11-26T10:00:00.000000Z' }),
      'not json at all {',
      JSON.stringify({ id: 99998, user_id: me.id + 1, type: 'x', title: 't', message: 'someone else', action_url: null, created_at: '2026-11-26T10:00:00.000000Z' }),
    ];
    for (const data of bad) await c.backend.rawBroadcast('general-notification', [channel], data);
    await c.backend.rawBroadcast('totally-unknown-event', [channel], '{}');
    const good = await c.backend.notify({ user_id: me.id, type: 'system', title: 'still here', message: 'ok', action_url: null });
    await d.waitFor('notification.upserted', (e) => e.notification.id === good.notification.id);
    const rejected = d.events.filter((e) => e.kind === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(5);
    const diagnostics = await d.desk.getDiagnostics();
    expect(diagnostics.rejected.filter((r) => r.channel === channel).reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(5);
    expect(diagnostics.channels.find((ch) => ch.name === channel)?.rejectedCount).toBeGreaterThanOrEqual(5);
    const ids = (await d.desk.listNotifications({ limit: 50 })).items.map((n) => n.id);
    expect(ids).not.toContain(99999);
    expect(ids).not.toContain(99998);
  });

  it('stores and shows text cleaned: no NUL, no bidi override, no lone surrogate (SQLite reads it back well-formed)', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const raw = { id: 99_990, user_id: me.id, type: 'system', title: 'Re\u0000sults \u202Eexe.fdp', message: 'half a pair \uD800 here', action_url: null, created_at: '2026-11-26T10:00:00.000000Z' };
    await c.backend.rawBroadcast('general-notification', [channels.notifications(me.id).fullName], phpJsonEncode(raw));
    const shown = await d.waitFor('notification.upserted', (e) => e.notification.id === raw.id);
    expect(shown.notification).toMatchObject({ title: 'Results exe.fdp', message: 'half a pair \uFFFD here' });
    const stored = (await d.desk.listNotifications({ limit: 5 })).items.find((n) => n.id === raw.id);
    expect(stored).toMatchObject({ title: 'Results exe.fdp', message: 'half a pair \uFFFD here' });
  });

  it('signs out with a reason when the token is revoked mid-session, keeping the cache', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const first = (await d.desk.listNotifications({ limit: 1, unreadOnly: true })).items[0];
    if (!first) throw new Error('no unread notification');
    c.store.revokeUserTokens(me.id);
    await d.desk.markNotificationRead({ id: first.id });
    const out = await d.waitFor('session', (e) => e.session.status === 'signed-out');
    expect(out.session.status === 'signed-out' && out.session.reason).toMatch(/expired/i);
    expect(d.logger.records.some((r) => r.level === 'warn' && /expired/.test(r.message))).toBe(true);
  });

  it('rebuilds a corrupt cache file from the server, with a warning', async () => {
    const c = await clinic();
    const d = desk(c);
    const me = account(c, RECEPTION);
    writeFileSync(cacheFileFor(d.cacheDir, c.info.apiUrl, me.id), Buffer.from('this is not a database, it is a shopping list'.repeat(100)));
    await signInLive(d, c, RECEPTION);
    expect(d.logger.records.some((r) => r.level === 'warn' && /corrupt/i.test(r.message))).toBe(true);
    const serverCount = c.store.listNotifications(me.id, 0, 1000).data.length;
    expect((await d.desk.listNotifications({ limit: 200 })).items).toHaveLength(serverCount);
  });

  it('keeps offline actions in the outbox across a restart and sends them when the server answers', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const first = desk(c, { tokens });
    await signInLive(first, c, RECEPTION);
    const me = account(c, RECEPTION);
    const unread = (await first.desk.listNotifications({ limit: 50, unreadOnly: true })).items[0];
    if (!unread) throw new Error('no unread notification');

    c.api.injectFault({ path: /^\/api\//, status: 503, times: 10_000 });
    const result = await first.desk.markNotificationRead({ id: unread.id });
    expect(result.status).toBe('queued');
    const shown = await first.waitFor('notification.upserted', (e) => e.notification.id === unread.id && e.notification.pending === 'read');
    expect(shown.notification.read_at).not.toBeNull();
    await first.desk.close();
    expect(c.store.listNotifications(me.id, unread.id - 1, 1).data[0]?.read_at).toBeNull();

    c.api.clearFaults();
    const second = desk(c, { tokens, cacheDir: first.cacheDir });
    expect(await second.desk.resume()).toBe(true);
    await second.waitFor('sync', (e) => e.ok && e.outboxFlushed === 1);
    expect(c.store.listNotifications(me.id, unread.id - 1, 1).data[0]?.read_at).not.toBeNull();
    expect((await second.desk.listNotifications({ limit: 50 })).items.find((n) => n.id === unread.id)?.pending).toBeNull();
  });

  it('marks a conversation read at once, "queued" only while it really waits in the outbox, and sends it after a restart', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const first = desk(c, { tokens });
    await signInLive(first, c, RECEPTION);
    const me = account(c, RECEPTION);
    const unread = (await first.desk.getSnapshot()).conversations.find((x) => x.unread_count > 0 && x.last_message !== null);
    if (!unread) throw new Error('seed 42 gives reception no unread conversation');
    const serverUnread = () => c.store.conversationFor(unread.id, me.id)?.unread_count;
    expect(serverUnread()).toBeGreaterThan(0);

    c.api.injectFault({ path: /^\/api\//, status: 503, times: 10_000 });
    const result = await first.desk.markConversationRead({ conversationId: unread.id });
    expect(result.status).toBe('queued');
    // Read twice while the server is away: one intent, one outbox entry.
    expect((await first.desk.markConversationRead({ conversationId: unread.id })).status).toBe('queued');
    // Read here at once, though the server has not heard of it.
    const shown = (await first.desk.getSnapshot()).conversations.find((x) => x.id === unread.id);
    expect(shown).toMatchObject({ unread_count: 0, last_read_message_id: unread.last_message?.id });
    expect((await first.desk.getDiagnostics()).cache.outbox).toBe(1);
    expect(serverUnread()).toBeGreaterThan(0);
    await first.desk.close();

    // After a restart, the list the server sends (still unread there) does not undo it; the outbox sends it.
    c.api.clearFaults();
    const second = desk(c, { tokens, cacheDir: first.cacheDir });
    expect(await second.desk.resume()).toBe(true);
    await second.waitFor('sync', (e) => e.ok && e.outboxFlushed === 1);
    expect(serverUnread()).toBe(0);
    expect((await second.desk.getSnapshot()).conversations.find((x) => x.id === unread.id)?.unread_count).toBe(0);

    // Online, it is done at once and nothing waits.
    const other = (await second.desk.getSnapshot()).conversations.find((x) => x.id !== unread.id);
    if (!other) throw new Error('no second conversation');
    expect((await second.desk.markConversationRead({ conversationId: other.id })).status).toBe('done');
    expect((await second.desk.getDiagnostics()).cache.outbox).toBe(0);
  });

  it('works without a WebSocket (BROADCAST_DRIVER=log): polls the API and says so', async () => {
    const c = await clinic();
    const d = desk(c, { config: deskConfig(c, { transport: { kind: 'polling' } }) });
    const me = account(c, DOCTOR);
    const result = await d.desk.signIn({ apiUrl: c.info.apiUrl, email: me.email, password: me.password });
    expect(result.ok).toBe(true);
    await d.waitFor('connection', (e) => e.connection.status === 'polling');
    const { notification } = await c.backend.notify({ user_id: me.id, type: 'system', title: 'polled', message: 'x', action_url: null });
    // The poll timer (5 s, the minimum interval) brings it without any socket.
    const got = await d.waitFor('notification.upserted', (e) => e.notification.id === notification.id, 8000);
    expect(got.isNew).toBe(true);
    expect((await d.desk.getDiagnostics()).channels).toEqual([]);
  }, 15_000);
});

describe('desk core: resume shows the cached desk before the server confirms the token', () => {
  /** A desk signed in live, its board and user kept in its cache, closed; its token and cache folder to resume with. */
  async function cachedDesk(c: DemoClinic) {
    const tokens = memoryTokenStore();
    const first = desk(c, { tokens });
    await signInLive(first, c, RECEPTION);
    const board = (await first.desk.getSnapshot()).board;
    if (!board) throw new Error('no board');
    // The board's snapshot is saved soon after a change, the user once the desk has been shown.
    await new Promise((r) => setTimeout(r, 800));
    await first.desk.close();
    return { tokens, cacheDir: first.cacheDir, board };
  }

  it('with the server slow to answer GET /api/user: the cached board at once, then signed out when the answer is a 401 (cache kept)', async () => {
    const c = await clinic();
    const { tokens, cacheDir, board } = await cachedDesk(c);
    c.api.injectFault({ path: /^\/api\/user$/, status: 401, times: 1, delayMs: 2_000 });
    const second = desk(c, { tokens, cacheDir });
    const started = Date.now();
    expect(await second.desk.resume()).toBe(true);
    const snapshot = await second.desk.getSnapshot();
    const shownAfter = Date.now() - started;
    expect(shownAfter).toBeLessThan(1_000);
    expect(snapshot.session).toMatchObject({ status: 'signed-in', user: { email: RECEPTION } });
    expect(snapshot.board?.date).toBe(board.date);
    expect(snapshot.board?.appointments.map((a) => a.id)).toEqual(board.appointments.map((a) => a.id));
    expect(snapshot.board?.stale).toBe(true);
    expect(snapshot.connection.status).toBe('connecting');

    const out = await second.waitFor('session', (e) => e.session.status === 'signed-out', 6_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(out.session).toEqual({ status: 'signed-out', reason: 'Your session has expired. Please sign in again.' });
    expect(await tokens.load()).toBeNull();
    expect(existsSync(cacheFileFor(cacheDir, c.info.apiUrl, account(c, RECEPTION).id))).toBe(true);
  }, 15_000);

  it('with the server down: the cached desk stays, signed in, and its connection says it is not connected', async () => {
    const c = await clinic();
    const { tokens, cacheDir, board } = await cachedDesk(c);
    await c.close();
    const second = desk(c, { tokens, cacheDir });
    expect(await second.desk.resume()).toBe(true);
    expect((await second.desk.getSnapshot()).board?.appointments).toHaveLength(board.appointments.length);
    // Never live in this run, so "connecting", in the socket's words, with every feature failing to load.
    await second.waitFor('connection', (e) => e.connection.limitedFeatures.length === 5 && /not connected/.test(e.connection.detail ?? ''), 8_000);
    await eventually(() => expect(second.logger.records.some((r) => r.level === 'warn' && /could not be confirmed/.test(r.message))).toBe(true));
    const snapshot = await second.desk.getSnapshot();
    expect(snapshot.session).toMatchObject({ status: 'signed-in', user: { email: RECEPTION } });
    expect(await tokens.load()).not.toBeNull();
  }, 15_000);

  it('without a cached user (a cache from before): the server is asked first, as before', async () => {
    const c = await clinic();
    const me = account(c, RECEPTION);
    const tokens = memoryTokenStore();
    await tokens.save({ apiUrl: c.info.apiUrl, token: c.store.issueToken(me.id), userId: me.id, demo: false });
    c.api.injectFault({ path: /^\/api\/user$/, status: 401, times: 1 });
    const d = desk(c, { tokens });
    expect(await d.desk.resume()).toBe(false);
    expect((await d.desk.getSnapshot()).session).toEqual({ status: 'signed-out', reason: 'Your session has expired. Please sign in again.' });
  });
});

describe('desk core: a local cache that cannot be opened', () => {
  /** A cache folder whose parent is a file, so no cache can be created; removed after the test. */
  function blockedCacheDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-blocked-'));
    open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    writeFileSync(join(dir, 'profile'), 'a file where the cache folder should go');
    return join(dir, 'profile', 'cache');
  }

  it('at sign-in: labelled a problem of this computer (not the server), in words, and the token just issued is revoked', async () => {
    const c = await clinic();
    const me = account(c, RECEPTION);
    const issued: string[] = [];
    const revoked: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path === '/api/login' && response.ok) issued.push(((await response.clone().json()) as { token: string }).token);
      if (path === '/api/logout') revoked.push(new Headers(init?.headers).get('authorization') ?? '');
      return response;
    };
    const cacheDir = blockedCacheDir();
    const d = desk(c, { cacheDir, fetch: recording });
    const result = await d.desk.signIn({ apiUrl: c.info.apiUrl, email: me.email, password: me.password });
    expect(result).toMatchObject({ ok: false, error: 'local-cache' });
    expect(result.ok === false && result.message).toContain("This computer could not open Clinic Desk's local cache");
    expect(result.ok === false && result.message).toContain(`cannot create the cache folder ${cacheDir}: ${join(cacheDir, '..')} is a file, not a folder`);
    expect(result.ok === false && result.message).not.toMatch(/EEXIST|ENOTDIR|mkdir/);
    expect((await d.desk.getSnapshot()).session).toEqual({ status: 'signed-out', reason: null });

    expect(issued).toHaveLength(1);
    expect(revoked).toEqual([`Bearer ${issued[0]}`]);
    expect(c.store.userByToken(issued[0] ?? '')).toBeNull();
    expect(await d.tokens.load()).toBeNull();
  });

  it('at resume: said in words, not "the clinic server could not be reached"', async () => {
    const c = await clinic();
    const me = account(c, RECEPTION);
    const tokens = memoryTokenStore();
    await tokens.save({ apiUrl: c.info.apiUrl, token: c.store.issueToken(me.id), userId: me.id, demo: false });
    const d = desk(c, { cacheDir: blockedCacheDir(), tokens });
    expect(await d.desk.resume()).toBe(false);
    const session = (await d.desk.getSnapshot()).session;
    expect(session.status === 'signed-out' && session.reason).toMatch(/^This computer could not open Clinic Desk's local cache, so the desk cannot start: cannot create the cache folder .* is a file, not a folder$/);
  });

  it('diagnostics carry the cache\'s write state and its count of untrusted dates', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    expect((await d.desk.getDiagnostics()).cache).toMatchObject({ writeError: null, datesFlagged: 0 });
  });
});

describe('desk core retention', () => {
  it('keeps only the retention window of notifications in the cache', async () => {
    const c = await clinic();
    const dayAgo = Date.parse('2026-11-25T10:00:00Z');
    // A staff member whose seeded notifications straddle the one-day window.
    const who = c.info.users.find((u) => u.role !== 'patient' && c.store.listNotifications(u.id, 0, 1000).data.some((n) => Date.parse(n.created_at) < dayAgo));
    if (!who) throw new Error('the seed has no notification older than a day');
    const d = desk(c, { config: deskConfig(c, { cacheRetentionDays: 1 }) });
    await signInLive(d, c, who.email);
    const server = c.store.listNotifications(who.id, 0, 1000).data;
    const recent = server.filter((n) => Date.parse(n.created_at) >= dayAgo);
    expect(recent.length).toBeLessThan(server.length);
    const cached = (await d.desk.listNotifications({ limit: 200 })).items.map((n) => n.id).sort((a, b) => a - b);
    expect(cached).toEqual(recent.map((n) => n.id).sort((a, b) => a - b));
    // Nothing outside the window was announced (an alert for a notification the list does not show).
    const announced = d.events.flatMap((e) => (e.kind === 'notification.upserted' && e.isNew ? [e.notification.id] : e.kind === 'notifications.synced' ? e.newest.map((n) => n.id) : []));
    expect(announced.filter((id) => !cached.includes(id))).toEqual([]);
  });
});
