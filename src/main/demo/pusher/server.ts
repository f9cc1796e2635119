/**
 * The demo clinic's Pusher Channels server: protocol 7 over WebSocket on
 * `/app/{key}` and the signed HTTP API on the same port, for real pusher-js,
 * laravel-echo and `pusher` SDK clients on the loopback interface.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomInt } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChannelRegistry, type ChannelInfo } from './channels';
import { Connection, type AppRuntime, type ServerStats } from './connection';
import { ServerEventEmitter, type Listener, type PusherLogger, type PusherServerEventName } from './events';
import { handleHttpRequest, type HttpApiHost } from './http-api';
import { resolveOptions, type PusherServerOptions, type ResolvedOptions } from './options';
import { ErrorCode, SERVER_CLOSING_REASON, SUPPORTED_PROTOCOLS, channelKind, encodeFrame, frames, type OutboundFrame } from './protocol';

export type { PusherAppConfig, PusherServerOptions } from './options';
export type { PusherLogger, PusherServerEvents, PusherServerEventName } from './events';
export type { ServerStats } from './connection';

export interface PusherChannelInfo extends ChannelInfo {
  /** Presence member ids, in join order; only for presence channels. */
  userIds?: string[];
}

export interface PusherServer {
  readonly host: string;
  readonly port: number;
  /** `ws://host:port/app/{key}?protocol=7`, for raw clients; pusher-js builds its own from wsHost/wsPort. */
  wsUrl(appKey: string): string;
  /** `http://host:port`, the HTTP API base (what the `pusher` SDK takes as host/port). */
  readonly httpUrl: string;
  /** Closes every client with 4200, then the listener; idempotent, and the port is free when it resolves. */
  close(): Promise<void>;
  /** Server-side trigger without HTTP: same delivery as POST /events. Throws on an unknown app id. */
  publish(appId: string, channels: string[], event: string, data: string, exceptSocketId?: string): void;
  /**
   * Sends `text` as it is, unchecked, to every subscriber of `channel`: what a broken or
   * hostile server could send (non-JSON, frame-level nesting, no event). For tests and the
   * fuzz suite; returns how many sockets got it.
   */
  injectRaw(appId: string, channel: string, text: string): number;
  channelInfo(appId: string, channel: string): PusherChannelInfo;
  /** Open connections, of one app or of all apps. */
  connectionCount(appId?: string): number;
  stats(): ServerStats;
  /** Returns the function that removes the listener. */
  on<K extends PusherServerEventName>(event: K, listener: Listener<K>): () => void;
}

/** Hard cap of ws itself: above it the socket is closed with 1009 instead of answered. */
const HARD_FRAME_CAP_BYTES = 1024 * 1024;

function newSocketId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;
    if (!taken(id)) return id;
  }
}

class PusherServerImpl implements HttpApiHost {
  readonly events: ServerEventEmitter;
  readonly stats: ServerStats = {
    connectionsTotal: 0,
    framesReceived: 0,
    framesRejected: 0,
    framesSent: 0,
    clientEventsRelayed: 0,
    httpRequests: 0,
    httpRejected: 0,
    eventsPublished: 0,
  };
  readonly logger: PusherLogger;
  private readonly appsById = new Map<string, AppRuntime>();
  private readonly appsByKey = new Map<string, AppRuntime>();
  private readonly http = createServer((req, res) => {
    handleHttpRequest(this, req, res).catch((error: unknown) => {
      this.logger.warn('pusher http handler failed', { error: String(error) });
      res.destroy();
    });
  });
  private readonly wss: WebSocketServer;
  private closing: Promise<void> | undefined;

  constructor(readonly options: ResolvedOptions) {
    this.logger = options.logger;
    this.events = new ServerEventEmitter(options.logger);
    for (const config of options.apps) {
      const app: AppRuntime = { config, channels: new ChannelRegistry(), connections: new Map() };
      this.appsById.set(config.id, app);
      this.appsByKey.set(config.key, app);
    }
    const maxPayload = Math.max(HARD_FRAME_CAP_BYTES, options.maxMessageBytes * 4);
    this.wss = new WebSocketServer({ noServer: true, maxPayload });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_error, socket) => socket.destroy());
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  appById(id: string): AppRuntime | undefined {
    return this.appsById.get(id);
  }

  deliver(app: AppRuntime, channel: string, frame: OutboundFrame, exceptSocketId?: string): number {
    const text = encodeFrame(frame);
    if (text === null) {
      this.logger.warn('pusher event not delivered: nested too deep to encode', { channel, event: frame.event.slice(0, 64) });
      return 0;
    }
    let recipients = 0;
    for (const socketId of app.channels.subscribers(channel)) {
      if (socketId === exceptSocketId) continue;
      if (app.connections.get(socketId)?.sendRaw(text) === true) recipients += 1;
    }
    return recipients;
  }

  injectRaw(app: AppRuntime, channel: string, text: string): number {
    let recipients = 0;
    for (const socketId of app.channels.subscribers(channel)) {
      if (app.connections.get(socketId)?.sendRaw(text) === true) recipients += 1;
    }
    return recipients;
  }

  publish(app: AppRuntime, channels: readonly string[], event: string, data: string, exceptSocketId?: string): number {
    let recipients = 0;
    for (const channel of channels) recipients += this.deliver(app, channel, frames.event(channel, event, data), exceptSocketId);
    this.stats.eventsPublished += 1;
    this.events.emit('published', { appId: app.config.id, channels: [...channels], event, recipients });
    return recipients;
  }

  connectionCount(appId?: string): number {
    if (appId !== undefined) return this.appsById.get(appId)?.connections.size ?? 0;
    let count = 0;
    for (const app of this.appsById.values()) count += app.connections.size;
    return count;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Stop accepting first: pusher-js answers 4200 by reconnecting at once.
    const listenerClosed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    const closes: Promise<void>[] = [];
    for (const app of this.appsById.values()) {
      for (const connection of app.connections.values()) {
        closes.push(connection.shutdown(ErrorCode.ReconnectImmediately, SERVER_CLOSING_REASON));
      }
    }
    await Promise.all(closes);
    // Sockets refused during their handshake, or mid-upgrade, are not Connections.
    for (const ws of this.wss.clients) ws.terminate();
    this.http.closeAllConnections();
    await listenerClosed;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.logger.info('pusher server closed', { port: this.options.port });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
  }

  private refuse(ws: WebSocket, code: number, message: string, appId?: string): void {
    ws.on('error', () => undefined);
    const text = encodeFrame(frames.error(code, message));
    if (text !== null) ws.send(text);
    ws.close(code, message);
    this.events.emit('rejected', appId === undefined ? { reason: message, code } : { appId, reason: message, code });
    this.logger.info('pusher connection refused', { code, reason: message });
  }

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://pusher.invalid');
    const key = /^\/app\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    if (key === undefined) return this.refuse(ws, ErrorCode.PathNotFound, `Path not found: ${url.pathname}`);
    const app = this.appsByKey.get(decodeURIComponent(key));
    if (app === undefined) return this.refuse(ws, ErrorCode.AppDoesNotExist, `App key ${key} does not exist.`);
    const protocol = url.searchParams.get('protocol');
    if (protocol === null || protocol === '') {
      return this.refuse(ws, ErrorCode.NoProtocolVersion, 'No protocol version supplied', app.config.id);
    }
    if (!/^\d+$/.test(protocol)) return this.refuse(ws, ErrorCode.InvalidVersionFormat, 'Invalid version string format', app.config.id);
    if (!SUPPORTED_PROTOCOLS.includes(Number(protocol))) {
      return this.refuse(ws, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version ${protocol}`, app.config.id);
    }
    const socketId = newSocketId((id) => app.connections.has(id));
    const connection = new Connection(ws, socketId, app, this);
    app.connections.set(socketId, connection);
    this.stats.connectionsTotal += 1;
    connection.start();
    this.logger.info('pusher connection opened', { socketId, appId: app.config.id });
    this.events.emit('connection', { socketId, appId: app.config.id });
  }

  channelInfo(appId: string, channel: string): PusherChannelInfo {
    const app = this.requireApp(appId);
    const isPresence = channelKind(channel) === 'presence';
    const info = app.channels.info(channel, isPresence);
    return isPresence ? { ...info, userIds: app.channels.members(channel).map((m) => m.userId) } : info;
  }

  requireApp(appId: string): AppRuntime {
    const app = this.appsById.get(appId);
    if (app === undefined) throw new RangeError(`unknown Pusher app id ${appId}`);
    return app;
  }
}

export async function startPusherServer(options: PusherServerOptions): Promise<PusherServer> {
  const impl = new PusherServerImpl(resolveOptions(options));
  const address = await impl.listen();
  const host = impl.options.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  impl.logger.info('pusher server listening', { host, port: address.port });
  return {
    host,
    port: address.port,
    httpUrl: `http://${urlHost}:${address.port}`,
    wsUrl: (appKey) => `ws://${urlHost}:${address.port}/app/${encodeURIComponent(appKey)}?protocol=7&client=clinic-desk-demo&version=1`,
    close: () => impl.close(),
    publish: (appId, channels, event, data, exceptSocketId) => {
      impl.publish(impl.requireApp(appId), channels, event, data, exceptSocketId);
    },
    injectRaw: (appId, channel, text) => impl.injectRaw(impl.requireApp(appId), channel, text),
    channelInfo: (appId, channel) => impl.channelInfo(appId, channel),
    connectionCount: (appId) => impl.connectionCount(appId),
    stats: () => ({ ...impl.stats }),
    on: (event, listener) => impl.events.on(event, listener),
  };
}
