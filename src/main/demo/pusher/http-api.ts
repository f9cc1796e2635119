/**
 * The Pusher HTTP API on the WebSocket port, as Soketi and Reverb serve it:
 * events, batch_events and the channel queries, each request signed with the
 * app secret exactly as the official `pusher` SDK signs it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../../shared/json-limits';
import type { AppRuntime, ConnectionHost } from './connection';
import { ChannelName, EventName, SocketId, channelKind, describeIssues } from './protocol';
import { verifyRequest } from './signature';

export interface HttpApiHost extends ConnectionHost {
  appById(id: string): AppRuntime | undefined;
  /** Returns the number of sockets the event reached. */
  publish(app: AppRuntime, channels: readonly string[], event: string, data: string, exceptSocketId?: string): number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const EventBody = z
  .object({
    name: EventName,
    data: z.string({ error: 'data must be a string (JSON-encode objects first)' }),
    channels: z.array(ChannelName).min(1).optional(),
    channel: ChannelName.optional(),
    socket_id: SocketId.optional(),
    info: z.string().optional(),
  })
  .refine((body) => (body.channels === undefined) !== (body.channel === undefined), {
    message: 'give exactly one of "channels" or "channel"',
  });

const BatchBody = z.object({
  batch: z.array(
    z.object({
      name: EventName,
      data: z.string({ error: 'data must be a string (JSON-encode objects first)' }),
      channel: ChannelName,
      socket_id: SocketId.optional(),
      info: z.string().optional(),
    }),
  ),
});

type InfoAttribute = 'user_count' | 'subscription_count';

function parseInfo(info: string | null | undefined): InfoAttribute[] {
  if (info === null || info === undefined || info.trim() === '') return [];
  return info.split(',').map((raw) => {
    const attribute = raw.trim();
    if (attribute === 'user_count' || attribute === 'subscription_count') return attribute;
    throw new HttpError(400, `Unsupported info attribute ${JSON.stringify(attribute)}`);
  });
}

function channelAttributes(app: AppRuntime, channel: string, info: readonly InfoAttribute[]): Record<string, number> {
  const isPresence = channelKind(channel) === 'presence';
  const state = app.channels.info(channel, isPresence);
  const result: Record<string, number> = {};
  if (info.includes('subscription_count')) result.subscription_count = state.subscriptionCount;
  if (info.includes('user_count') && state.userCount !== undefined) result.user_count = state.userCount;
  return result;
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): T {
  const text = body.toString('utf8');
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new HttpError(400, `Body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, `Invalid body: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function checkDataSize(host: HttpApiHost, data: string): void {
  const size = Buffer.byteLength(data, 'utf8');
  const limit = host.options.maxMessageBytes;
  if (size > limit) throw new HttpError(413, `Event data of ${size} bytes exceeds the ${limit} byte limit`);
}

function triggerEvents(host: HttpApiHost, app: AppRuntime, body: Buffer): unknown {
  const event = parseJson(body, EventBody);
  const channels = event.channels ?? (event.channel === undefined ? [] : [event.channel]);
  if (channels.length > host.options.maxChannelsPerEvent) {
    throw new HttpError(400, `Cannot publish to more than ${host.options.maxChannelsPerEvent} channels at once`);
  }
  checkDataSize(host, event.data);
  const info = parseInfo(event.info);
  host.publish(app, channels, event.name, event.data, event.socket_id);
  if (info.length === 0) return {};
  return { channels: Object.fromEntries(channels.map((channel) => [channel, channelAttributes(app, channel, info)])) };
}

function triggerBatch(host: HttpApiHost, app: AppRuntime, body: Buffer): unknown {
  const { batch } = parseJson(body, BatchBody);
  if (batch.length > host.options.maxBatchEvents) {
    throw new HttpError(400, `Batch of ${batch.length} events exceeds the limit of ${host.options.maxBatchEvents}`);
  }
  // Validate the whole batch before publishing any of it: all or nothing.
  for (const item of batch) checkDataSize(host, item.data);
  const infos = batch.map((item) => parseInfo(item.info));
  const results = batch.map((item, index) => {
    host.publish(app, [item.channel], item.name, item.data, item.socket_id);
    const info = infos[index] ?? [];
    return info.length === 0 ? {} : channelAttributes(app, item.channel, info);
  });
  return { batch: results };
}

function listChannels(app: AppRuntime, query: URLSearchParams): unknown {
  const prefix = query.get('filter_by_prefix') ?? '';
  const info = parseInfo(query.get('info'));
  if (info.includes('user_count') && !prefix.startsWith('presence-')) {
    throw new HttpError(400, 'info=user_count requires filter_by_prefix=presence-');
  }
  const channels = app.channels
    .occupiedChannels()
    .filter((channel) => channel.startsWith(prefix))
    .sort();
  return { channels: Object.fromEntries(channels.map((channel) => [channel, channelAttributes(app, channel, info)])) };
}

function channelName(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'Channel name is not valid percent-encoding');
  }
  const parsed = ChannelName.safeParse(decoded);
  if (!parsed.success) throw new HttpError(400, `Invalid channel name: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function showChannel(app: AppRuntime, rawName: string, query: URLSearchParams): unknown {
  const channel = channelName(rawName);
  const isPresence = channelKind(channel) === 'presence';
  const info = parseInfo(query.get('info'));
  if (info.includes('user_count') && !isPresence) throw new HttpError(400, 'user_count is only available for presence channels');
  const state = app.channels.info(channel, isPresence);
  // Soketi's shape: counts are always there, user_count only on presence channels.
  const result: Record<string, unknown> = { occupied: state.occupied, subscription_count: state.subscriptionCount };
  if (state.userCount !== undefined) result.user_count = state.userCount;
  return result;
}

function channelUsers(app: AppRuntime, rawName: string): unknown {
  const channel = channelName(rawName);
  if (channelKind(channel) !== 'presence') throw new HttpError(400, 'Users are only available for presence channels');
  return { users: app.channels.members(channel).map((member) => ({ id: member.userId })) };
}

interface Route {
  method: 'GET' | 'POST';
  handle: () => unknown;
}

function findRoute(host: HttpApiHost, app: AppRuntime, rest: string, query: URLSearchParams, body: Buffer): Route | undefined {
  if (rest === '/events') return { method: 'POST', handle: () => triggerEvents(host, app, body) };
  if (rest === '/batch_events') return { method: 'POST', handle: () => triggerBatch(host, app, body) };
  if (rest === '/channels') return { method: 'GET', handle: () => listChannels(app, query) };
  const users = /^\/channels\/([^/]+)\/users$/.exec(rest)?.[1];
  if (users !== undefined) return { method: 'GET', handle: () => channelUsers(app, users) };
  const channel = /^\/channels\/([^/]+)$/.exec(rest)?.[1];
  if (channel !== undefined) return { method: 'GET', handle: () => showChannel(app, channel, query) };
  return undefined;
}

/** Reads the whole body; past `limit` bytes it keeps draining but drops the data. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function handleHttpRequest(host: HttpApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  host.stats.httpRequests += 1;
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  // The SDK signs the raw path, so it must not be normalised before verification.
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const method = (req.method ?? 'GET').toUpperCase();
  let appId: string | undefined;
  try {
    if (path === '/' && method === 'GET') return respond(res, 200, { ok: true });
    const match = /^\/apps\/([^/]+)(\/.*)$/.exec(path);
    if (match?.[1] === undefined || match[2] === undefined) throw new HttpError(404, `No such endpoint: ${path}`);
    appId = match[1];
    const app = host.appById(appId);
    if (app === undefined) throw new HttpError(404, `Unknown app ${appId}`);
    // Room for a full batch of maximal events plus their envelopes.
    const limit = host.options.maxMessageBytes * (host.options.maxBatchEvents + 1) + 64 * 1024;
    const body = await readBody(req, limit);
    if (body === 'too-large') throw new HttpError(413, `Request body exceeds ${limit} bytes`);
    const verdict = verifyRequest(app.config, { method, path, query, body }, host.options.now());
    if (!verdict.ok) throw new HttpError(401, verdict.reason);
    const found = findRoute(host, app, match[2], query, body);
    if (found === undefined) throw new HttpError(404, `No such endpoint: ${path}`);
    if (found.method !== method) throw new HttpError(405, `Method ${method} not allowed on ${path}`);
    respond(res, 200, found.handle());
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    const reason = error instanceof Error ? error.message : String(error);
    host.stats.httpRejected += 1;
    host.events.emit('http_rejected', appId === undefined ? { status, reason } : { appId, status, reason });
    host.logger.warn('pusher http request refused', { method, path, status, reason });
    if (!res.headersSent) respond(res, status, { error: reason, code: status });
  }
}
