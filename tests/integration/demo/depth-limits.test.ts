/**
 * The demo clinic is bounded too (issue 11: "the same frame sent raw crashes
 * the demo socket server"): frames, channel_data and HTTP bodies nested
 * deeper than the limit are refused before anything parses or encodes them,
 * its JSON encoder refuses values too deep to encode, and the server goes on.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import { phpJsonEncode } from '../../../src/main/demo/php-json';
import type { PusherServer } from '../../../src/main/demo/pusher/server';
import { ClientPool, TEST_APP, connectRawEstablished, frameData, startTestServer } from '../../helpers/pusher-clients';
import { startTestClinic } from '../../helpers/demo';

let server: PusherServer;
let pool: ClientPool;

beforeEach(async () => {
  pool = new ClientPool();
  server = await startTestServer();
});

afterEach(async () => {
  await pool.closeAll();
  await server.close();
});

const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const sign = (text: string) => createHmac('sha256', TEST_APP.secret).update(text).digest('hex');

describe('the demo socket server', () => {
  it('refuses a frame nested thousands deep (any field) and keeps the connection and its channels working', async () => {
    const { raw: a, socketId } = await connectRawEstablished(server, pool);
    const { raw: b, socketId: bId } = await connectRawEstablished(server, pool);
    const channel = 'private-chat';
    for (const [client, id] of [[a, socketId], [b, bId]] as const) {
      client.sendJson({ event: 'pusher:subscribe', data: { channel, auth: `${TEST_APP.key}:${sign(`${id}:${channel}`)}` } });
      await client.next((f) => f.event === 'pusher_internal:subscription_succeeded');
    }
    // 4,500 levels in 9 KB: under the size limit; JSON.stringify on relay would overflow the stack.
    a.ws.send(`{"event":"client-typing","channel":"${channel}","data":${arrays(4_500)}}`);
    const error = await a.next((f) => f.event === 'pusher:error');
    expect(frameData(error)).toEqual({ code: 4200, message: `Invalid message format: nested deeper than ${MAX_JSON_DEPTH} levels` });
    a.ws.send(`{"event":"pusher:subscribe","data":{"channel":"x","auth":${arrays(4_000)}}}`);
    await a.next((f) => f.event === 'pusher:error');
    // The connection still relays a normal whisper, and the other peer never got the bomb.
    a.sendJson({ event: 'client-typing', channel, data: { typing: true } });
    const relayed = await b.next((f) => f.event === 'client-typing');
    expect(relayed.data).toEqual({ typing: true });
    expect(server.stats().framesRejected).toBe(2);
  });

  it('refuses presence channel_data nested too deep, even correctly signed', async () => {
    const { raw, socketId } = await connectRawEstablished(server, pool);
    const channel = 'presence-clinic.1';
    const channelData = `{"user_id":5,"user_info":${arrays(3_000)}}`;
    raw.sendJson({ event: 'pusher:subscribe', data: { channel, auth: `${TEST_APP.key}:${sign(`${socketId}:${channel}:${channelData}`)}`, channel_data: channelData } });
    const refused = await raw.next((f) => f.event === 'pusher:subscription_error');
    expect(frameData(refused)).toMatchObject({ status: 400, error: `channel_data nested deeper than ${MAX_JSON_DEPTH} levels` });
  });

  it('refuses an HTTP API body nested too deep with 400', async () => {
    const body = `{"name":"x","channels":["a"],"data":"{}","extra":${arrays(5_000)}}`;
    const query = new URLSearchParams({ auth_key: TEST_APP.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0', body_md5: createHash('md5').update(body).digest('hex') });
    const path = `/apps/${TEST_APP.id}/events`;
    const sorted = [...query.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => `${k}=${v}`).join('&');
    query.set('auth_signature', sign(`POST\n${path}\n${sorted}`));
    const res = await fetch(`${server.httpUrl}${path}?${query.toString()}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

describe("the demo's Laravel app and encoder", () => {
  it('refuses a request body nested too deep with 400 and stays up', async () => {
    const clinic = await startTestClinic();
    try {
      const res = await fetch(`${clinic.info.apiUrl}/api/login`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: `{"email":${arrays(20_000)}}` });
      expect(res.status).toBe(400);
      const again = await fetch(`${clinic.info.apiUrl}/api/login`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: '{"email":"nobody@example.test","password":"x"}' });
      expect(again.status).toBe(422);
    } finally {
      await clinic.close();
    }
  });

  it('phpJsonEncode encodes as before and refuses a value too deep to encode', () => {
    expect(phpJsonEncode({ url: 'a/b', name: 'Zoë' })).toBe('{"url":"a\\/b","name":"Zo\\u00eb"}');
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => phpJsonEncode({ deep })).toThrow(RangeError);
    expect(() => phpJsonEncode({ deep })).toThrow(/json_encode: value nested deeper than/);
  });
});
