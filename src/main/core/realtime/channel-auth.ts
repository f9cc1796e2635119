import type { ChannelAuthorizationCallback } from 'pusher-js';
import { z } from 'zod';
import { jsonTextProblem } from '../../../shared/json-limits';
import { PresenceChannelData } from '../../../shared/payloads';

/**
 * Adapts the host's `authorize(socketId, channelName)` (the API client's
 * `authorizeChannel`) to pusher-js's `channelAuthorization.customHandler`.
 *
 * pusher-js reports only its own `HTTPAuthError` with a status; from a custom
 * handler it passes on the message alone. The status (401 signs the desk out,
 * 403 is "not yours") is therefore handed to `onRefused` before pusher-js
 * hears of the failure, so the caller can attach it to the channel.
 */

export interface ChannelAuthorization {
  auth: string;
  channel_data?: string;
}

export type Authorize = (socketId: string, channelName: string) => Promise<ChannelAuthorization>;

const AuthAnswer = z.object({
  auth: z.string().min(1).max(2_000),
  channel_data: z.string().max(10_000).nullish(),
});

/** The HTTP status an error carries as `.status`, if any. */
export function errorStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('status' in error)) return null;
  const status = Number(error.status);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : null;
}

/**
 * When the failure says to come back later: a `Retry-After`, or the retry
 * budget's wait (`retryAfterMs` on the API client's errors); null otherwise.
 */
export function retryAfterOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('retryAfterMs' in error)) return null;
  const ms = Number(error.retryAfterMs);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/**
 * A refusal that asking again will not change: 401 (signed out) and 403 (not
 * this user's channel). Anything else from the auth endpoint (no answer, a
 * 5xx, a 429, an HTML page, a redirect, cut-short JSON, an answer that is not
 * an authorization) may be gone on the next try.
 */
export function isClearRefusal(status: number | null): boolean {
  return status === 401 || status === 403;
}

/** pusher-js throws and passes plain strings as often as Errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

export interface AuthorizeRequest {
  authorize: Authorize;
  socketId: string;
  channelName: string;
  callback: ChannelAuthorizationCallback;
  /** Called before pusher-js hears of a refusal; `retryAfterMs` when the failure said when to come back. */
  onRefused: (status: number | null, message: string, retryAfterMs: number | null) => void;
  /** A throw from pusher-js's callback, which must not become an unhandled rejection. */
  onCallbackError: (message: string) => void;
}

export function authorizeForPusher(request: AuthorizeRequest): void {
  const { authorize, socketId, channelName, callback } = request;
  const answer = (error: Error | null, data: ChannelAuthorization | null) => {
    try {
      callback(error, data);
    } catch (thrown) {
      request.onCallbackError(errorMessage(thrown));
    }
  };
  const refuse = (status: number | null, message: string, retryAfterMs: number | null = null) => {
    request.onRefused(status, message, retryAfterMs);
    answer(new Error(message), null);
  };
  let pending: Promise<ChannelAuthorization>;
  try {
    pending = authorize(socketId, channelName);
  } catch (error) {
    refuse(errorStatus(error), errorMessage(error), retryAfterOf(error));
    return;
  }
  pending.then(
    (value) => {
      const parsed = AuthAnswer.safeParse(value);
      if (!parsed.success) return refuse(null, 'invalid answer from the auth endpoint');
      const channelData = parsed.data.channel_data ?? undefined;
      if (channelName.startsWith('presence-')) {
        // pusher-js JSON.parses channel_data inside an async callback: bad data would
        // become an unhandled rejection (a crash in Node) instead of a channel error.
        // pusher-js keeps and formats it (members.me): nothing deeper than the wire's own bound.
        const tooDeep = jsonTextProblem(channelData ?? '');
        if (tooDeep !== null) return refuse(null, `auth endpoint sent presence channel_data ${tooDeep}`);
        let json: unknown;
        try {
          json = JSON.parse(channelData ?? '');
        } catch {
          return refuse(null, 'auth endpoint sent no valid channel_data for a presence channel');
        }
        if (!PresenceChannelData.safeParse(json).success) return refuse(null, 'auth endpoint sent invalid presence channel_data');
      }
      answer(null, channelData === undefined ? { auth: parsed.data.auth } : { auth: parsed.data.auth, channel_data: channelData });
    },
    (error: unknown) => refuse(errorStatus(error), errorMessage(error), retryAfterOf(error)),
  );
}
