import { describe, expect, it } from 'vitest';
import { PROFILE_ACTIONS, type ActionRoute, type ProfileAction } from '../../../src/main/core/api/profile';
import { ACTION_ENDPOINTS, offeredActions, verdictOf, whyNotOffered, type OfferInputs, type RouteVerdict } from '../../../src/main/core/sync/staff-action-offers';
import { STAFF_ACTIONS } from '../../../src/shared/staff-actions';

/**
 * Which staff actions a desk offers (docs/backend-contract.md, "Staff
 * actions", Capabilities): the role's, less what the server's `OPTIONS` says
 * it lacks, what a request met as a missing route, and what the profile
 * switched off.
 */

const ALL_ON: Record<ProfileAction, boolean> = { ...PROFILE_ACTIONS };

function inputs(patch: Partial<OfferInputs> = {}): OfferInputs {
  return { role: 'reception', verdicts: new Map(), hidden: new Set(), switches: ALL_ON, ...patch };
}

describe('verdictOf: what one OPTIONS answer says of one endpoint', () => {
  it('offered when Allow names the method (in any case), not offered when it leaves it out', () => {
    expect(verdictOf({ kind: 'allow', methods: ['GET', 'HEAD', 'PATCH'] }, 'PATCH')).toBe('offered');
    expect(verdictOf({ kind: 'allow', methods: ['GET', 'HEAD', 'PATCH'] }, 'patch')).toBe('offered');
    expect(verdictOf({ kind: 'allow', methods: ['GET', 'HEAD', 'PUT'] }, 'PATCH')).toBe('not-offered');
    expect(verdictOf({ kind: 'allow', methods: [] }, 'POST')).toBe('not-offered');
  });

  it('a missing route is not offered; an answer without Allow is assumed offered; no answer is unknown', () => {
    expect(verdictOf({ kind: 'route-missing' }, 'POST')).toBe('not-offered');
    expect(verdictOf({ kind: 'no-allow' }, 'POST')).toBe('assumed');
    expect(verdictOf({ kind: 'unanswered' }, 'POST')).toBe('unknown');
  });
});

describe('offeredActions: the role’s, less what the server lacks and the profile switched off', () => {
  it('each role its own actions; an unknown role none', () => {
    expect(offeredActions(inputs({ role: 'reception' }))).toEqual(['check-in', 'no-show', 'cancel']);
    expect(offeredActions(inputs({ role: 'admin' }))).toEqual(['check-in', 'no-show', 'cancel']);
    expect(offeredActions(inputs({ role: 'doctor' }))).toEqual(['call-in', 'start-consultation', 'complete-consultation']);
    expect(offeredActions(inputs({ role: 'nurse' }))).toEqual([]);
    expect(offeredActions(inputs({ role: 'patient' }))).toEqual([]);
  });

  it('until the server says otherwise (unknown, assumed) an action is offered; only not-offered takes it away', () => {
    for (const verdict of ['offered', 'assumed', 'unknown'] satisfies RouteVerdict[]) {
      expect(offeredActions(inputs({ role: 'doctor', verdicts: new Map([['appointmentCallIn', verdict]]) }))).toContain('call-in');
    }
    const without = offeredActions(inputs({ role: 'doctor', verdicts: new Map([['appointmentCallIn', 'not-offered']]) }));
    expect(without).toEqual(['start-consultation', 'complete-consultation']);
  });

  it('actions sharing an endpoint go together: PATCH refused on appointments takes check-in, no-show and cancel', () => {
    expect(offeredActions(inputs({ verdicts: new Map([['appointmentUpdate', 'not-offered']]) }))).toEqual([]);
    expect(offeredActions(inputs({ hidden: new Set<ActionRoute>(['appointmentUpdate']) }))).toEqual([]);
  });

  it('an endpoint hidden this session stays hidden whatever OPTIONS said', () => {
    const hidden = inputs({ role: 'doctor', verdicts: new Map([['consultationStart', 'offered']]), hidden: new Set<ActionRoute>(['consultationStart']) });
    expect(offeredActions(hidden)).toEqual(['call-in', 'complete-consultation']);
  });

  it('the profile’s switches take one action away, not its neighbours on the same endpoint', () => {
    expect(offeredActions(inputs({ switches: { ...ALL_ON, noShow: false } }))).toEqual(['check-in', 'cancel']);
    expect(offeredActions(inputs({ role: 'doctor', switches: { ...ALL_ON, callIn: false } }))).toEqual(['start-consultation', 'complete-consultation']);
  });

  it('every action has an endpoint and a switch the profile knows', () => {
    for (const kind of STAFF_ACTIONS) {
      expect(Object.keys(PROFILE_ACTIONS)).toContain(ACTION_ENDPOINTS[kind].switch);
    }
    expect(new Set(Object.values(ACTION_ENDPOINTS).map((e) => e.switch)).size).toBe(STAFF_ACTIONS.length);
  });
});

describe('whyNotOffered: the sentence the bridge call is refused with', () => {
  it('says whose role, which switch, or that the server lacks it, in that order', () => {
    expect(whyNotOffered('call-in', inputs({ role: 'reception' }))).toBe('Calling patients in is not offered to a reception account.');
    expect(whyNotOffered('check-in', inputs({ role: 'admin', switches: { ...ALL_ON, checkIn: false } }))).toBe('Checking patients in is switched off by your administrator.');
    expect(whyNotOffered('check-in', inputs({ role: 'admin' }))).toBeNull();
    expect(whyNotOffered('cancel', inputs({ verdicts: new Map([['appointmentUpdate', 'not-offered']]) }))).toBe('This clinic server does not offer cancelling appointments.');
    expect(whyNotOffered('start-consultation', inputs({ role: 'doctor', hidden: new Set<ActionRoute>(['consultationStart']) }))).toBe('This clinic server does not offer starting consultations.');
    // The role comes first: a switch or the server does not matter to someone who may not act at all.
    expect(whyNotOffered('call-in', inputs({ role: 'admin', switches: { ...ALL_ON, callIn: false } }))).toBe('Calling patients in is not offered to an admin account.');
  });
});
