/**
 * The plain-data parts of the realtime core: presence roster, connection
 * state tracker and backoff. The socket behaviour is covered against the demo
 * clinic in tests/integration/core/realtime*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PresenceRoster, parseMember, parseMemberId } from '../../../src/main/core/realtime/presence';
import { RealtimeStateTracker, TIMELINE_LIMIT, backoffDelay } from '../../../src/main/core/realtime/connection-state';

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
  it('records transitions with ISO times, keeps the socket id only while connected', () => {
    let now = Date.parse('2026-11-26T10:00:00Z');
    const tracker = new RealtimeStateTracker(() => now);
    expect(tracker.status).toEqual({ state: 'idle', since: '2026-11-26T10:00:00.000Z', socketId: null, detail: null });
    now += 1000;
    expect(tracker.set('connecting', 'connecting to ws://x')).toEqual({ at: '2026-11-26T10:00:01.000Z', from: 'idle', to: 'connecting', detail: 'connecting to ws://x' });
    now += 1000;
    tracker.set('connected', null, { socketId: '1.2' });
    expect(tracker.status).toEqual({ state: 'connected', since: '2026-11-26T10:00:02.000Z', socketId: '1.2', detail: null });
    now += 1000;
    tracker.set('connecting', 'reconnecting');
    expect(tracker.status.socketId).toBeNull();
    // Same state: a detail update is no transition, unless forced (a rebuilt connection).
    expect(tracker.set('connecting', 'still trying')).toBeNull();
    expect(tracker.status).toMatchObject({ detail: 'still trying', since: '2026-11-26T10:00:03.000Z' });
    now += 1000;
    expect(tracker.set('connecting', 'new connection (attempt 1)', { force: true })).toMatchObject({ from: 'connecting', to: 'connecting' });
    expect(tracker.status.since).toBe('2026-11-26T10:00:03.000Z');
    expect(tracker.timeline.map((t) => t.to)).toEqual(['connecting', 'connected', 'connecting', 'connecting']);
  });

  it('keeps only the last transitions', () => {
    const tracker = new RealtimeStateTracker(() => 0);
    for (let i = 0; i < 150; i++) tracker.set(i % 2 === 0 ? 'connecting' : 'connected', `#${i}`, { socketId: '1.1' });
    expect(tracker.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(tracker.timeline.at(-1)?.detail).toBe('#149');
    expect(tracker.timeline[0]?.detail).toBe('#50');
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
