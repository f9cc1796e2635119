/**
 * HMAC-SHA256 signatures of the Pusher protocol: channel authorization
 * (`auth` = `key:hex(hmac(secret, socket_id:channel[:channel_data]))`) and the
 * HTTP API request signature, checked exactly as the official server SDK
 * produces them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AppCredentials {
  key: string;
  secret: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

export function md5Hex(body: Buffer | string): string {
  return createHash('md5').update(body).digest('hex');
}

/** Constant-time for equal lengths; a length mismatch leaks only the length. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** The string the back end signs: presence channels include the raw channel_data. */
export function channelAuthPayload(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

export function signChannel(app: AppCredentials, socketId: string, channel: string, channelData?: string): string {
  return `${app.key}:${hmacSha256Hex(app.secret, channelAuthPayload(socketId, channel, channelData))}`;
}

export function verifyChannelAuth(
  app: AppCredentials,
  socketId: string,
  channel: string,
  auth: string | undefined,
  channelData?: string,
): Verdict {
  if (auth === undefined || auth === '') return { ok: false, reason: `Auth info required to subscribe to ${channel}` };
  const separator = auth.indexOf(':');
  const key = separator === -1 ? '' : auth.slice(0, separator);
  if (!safeEqual(key, app.key)) {
    return { ok: false, reason: `Invalid key in auth for ${channel}: expected "${app.key}:<signature>"` };
  }
  const payload = channelAuthPayload(socketId, channel, channelData);
  // Pusher's own wording, so a developer searching for it finds the docs.
  if (!safeEqual(auth.slice(separator + 1), hmacSha256Hex(app.secret, payload))) {
    return { ok: false, reason: `Invalid signature: Expected HMAC SHA256 hex digest of ${payload}` };
  }
  return { ok: true };
}

export const MAX_TIMESTAMP_SKEW_SEC = 600;

/**
 * The string the HTTP API signs: lower-cased keys, sorted, joined raw (the SDK
 * does not URL-encode values), without `auth_signature`.
 */
export function requestSigningString(method: string, path: string, params: ReadonlyMap<string, string>): string {
  const query = [...params.entries()]
    .filter(([key]) => key !== 'auth_signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

/** Signed query string for a request, as the SDK builds it (used by tests and tools). */
export function signRequest(
  app: AppCredentials,
  method: string,
  path: string,
  body: string | undefined,
  nowMs: number,
  extra: Record<string, string> = {},
): string {
  const params = new Map<string, string>(Object.entries(extra));
  params.set('auth_key', app.key);
  params.set('auth_timestamp', String(Math.floor(nowMs / 1000)));
  params.set('auth_version', '1.0');
  if (body !== undefined && body !== '') params.set('body_md5', md5Hex(body));
  const signature = hmacSha256Hex(app.secret, requestSigningString(method, path, params));
  return `${[...params.entries()].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}&auth_signature=${signature}`;
}

export interface SignedRequest {
  method: string;
  /** The raw path the client signed, without the query string. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export function verifyRequest(app: AppCredentials, request: SignedRequest, nowMs: number): Verdict {
  const params = new Map<string, string>();
  for (const [rawKey, value] of request.query) {
    const key = rawKey.toLowerCase();
    // A repeated key makes "the" signed string ambiguous; the SDK never sends one.
    if (params.has(key)) return { ok: false, reason: `Duplicate query parameter ${key}` };
    params.set(key, value);
  }
  const key = params.get('auth_key');
  const timestamp = params.get('auth_timestamp');
  const version = params.get('auth_version');
  const signature = params.get('auth_signature');
  if (key === undefined || timestamp === undefined || signature === undefined) {
    return { ok: false, reason: 'Missing auth_key, auth_timestamp or auth_signature' };
  }
  if (version !== '1.0') return { ok: false, reason: 'auth_version must be 1.0' };
  if (!safeEqual(key, app.key)) return { ok: false, reason: 'Unknown auth_key for this app' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'auth_timestamp must be an integer' };
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > MAX_TIMESTAMP_SKEW_SEC) {
    return { ok: false, reason: `Timestamp expired: ${Math.round(skew)} s from server time (max ${MAX_TIMESTAMP_SKEW_SEC})` };
  }
  const bodyMd5 = params.get('body_md5');
  if (request.body.length > 0) {
    if (bodyMd5 === undefined) return { ok: false, reason: 'body_md5 required for a request with a body' };
    if (!safeEqual(bodyMd5, md5Hex(request.body))) return { ok: false, reason: 'body_md5 does not match the body' };
  }
  const expected = hmacSha256Hex(app.secret, requestSigningString(request.method, request.path, params));
  if (!safeEqual(signature, expected)) {
    return { ok: false, reason: 'Invalid signature: you should have sent the HMAC SHA256 hex digest of the signing string' };
  }
  return { ok: true };
}
