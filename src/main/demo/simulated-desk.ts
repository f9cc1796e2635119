import Pusher from 'pusher-js';
import type { Channel } from 'pusher-js';
import { channels } from '../../shared/channels';
import { TYPING_CLIENT_EVENT } from '../../shared/payloads';
import { guardPusher } from '../core/realtime/pusher-guard';
import type { DemoLogger } from './logger';

/**
 * A colleague's desk in the demo clinic: a real pusher-js client that signs in
 * to the presence channel through `/broadcasting/auth`, so "who is online" and
 * "is typing…" reach the desks under test exactly as they would from people.
 */

export interface DeskEndpoints {
  apiUrl: string;
  wsHost: string;
  wsPort: number;
  appKey: string;
}

export class SimulatedDesk {
  private readonly pusher: Pusher;
  private readonly joined = new Map<string, Channel>();

  constructor(
    readonly userId: number,
    private readonly clinicId: number,
    token: string,
    endpoints: DeskEndpoints,
    private readonly logger: DemoLogger,
  ) {
    // A colleague's whisper must not crash the demo (in the preview host and the app, the desk's own process).
    guardPusher(Pusher);
    this.pusher = new Pusher(endpoints.appKey, {
      cluster: 'mt1',
      wsHost: endpoints.wsHost,
      wsPort: endpoints.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) => {
          fetch(`${endpoints.apiUrl}/broadcasting/auth`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ socket_id: socketId, channel_name: channelName }).toString(),
          })
            .then(async (res) => {
              if (!res.ok) throw new Error(`auth ${res.status}`);
              callback(null, (await res.json()) as { auth: string; channel_data?: string });
            })
            .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null));
        },
      },
    });
  }

  /** Comes online in the clinic's presence channel; resolves once subscribed. */
  goOnline(timeoutMs = 5000): Promise<void> {
    if (this.pusher.connection.state === 'disconnected') this.pusher.connect();
    const channel = this.subscribe(channels.presenceClinic(this.clinicId).fullName);
    if (channel.subscribed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`desk of user ${this.userId} did not come online`)), timeoutMs);
      channel.bind('pusher:subscription_succeeded', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Whispers `typing` on a conversation, as Echo's `whisper('typing', ...)` does;
   * resolves once sent (after subscribing, the first time), or after `timeoutMs`
   * when the channel could not be joined (a whisper is best effort).
   */
  typing(conversationId: number, name: string, typing: boolean, at: string, timeoutMs = 2000): Promise<boolean> {
    const channel = this.subscribe(channels.conversation(conversationId).fullName);
    const send = () =>
      channel.trigger(TYPING_CLIENT_EVENT, {
        conversation_id: conversationId,
        type: 'typing',
        data: { user_id: this.userId, name, typing },
        timestamp: at,
      });
    if (channel.subscribed) return Promise.resolve(send());
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        channel.unbind('pusher:subscription_succeeded', onSubscribed);
        resolve(false);
      }, timeoutMs);
      const onSubscribed = () => {
        clearTimeout(timer);
        channel.unbind('pusher:subscription_succeeded', onSubscribed);
        resolve(send());
      };
      channel.bind('pusher:subscription_succeeded', onSubscribed);
    });
  }

  /** Leaves: disconnecting is what makes the server announce `member_removed`. */
  goOffline(): void {
    this.joined.clear();
    this.pusher.disconnect();
  }

  private subscribe(name: string): Channel {
    const existing = this.joined.get(name);
    if (existing) return existing;
    const channel = this.pusher.subscribe(name);
    channel.bind('pusher:subscription_error', (status: unknown) =>
      this.logger.warn('simulated desk could not subscribe', { userId: this.userId, channel: name, status }),
    );
    this.joined.set(name, channel);
    return channel;
  }
}
