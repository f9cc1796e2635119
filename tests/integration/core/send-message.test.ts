/**
 * Sending a message takes the one path every action takes, through the real
 * desk core (DeskService), a real demo clinic on 127.0.0.1 and a real SQLite
 * cache file: queued in the durable outbox first, shown pending at once, sent
 * when the server answers, kept across a restart, stored once on the server
 * (the clientId is its idempotency key), and rolled back with the server's
 * reason when it is refused.
 */
import { describe, expect, it } from 'vitest';
import type { DeskEvent } from '../../../src/shared/bridge';
import { ValidationFailedError } from '../../../src/main/core/api/client';
import { memoryTokenStore } from '../../../src/main/core/desk/desk-service';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account } from '../../helpers/demo';
import { signInLive, testRig, type TestDesk } from '../../helpers/desk';

const RECEPTION = 'reception1@northside.clinic.test';
const TOO_LONG = 'The body field must not be greater than 1000 characters.';

const rig = testRig();
const clinic = (): Promise<DemoClinic> => rig.clinic();
const desk = rig.desk;

async function firstConversation(d: TestDesk): Promise<number> {
  const conversation = (await d.desk.getSnapshot()).conversations[0];
  if (!conversation) throw new Error('seed 42 gives reception no conversation');
  return conversation.id;
}

/** The states one pending message went through, in order, from event index `since`. */
function pendingStates(d: TestDesk, clientId: string, since: number): string[] {
  return d.events
    .slice(since)
    .filter((e): e is Extract<DeskEvent, { kind: 'message.pending' }> => e.kind === 'message.pending' && e.outgoing.clientId === clientId)
    .map((e) => e.outgoing.state);
}

const messagesPath = (conversationId: number) => new RegExp(`^/api/conversations/${conversationId}/messages$`);

/** A Laravel 422 for the message body, as the server words it. */
const tooLong = (conversationId: number) => ({
  path: messagesPath(conversationId),
  status: 422,
  times: 1,
  raw: { contentType: 'application/json', body: JSON.stringify({ message: TOO_LONG, errors: { body: [TOO_LONG] } }) },
});

describe('a message goes through the outbox like every other action', () => {
  it('sent while the API is down: pending at once, kept across a restart, stored exactly once when the server is back', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const first = desk(c, { tokens });
    await signInLive(first, c, RECEPTION);
    const me = account(c, RECEPTION);
    const conversationId = await firstConversation(first);
    const body = 'Room 2 is free (sent while the server was down)';
    const clientId = 'send-test-offline-1';
    const onServer = () => c.store.messagesOf(conversationId, null, 10_000).filter((m) => m.body === body);
    const created201 = () => c.api.requestLog.filter((r) => r.method === 'POST' && r.path === `/api/conversations/${conversationId}/messages` && r.status === 201);

    c.api.injectFault({ path: /^\/api\//, status: 503, times: 1_000_000 });
    const since = first.mark();
    const sending = first.desk.sendMessage({ conversationId, body, clientId });
    // Shown at once: before any answer, the window has it as pending.
    expect(first.events.slice(since).find((e) => e.kind === 'message.pending')).toMatchObject({ outgoing: { clientId, conversationId, body, state: 'sending', error: null } });
    expect(await sending).toEqual({ status: 'queued', message: null });
    expect(pendingStates(first, clientId, since)).toEqual(['sending', 'queued']);
    expect((await first.desk.getSnapshot()).outgoing).toEqual([expect.objectContaining({ clientId, body, state: 'queued' })]);
    // Sent again by the window (the same clientId): the same outbox entry.
    expect((await first.desk.sendMessage({ conversationId, body, clientId })).status).toBe('queued');
    expect((await first.desk.getDiagnostics()).cache.outbox).toBe(1);
    expect(onServer()).toEqual([]);
    await first.desk.close();

    // A restart: the outbox is in the SQLite file. The server answers again, but not yet for messages.
    c.api.clearFaults();
    c.api.injectFault({ path: messagesPath(conversationId), status: 503, times: 1_000_000 });
    const second = desk(c, { tokens, cacheDir: first.cacheDir });
    expect(await second.desk.resume()).toBe(true);
    expect((await second.desk.getSnapshot()).outgoing).toEqual([expect.objectContaining({ clientId, body, state: 'queued' })]);
    expect(onServer()).toEqual([]);

    // The server takes messages again: the outbox sends it by itself, once; its stored copy names the clientId.
    c.api.clearFaults();
    const stored = await second.waitFor('message.created', (e) => e.clientId === clientId, 20_000);
    expect(stored.message).toMatchObject({ conversation_id: conversationId, sender_id: me.id, body });
    expect(onServer()).toHaveLength(1);
    expect(created201()).toHaveLength(1);
    const after = await second.desk.getSnapshot();
    expect(after.outgoing).toEqual([]);
    expect(after.conversations.find((x) => x.id === conversationId)?.last_message?.id).toBe(stored.message.id);
    expect((await second.desk.getDiagnostics()).cache.outbox).toBe(0);

    // The same clientId once more (a window that never heard the answer): the server keeps one message.
    const again = await second.desk.sendMessage({ conversationId, body, clientId });
    expect(again).toEqual({ status: 'done', message: stored.message });
    expect(onServer()).toHaveLength(1);
    expect(created201()).toHaveLength(1);

    // Online, a new message is done at once: pending, then stored, nothing left waiting.
    const mark = second.mark();
    const now = await second.desk.sendMessage({ conversationId, body: 'And room 3', clientId: 'send-test-online-1' });
    expect(now.status).toBe('done');
    expect(pendingStates(second, 'send-test-online-1', mark)).toEqual(['sending']);
    expect(second.events.slice(mark).find((e) => e.kind === 'message.created' && e.clientId === 'send-test-online-1')).toMatchObject({ message: { id: now.message?.id } });
    expect((await second.desk.getDiagnostics()).cache.outbox).toBe(0);
  });

  it('a 422 rolls the pending message back with the server’s reason, and nothing waits in the outbox', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const conversationId = await firstConversation(d);
    const count = () => c.store.messagesOf(conversationId, null, 10_000).length;
    const before = count();

    c.api.injectFault(tooLong(conversationId));
    const since = d.mark();
    const refused = await d.desk.sendMessage({ conversationId, body: 'A very long letter', clientId: 'send-test-422' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationFailedError);
    expect(pendingStates(d, 'send-test-422', since)).toEqual(['sending', 'failed']);
    const failed = d.events.slice(since).findLast((e) => e.kind === 'message.pending');
    expect(failed).toMatchObject({ outgoing: { clientId: 'send-test-422', state: 'failed', error: TOO_LONG } });
    expect(d.events.slice(since).some((e) => e.kind === 'message.created')).toBe(false);
    expect((await d.desk.getSnapshot()).outgoing).toEqual([]);
    expect((await d.desk.getDiagnostics()).cache.outbox).toBe(0);
    expect(count()).toBe(before);
  });

  it('queued while the server was down, then refused when it is back: rolled back with the reason, the actions after it still go', async () => {
    const c = await clinic();
    const d = desk(c);
    await signInLive(d, c, RECEPTION);
    const conversationId = await firstConversation(d);

    c.api.injectFault({ path: /^\/api\//, status: 503, times: 1_000_000 });
    expect((await d.desk.sendMessage({ conversationId, body: 'Refused later', clientId: 'send-test-later-422' })).status).toBe('queued');
    expect((await d.desk.sendMessage({ conversationId, body: 'Taken later', clientId: 'send-test-later-ok' })).status).toBe('queued');
    c.api.clearFaults();
    c.api.injectFault(tooLong(conversationId));

    const failed = await d.waitFor('message.pending', (e) => e.outgoing.clientId === 'send-test-later-422' && e.outgoing.state === 'failed', 20_000);
    expect(failed.outgoing).toMatchObject({ body: 'Refused later', error: TOO_LONG });
    await d.waitFor('message.created', (e) => e.clientId === 'send-test-later-ok', 10_000);
    expect(c.store.messagesOf(conversationId, null, 10_000).map((m) => m.body)).not.toContain('Refused later');
    expect((await d.desk.getSnapshot()).outgoing).toEqual([]);
  });
});
