import Echo from 'laravel-echo';
import PusherJs from 'pusher-js';
import type { ChannelAuthorizationCallback } from 'pusher-js/types/src/core/auth/options';
import { LoginResponse, type User } from '../../src/shared/domain';
import type { DemoServerInfo } from '../../src/main/demo/info';

/**
 * A staff member's desk as a Laravel front end would run it: signs in over
 * REST, then laravel-echo over pusher-js, authorising channels through the
 * clinic's real `/broadcasting/auth` with the bearer token.
 */
export interface StaffDesk {
  user: User;
  token: string;
  echo: Echo<'pusher'>;
  close(): void;
}

export async function signIn(info: DemoServerInfo, email: string): Promise<{ user: User; token: string }> {
  const account = info.users.find((u) => u.email === email);
  if (!account) throw new Error(`no demo user ${email}`);
  const res = await fetch(`${info.apiUrl}/api/login`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: account.password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return LoginResponse.parse(await res.json());
}

export async function openStaffDesk(info: DemoServerInfo, email: string): Promise<StaffDesk> {
  const { user, token } = await signIn(info, email);
  const echo = new Echo({
    broadcaster: 'pusher',
    key: info.appKey,
    cluster: 'mt1',
    wsHost: info.wsHost,
    wsPort: info.wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    Pusher: PusherJs,
    authorizer: (channel: { name: string }) => ({
      authorize: (socketId: string, callback: ChannelAuthorizationCallback) => {
        fetch(`${info.apiUrl}/broadcasting/auth`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
          body: JSON.stringify({ socket_id: socketId, channel_name: channel.name }),
        })
          .then(async (res) => {
            if (!res.ok) throw new Error(`auth ${channel.name}: ${res.status}`);
            callback(null, (await res.json()) as { auth: string; channel_data?: string });
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null));
      },
    }),
  });
  await new Promise<void>((resolve, reject) => {
    const pusher = echo.connector.pusher;
    if (pusher.connection.state === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`${email} did not connect`)), 5000);
    pusher.connection.bind('connected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { user, token, echo, close: () => echo.disconnect() };
}

/** Resolves with the first value `predicate` accepts, or rejects after `ms`. */
export function waitFor<T>(subscribe: (push: (value: T) => void) => void, predicate: (value: T) => boolean, ms = 5000, label = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), ms);
    subscribe((value) => {
      if (predicate(value)) {
        clearTimeout(timer);
        resolve(value);
      }
    });
  });
}
