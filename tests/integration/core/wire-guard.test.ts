/**
 * Issue 11, item 1: "any desk can be crashed by a peer". A staff member's
 * `client-typing` whisper of ~4,500 nested arrays (9 KB, under Pusher's
 * 10 KB limit) on a shared conversation channel used to kill the receiving
 * desk: pusher-js stringifies every received event for its debug log even
 * with logging off, and the stack overflowed inside the socket's handler.
 * Here a real desk core (DeskService, pusher-js, laravel-echo, SQLite) is
 * signed in to the demo clinic and two peers on its conversation channel
 * send such frames: a second pusher-js desk (a Laravel front end) and a raw
 * WebSocket. The process survives, the frames are refused with their reason,
 * and the desk keeps receiving valid events. The same frames sent raw no
 * longer crash the demo socket server.
 */
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { MAX_FRAME_CHARS, frameGuardStats, screenFrame } from '../../../src/main/core/realtime/pusher-guard';
import { createDesk, signInLive, type TestDesk } from '../../helpers/desk';
import { account, startTestClinic } from '../../helpers/demo';
import { openStaffDesk, type StaffDesk } from '../../helpers/staff-desk';

const RECEPTION = 'reception1@northside.clinic.test';
const BOMB_DEPTH = 4_500;
const bombText = (depth = BOMB_DEPTH) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const faults: Array<{ kind: string; error: unknown }> = [];
const faultWaiters = new Set<(error: Error) => void>();
function fault(kind: string, error: unknown): void {
  faults.push({ kind, error });
  const message = `${kind} in the desk's process: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  for (const fail of [...faultWaiters]) fail(new Error(message));
}
const onException = (error: unknown) => fault('uncaughtException', error);
const onRejection = (error: unknown) => fault('unhandledRejection', error);

/** The promise, or the first fault (an uncaught exception would have killed a real desk): fails at once instead of timing out. */
function orFault<T>(promise: Promise<T>): Promise<T> {
  let off = () => undefined as unknown;
  const failed = new Promise<never>((_resolve, reject) => {
    faultWaiters.add(reject);
    off = () => faultWaiters.delete(reject);
  });
  return Promise.race([promise, failed]).finally(() => off());
}

let clinic: DemoClinic;
let desk: TestDesk;
const peers: StaffDesk[] = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  faults.length = 0;
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  clinic = await startTestClinic();
  desk = createDesk(clinic);
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  for (const s of sockets.splice(0)) s.terminate();
  await desk.close();
  await clinic.close();
  process.off('uncaughtException', onException);
  process.off('unhandledRejection', onRejection);
});

/** A conversation the receptionist shares with another staff member, and that member's email. */
function sharedConversation(meId: number): { id: number; peerEmail: string } {
  for (const c of clinic.store.conversationsWhere((row) => row.participant_ids.includes(meId))) {
    const other = clinic.info.users.find((u) => u.id !== meId && c.participant_ids.includes(u.id) && u.role !== 'patient');
    if (other) return { id: c.id, peerEmail: other.email };
  }
  throw new Error('the demo world has no conversation with two staff members');
}

/** Signs a channel for a raw socket through the clinic's own /broadcasting/auth, as a peer's browser would. */
async function authorize(token: string, socketId: string, channel: string): Promise<string> {
  const res = await fetch(`${clinic.info.apiUrl}/broadcasting/auth`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify({ socket_id: socketId, channel_name: channel }),
  });
  if (!res.ok) throw new Error(`auth ${channel}: ${res.status}`);
  return ((await res.json()) as { auth: string }).auth;
}

interface RawPeer {
  ws: WebSocket;
  frames: Array<{ event: string; channel?: string; data?: unknown }>;
  next(match: (f: { event: string; channel?: string; data?: unknown }) => boolean): Promise<{ event: string; channel?: string; data?: unknown }>;
}

async function rawPeer(token: string, channel: string): Promise<RawPeer> {
  const ws = new WebSocket(`ws://${clinic.info.wsHost}:${clinic.info.wsPort}/app/${clinic.info.appKey}?protocol=7&client=raw&version=1`);
  sockets.push(ws);
  const frames: RawPeer['frames'] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString('utf8')) as RawPeer['frames'][number]);
    for (const w of [...waiters]) w();
  });
  const next: RawPeer['next'] = (match) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw peer: no matching frame; got ${frames.map((f) => f.event).join(', ')}`)), 5000);
      const check = () => {
        const index = frames.findIndex(match);
        if (index === -1) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(frames.splice(index, 1)[0] as RawPeer['frames'][number]);
      };
      waiters.add(check);
      check();
    });
  const established = await next((f) => f.event === 'pusher:connection_established');
  const socketId = (JSON.parse(established.data as string) as { socket_id: string }).socket_id;
  ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: await authorize(token, socketId, channel) } }));
  await next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
  return { ws, frames, next };
}

function typingEnvelope(conversationId: number, userId: number, name: string, typing: boolean) {
  return { conversation_id: conversationId, type: 'typing', data: { user_id: userId, name, typing }, timestamp: '2026-11-26T10:00:00.000Z' };
}

describe('a depth bomb from a peer', () => {
  it('a 9 KB whisper of 4,500 nested arrays is refused with its reason; the desk lives on and keeps receiving', async () => {
    await signInLive(desk, clinic, RECEPTION);
    const me = account(clinic, RECEPTION);
    const { id: conversationId, peerEmail } = sharedConversation(me.id);
    const channel = channels.conversation(conversationId).fullName;
    expect((await desk.desk.getSnapshot()).channels.find((c) => c.name === channel)?.state).toBe('subscribed');

    // A colleague's desk as a Laravel front end runs it (laravel-echo + pusher-js), whispering the bomb as its data.
    const peer = await openStaffDesk(clinic.info, peerEmail);
    peers.push(peer);
    const sub = peer.echo.private(`conversation.${conversationId}`);
    await new Promise<void>((resolve) => sub.subscribed(() => resolve()));
    const before = frameGuardStats();
    const bomb = bombText();
    expect(bomb.length).toBe(9_000);
    const refused = desk.waitFor('rejected', (e) => e.channel === channel && e.event === 'client-typing', 5000, desk.mark());
    // Echo's typings want an object; a hostile (or buggy) front end sends what it likes, here a string of JSON.
    sub.whisper('typing', bomb as unknown as Record<string, unknown>);
    expect(await orFault(refused)).toMatchObject({ reason: `data nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(frameGuardStats().refused).toBe(before.refused + 1);

    // The same peer's next, valid whisper arrives.
    const typing = desk.waitFor('typing', (e) => e.conversationId === conversationId && e.typing.typing, 5000, desk.mark());
    sub.whisper('typing', typingEnvelope(conversationId, peer.user.id, peer.user.name, true));
    expect((await orFault(typing)).typing).toMatchObject({ user_id: peer.user.id, typing: true });

    // A raw socket on the same channel: the bomb as a frame-level value is refused by the socket server
    // (which no longer crashes encoding it), the bomb as a string is relayed and refused by the desk.
    const raw = await rawPeer(peer.token, channel);
    raw.ws.send(JSON.stringify({ event: 'client-typing', channel, data: 'x' }).replace('"x"', bomb));
    const error = await raw.next((f) => f.event === 'pusher:error');
    expect(error.data).toMatchObject({ code: 4200, message: `Invalid message format: nested deeper than ${MAX_JSON_DEPTH} levels` });
    const refusedRaw = desk.waitFor('rejected', (e) => e.channel === channel && e.event === 'client-typing', 5000, desk.mark());
    raw.ws.send(JSON.stringify({ event: 'client-typing', channel, data: bomb }));
    expect(await orFault(refusedRaw)).toMatchObject({ reason: `data nested deeper than ${MAX_JSON_DEPTH} levels` });
    // Objects nest as well as arrays (1,200 levels: under 10 KB once escaped into the frame).
    const objects = `${'{"a":'.repeat(1_200)}1${'}'.repeat(1_200)}`;
    const refusedObjects = desk.waitFor('rejected', (e) => e.channel === channel && e.event === 'client-typing', 5000, desk.mark());
    raw.ws.send(JSON.stringify({ event: 'client-typing', channel, data: objects }));
    expect(await orFault(refusedObjects)).toMatchObject({ reason: `data nested deeper than ${MAX_JSON_DEPTH} levels` });

    // Still live, and server events are stored as before.
    const arrived = desk.waitFor('notification.upserted', (e) => e.isNew && e.notification.title === 'After the bomb', 5000, desk.mark());
    await clinic.backend.notify({ user_id: me.id, type: 'info', title: 'After the bomb', message: 'still here', action_url: null });
    await orFault(arrived);
    const snapshot = await desk.desk.getSnapshot();
    expect(snapshot.connection.status).toBe('live');
    expect(snapshot.channels.find((c) => c.name === channel)).toMatchObject({ state: 'subscribed', rejectedCount: 3 });
    const diagnostics = await desk.desk.getDiagnostics();
    expect(diagnostics.rejected).toContainEqual(expect.objectContaining({ channel, event: 'client-typing', reason: `data nested deeper than ${MAX_JSON_DEPTH} levels`, count: 3 }));
    // The demo socket server is alive too: it still relays.
    expect(clinic.realtime?.connectionCount()).toBeGreaterThanOrEqual(3);
    expect(faults).toEqual([]);
  });

  it('a server event nested too deeply, oversize or not JSON at all is refused on its channel; the next one is stored', async () => {
    await signInLive(desk, clinic, RECEPTION);
    const me = account(clinic, RECEPTION);
    const channel = channels.notifications(me.id).fullName;
    const publish = (event: string, data: string) => clinic.realtime?.publish(clinic.info.appId, [channel], event, data);
    const good = { id: 990_001, user_id: me.id, type: 'info', title: 'Fine', message: 'ok', action_url: null, created_at: '2026-11-26T09:59:00.000000Z' };
    const since = desk.mark();
    // Inside a valid notification, 4,500 levels down.
    publish('general-notification', JSON.stringify({ ...good, id: 990_002, message: 'x' }).replace('"x"', bombText()));
    // Beyond what the desk will even parse (4 MiB of data).
    publish('general-notification', JSON.stringify({ ...good, id: 990_003, message: 'y'.repeat(MAX_FRAME_CHARS) }));
    // The refusal is the desk's own: a peer cannot make its payload read as one (the mark is random per process).
    publish('general-notification', '\u0000clinic-desk:refused-frame:00000000-0000-4000-8000-000000000000:forged reason');
    // Nor look like a handed-off frame: "0" is the hand-off's stand-in for pusher-js, here a real (bad) payload.
    publish('general-notification', '0');
    const handedOffBefore = frameGuardStats().handedOff;
    publish('general-notification', JSON.stringify(good));
    await orFault(desk.waitFor('notification.upserted', (e) => e.notification.id === good.id, 10_000, since));
    const rejected = desk.events.slice(since).flatMap((e) => (e.kind === 'rejected' ? [e.reason] : []));
    const oversize = JSON.stringify({ event: 'general-notification', channel, data: JSON.stringify({ ...good, id: 990_003, message: 'y'.repeat(MAX_FRAME_CHARS) }) }).length;
    expect(rejected).toEqual([`data nested deeper than ${MAX_JSON_DEPTH} levels`, `${oversize}-character frame exceeds ${MAX_FRAME_CHARS}`, 'not JSON', 'payload: expected object, got number']);
    const stored = await desk.desk.listNotifications({ limit: 200, unreadOnly: false });
    const ids = stored.items.map((n) => n.id);
    expect(ids).toContain(990_001);
    // The valid one came through the hand-off (parsed once, by the screen), whole.
    expect(frameGuardStats().handedOff).toBeGreaterThan(handedOffBefore);
    expect(stored.items.find((n) => n.id === good.id)).toMatchObject({ title: 'Fine', message: 'ok', user_id: me.id, type: 'info' });
    expect(ids).not.toContain(990_002);
    expect(ids).not.toContain(990_003);
    expect(faults).toEqual([]);
  });
});

describe('screenFrame (the rule, without sockets)', () => {
  it('passes ordinary frames untouched and refuses each kind of bad one with a reason and no contents', () => {
    expect(screenFrame('{"event":"pusher:pong","data":{}}')).toEqual({ pass: true, handOff: null });
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'private-x', data: JSON.stringify({ a: [[[1]]] }) }))).toEqual({ pass: true, handOff: null });
    const deep = screenFrame(JSON.stringify({ event: 'client-typing', channel: 'private-conversation.1', data: bombText(40) }));
    expect(deep).toMatchObject({ pass: false, reason: `data nested deeper than ${MAX_JSON_DEPTH} levels`, channel: 'private-conversation.1' });
    // Right at the limit passes; one more level does not.
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'c', data: bombText(MAX_JSON_DEPTH) }))).toEqual({ pass: true, handOff: null });
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'c', data: bombText(MAX_JSON_DEPTH + 1) })).pass).toBe(false);
    // Brackets inside strings are text.
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'c', data: JSON.stringify({ title: '['.repeat(5000) }) }))).toEqual({ pass: true, handOff: null });
    // Protocol frames and frames without a channel cannot be attributed: dropped (replaced by a channel-less frame).
    const internal = screenFrame(JSON.stringify({ event: 'pusher_internal:member_added', channel: 'presence-clinic.1', data: bombText(40) }));
    expect(internal).toMatchObject({ pass: false, channel: null });
    expect(JSON.parse((internal as { replacement: string }).replacement)).toMatchObject({ event: 'clinic-desk:refused-frame' });
    expect(screenFrame('not json')).toMatchObject({ pass: false, reason: 'frame is not JSON', channel: null });
    expect(screenFrame('[1,2]')).toMatchObject({ pass: false, reason: 'frame is not a JSON object' });
    expect(screenFrame(Buffer.from('{}'))).toMatchObject({ pass: false, reason: 'binary frame' });
    // An oversize frame is not parsed; channel and event are read from its ends.
    const big = JSON.stringify({ event: 'general-notification', data: 'z'.repeat(MAX_FRAME_CHARS), channel: 'private-notifications.2' });
    const verdict = screenFrame(big);
    expect(verdict).toMatchObject({ pass: false, channel: 'private-notifications.2' });
    expect((verdict as { replacement: string }).replacement.length).toBeLessThan(400);
  });

  it('hands off the parsed data of an event on a channel the desk holds, and only then', () => {
    const held = (channel: string) => channel === 'presence-conversation.7';
    const payload = { id: 3, text: 'hello', nested: { list: [1, 2] } };
    const frame = JSON.stringify({ event: 'client-typing', channel: 'presence-conversation.7', data: JSON.stringify(payload), user_id: 12 });
    const verdict = screenFrame(frame, held);
    expect(verdict.pass).toBe(true);
    const handOff = (verdict as { handOff: { value: unknown; replacement: string } }).handOff;
    expect(handOff.value).toEqual(payload);
    // pusher-js keeps what it needs (event, channel, the whisperer's user_id) and parses only "0".
    expect(JSON.parse(handOff.replacement)).toEqual({ event: 'client-typing', channel: 'presence-conversation.7', data: '0', user_id: 12 });
    // Data sent as an object is handed off as it is.
    const objectData = screenFrame(JSON.stringify({ event: 'e', channel: 'presence-conversation.7', data: payload }), held);
    expect((objectData as { handOff: { value: unknown } }).handOff.value).toEqual(payload);
    // Not held, a protocol event, data that is not JSON, or no data: pusher-js gets the frame as it came.
    expect(screenFrame(frame.replace('conversation.7', 'conversation.8'), held)).toEqual({ pass: true, handOff: null });
    expect(screenFrame(JSON.stringify({ event: 'pusher:subscription_succeeded', channel: 'presence-conversation.7', data: '{}' }), held)).toEqual({ pass: true, handOff: null });
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'presence-conversation.7', data: 'not json' }), held)).toEqual({ pass: true, handOff: null });
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'presence-conversation.7' }), held)).toEqual({ pass: true, handOff: null });
    // The screen's refusals come first: a held channel does not let a deep payload through.
    expect(screenFrame(JSON.stringify({ event: 'e', channel: 'presence-conversation.7', data: bombText(MAX_JSON_DEPTH + 1) }), held).pass).toBe(false);
  });
});
