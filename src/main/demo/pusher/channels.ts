/**
 * Who is subscribed to what, for one app. Presence members are counted per
 * user, not per socket: a user with two connections is one member, added on
 * the first subscription and removed when the last one goes.
 */
import type { PresenceMember } from './protocol';

interface ChannelState {
  /** socket id → presence user id (undefined on non-presence channels). */
  readonly sockets: Map<string, string | undefined>;
  readonly members: Map<string, { info: unknown; sockets: Set<string> }>;
}

export interface ChannelInfo {
  occupied: boolean;
  subscriptionCount: number;
  /** Distinct presence users; only for presence channels. */
  userCount?: number;
}

export class ChannelRegistry {
  private readonly channels = new Map<string, ChannelState>();

  /** Idempotent; `memberAdded` is true only when the user was not a member before. */
  subscribe(channel: string, socketId: string, member?: PresenceMember): { memberAdded: boolean } {
    let state = this.channels.get(channel);
    if (state === undefined) {
      state = { sockets: new Map(), members: new Map() };
      this.channels.set(channel, state);
    }
    if (state.sockets.has(socketId)) return { memberAdded: false };
    state.sockets.set(socketId, member?.userId);
    if (member === undefined) return { memberAdded: false };
    const existing = state.members.get(member.userId);
    if (existing !== undefined) {
      // The first connection's info stays: it is what the others were told in member_added.
      existing.sockets.add(socketId);
      return { memberAdded: false };
    }
    state.members.set(member.userId, { info: member.userInfo, sockets: new Set([socketId]) });
    return { memberAdded: true };
  }

  unsubscribe(channel: string, socketId: string): { wasSubscribed: boolean; userId?: string; memberRemoved: boolean } {
    const state = this.channels.get(channel);
    if (state === undefined || !state.sockets.has(socketId)) return { wasSubscribed: false, memberRemoved: false };
    const userId = state.sockets.get(socketId);
    state.sockets.delete(socketId);
    let memberRemoved = false;
    if (userId !== undefined) {
      const member = state.members.get(userId);
      member?.sockets.delete(socketId);
      if (member !== undefined && member.sockets.size === 0) {
        state.members.delete(userId);
        memberRemoved = true;
      }
    }
    if (state.sockets.size === 0) this.channels.delete(channel);
    return userId === undefined ? { wasSubscribed: true, memberRemoved } : { wasSubscribed: true, userId, memberRemoved };
  }

  isSubscribed(channel: string, socketId: string): boolean {
    return this.channels.get(channel)?.sockets.has(socketId) ?? false;
  }

  subscribers(channel: string): string[] {
    const state = this.channels.get(channel);
    return state === undefined ? [] : [...state.sockets.keys()];
  }

  members(channel: string): PresenceMember[] {
    const state = this.channels.get(channel);
    if (state === undefined) return [];
    return [...state.members.entries()].map(([userId, member]) => ({ userId, userInfo: member.info }));
  }

  info(channel: string, isPresence: boolean): ChannelInfo {
    const state = this.channels.get(channel);
    const subscriptionCount = state?.sockets.size ?? 0;
    const base = { occupied: subscriptionCount > 0, subscriptionCount };
    return isPresence ? { ...base, userCount: state?.members.size ?? 0 } : base;
  }

  occupiedChannels(): string[] {
    return [...this.channels.keys()];
  }
}
