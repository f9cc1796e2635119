/**
 * One client WebSocket after a successful handshake: its subscriptions, its
 * frames, and the server-side activity check (ping after a silence, 4201 when
 * nothing comes back).
 */
import type { RawData, WebSocket } from 'ws';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../../shared/json-limits';
import { ActivityMonitor } from './activity';
import type { ChannelRegistry } from './channels';
import type { PusherLogger, ServerEventEmitter } from './events';
import type { PusherAppConfig, ResolvedOptions } from './options';
import {
  ErrorCode,
  InboundFrame,
  PresenceChannelData,
  SubscribeData,
  UnsubscribeData,
  channelKind,
  describeIssues,
  encodeFrame,
  frames,
  type OutboundFrame,
  type PresenceMember,
} from './protocol';
import { verifyChannelAuth } from './signature';

export interface ServerStats {
  connectionsTotal: number;
  framesReceived: number;
  framesRejected: number;
  framesSent: number;
  clientEventsRelayed: number;
  httpRequests: number;
  httpRejected: number;
  eventsPublished: number;
}

export interface AppRuntime {
  readonly config: PusherAppConfig;
  readonly channels: ChannelRegistry;
  readonly connections: Map<string, Connection>;
}

/** What a connection needs from the server around it. */
export interface ConnectionHost {
  readonly options: ResolvedOptions;
  readonly events: ServerEventEmitter;
  readonly logger: PusherLogger;
  readonly stats: ServerStats;
  /** Sends to every subscriber of `channel` except `exceptSocketId`; returns how many got it. */
  deliver(app: AppRuntime, channel: string, frame: OutboundFrame, exceptSocketId?: string): number;
}

const FORCED_TERMINATE_MS = 2_000;

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

/** The channel a malformed subscribe frame was about, so the refusal can be tied to it. */
function channelOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('channel' in data)) return undefined;
  return typeof data.channel === 'string' && data.channel !== '' ? data.channel : undefined;
}

export class Connection {
  /** channel → presence user id (undefined on non-presence channels). */
  private readonly subscriptions = new Map<string, string | undefined>();
  private readonly activity: ActivityMonitor;
  private terminateTimer: NodeJS.Timeout | undefined;
  private rateWindowStart = 0;
  private rateCount = 0;
  private isClosed = false;
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly socketId: string,
    readonly app: AppRuntime,
    private readonly host: ConnectionHost,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const { activityTimeoutSec, pongTimeoutSec } = host.options;
    this.activity = new ActivityMonitor(
      activityTimeoutSec * 1000,
      pongTimeoutSec * 1000,
      () => this.send(frames.ping()),
      () => this.onPongTimeout(),
    );
  }

  start(): void {
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('ping', () => this.activity.touch());
    this.ws.on('pong', () => this.activity.touch());
    this.ws.on('error', (error) => this.host.logger.warn('pusher socket error', { socketId: this.socketId, error: error.message }));
    this.ws.on('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
    this.send(frames.connectionEstablished(this.socketId, this.host.options.activityTimeoutSec));
    this.activity.touch();
  }

  sendRaw(text: string): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(text);
    this.host.stats.framesSent += 1;
    return true;
  }

  send(frame: OutboundFrame): boolean {
    const text = encodeFrame(frame);
    if (text === null) {
      this.host.logger.warn('pusher frame not sent: nested too deep to encode', { socketId: this.socketId, event: frame.event.slice(0, 64) });
      return false;
    }
    return this.sendRaw(text);
  }

  /** Tells the client why, then closes; a client that never answers the close frame is cut off. */
  shutdown(code: number, reason: string): Promise<void> {
    if (!this.isClosed && this.ws.readyState === this.ws.OPEN) {
      this.send(frames.error(code, reason));
      this.ws.close(code, reason);
      this.terminateTimer = setTimeout(() => this.ws.terminate(), FORCED_TERMINATE_MS);
    } else if (!this.isClosed) {
      this.ws.terminate();
    }
    return this.closed;
  }

  private onPongTimeout(): void {
    const reason = 'Pong reply not received';
    this.host.events.emit('rejected', { socketId: this.socketId, appId: this.app.config.id, reason, code: ErrorCode.PongNotReceived });
    void this.shutdown(ErrorCode.PongNotReceived, reason);
  }

  // --------------------------------------------------------------- frames ---

  private onMessage(data: RawData, isBinary: boolean): void {
    this.activity.touch();
    this.host.stats.framesReceived += 1;
    if (isBinary) return this.reject(ErrorCode.InvalidMessage, 'Invalid message format: binary frames are not supported');
    const size = rawSize(data);
    const limit = this.host.options.maxMessageBytes;
    if (size > limit) return this.reject(ErrorCode.MessageTooLarge, `Message of ${size} bytes exceeds the ${limit} byte limit`);
    const text = rawText(data);
    // Before parsing: a relayed client event is encoded again, and JSON.stringify overflows the stack on deep nesting.
    if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return this.reject(ErrorCode.InvalidMessage, `Invalid message format: nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      return this.reject(ErrorCode.InvalidMessage, 'Invalid message format: not JSON');
    }
    const frame = InboundFrame.safeParse(json);
    if (!frame.success) return this.reject(ErrorCode.InvalidMessage, `Invalid message format: ${describeIssues(frame.error)}`);
    this.dispatch(frame.data);
  }

  private dispatch(frame: InboundFrame): void {
    switch (frame.event) {
      case 'pusher:ping':
        this.send(frames.pong());
        return;
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        this.subscribe(frame.data);
        return;
      case 'pusher:unsubscribe': {
        const parsed = UnsubscribeData.safeParse(frame.data);
        if (!parsed.success) return this.reject(ErrorCode.InvalidMessage, `Invalid unsubscribe: ${describeIssues(parsed.error)}`);
        if (this.subscriptions.has(parsed.data.channel)) this.leave(parsed.data.channel);
        return;
      }
      default:
        if (frame.event.startsWith('client-')) return this.clientEvent(frame);
        // Pusher itself gives no code for this; pusher:signin (user authentication) lands here too.
        return this.reject(null, `Unsupported event ${JSON.stringify(frame.event.slice(0, 64))}`);
    }
  }

  private reject(code: number | null, reason: string, channel?: string): void {
    this.host.stats.framesRejected += 1;
    this.send(frames.error(code, reason, channel));
    this.host.events.emit('rejected', { socketId: this.socketId, appId: this.app.config.id, reason, code });
  }

  private refuseSubscription(channel: string, type: string, reason: string, status: number): void {
    this.host.stats.framesRejected += 1;
    this.send(frames.subscriptionError(channel, type, reason, status));
    const code = status === 401 ? ErrorCode.Unauthorized : null;
    this.host.events.emit('rejected', { socketId: this.socketId, appId: this.app.config.id, reason, code });
  }

  // -------------------------------------------------------- subscriptions ---

  private subscribe(data: unknown): void {
    const parsed = SubscribeData.safeParse(data);
    if (!parsed.success) {
      const reason = `Invalid subscribe: ${describeIssues(parsed.error)}`;
      const channel = channelOf(data);
      if (channel !== undefined) return this.refuseSubscription(channel, 'InvalidChannel', reason, 400);
      return this.reject(ErrorCode.InvalidMessage, reason);
    }
    const { channel, auth, channel_data: channelData } = parsed.data;
    const kind = channelKind(channel);
    if (this.subscriptions.has(channel)) {
      // Idempotent, as pusher-js resubscribes after its own state changes.
      this.send(frames.subscriptionSucceeded(channel, kind === 'presence' ? this.app.channels.members(channel) : undefined));
      return;
    }
    if (kind === 'private-encrypted') {
      return this.refuseSubscription(channel, 'UnsupportedChannel', 'Encrypted channels are not supported by the demo server', 400);
    }
    let member: PresenceMember | undefined;
    if (kind !== 'public') {
      const signed = kind === 'presence' ? (channelData ?? '') : undefined;
      const verdict = verifyChannelAuth(this.app.config, this.socketId, channel, auth, signed);
      if (!verdict.ok) return this.refuseSubscription(channel, 'AuthError', verdict.reason, 401);
    }
    if (kind === 'presence') {
      member = this.presenceMember(channel, channelData);
      if (member === undefined) return;
    }
    this.join(channel, member);
  }

  private presenceMember(channel: string, channelData: string | undefined): PresenceMember | undefined {
    if (jsonTextDepth(channelData ?? '', MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      this.refuseSubscription(channel, 'AuthError', `channel_data nested deeper than ${MAX_JSON_DEPTH} levels`, 400);
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(channelData ?? '') as unknown;
    } catch {
      this.refuseSubscription(channel, 'AuthError', 'channel_data must be a JSON string for presence channels', 400);
      return undefined;
    }
    const parsed = PresenceChannelData.safeParse(json);
    if (!parsed.success) {
      this.refuseSubscription(channel, 'AuthError', `Invalid channel_data: ${describeIssues(parsed.error)}`, 400);
      return undefined;
    }
    return { userId: String(parsed.data.user_id), userInfo: parsed.data.user_info ?? {} };
  }

  private join(channel: string, member: PresenceMember | undefined): void {
    const appId = this.app.config.id;
    const { memberAdded } = this.app.channels.subscribe(channel, this.socketId, member);
    this.subscriptions.set(channel, member?.userId);
    this.send(frames.subscriptionSucceeded(channel, member === undefined ? undefined : this.app.channels.members(channel)));
    if (member !== undefined && memberAdded) {
      this.host.deliver(this.app, channel, frames.memberAdded(channel, member), this.socketId);
      this.host.events.emit('member_added', { appId, channel, userId: member.userId });
    }
    const userId = member?.userId;
    this.host.events.emit('subscribed', userId === undefined ? { socketId: this.socketId, appId, channel } : { socketId: this.socketId, appId, channel, userId });
  }

  private leave(channel: string): void {
    const appId = this.app.config.id;
    this.subscriptions.delete(channel);
    const result = this.app.channels.unsubscribe(channel, this.socketId);
    if (!result.wasSubscribed) return;
    if (result.userId !== undefined && result.memberRemoved) {
      this.host.deliver(this.app, channel, frames.memberRemoved(channel, result.userId), this.socketId);
      this.host.events.emit('member_removed', { appId, channel, userId: result.userId });
    }
    const userId = result.userId;
    this.host.events.emit('unsubscribed', userId === undefined ? { socketId: this.socketId, appId, channel } : { socketId: this.socketId, appId, channel, userId });
  }

  // -------------------------------------------------------- client events ---

  private clientEvent(frame: InboundFrame): void {
    const channel = frame.channel;
    if (channel === undefined || channel === '') return this.reject(null, 'Client event rejected - a channel is required');
    const kind = channelKind(channel);
    if (kind === 'public') {
      return this.reject(null, 'Client event rejected - only supported on private and presence channels', channel);
    }
    if (!this.subscriptions.has(channel)) {
      return this.reject(null, `Client event rejected - not subscribed to ${channel}`, channel);
    }
    if (!this.withinRateLimit()) {
      return this.reject(ErrorCode.ClientEventRateLimit, 'Client event rejected due to rate limit', channel);
    }
    const userId = this.subscriptions.get(channel);
    this.host.deliver(this.app, channel, frames.event(channel, frame.event, frame.data, userId), this.socketId);
    this.host.stats.clientEventsRelayed += 1;
    const payload = { socketId: this.socketId, appId: this.app.config.id, channel, event: frame.event, data: frame.data };
    this.host.events.emit('client_event', userId === undefined ? payload : { ...payload, userId });
  }

  private withinRateLimit(): boolean {
    const now = Date.now();
    if (now - this.rateWindowStart >= 1000) {
      this.rateWindowStart = now;
      this.rateCount = 0;
    }
    this.rateCount += 1;
    return this.rateCount <= this.host.options.clientEventsPerSecond;
  }

  // ---------------------------------------------------------------- close ---

  private onClose(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.activity.stop();
    clearTimeout(this.terminateTimer);
    for (const channel of [...this.subscriptions.keys()]) this.leave(channel);
    this.app.connections.delete(this.socketId);
    this.host.logger.info('pusher connection closed', { socketId: this.socketId, appId: this.app.config.id, code, reason });
    this.host.events.emit('disconnection', { socketId: this.socketId, appId: this.app.config.id, code, reason });
    this.resolveClosed();
  }
}
