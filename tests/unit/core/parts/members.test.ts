/**
 * MembersPart on its own: the clinic's roster read from a demo clinic over
 * real HTTP, who is online from presence events, and the role of each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RealtimeEvents } from '../../../../src/main/core/realtime/realtime';
import { MembersPart, UNKNOWN_ROLE } from '../../../../src/main/core/sync/members';
import { ClinicMember } from '../../../../src/shared/domain';
import { NOW_ISO, RECEPTION, closeAll, closedPortApi, recordedContext, requestsTo, signedIn, takeProblems } from './context';

const MemberList = z.array(ClinicMember);
const CHANNEL = 'presence-clinic.1';
const NURSE: ClinicMember = { id: 11, name: 'Nadia Okoro', role: 'nurse', clinic_id: 1, doctor_id: null };

afterEach(async () => {
  // Every event would cross the bridge and every snapshot passed its own schema.
  const problems = takeProblems();
  await closeAll();
  expect(problems).toEqual([]);
});

type Presence = RealtimeEvents['presence'];
type Member = { id: number; name: string; role: string | null };
const here = (...members: Member[]): Presence => ({ channel: CHANNEL, kind: 'here', members });
const joined = (member: Member): Presence => ({ channel: CHANNEL, kind: 'joined', member });
const left = (member: Member): Presence => ({ channel: CHANNEL, kind: 'left', member });

const VERA = { id: 2, name: 'Vera Quispe', role: 'reception' };
const GRACE = { id: 4, name: 'Dr. Grace Petrov', role: 'doctor' };
const LIAM = { id: 5, name: 'Dr. Liam Garcia', role: 'doctor' };
const SAMI = { id: 6, name: 'Dr. Sami Haddad', role: 'doctor' };

describe('MembersPart: roster', () => {
  it("reads the clinic's members, a role the desk does not know included (nested dialect)", async () => {
    const { clinic, api, user } = await signedIn('reception1@northside.clinic.test', 'nested');
    const r = recordedContext(user, api);
    const part = new MembersPart(r.ctx);
    const outcome = await part.sync();
    const roster = [...clinic.store.members(1), NURSE];
    expect(requestsTo(clinic, '/api/clinic/members')).toEqual([200]);
    expect(outcome).toMatchObject({ dropped: 0, problem: null });
    expect(part.list()).toEqual(roster);
    expect(part.list().find((m) => m.role === 'nurse')).toEqual(NURSE);
    expect(part.presence()).toEqual({ clinicId: 1, members: [], roster });
    expect(r.events).toEqual([{ kind: 'presence.replaced', presence: { clinicId: 1, members: [], roster } }]);
    expect(r.snapshot('members', MemberList)).toEqual(roster);

    const next = new MembersPart(recordedContext(RECEPTION, await closedPortApi(), { snapshots: r.snapshots }).ctx);
    next.restore();
    expect(next.list()).toEqual(roster);
  });

  it('does not ask for members when the user is a patient', async () => {
    const { clinic, api, user } = await signedIn('patient@northside.clinic.test');
    expect(user.role).toBe('patient');
    const r = recordedContext(user, api);
    const part = new MembersPart(r.ctx);
    expect(await part.sync()).toEqual({});
    expect(requestsTo(clinic, '/api/clinic/members')).toEqual([]);
    expect(part.list()).toEqual([]);
    expect(part.presence()).toEqual({ clinicId: null, members: [], roster: [] });
    expect(r.events).toEqual([]);
  });
});

describe('MembersPart: presence', () => {
  it('follows who is here, joins and leaves, keeping when each came online across a fresh member list', async () => {
    const r = recordedContext(RECEPTION, await closedPortApi());
    const part = new MembersPart(r.ctx);

    r.setNow('2026-11-26T09:00:00.000Z');
    part.onPresence(here(VERA, GRACE));
    const vera = { ...VERA, onlineSince: '2026-11-26T09:00:00.000Z' };
    const grace = { ...GRACE, onlineSince: '2026-11-26T09:00:00.000Z' };
    expect(r.events).toEqual([{ kind: 'presence.replaced', presence: { clinicId: 1, members: [grace, vera], roster: [] } }]);

    r.clear();
    r.setNow('2026-11-26T09:10:00.000Z');
    part.onPresence(joined(LIAM));
    const liam = { ...LIAM, onlineSince: '2026-11-26T09:10:00.000Z' };
    expect(r.events).toEqual([{ kind: 'presence.joined', member: liam }]);
    part.onPresence(joined({ ...LIAM, name: 'Liam G.' })); // already here
    expect(r.events).toHaveLength(1);
    expect(part.presence().members).toEqual([grace, liam, vera]);

    r.clear();
    r.setNow('2026-11-26T09:20:00.000Z');
    part.onPresence(left(GRACE));
    expect(r.events).toEqual([{ kind: 'presence.left', memberId: 4, at: '2026-11-26T09:20:00.000Z' }]);
    part.onPresence(left(GRACE)); // already gone
    expect(r.events).toHaveLength(1);

    // A reconnect brings the whole list again: who stayed keeps their time, a newcomer gets now.
    r.clear();
    r.setNow(NOW_ISO);
    part.onPresence(here(VERA, LIAM, SAMI));
    const sami = { ...SAMI, onlineSince: NOW_ISO };
    expect(part.presence().members).toEqual([liam, sami, vera]);
    expect(r.events).toEqual([{ kind: 'presence.replaced', presence: { clinicId: 1, members: [liam, sami, vera], roster: [] } }]);
  });

  it('takes a role user_info does not name from the roster, else "staff"; a named one stays', async () => {
    const { api, user } = await signedIn('reception1@northside.clinic.test', 'nested');
    const r = recordedContext(user, api);
    const part = new MembersPart(r.ctx);
    await part.sync();
    r.clear();

    part.onPresence(here({ id: 4, name: 'Dr. Grace Petrov', role: null }, { id: 11, name: 'Nadia Okoro', role: null }, { id: 40, name: 'Locum', role: null }, { id: 2, name: 'Vera Quispe', role: 'admin' }));
    expect(part.presence().members.map((m) => [m.id, m.role])).toEqual([
      [4, 'doctor'],
      [40, UNKNOWN_ROLE],
      [11, 'nurse'],
      [2, 'admin'],
    ]);
    expect(UNKNOWN_ROLE).toBe('staff');
    part.onPresence(joined({ id: 5, name: 'Dr. Liam Garcia', role: null }));
    expect(r.of('presence.joined')).toEqual([{ kind: 'presence.joined', member: { id: 5, name: 'Dr. Liam Garcia', role: 'doctor', onlineSince: NOW_ISO } }]);
  });

  it('gives members who came online before the roster their roster role once it arrives', async () => {
    const { api, user } = await signedIn('reception1@northside.clinic.test', 'nested');
    const r = recordedContext(user, api);
    const part = new MembersPart(r.ctx);
    // The presence channel answered before the members list (a first sign-in: nothing cached).
    part.onPresence(here({ id: 4, name: 'Dr. Grace Petrov', role: null }, { id: 11, name: 'Nadia Okoro', role: null }));
    expect(part.presence().members.map((m) => m.role)).toEqual([UNKNOWN_ROLE, UNKNOWN_ROLE]);

    await part.sync();
    expect(part.presence().members.map((m) => [m.id, m.role])).toEqual([
      [4, 'doctor'],
      [11, 'nurse'],
    ]);
    expect(r.of('presence.replaced').at(-1)?.presence.members.map((m) => m.role)).toEqual(['doctor', 'nurse']);
  });
});
