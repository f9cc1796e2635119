/**
 * Presence through the realtime core: members keyed by numeric user id
 * (Laravel sends `user_id` as a string in channel_data, and Echo's callbacks
 * give no id at all), one member per user however many connections it has.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { RealtimeEvents } from '../../../src/main/core/realtime/realtime';
import { startTestClinic } from '../../helpers/demo';
import { signIn } from '../../helpers/staff-desk';
import { bearerAuthorizer } from '../../helpers/core-auth';
import { RealtimePool, collect, nextOf, settled } from '../../helpers/core-realtime';
import { waitForServer } from '../../helpers/pusher-clients';

const RECEPTION = 'reception1@northside.clinic.test'; // user 2
const DOCTOR = 'doctor1@northside.clinic.test'; // user 4
const PRESENCE = channels.presenceClinic(1);

const pool = new RealtimePool();
let clinic: DemoClinic;

beforeEach(async () => {
  clinic = await startTestClinic();
});

afterEach(async () => {
  pool.disconnectAll();
  await clinic.close();
});

async function core(email: string, extra: ReturnType<typeof channels.notifications>[] = []) {
  const { token } = await signIn(clinic.info, email);
  const rt = pool.create(clinic.info, { authorize: bearerAuthorizer(clinic.info, token) });
  const here = nextOf(rt, 'presence', (e) => e.kind === 'here');
  rt.setChannels([PRESENCE, ...extra]);
  rt.connect();
  await settled(rt, [PRESENCE.fullName, ...extra.map((c) => c.fullName)]);
  return { rt, here: (await here) as Extract<RealtimeEvents['presence'], { kind: 'here' }> };
}

/** A notification to the observer: frames arrive in order, so anything sent before it has arrived too. */
async function barrier(rt: Awaited<ReturnType<typeof core>>['rt'], userId: number, title: string): Promise<void> {
  const got = nextOf(rt, 'event', (e) => e.key === 'notification' && e.payload.title === title);
  await clinic.backend.notify({ user_id: userId, type: 'info', title, message: '-', action_url: null });
  await got;
}

describe('presence', () => {
  it('shows one user on two connections as one member, and "left" only after both closed', async () => {
    const observer = await core(DOCTOR, [channels.notifications(4)]);
    expect(observer.here.members).toEqual([{ id: 4, name: expect.any(String), role: 'doctor' }]);
    const changes = collect(observer.rt, 'presence');

    const joined = nextOf(observer.rt, 'presence', (e) => e.kind === 'joined');
    const first = await core(RECEPTION);
    expect(await joined).toMatchObject({ kind: 'joined', member: { id: 2, role: 'reception' } });
    const second = await core(RECEPTION);
    // The second connection's own view: each user once, ids as numbers.
    expect(second.here.members.map((m) => m.id)).toEqual([2, 4]);
    expect(first.here.members.map((m) => m.id)).toEqual([2, 4]);
    await barrier(observer.rt, 4, 'after the second connection');
    expect(changes.map((c) => c.kind)).toEqual(['joined']);

    const firstSocket = first.rt.status.socketId;
    const firstGone = waitForServer(clinic.realtime!, 'unsubscribed', (e) => e.socketId === firstSocket && e.channel === PRESENCE.fullName);
    first.rt.disconnect();
    await firstGone;
    await barrier(observer.rt, 4, 'after the first left');
    expect(changes.map((c) => c.kind)).toEqual(['joined']);

    const left = nextOf(observer.rt, 'presence', (e) => e.kind === 'left');
    second.rt.disconnect();
    expect(await left).toMatchObject({ channel: PRESENCE.fullName, kind: 'left', member: { id: 2, role: 'reception' } });
    expect(changes.map((c) => c.kind)).toEqual(['joined', 'left']);
  });

  it('replaces the member list with "here" after a reconnect', async () => {
    const observer = await core(DOCTOR);
    await core(RECEPTION);
    const here = nextOf(observer.rt, 'presence', (e) => e.kind === 'here');
    observer.rt.reconnectNow('network changed');
    const after = (await here) as Extract<RealtimeEvents['presence'], { kind: 'here' }>;
    expect(after.members.map((m) => [m.id, m.role])).toEqual([
      [2, 'reception'],
      [4, 'doctor'],
    ]);
  });
});
