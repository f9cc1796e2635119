import type { OutgoingMessage } from '../desk-state';
import type { Conversation, Message } from '../domain';
import type { MessageReadData } from '../payloads';
import { compareIso } from '../time';

/**
 * Conversations, their threads and the user's own messages on their way, as
 * pure functions: the core's conversations part
 * (`src/main/core/sync/conversations.ts`) moves the list along with them, and
 * the window's store places what the core emits with the same ones (threads by
 * message id, the user's pending messages by their clientId).
 */

/** Most recently active first (as instants: servers may write offsets), then by id. */
export function byActivity(a: Conversation, b: Conversation): number {
  return compareIso(b.updated_at, a.updated_at) || b.id - a.id;
}

/** Nothing unread any more, up to its last message. */
export function readUpTo(c: Conversation): Conversation {
  return { ...c, unread_count: 0, last_read_message_id: c.last_message?.id ?? c.last_read_message_id };
}

/**
 * Between a conversation from the REST list and the one held: the held one
 * when a live message reached it after the server answered the list (its last
 * message is newer), so a slow refresh never takes a message back.
 */
export function newerConversation<T extends { last_message: { id: number } | null }>(row: T, held: T): T {
  return (held.last_message?.id ?? 0) > (row.last_message?.id ?? 0) ? held : row;
}

export type MessageEffect =
  /** The conversation moved on (`conversation`): a message new to it. */
  | { effect: 'applied'; conversation: Conversation }
  /** Its last message is as new or newer: a duplicate delivery, or one the list brought first. */
  | { effect: 'duplicate' }
  /** A conversation the desk does not hold: the list has it. */
  | { effect: 'unknown' };

/**
 * A message posted in a conversation: its last message, and one more unread
 * unless the user (`me`) wrote it.
 */
export function applyMessage(conversation: Conversation | undefined, message: Message, me: number): MessageEffect {
  if (!conversation) return { effect: 'unknown' };
  if (conversation.last_message && conversation.last_message.id >= message.id) return { effect: 'duplicate' };
  return {
    effect: 'applied',
    conversation: {
      ...conversation,
      last_message: message,
      unread_count: message.sender_id === me ? conversation.unread_count : conversation.unread_count + 1,
      updated_at: message.created_at,
    },
  };
}

/** A read receipt: the user's own (`me`) clears the unread count up to it; another's changes nothing here. */
export function applyRead(conversation: Conversation, read: MessageReadData, me: number): Conversation | null {
  if (read.user_id !== me) return null;
  return { ...conversation, unread_count: 0, last_read_message_id: read.last_read_message_id };
}

/**
 * The server's list against what is held. Each row newest wins against the
 * copy held (`newerConversation`); one the user read here while the read waits
 * in the outbox (`readHere`) stays read. `arrived`: last messages the list
 * brought that the copy held did not have (announced once, here, or their
 * alert is lost); none for a conversation not held before.
 */
export function applyConversationsRead(
  held: ReadonlyMap<number, Conversation>,
  read: readonly Conversation[],
  readHere: ReadonlySet<number>,
): { conversations: Conversation[]; arrived: Message[] } {
  const conversations: Conversation[] = [];
  const arrived: Message[] = [];
  for (const row of read) {
    const mine = held.get(row.id);
    const newest = mine ? newerConversation(row, mine) : row;
    const conversation = readHere.has(row.id) ? readUpTo(newest) : newest;
    const last = conversation.last_message;
    if (mine && last && last.id > (mine.last_message?.id ?? 0)) arrived.push(last);
    conversations.push(conversation);
  }
  return { conversations, arrived };
}

// ── threads ──────────────────────────────────────────────────────────────

/** A stored message in a thread: once, in id order. The same list when it was there already. */
export function withMessage(thread: readonly Message[], message: Message): readonly Message[] {
  if (thread.some((m) => m.id === message.id)) return thread;
  return [...thread, message].sort((a, b) => a.id - b.id);
}

/** Two pages of a thread together: each message once (the later copy), in id order. */
export function mergeThread(held: readonly Message[], read: readonly Message[]): Message[] {
  return [...new Map([...held, ...read].map((m) => [m.id, m])).values()].sort((a, b) => a.id - b.id);
}

// ── the user's messages on their way ─────────────────────────────────────

/** A pending message (new, or its state changed), by clientId, in the order they were written. */
export function placeOutgoing(list: readonly OutgoingMessage[], message: OutgoingMessage): OutgoingMessage[] {
  const index = list.findIndex((m) => m.clientId === message.clientId);
  if (index < 0) return [...list, message];
  const next = list.slice();
  next[index] = message;
  return next;
}

/** The server stored it (or the user let it go): its pending copy goes. */
export function settleOutgoing(list: readonly OutgoingMessage[], clientId: string): readonly OutgoingMessage[] {
  return list.some((m) => m.clientId === clientId) ? list.filter((m) => m.clientId !== clientId) : list;
}
