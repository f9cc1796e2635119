import { describe, expect, it } from 'vitest';
import { authorizeForPusher, type ChannelAuthorization } from '../../../src/main/core/realtime/channel-auth';

/** What pusher-js hears from the auth endpoint's answer for a presence channel. */
function authorizeWith(answer: ChannelAuthorization): Promise<{ error: string | null; refused: string | null; data: unknown }> {
  return new Promise((resolve) => {
    let refused: string | null = null;
    authorizeForPusher({
      authorize: () => Promise.resolve(answer),
      socketId: '1.2',
      channelName: 'presence-clinic.1',
      callback: (error, data) => resolve({ error: error ? error.message : null, refused, data }),
      onRefused: (_status, message) => {
        refused = message;
      },
      onCallbackError: () => undefined,
    });
  });
}

const AUTH = `key:${'a'.repeat(64)}`;

describe('presence channel_data from the auth endpoint', () => {
  it('passes a valid one on to pusher-js', async () => {
    const channelData = JSON.stringify({ user_id: '5', user_info: { name: 'Vera' } });
    expect(await authorizeWith({ auth: AUTH, channel_data: channelData })).toEqual({ error: null, refused: null, data: { auth: AUTH, channel_data: channelData } });
  });

  it('refuses one nested deeper than the wire allows, before parsing it (pusher-js keeps and formats it)', async () => {
    const deep = `{"user_id":"5","user_info":{"name":"Vera","x":${'['.repeat(2000)}${']'.repeat(2000)}}}`;
    const heard = await authorizeWith({ auth: AUTH, channel_data: deep });
    expect(heard.data).toBeNull();
    expect(heard.refused).toBe('auth endpoint sent presence channel_data nested deeper than 32 levels');
    expect(heard.error).toBe(heard.refused);
  });
});
