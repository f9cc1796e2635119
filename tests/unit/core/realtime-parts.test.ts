/**
 * The plain-data parts of the realtime core: presence roster, connection
 * state tracker (and the desk's one connection timeline, which the session's
 * tracker writes) and backoff. The socket behaviour is covered against the
 * demo clinic in tests/integration/core/realtime*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PresenceRoster, parseMember, parseMemberId } from '../../../src/main/core/realtime/presence';
import { RealtimeStateTracker, backoffDelay } from '../../../src/main/core/realtime/connection-state';
import { ConnectionTimeline, ConnectionTracker, TIMELINE_LIMIT } from '../../../src/main/core/session/connection-status';

describe('presence members', () => {
  it('keys members by numeric id, whether Laravel sent the id as a string or a number', () => {
    expect(parseMember({ id: '5', info: { name: 'Vera', role: 'reception' } })).toEqual({ ok: true, member: { id: 5, name: 'Vera', role: 'reception' } });
    expect(parseMember({ id: 5, info: { name: 'Vera', role: 'reception' } })).toEqual({ ok: true, member: { id: 5, name: 'Vera', role: 'reception' } });
    expect(parseMember({ id: '05', info: { name: 'Vera', role: 'reception' } })).toMatchObject({ ok: false });
    // A role the desk does not know is kept; a user_info without one leaves it to the members list.
    expect(parseMember({ id: '5', info: { name: 'Vera', role: 'nurse' } })).toEqual({ ok: true, member: { id: 5, name: 'Vera', role: 'nurse' } });
    expect(parseMember({ id: '5', info: { id: 5, name: 'Vera' } })).toEqual({ ok: true, member: { id: 5, name: 'Vera', role: null } });
    expect(parseMember({ id: '5', info: { role: 'doctor' } })).toMatchObject({ ok: false });
    expect(parseMember({ info: { name: 'Vera', role: 'reception' } })).toMatchObject({ ok: false });
    expect(parseMemberId({ id: '12', info: {} })).toBe(12);
    expect(parseMemberId({ id: 12 })).toBe(12);
    expect(parseMemberId({ id: 'x' })).toBeNull();
    expect(parseMemberId(null)).toBeNull();
  });

  it('counts one user once, however many times it is added', () => {
    const roster = new PresenceRoster();
    const members = roster.reset([
      { id: 5, name: 'Vera', role: 'reception' },
      { id: 4, name: 'Ana', role: 'doctor' },
      { id: 5, name: 'Vera', role: 'reception' },
    ]);
    expect(members.map((m) => m.id)).toEqual([4, 5]);
    expect(roster.add({ id: 5, name: 'Vera Q', role: 'reception' })).toBe(false);
    expect(roster.size).toBe(2);
    expect(roster.list().find((m) => m.id === 5)?.name).toBe('Vera Q');
    expect(roster.add({ id: 7, name: 'Sami', role: 'admin' })).toBe(true);
    expect(roster.remove(5)).toEqual({ id: 5, name: 'Vera Q', role: 'reception' });
    expect(roster.remove(5)).toBeNull();
    expect(roster.has(7)).toBe(true);
    roster.clear();
    expect(roster.list()).toEqual([]);
  });
});

describe('connection state tracker', () => {
  it('keeps the state since when, with ISO times, and the socket id only while connected', () => {
    let now = Date.parse('2026-11-26T10:00:00Z');
    const tracker = new RealtimeStateTracker(() => now);
    expect(tracker.status).toEqual({ state: 'idle', since: '2026-11-26T10:00:00.000Z', socketId: null, detail: null });
    now += 1000;
    expect(tracker.set('connecting', 'connecting to ws://x')).toEqual({ from: 'idle', to: 'connecting' });
    now += 1000;
    tracker.set('connected', null, { socketId: '1.2' });
    expect(tracker.status).toEqual({ state: 'connected', since: '2026-11-26T10:00:02.000Z', socketId: '1.2', detail: null });
    now += 1000;
    tracker.set('connecting', 'reconnecting');
    expect(tracker.status.socketId).toBeNull();
    // Same state: a detail update is no change, unless forced (a rebuilt connection).
    expect(tracker.set('connecting', 'still trying')).toBeNull();
    expect(tracker.status).toMatchObject({ detail: 'still trying', since: '2026-11-26T10:00:03.000Z' });
    now += 1000;
    expect(tracker.set('connecting', 'new connection (attempt 1)', { force: true })).toEqual({ from: 'connecting', to: 'connecting' });
    expect(tracker.status).toMatchObject({ since: '2026-11-26T10:00:03.000Z', detail: 'new connection (attempt 1)' });
  });
});

describe("the desk's connection timeline", () => {
  it('gets one entry per change of status, with its time and reason, from every tracker that shares it', () => {
    let now = Date.parse('2026-11-26T10:00:00Z');
    const iso = () => new Date(now).toISOString();
    const timeline = new ConnectionTimeline();
    const first = new ConnectionTracker('reverb', iso, timeline);
    now += 1000;
    expect(first.update({ status: 'connecting', detail: 'connecting to ws://x' })).toBe(true);
    now += 1000;
    first.update({ status: 'live', detail: null });
    // Not a change of status: the status bar changes, the timeline does not.
    expect(first.update({ detail: 'checking the connection' })).toBe(true);
    now += 1000;
    first.update({ status: 'idle', detail: 'signed out' });
    // The next session's tracker continues the same timeline.
    const second = new ConnectionTracker('reverb', iso, timeline);
    now += 1000;
    second.update({ status: 'connecting', detail: null });
    expect(timeline.list()).toEqual([
      { at: '2026-11-26T10:00:01.000Z', from: 'idle', to: 'connecting', detail: 'connecting to ws://x' },
      { at: '2026-11-26T10:00:02.000Z', from: 'connecting', to: 'live', detail: null },
      { at: '2026-11-26T10:00:03.000Z', from: 'live', to: 'idle', detail: 'signed out' },
      { at: '2026-11-26T10:00:04.000Z', from: 'idle', to: 'connecting', detail: null },
    ]);
    expect(second.current).toMatchObject({ status: 'connecting', since: '2026-11-26T10:00:04.000Z' });
  });

  it('keeps only the last entries, and hands out copies', () => {
    const timeline = new ConnectionTimeline();
    const tracker = new ConnectionTracker('pusher', () => '2026-11-26T10:00:00.000Z', timeline);
    for (let i = 0; i < TIMELINE_LIMIT + 50; i++) tracker.update({ status: i % 2 === 0 ? 'live' : 'reconnecting', detail: `#${i}` });
    const entries = timeline.list();
    expect(entries).toHaveLength(TIMELINE_LIMIT);
    expect(entries.at(-1)?.detail).toBe(`#${TIMELINE_LIMIT + 49}`);
    expect(entries[0]?.detail).toBe('#50');
    for (const entry of entries) entry.detail = 'changed by a reader';
    expect(timeline.list()[0]?.detail).toBe('#50');
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, within ±20 % jitter', () => {
    expect(backoffDelay(0, 1000, 15000, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, 1000, 15000, () => 0.5)).toBe(8000);
    expect(backoffDelay(10, 1000, 15000, () => 0.5)).toBe(15000);
    expect(backoffDelay(0, 1000, 15000, () => 0)).toBe(800);
    expect(backoffDelay(0, 1000, 15000, () => 1)).toBe(1200);
    expect(backoffDelay(10, 1000, 15000, () => 1)).toBe(15000);
    expect(backoffDelay(1e9, 1000, 15000, () => 0)).toBe(12000);
  });
});
