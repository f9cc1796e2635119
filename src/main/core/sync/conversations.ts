import { z } from 'zod';
import { Conversation, type Message } from '../../../shared/domain';
import type { MessagePayload } from '../../../shared/payloads';
import { compareIso } from '../../../shared/time';
import { newerConversation } from './newest-wins';
import type { FeatureOutcome } from './features';
import type { PartContext } from './part';

const ConversationList = z.array(Conversation);
const SNAPSHOT = 'conversations';

/**
 * The conversations the user can see, with their last message and unread
 * count: listed by the server, moved along by `message-sent` / `message-read`
 * on each one's channel. A message the desk cannot place (the seed's bare-text
 * form, an unknown conversation) asks for the list again.
 */
export class ConversationsPart {
  private readonly byId = new Map<number, Conversation>();

  constructor(
    private readonly ctx: PartContext,
    /** Conversations the user read whose read waits in the outbox: the list may not know it yet. */
    private readonly pendingReads: () => ReadonlySet<number> = () => new Set(),
  ) {}

  /** Most recently active first (as instants: servers may write offsets). */
  list(): Conversation[] {
    return [...this.byId.values()].sort((a, b) => compareIso(b.updated_at, a.updated_at));
  }

  get(id: number): Conversation | undefined {
    return this.byId.get(id);
  }

  restore(): void {
    for (const c of this.ctx.loadSnapshot(SNAPSHOT, ConversationList) ?? []) this.byId.set(c.id, c);
  }

  async sync(): Promise<FeatureOutcome> {
    const listing = await this.ctx.api.conversations();
    const held = new Map(this.byId);
    const readHere = this.pendingReads();
    let missed = 0;
    this.byId.clear();
    for (const row of listing.items) {
      const mine = held.get(row.id);
      const newest = mine ? newerConversation(row, mine) : row;
      const conversation = readHere.has(row.id) ? readUpTo(newest) : newest;
      // The list can bring a message before its live delivery, which then counts as a duplicate:
      // announce it here, once, or its alert is lost. (Not on the first listing: nothing is new then.)
      const arrived = conversation.last_message;
      if (mine && arrived && arrived.id > (mine.last_message?.id ?? 0)) {
        this.ctx.emit({ kind: 'message.created', message: arrived, pending: false });
        missed++;
      }
      this.byId.set(row.id, conversation);
      this.ctx.emit({ kind: 'conversation.updated', conversation });
    }
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConversationList);
    return { ...listing, unannounced: missed };
  }

  /** A live message event; `refresh` when the list must be read to place it. */
  onEvent(payload: Exclude<MessagePayload, { type: 'typing' }>): 'applied' | 'ignored' | 'refresh' {
    const conversation = this.byId.get(payload.conversation_id);
    if (payload.type === 'read') {
      this.ctx.emit({ kind: 'message.read', conversationId: payload.conversation_id, read: payload.data });
      if (conversation && payload.data.user_id === this.ctx.user.id) this.put({ ...conversation, unread_count: 0, last_read_message_id: payload.data.last_read_message_id });
      return 'applied';
    }
    const message = payload.data.message;
    if (typeof message === 'string' || !conversation) return 'refresh';
    if (conversation.last_message && conversation.last_message.id >= message.id) return 'ignored'; // a duplicate delivery
    this.ctx.emit({ kind: 'message.created', message, pending: false });
    this.put({
      ...conversation,
      last_message: message,
      unread_count: message.sender_id === this.ctx.user.id ? conversation.unread_count : conversation.unread_count + 1,
      updated_at: message.created_at,
    });
    return 'applied';
  }

  /** The user read it on this desk: nothing unread, up to its last message (the server hears it through the outbox). */
  readLocally(id: number): void {
    const conversation = this.byId.get(id);
    if (conversation) this.put(readUpTo(conversation));
  }

  /** The user's own message, as the server stored it; a reply that arrived first stays the last message. */
  sent(message: Message): void {
    const conversation = this.byId.get(message.conversation_id);
    if (!conversation || (conversation.last_message && conversation.last_message.id >= message.id)) return;
    this.put({ ...conversation, last_message: message, updated_at: message.created_at });
  }

  /** Kept in the snapshot too: a message announced live is not announced again after a restart. */
  put(conversation: Conversation): void {
    this.byId.set(conversation.id, conversation);
    this.ctx.emit({ kind: 'conversation.updated', conversation });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConversationList);
  }
}

function readUpTo(c: Conversation): Conversation {
  return { ...c, unread_count: 0, last_read_message_id: c.last_message?.id ?? c.last_read_message_id };
}
