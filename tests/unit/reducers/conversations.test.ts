/**
 * The conversations reducer (src/shared/reducers/conversations.ts) on its own:
 * the core's conversations part and the window's store both use it.
 */
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../src/shared/desk-state';
import type { Conversation, Message } from '../../../src/shared/domain';
import {
  applyConversationsRead,
  applyMessage,
  applyRead,
  byActivity,
  mergeThread,
  placeOutgoing,
  readUpTo,
  settleOutgoing,
  withMessage,
} from '../../../src/shared/reducers/conversations';

const ME = 2;
const OTHER = 5;

function message(id: number, sender = OTHER, createdAt = `2026-11-26T09:00:00.0000${String(id).padStart(2, '0')}Z`): Message {
  return { id, conversation_id: 70, sender_id: sender, sender_name: sender === ME ? 'Me' : 'Other', body: `Message ${id}`, created_at: createdAt };
}

function conversation(id: number, extra: Partial<Conversation> = {}): Conversation {
  return { id, clinic_id: 1, subject: `Conversation ${id}`, participant_ids: [ME, OTHER], last_message: null, unread_count: 0, last_read_message_id: null, updated_at: '2026-11-26T08:00:00.000000Z', ...extra };
}

describe('conversations reducer: messages', () => {
  it.each([
    { case: 'a newer message from someone else', held: 10, incoming: 11, sender: OTHER, effect: 'applied', unread: 2 },
    { case: 'the user’s own message', held: 10, incoming: 11, sender: ME, effect: 'applied', unread: 1 },
    { case: 'the same message again', held: 10, incoming: 10, sender: OTHER, effect: 'duplicate', unread: 1 },
    { case: 'an older message arriving late', held: 10, incoming: 9, sender: OTHER, effect: 'duplicate', unread: 1 },
  ])('$case → $effect', ({ held, incoming, sender, effect, unread }) => {
    const c = conversation(70, { last_message: message(held), unread_count: 1 });
    const applied = applyMessage(c, message(incoming, sender), ME);
    expect(applied.effect).toBe(effect);
    if (applied.effect === 'applied') {
      expect(applied.conversation).toMatchObject({ last_message: { id: incoming }, unread_count: unread, updated_at: message(incoming).created_at });
    }
  });

  it('a conversation it does not hold is unknown (the list has it)', () => {
    expect(applyMessage(undefined, message(1), ME)).toEqual({ effect: 'unknown' });
  });

  it('the user’s own read receipt clears the count; another’s changes nothing', () => {
    const c = conversation(70, { last_message: message(12), unread_count: 3 });
    expect(applyRead(c, { user_id: ME, last_read_message_id: 12, read_at: '2026-11-26T09:01:00Z' }, ME)).toMatchObject({ unread_count: 0, last_read_message_id: 12 });
    expect(applyRead(c, { user_id: OTHER, last_read_message_id: 12, read_at: '2026-11-26T09:01:00Z' }, ME)).toBeNull();
    expect(readUpTo(c)).toMatchObject({ unread_count: 0, last_read_message_id: 12 });
    expect(readUpTo(conversation(71, { last_read_message_id: 4 })).last_read_message_id).toBe(4);
  });

  it('orders by the instant (offsets and microseconds), then by id', () => {
    const list = [
      conversation(1, { updated_at: '2026-11-26T09:00:00.000001Z' }),
      conversation(2, { updated_at: '2026-11-26T10:00:00.000000+01:00' }), // 09:00:00.000000Z
      conversation(3, { updated_at: '2026-11-26T09:00:00.000002Z' }),
      conversation(4, { updated_at: '2026-11-26T09:00:00.000001Z' }),
    ];
    expect(list.sort(byActivity).map((c) => c.id)).toEqual([3, 4, 1, 2]);
  });
});

describe('conversations reducer: the server’s list', () => {
  it('keeps a newer message held, announces what the list brought first, keeps a read done here', () => {
    const held = new Map([
      [70, conversation(70, { last_message: message(12), unread_count: 1 })],
      [71, conversation(71, { last_message: message(5), unread_count: 0 })],
      [72, conversation(72, { last_message: message(8), unread_count: 2 })],
    ]);
    const read = [
      conversation(70, { last_message: message(11), unread_count: 0 }), // older than the live message held
      conversation(71, { last_message: message(6), unread_count: 1 }), // brought a message first
      conversation(72, { last_message: message(8), unread_count: 2 }), // read here, the read still in the outbox
      conversation(73, { last_message: message(3), unread_count: 1 }), // new: nothing announced
    ];
    const merged = applyConversationsRead(held, read, new Set([72]));
    expect(merged.conversations.map((c) => [c.id, c.last_message?.id, c.unread_count])).toEqual([
      [70, 12, 1],
      [71, 6, 1],
      [72, 8, 0],
      [73, 3, 1],
    ]);
    expect(merged.arrived.map((m) => m.id)).toEqual([6]);
  });
});

describe('conversations reducer: threads and pending messages', () => {
  it('a thread holds each message once, in id order, whatever order they arrive in', () => {
    let thread: readonly Message[] = [];
    for (const id of [3, 1, 2, 3, 1]) thread = withMessage(thread, message(id));
    expect(thread.map((m) => m.id)).toEqual([1, 2, 3]);
    const same = withMessage(thread, message(2));
    expect(same).toBe(thread);
    expect(mergeThread([message(1), message(3)], [message(2), { ...message(3), body: 'edited' }]).map((m) => [m.id, m.body])).toEqual([
      [1, 'Message 1'],
      [2, 'Message 2'],
      [3, 'edited'],
    ]);
  });

  it('a pending message is placed by its clientId, and settled by it', () => {
    const pending = (clientId: string, state: OutgoingMessage['state']): OutgoingMessage => ({ clientId, conversationId: 70, body: clientId, createdAt: '2026-11-26T09:00:00Z', state, error: null });
    let list = placeOutgoing([], pending('a', 'sending'));
    list = placeOutgoing(list, pending('b', 'sending'));
    list = placeOutgoing(list, pending('a', 'queued'));
    expect(list.map((m) => [m.clientId, m.state])).toEqual([
      ['a', 'queued'],
      ['b', 'sending'],
    ]);
    const settled = settleOutgoing(list, 'a');
    expect(settled.map((m) => m.clientId)).toEqual(['b']);
    expect(settleOutgoing(settled, 'a')).toBe(settled);
  });
});
