import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { OutgoingMessage } from '../../../shared/desk-state';
import { Conversation, type Message } from '../../../shared/domain';
import type { MessagePayload } from '../../../shared/payloads';
import { applyConversationsRead, applyMessage, applyRead, byActivity, readUpTo } from '../../../shared/reducers/conversations';
import type { OutboxEntry } from '../cache/cache';
import type { FeatureOutcome } from './features';
import type { PartContext } from './part';

const ConversationList = z.array(Conversation);
const SNAPSHOT = 'conversations';

/**
 * The conversations the user can see, with their last message and unread
 * count: listed by the server, moved along by `message-sent` / `message-read`
 * on each one's channel. A message the desk cannot place (the seed's bare-text
 * form, an unknown conversation) asks for the list again. What a list or an
 * event does to a conversation is the shared reducer's
 * (`src/shared/reducers/conversations.ts`), which the window uses too.
 */
export class ConversationsPart {
  private readonly byId = new Map<number, Conversation>();
  /** The list was read (and announced) once: after that only conversations a read changed are announced. */
  private listed = false;

  constructor(
    private readonly ctx: PartContext,
    /** Conversations the user read whose read waits in the outbox: the list may not know it yet. */
    private readonly pendingReads: () => ReadonlySet<number> = () => new Set(),
  ) {}

  /** Most recently active first (as instants: servers may write offsets). */
  list(): Conversation[] {
    return [...this.byId.values()].sort(byActivity);
  }

  get(id: number): Conversation | undefined {
    return this.byId.get(id);
  }

  restore(): void {
    for (const c of this.ctx.loadSnapshot(SNAPSHOT, ConversationList) ?? []) this.byId.set(c.id, c);
  }

  async sync(): Promise<FeatureOutcome> {
    const listing = await this.ctx.api.conversations();
    const read = applyConversationsRead(this.byId, listing.items, this.pendingReads());
    // The list can bring a message before its live delivery, which then counts as a duplicate:
    // announce it here, once, or its alert is lost. (Not on the first listing: nothing is new then.)
    const arrived = new Map(read.arrived.map((m) => [m.conversation_id, m]));
    const held = new Map(this.byId);
    const announceAll = !this.listed;
    this.listed = true;
    this.byId.clear();
    let changed = read.conversations.length !== held.size;
    for (const conversation of read.conversations) {
      const message = arrived.get(conversation.id);
      if (message) this.ctx.emit({ kind: 'message.created', message, clientId: null });
      this.byId.set(conversation.id, conversation);
      // A reconciliation answered 304 (or with the same list) leaves them as they were: the window has them.
      if (!announceAll && isDeepStrictEqual(held.get(conversation.id), conversation)) continue;
      changed = true;
      this.ctx.emit({ kind: 'conversation.updated', conversation });
    }
    if (announceAll || changed) this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConversationList);
    return { ...listing, unannounced: read.arrived.length };
  }

  /** A live message event; `refresh` when the list must be read to place it. */
  onEvent(payload: Exclude<MessagePayload, { type: 'typing' }>): 'applied' | 'ignored' | 'refresh' {
    const conversation = this.byId.get(payload.conversation_id);
    if (payload.type === 'read') {
      this.ctx.emit({ kind: 'message.read', conversationId: payload.conversation_id, read: payload.data });
      const read = conversation ? applyRead(conversation, payload.data, this.ctx.user.id) : null;
      if (read) this.put(read);
      return 'applied';
    }
    const message = payload.data.message;
    if (typeof message === 'string') return 'refresh';
    const applied = applyMessage(conversation, message, this.ctx.user.id);
    if (applied.effect === 'unknown') return 'refresh';
    if (applied.effect === 'duplicate') return 'ignored';
    this.ctx.emit({ kind: 'message.created', message, clientId: null });
    this.put(applied.conversation);
    return 'applied';
  }

  /** The user read it on this desk: nothing unread, up to its last message (the server hears it through the outbox). */
  readLocally(id: number): void {
    const conversation = this.byId.get(id);
    if (conversation) this.put(readUpTo(conversation));
  }

  /** The user's own message, as the server stored it; a reply that arrived first stays the last message. */
  sent(message: Message): void {
    const applied = applyMessage(this.byId.get(message.conversation_id), message, this.ctx.user.id);
    if (applied.effect === 'applied') this.put(applied.conversation);
  }

  /** The server stored a message this desk sent (`clientId`): its pending copy is replaced by it, and the conversation moves on. */
  stored(message: Message, clientId: string): void {
    this.ctx.emit({ kind: 'message.created', message, clientId });
    this.sent(message);
  }

  /** Kept in the snapshot too: a message announced live is not announced again after a restart. */
  put(conversation: Conversation): void {
    this.byId.set(conversation.id, conversation);
    this.ctx.emit({ kind: 'conversation.updated', conversation });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConversationList);
  }
}

/** The pending message an outbox entry holds (null for other actions), as the window shows it. */
export function outgoingOf(entry: OutboxEntry, state: OutgoingMessage['state'], error: string | null): OutgoingMessage | null {
  const a = entry.action;
  if (a.kind !== 'send-message') return null;
  return { clientId: a.clientId, conversationId: a.conversationId, body: a.body, createdAt: entry.createdAt, state, error: error === null ? null : error.slice(0, 1000) };
}
