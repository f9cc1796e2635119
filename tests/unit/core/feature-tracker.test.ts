import { describe, expect, it, vi } from 'vitest';
import { FEATURES, type Feature, type FeatureStatus, type FieldProblem } from '../../../src/shared/features';
import {
  ApiError,
  ForbiddenError,
  NetworkError,
  NotAClinicError,
  NotFoundError,
  NotUnderstoodError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
} from '../../../src/main/core/api/client';
import { FAILING_RETRY_BASE_MS, FAILING_RETRY_MAX_MS, FeatureTracker, NOT_OFFERED_RECHECK_MS } from '../../../src/main/core/sync/features';

const START_MS = Date.parse('2026-11-26T10:00:00.000Z');
const ENDPOINTS: Record<Feature, string> = {
  notifications: 'GET /api/notifications',
  board: 'GET /api/appointments',
  consultations: 'GET /api/consultations',
  conversations: 'GET /api/conversations',
  members: 'GET /api/clinic/members',
};

function tracker() {
  let now = START_MS;
  const onChange = vi.fn<(features: FeatureStatus[]) => void>();
  const features = new FeatureTracker({ now: () => now, endpoint: (f) => ENDPOINTS[f], onChange });
  return {
    features,
    onChange,
    advance: (ms: number) => {
      now += ms;
    },
    iso: () => new Date(now).toISOString(),
  };
}

const init = (status: number, path = '/api/appointments') => ({ status, url: `http://clinic.test${path}`, method: 'GET' });
const notFound = () => new NotFoundError('GET /api/appointments answered 404: The route api/appointments could not be found.', init(404));
const methodNotAllowed = () => new ApiError('GET /api/appointments answered 405', init(405));
const notImplemented = () => new ApiError('GET /api/appointments answered 501', init(501));
const forbidden = () => new ForbiddenError('GET /api/clinic/members answered 403: This action is unauthorized.', init(403, '/api/clinic/members'));
const network = () => new NetworkError('connection refused: nothing listens there (ECONNREFUSED)', { ...init(0), timedOut: false, code: 'ECONNREFUSED' });
const server = () => new ServerError('GET /api/appointments answered 500: Server Error', init(500));
const unauthorized = () => new UnauthorizedError('GET /api/appointments answered 401: Unauthenticated.', init(401));
const problem: FieldProblem = {
  path: 'data.3.appointment_date',
  seen: '(missing)',
  expected: 'appointment_date, required: an ISO 8601 date-time such as 2026-11-26T09:00:00Z',
  profileLine: '"appointments.appointment_date": "slot.begins"',
};
const notUnderstood = () => new NotUnderstoodError(problem, init(200));

const fail = (error: unknown) => () => Promise.reject(error instanceof Error ? error : new Error(String(error)));
const throwing = (value: unknown) => () => {
  // A sync that throws something other than an Error (a string from a library).
  return new Promise<void>((_, reject) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    reject(value);
  });
};

describe('FeatureTracker: start', () => {
  it('lists every feature as pending with its endpoint', () => {
    const { features, onChange } = tracker();
    expect(features.list()).toEqual(
      FEATURES.map((feature) => ({ feature, state: 'pending', endpoint: ENDPOINTS[feature], lastSuccessAt: null, lastAttemptAt: null, error: null, fix: null, problem: null, dropped: 0 })),
    );
    expect(features.limited()).toEqual([]);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('hands out copies', () => {
    const { features } = tracker();
    const board = features.get('board');
    board.state = 'failing';
    features.list()[0]!.state = 'failing';
    expect(features.get('board').state).toBe('pending');
    expect(features.get('notifications').state).toBe('pending');
  });
});

describe('FeatureTracker: run', () => {
  it('marks a feature whose sync worked available, with its times', async () => {
    const { features, iso } = tracker();
    expect(await features.run('board', async () => undefined)).toBe('ok');
    expect(features.get('board')).toEqual({
      feature: 'board',
      state: 'available',
      endpoint: 'GET /api/appointments',
      lastSuccessAt: iso(),
      lastAttemptAt: iso(),
      error: null,
      fix: null,
      problem: null,
      dropped: 0,
    });
  });

  it('keeps what the sync had to drop and why, with the profile fix', async () => {
    const { features } = tracker();
    expect(await features.run('board', async () => ({ dropped: 2, problem }))).toBe('ok');
    const board = features.get('board');
    expect(board).toMatchObject({ state: 'available', dropped: 2, problem, error: null });
    expect(board.fix).toContain('"api": {"fields"');
    expect(features.limited()).toEqual(['board']);
  });

  it('keeps the feature available with dropped records but no problem given', async () => {
    const { features } = tracker();
    await features.run('members', async () => ({ dropped: 1 }));
    expect(features.get('members')).toMatchObject({ state: 'available', dropped: 1, problem: null, fix: null });
  });

  it.each([
    ['NotFoundError', notFound],
    ['a 405 ApiError', methodNotAllowed],
    ['a 501 ApiError', notImplemented],
    ['ForbiddenError', forbidden],
  ])('marks a feature answered with %s not offered', async (_, error) => {
    const { features, iso } = tracker();
    const thrown = error();
    expect(await features.run('board', fail(thrown))).toBe('not-offered');
    const board = features.get('board');
    expect(board).toMatchObject({ state: 'not-offered', error: thrown.message, problem: null, dropped: 0, lastAttemptAt: iso(), lastSuccessAt: null });
    expect(board.fix).toContain('"api": {"paths": {"appointments": "/api/…"}}');
    expect(board.fix).toContain('the board is built from live appointment updates');
    expect(features.retryDelay('board')).toBeNull();
  });

  it('names the profile path key of each feature in the fix', async () => {
    const { features } = tracker();
    const keys: Record<Feature, string> = { notifications: 'notifications', board: 'appointments', consultations: 'consultations', conversations: 'conversations', members: 'members' };
    for (const feature of FEATURES) {
      await features.run(feature, fail(notFound()));
      expect(features.get(feature).fix).toContain(`"paths": {"${keys[feature]}": `);
    }
  });

  it('marks a feature whose answer it could not read not understood, with the problem', async () => {
    const { features } = tracker();
    const thrown = notUnderstood();
    expect(await features.run('board', fail(thrown))).toBe('not-understood');
    const board = features.get('board');
    expect(board).toMatchObject({ state: 'not-understood', error: thrown.message, problem, dropped: 0 });
    expect(board.error).toContain('data.3.appointment_date');
    expect(board.fix).toContain('"api": {"fields"');
    expect(features.retryDelay('board')).toBeNull();
  });

  it('marks a feature answered by something that is not a clinic API not understood, without a problem', async () => {
    const { features } = tracker();
    expect(await features.run('consultations', fail(new NotAClinicError('it answered 200 with an HTML page instead of JSON', init(200, '/api/consultations'))))).toBe('not-understood');
    expect(features.get('consultations')).toMatchObject({ state: 'not-understood', problem: null });
    expect(features.get('consultations').fix).toContain('Accept: application/json');
  });

  it('marks an unreachable feature failing', async () => {
    const { features } = tracker();
    const thrown = network();
    expect(await features.run('board', fail(thrown))).toBe('unreachable');
    expect(features.get('board')).toMatchObject({ state: 'failing', error: thrown.message, problem: null });
    expect(features.get('board').fix).toContain('retries on its own');
  });

  it('marks a feature whose server failed failing', async () => {
    const { features } = tracker();
    expect(await features.run('board', fail(server()))).toBe('failed');
    expect(features.get('board').state).toBe('failing');
    expect(await features.run('members', fail(new RateLimitedError('429', { ...init(429), retryAfterMs: 1000 })))).toBe('failed');
    expect(features.get('members').state).toBe('failing');
  });

  it('counts something thrown that is not an Error as a failure', async () => {
    const { features } = tracker();
    expect(await features.run('board', throwing('boom'))).toBe('failed');
    expect(features.get('board')).toMatchObject({ state: 'failing', error: 'boom' });
  });

  it('rethrows a 401 and records nothing', async () => {
    const { features, onChange } = tracker();
    await features.run('board', async () => undefined);
    onChange.mockClear();
    const before = features.get('board');
    const thrown = unauthorized();
    await expect(features.run('board', fail(thrown))).rejects.toBe(thrown);
    expect(features.get('board')).toEqual(before);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('keeps each feature to itself', async () => {
    const { features } = tracker();
    await features.run('board', fail(network()));
    await features.run('members', fail(notFound()));
    await features.run('consultations', async () => undefined);
    expect(features.get('board').state).toBe('failing');
    expect(features.get('members').state).toBe('not-offered');
    expect(features.get('consultations').state).toBe('available');
    expect(features.get('notifications').state).toBe('pending');
    expect(features.retryDelay('members')).toBeNull();
    expect(features.retryDelay('consultations')).toBeNull();
    expect(features.retryDelay('board')).not.toBeNull();
  });

  it('recovers: a success after failures clears the error, the fix and the backoff', async () => {
    const { features, advance, iso } = tracker();
    await features.run('board', fail(server()));
    await features.run('board', fail(server()));
    const failedAt = features.get('board').lastAttemptAt;
    advance(60_000);
    expect(await features.run('board', async () => ({ dropped: 0 }))).toBe('ok');
    expect(features.get('board')).toMatchObject({ state: 'available', error: null, fix: null, problem: null, lastSuccessAt: iso(), lastAttemptAt: iso() });
    expect(failedAt).not.toBe(iso());
    expect(features.retryDelay('board')).toBeNull();
    // The backoff starts over at the next failure.
    await features.run('board', fail(server()));
    expect(features.retryDelay('board', () => 0)).toBe(FAILING_RETRY_BASE_MS / 2);
  });

  it('keeps the last success time while failing', async () => {
    const { features, advance } = tracker();
    await features.run('board', async () => undefined);
    const success = features.get('board').lastSuccessAt;
    advance(5_000);
    await features.run('board', fail(network()));
    expect(features.get('board').lastSuccessAt).toBe(success);
    expect(features.get('board').lastAttemptAt).toBe(new Date(START_MS + 5_000).toISOString());
  });
});

describe('FeatureTracker: retryDelay', () => {
  it('is null for a feature that is not failing', async () => {
    const { features } = tracker();
    expect(features.retryDelay('board')).toBeNull();
    await features.run('board', async () => undefined);
    expect(features.retryDelay('board')).toBeNull();
  });

  it('doubles with each failure, jittered over the upper half, up to the cap', async () => {
    const { features } = tracker();
    const ceilings = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000];
    expect(FAILING_RETRY_BASE_MS).toBe(5_000);
    expect(FAILING_RETRY_MAX_MS).toBe(300_000);
    for (const ceiling of ceilings) {
      await features.run('board', fail(network()));
      expect(features.retryDelay('board', () => 0)).toBe(ceiling / 2);
      expect(features.retryDelay('board', () => 0.5)).toBe((ceiling * 3) / 4);
      expect(features.retryDelay('board', () => 0.999999)).toBe(ceiling);
      for (let i = 0; i < 20; i++) {
        const delay = features.retryDelay('board')!;
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('counts failures per feature', async () => {
    const { features } = tracker();
    for (let i = 0; i < 3; i++) await features.run('board', fail(server()));
    await features.run('members', fail(server()));
    expect(features.retryDelay('board', () => 0)).toBe(10_000);
    expect(features.retryDelay('members', () => 0)).toBe(2_500);
  });

  it('stops backing off when a failing feature turns out not offered', async () => {
    const { features } = tracker();
    await features.run('board', fail(server()));
    await features.run('board', fail(notFound()));
    expect(features.retryDelay('board')).toBeNull();
    await features.run('board', fail(server()));
    expect(features.retryDelay('board', () => 0)).toBe(2_500);
  });
});

describe('FeatureTracker: due', () => {
  it('is due when pending, available or failing', async () => {
    const { features } = tracker();
    expect(features.due('board', false)).toBe(true);
    await features.run('board', async () => undefined);
    expect(features.due('board', false)).toBe(true);
    await features.run('members', fail(network()));
    expect(features.due('members', false)).toBe(true);
    await features.run('consultations', fail(notUnderstood()));
    expect(features.due('consultations', false)).toBe(true);
  });

  it('asks a feature the server does not offer again only after NOT_OFFERED_RECHECK_MS, unless forced', async () => {
    const { features, advance } = tracker();
    await features.run('members', fail(forbidden()));
    expect(features.due('members', false)).toBe(false);
    expect(features.due('members', true)).toBe(true);
    advance(NOT_OFFERED_RECHECK_MS - 1);
    expect(features.due('members', false)).toBe(false);
    advance(1);
    expect(features.due('members', false)).toBe(true);
    // Asked again, still not offered: the wait starts over.
    await features.run('members', fail(forbidden()));
    expect(features.due('members', false)).toBe(false);
    advance(NOT_OFFERED_RECHECK_MS);
    expect(features.due('members', false)).toBe(true);
  });

  it('is due again at once when an upgraded server offers the feature', async () => {
    const { features, advance } = tracker();
    await features.run('board', fail(notFound()));
    advance(NOT_OFFERED_RECHECK_MS);
    await features.run('board', async () => undefined);
    expect(features.due('board', false)).toBe(true);
  });

  it('rechecks every 30 minutes', () => {
    expect(NOT_OFFERED_RECHECK_MS).toBe(30 * 60_000);
  });
});

describe('FeatureTracker: limited', () => {
  it('lists features not fully served, in the order of FEATURES', async () => {
    const { features } = tracker();
    await features.run('members', fail(server()));
    await features.run('board', fail(notFound()));
    await features.run('conversations', async () => undefined);
    await features.run('consultations', async () => ({ dropped: 1, problem }));
    await features.run('notifications', fail(notUnderstood()));
    expect(features.limited()).toEqual(['notifications', 'board', 'consultations', 'members']);
  });

  it('drops a feature from the list when it recovers', async () => {
    const { features } = tracker();
    await features.run('board', fail(server()));
    expect(features.limited()).toEqual(['board']);
    await features.run('board', async () => undefined);
    expect(features.limited()).toEqual([]);
  });
});

describe('FeatureTracker: onChange', () => {
  it('tells of a state change with the full list', async () => {
    const { features, onChange } = tracker();
    await features.run('board', async () => undefined);
    expect(onChange).toHaveBeenCalledTimes(1);
    const list = onChange.mock.calls[0]![0];
    expect(list.map((s) => s.feature)).toEqual([...FEATURES]);
    expect(list.find((s) => s.feature === 'board')?.state).toBe('available');
    expect(list.find((s) => s.feature === 'members')?.state).toBe('pending');
  });

  it('tells nothing when only the times change', async () => {
    const { features, onChange, advance } = tracker();
    await features.run('board', async () => ({ dropped: 0 }));
    advance(60_000);
    await features.run('board', async () => ({ dropped: 0 }));
    advance(60_000);
    await features.run('board', async () => undefined);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(features.get('board').lastSuccessAt).toBe(new Date(START_MS + 120_000).toISOString());
  });

  it('tells of a change in what was dropped, or in the problem', async () => {
    const { features, onChange } = tracker();
    await features.run('board', async () => undefined);
    await features.run('board', async () => ({ dropped: 3, problem }));
    expect(onChange).toHaveBeenCalledTimes(2);
    await features.run('board', async () => ({ dropped: 3, problem: { ...problem, path: 'data.4.appointment_date' } }));
    expect(onChange).toHaveBeenCalledTimes(3);
    await features.run('board', async () => ({ dropped: 3, problem: { ...problem, path: 'data.4.appointment_date' } }));
    expect(onChange).toHaveBeenCalledTimes(3);
  });

  it('tells of failing and of recovering, but not of the same failure again', async () => {
    const { features, onChange, advance } = tracker();
    await features.run('board', async () => undefined);
    await features.run('board', fail(network()));
    expect(onChange).toHaveBeenCalledTimes(2);
    advance(5_000);
    await features.run('board', fail(network()));
    expect(onChange).toHaveBeenCalledTimes(2);
    await features.run('board', async () => undefined);
    expect(onChange).toHaveBeenCalledTimes(3);
  });

  it('tells nothing when a feature that never worked answers the same again', async () => {
    const { features, onChange, advance } = tracker();
    await features.run('members', fail(forbidden()));
    expect(onChange).toHaveBeenCalledTimes(1);
    advance(NOT_OFFERED_RECHECK_MS);
    await features.run('members', fail(forbidden()));
    await features.run('board', fail(network()));
    expect(onChange).toHaveBeenCalledTimes(2);
    advance(5_000);
    await features.run('board', fail(network()));
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});
