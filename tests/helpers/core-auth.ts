/**
 * Channel authorization for the realtime core's tests, independent of the
 * production API client: a plain `fetch` to the clinic's
 * `/broadcasting/auth` with the bearer token (read at every call, so a test
 * can switch tokens), and a local signer for channels no single demo user may
 * join (a back end whose policy allows them).
 */
import { createHmac } from 'node:crypto';
import type { DemoServerInfo } from '../../src/main/demo/info';
import type { ChannelAuthorization } from '../../src/main/core/realtime/realtime';

export class AuthHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AuthHttpError';
  }
}

export interface AuthCall {
  socketId: string;
  channelName: string;
  token: string;
  /** HTTP status of the answer; 0 when the request itself failed. */
  status: number;
}

export type Authorize = (socketId: string, channelName: string) => Promise<ChannelAuthorization>;

/** `POST {apiUrl}/broadcasting/auth` as Laravel expects it; `token` may be a getter so a test can rotate it. */
export function bearerAuthorizer(info: Pick<DemoServerInfo, 'apiUrl'>, token: string | (() => string), calls: AuthCall[] = []): Authorize {
  return async (socketId, channelName) => {
    const current = typeof token === 'function' ? token() : token;
    let res: Response;
    try {
      res = await fetch(`${info.apiUrl}/broadcasting/auth`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${current}`, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ socket_id: socketId, channel_name: channelName }),
      });
    } catch (error) {
      calls.push({ socketId, channelName, token: current, status: 0 });
      throw error;
    }
    calls.push({ socketId, channelName, token: current, status: res.status });
    const text = await res.text();
    if (!res.ok) throw new AuthHttpError(res.status, `auth endpoint answered ${res.status} for ${channelName}`);
    return JSON.parse(text) as ChannelAuthorization;
  };
}

/** Signs any private channel with the app secret, as Laravel's broadcaster does once its policy allows. */
export function localAuthorizer(info: Pick<DemoServerInfo, 'appKey' | 'appSecret'>): Authorize {
  return (socketId, channelName) => {
    const signature = createHmac('sha256', info.appSecret).update(`${socketId}:${channelName}`).digest('hex');
    return Promise.resolve({ auth: `${info.appKey}:${signature}` });
  };
}
