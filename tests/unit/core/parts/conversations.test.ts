/**
 * ConversationsPart on its own: the list read from a demo clinic over real
 * HTTP, `message-sent` / `message-read` applied to it, each new message
 * announced once whichever way it arrives first, and the list's order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConversationsPart } from '../../../../src/main/core/sync/conversations';
import { Conversation, type Message, type User } from '../../../../src/shared/domain';
import type { MessagePayload } from '../../../../src/shared/payloads';
import { RECEPTION, closeAll, closedPortApi, recordedContext, requestsTo, signedIn, takeProblems } from './context';

const ConversationList = z.array(Conversation);
type LivePayload = Exclude<MessagePayload, { type: 'typing' }>;

afterEach(async () => {
  // Every event would cross the bridge and every snapshot passed its own schema.
  const problems = takeProblems();
  await closeAll();
  expect(problems).toEqual([]);
});

const sentEvent = (message: Message): LivePayload => ({ conversation_id: message.conversation_id, type: 'sent', data: { message }, timestamp: message.created_at });
const readEvent = (conversationId: number, userId: number, lastRead: number): LivePayload => ({
  conversation_id: conversationId,
  type: 'read',
  data: { user_id: userId, last_read_message_id: lastRead, read_at: '2026-11-26T10:00:05.000000Z' },
  timestamp: '2026-11-26T10:00:05.000000Z',
});

function get(part: ConversationsPart, id: number): Conversation {
  const found = part.get(id);
  if (!found) throw new Error(`conversation ${id} is not held`);
  return found;
}

/** Reception 1 (Vera Quispe, user 2) with the conversations listed, and the clinic's people to write as. */
async function synced() {
  const { clinic, api, user } = await signedIn('reception1@northside.clinic.test');
  const r = recordedContext(user, api);
  const part = new ConversationsPart(r.ctx);
  await part.sync();
  r.clear();
  const person = (id: number): User => {
    const u = clinic.store.userById(id);
    if (!u) throw new Error(`no user ${id}`);
    return u;
  };
  return { clinic, api, user, r, part, grace: person(4), liam: person(5) };
}

describe('ConversationsPart: sync', () => {
  it('lists the conversations, most recently active first, announcing no message on the first listing', async () => {
    const { clinic, api, user } = await signedIn('reception1@northside.clinic.test');
    const r = recordedContext(user, api);
    const part = new ConversationsPart(r.ctx);
    const outcome = await part.sync();
    const server = (id: number) => clinic.store.conversationFor(id, user.id);
    expect(requestsTo(clinic, '/api/conversations')).toEqual([200]);
    expect(outcome).toMatchObject({ dropped: 0, problem: null });
    // 7001 at 09:27, 7003 at 07:09, 7002 at 06:12.
    expect(part.list()).toEqual([server(7001), server(7003), server(7002)]);
    expect(get(part, 7001)).toMatchObject({ unread_count: 3, last_message: { id: 9003 } });
    expect(r.of('message.created')).toEqual([]);
    expect(r.events).toEqual([7001, 7002, 7003].map((id) => ({ kind: 'conversation.updated', conversation: server(id) })));
    expect(r.snapshot('conversations', ConversationList)).toEqual(part.list());

    const next = new ConversationsPart(recordedContext(RECEPTION, await closedPortApi(), { snapshots: r.snapshots }).ctx);
    next.restore();
    expect(next.list()).toEqual(part.list());
  });
});

describe('ConversationsPart: live messages', () => {
  it("announces a message on a known conversation and counts it unread, unless it is the user's own", async () => {
    const { clinic, user, r, part, grace } = await synced();
    const before = get(part, 7002);
    const { message } = clinic.store.addMessage(7002, grace, 'Results are in.');

    expect(part.onEvent(sentEvent(message))).toBe('applied');
    const after = { ...before, last_message: message, unread_count: before.unread_count + 1, updated_at: message.created_at };
    expect(get(part, 7002)).toEqual(after);
    expect(r.events).toEqual([
      { kind: 'message.created', message, clientId: null },
      { kind: 'conversation.updated', conversation: after },
    ]);

    // Delivered twice (a second channel, a reconnect): nothing more.
    r.clear();
    expect(part.onEvent(sentEvent(message))).toBe('ignored');
    expect(r.events).toEqual([]);

    // The user's own message (from another device) is no unread one.
    const own = clinic.store.addMessage(7002, user, 'Thanks!').message;
    expect(part.onEvent(sentEvent(own))).toBe('applied');
    expect(get(part, 7002)).toEqual({ ...after, last_message: own, updated_at: own.created_at });
    expect(r.of('message.created')).toEqual([{ kind: 'message.created', message: own, clientId: null }]);
  });

  it('asks for the list to place a bare-text message or one of a conversation it does not know', async () => {
    const { r, part, grace } = await synced();
    const listed = part.list();
    const bare: LivePayload = { conversation_id: 7001, type: 'sent', data: { message: 'Can you check this?' }, timestamp: '2026-11-26T10:00:05.000000Z' };
    expect(part.onEvent(bare)).toBe('refresh');
    const elsewhere: Message = { id: 9500, conversation_id: 7009, sender_id: grace.id, sender_name: grace.name, body: 'Hello', created_at: '2026-11-26T10:00:05.000000Z' };
    expect(part.onEvent(sentEvent(elsewhere))).toBe('refresh');
    expect(part.list()).toEqual(listed);
    expect(r.events).toEqual([]);
  });

  it('a read by the user clears the unread count; a read by someone else only tells the window', async () => {
    const { user, r, part, grace } = await synced();
    const before = get(part, 7001);
    expect(part.onEvent(readEvent(7001, user.id, 9003))).toBe('applied');
    const read = { ...before, unread_count: 0, last_read_message_id: 9003 };
    expect(get(part, 7001)).toEqual(read);
    expect(r.events).toEqual([
      { kind: 'message.read', conversationId: 7001, read: { user_id: user.id, last_read_message_id: 9003, read_at: '2026-11-26T10:00:05.000000Z' } },
      { kind: 'conversation.updated', conversation: read },
    ]);

    r.clear();
    const other = get(part, 7002);
    expect(part.onEvent(readEvent(7002, grace.id, 9006))).toBe('applied');
    expect(get(part, 7002)).toEqual(other);
    expect(r.events).toEqual([{ kind: 'message.read', conversationId: 7002, read: { user_id: grace.id, last_read_message_id: 9006, read_at: '2026-11-26T10:00:05.000000Z' } }]);

    r.clear();
    expect(part.onEvent(readEvent(7009, user.id, 9100))).toBe('applied');
    expect(part.get(7009)).toBeUndefined();
    expect(r.events.map((e) => e.kind)).toEqual(['message.read']);
  });

  it('announces once a message the list brought before its live delivery', async () => {
    const { clinic, r, part, grace } = await synced();
    const before = get(part, 7003);
    const { message } = clinic.store.addMessage(7003, grace, 'Moved my 14:00 to 15:00.');

    await part.sync();
    expect(r.of('message.created')).toEqual([{ kind: 'message.created', message, clientId: null }]);
    expect(get(part, 7003)).toEqual({ ...before, last_message: message, unread_count: before.unread_count + 1, updated_at: message.created_at });

    // Its live delivery comes after: a duplicate.
    expect(part.onEvent(sentEvent(message))).toBe('ignored');
    // Listed again, unchanged (the server answers 304 and the desk reads its own copy of the list): still once.
    await part.sync();
    expect(r.of('message.created')).toHaveLength(1);
    // Each sync asked the server: the first listing, the one with the new message, then the same list again.
    expect(requestsTo(clinic, '/api/conversations')).toEqual([200, 200, 304]);
  });

  it('does not announce again after a restart a message it announced live', async () => {
    const { clinic, r, part, grace } = await synced();
    const { message } = clinic.store.addMessage(7001, grace, 'Room 3 is free.');
    expect(part.onEvent(sentEvent(message))).toBe('applied');
    expect(r.of('message.created')).toHaveLength(1);

    // The desk restarts on the same cache and lists the conversations.
    const next = recordedContext(r.ctx.user, r.ctx.api, { snapshots: r.snapshots });
    const restarted = new ConversationsPart(next.ctx);
    restarted.restore();
    await restarted.sync();
    expect(get(restarted, 7001).last_message).toEqual(message);
    expect(next.of('message.created')).toEqual([]);
  });
});

describe('ConversationsPart: sent', () => {
  it("takes the user's own message as the server stored it, then ignores its echo", async () => {
    const { api, r, part } = await synced();
    const before = get(part, 7001);
    const message = await api.sendMessage(7001, 'On it.', 'parts-test-1');
    expect(message).toMatchObject({ conversation_id: 7001, sender_id: 2, body: 'On it.' });

    part.sent(message);
    const after = { ...before, last_message: message, updated_at: message.created_at };
    expect(get(part, 7001)).toEqual(after);
    expect(r.events).toEqual([{ kind: 'conversation.updated', conversation: after }]);
    expect(part.list()[0]?.id).toBe(7001);

    r.clear();
    expect(part.onEvent(sentEvent(message))).toBe('ignored');
    await part.sync();
    expect(r.of('message.created')).toEqual([]);

    // A conversation it does not hold: nothing to move.
    r.clear();
    part.sent({ ...message, id: 9600, conversation_id: 7009 });
    expect(part.get(7009)).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it('a message the outbox sent: the stored message names its clientId, then the conversation moves on', async () => {
    const { api, r, part } = await synced();
    const before = get(part, 7001);
    const message = await api.sendMessage(7001, 'From the outbox.', 'parts-test-2');
    part.stored(message, 'parts-test-2');
    const after = { ...before, last_message: message, updated_at: message.created_at };
    expect(r.events).toEqual([
      { kind: 'message.created', message, clientId: 'parts-test-2' },
      { kind: 'conversation.updated', conversation: after },
    ]);
  });

  it('does not take back a newer message that arrived live before the answer to the send', async () => {
    const { clinic, user, r, part, liam } = await synced();
    // The user's message is stored first; Liam's reply is broadcast and arrives before the HTTP answer.
    const mine = clinic.store.addMessage(7001, user, 'Who has room 2?').message;
    const reply = clinic.store.addMessage(7001, liam, 'I do.').message;
    expect(reply.id).toBeGreaterThan(mine.id);
    expect(part.onEvent(sentEvent(reply))).toBe('applied');

    part.sent(mine);
    const shown = get(part, 7001).last_message;

    // The next listing must not announce the reply a second time (an alert each time), ...
    await part.sync();
    expect(r.of('message.created').map((e) => e.message.id)).toEqual([reply.id]);
    // ... and until then the conversation shows the reply, not the user's older message.
    expect(shown).toEqual(reply);
  });
});

describe('ConversationsPart: order', () => {
  it('moves the conversation with the newest message to the top', async () => {
    const { clinic, part, grace } = await synced();
    expect(part.list().map((c) => c.id)).toEqual([7001, 7003, 7002]);
    expect(part.onEvent(sentEvent(clinic.store.addMessage(7002, grace, 'New results.').message))).toBe('applied');
    expect(part.list().map((c) => c.id)).toEqual([7002, 7001, 7003]);
  });

  it('orders by the instant, whatever offset the server wrote it with', async () => {
    const { part, grace } = await synced();
    // 10:15 at +01:00 is 09:15Z: older than 7001 (09:27Z), newer than 7003 (07:09Z).
    const message: Message = { id: 9700, conversation_id: 7002, sender_id: grace.id, sender_name: grace.name, body: 'Results attached.', created_at: '2026-11-26T10:15:00+01:00' };
    expect(part.onEvent(sentEvent(message))).toBe('applied');
    expect(part.list().map((c) => c.id)).toEqual([7001, 7002, 7003]);
  });
});
