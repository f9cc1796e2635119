/**
 * What the demo server reports about itself: a typed event stream that tests
 * and the scenario engine wait on (instead of sleeping), and the logger shape.
 */

export interface PusherLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export const quietPusherLogger: PusherLogger = { info: () => undefined, warn: () => undefined };

export interface PusherServerEvents {
  connection: { socketId: string; appId: string };
  disconnection: { socketId: string; appId: string; code: number; reason: string };
  subscribed: { socketId: string; appId: string; channel: string; userId?: string };
  unsubscribed: { socketId: string; appId: string; channel: string; userId?: string };
  member_added: { appId: string; channel: string; userId: string };
  member_removed: { appId: string; channel: string; userId: string };
  client_event: { socketId: string; appId: string; channel: string; event: string; data: unknown; userId?: string };
  /** A frame, handshake or subscription the server refused; `code` is null where Pusher sends none. */
  rejected: { socketId?: string; appId?: string; reason: string; code: number | null };
  /** An event delivered through the HTTP API or `publish()`; `recipients` counts sockets. */
  published: { appId: string; channels: string[]; event: string; recipients: number };
  http_rejected: { appId?: string; status: number; reason: string };
}

export type PusherServerEventName = keyof PusherServerEvents;
export type Listener<K extends PusherServerEventName> = (payload: PusherServerEvents[K]) => void;

type ListenerTable = { [K in PusherServerEventName]: Set<Listener<K>> };

export class ServerEventEmitter {
  private readonly table: ListenerTable = {
    connection: new Set(),
    disconnection: new Set(),
    subscribed: new Set(),
    unsubscribed: new Set(),
    member_added: new Set(),
    member_removed: new Set(),
    client_event: new Set(),
    rejected: new Set(),
    published: new Set(),
    http_rejected: new Set(),
  };

  constructor(private readonly logger: PusherLogger) {}

  /** Returns the function that removes the listener. */
  on<K extends PusherServerEventName>(event: K, listener: Listener<K>): () => void {
    const set: Set<Listener<K>> = this.table[event];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends PusherServerEventName>(event: K, payload: PusherServerEvents[K]): void {
    const set: Set<Listener<K>> = this.table[event];
    for (const listener of [...set]) {
      // A throwing observer must not break the socket that triggered the event.
      try {
        listener(payload);
      } catch (error) {
        this.logger.warn('pusher server event listener threw', { event, error: String(error) });
      }
    }
  }
}
