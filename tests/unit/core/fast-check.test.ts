import { describe, expect, it } from 'vitest';
import { fastConsultation, fastNotification } from '../../../src/main/core/realtime/fast-check';
import { ConsultationStatusPayload, NotificationPayload } from '../../../src/shared/payloads';
import { DEFAULT_FUZZ_SEED, fuzzCases, type FuzzTargets } from '../../helpers/fuzz';
import { DATE_TIMES, NUMBERS, holds, pick, rng, textAround, type Tally } from '../../helpers/boundary-values';

/**
 * The hand-written checks in front of zod (fast-check.ts) must never be
 * looser than the schemas: whatever they accept, zod accepts too, with an
 * equal output (same fields, same values, same key order). Checked over
 * payloads generated around the limits of every field, and over the fuzz
 * engine's payloads.
 */

function notificationCandidate(random: () => number): unknown {
  const base: Record<string, unknown> = {
    id: 80_000_001,
    user_id: 31,
    type: 'lab_result',
    title: 'Lab result',
    message: 'Potassium is back',
    action_url: '/patients/4',
    created_at: '2026-11-26T09:00:00.000000Z',
  };
  const mutations = Math.floor(random() * 3);
  for (let i = 0; i < mutations; i++) {
    const field = pick(random, ['id', 'user_id', 'type', 'title', 'message', 'action_url', 'created_at', 'extra', 'drop']);
    switch (field) {
      case 'id':
      case 'user_id':
        base[field] = pick(random, NUMBERS);
        break;
      case 'type':
        base.type = random() < 0.5 ? textAround(random, 64) : pick(random, [1, null, '', 'x'.repeat(65)]);
        break;
      case 'title':
        base.title = random() < 0.8 ? textAround(random, 500) : pick(random, [1, null, undefined, ['a']]);
        break;
      case 'message':
        base.message = random() < 0.8 ? textAround(random, 5000) : pick(random, [1, null, undefined]);
        break;
      case 'action_url':
        base.action_url = random() < 0.5 ? textAround(random, 2048) : pick(random, [null, undefined, 1, '']);
        break;
      case 'created_at':
        base.created_at = pick(random, DATE_TIMES);
        break;
      case 'extra':
        base[pick(random, ['extra', 'read_at', 'constructor', 'toString', '__proto__'])] = pick(random, [1, 'x', null, { a: 1 }]);
        break;
      case 'drop':
        delete base[pick(random, ['id', 'user_id', 'type', 'title', 'message', 'action_url', 'created_at'])];
        break;
    }
  }
  // Through JSON, as it arrives (a `__proto__` key becomes an own property, as JSON.parse makes it).
  return random() < 0.05 ? pick(random, [null, [], 'x', 1, JSON.stringify(base)]) : (JSON.parse(JSON.stringify(base, (_k, v: unknown) => (v === undefined ? undefined : v))) as unknown);
}

function consultationCandidate(random: () => number): unknown {
  const base: Record<string, unknown> = {
    id: 501,
    status: 'active',
    doctor_id: 7,
    patient_id: 12,
    started_at: '2026-11-26T09:00:00.000000Z',
    ended_at: null,
    timestamp: '2026-11-26T09:00:01.000000Z',
  };
  const mutations = Math.floor(random() * 3);
  for (let i = 0; i < mutations; i++) {
    const field = pick(random, ['id', 'doctor_id', 'patient_id', 'status', 'started_at', 'ended_at', 'timestamp', 'extra', 'drop']);
    switch (field) {
      case 'id':
      case 'doctor_id':
      case 'patient_id':
        base[field] = pick(random, NUMBERS);
        break;
      case 'status':
        base.status = random() < 0.6 ? pick(random, ['pending', ' active ', '\tdone\n', '', '   ', 'on_hold']) : random() < 0.5 ? textAround(random, 40) : pick(random, [null, 1]);
        break;
      case 'started_at':
      case 'ended_at':
      case 'timestamp':
        base[field] = pick(random, DATE_TIMES);
        break;
      case 'extra':
        base[pick(random, ['extra', 'constructor', '__proto__'])] = pick(random, [1, { a: 1 }]);
        break;
      case 'drop':
        delete base[pick(random, ['id', 'status', 'doctor_id', 'patient_id', 'started_at', 'ended_at', 'timestamp'])];
        break;
    }
  }
  return JSON.parse(JSON.stringify(base)) as unknown;
}

const TARGETS: FuzzTargets = {
  userId: 31,
  otherUserId: 32,
  peer: { id: 33, name: 'Dr. Okafor' },
  notifications: 'private-notifications.31',
  conversations: [{ id: 9, channel: 'private-conversation.9' }],
  consultations: [{ id: 501, channel: 'private-consultations.501' }],
  appointments: ['private-appointments.doctor.7'],
  presence: null,
};

describe('the fast payload checks never accept what zod refuses, and give what zod gives', () => {
  it('notifications, generated around every limit', () => {
    const random = rng(DEFAULT_FUZZ_SEED);
    const tally: Tally = { fast: 0, zodOnly: 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) holds(fastNotification, NotificationPayload, notificationCandidate(random), tally);
    // The check is worth having: it takes the well-formed case.
    expect(tally.fast).toBeGreaterThan(2_000);
    expect(tally.refused).toBeGreaterThan(2_000);
  });

  it('consultation updates, generated around every limit', () => {
    const random = rng(DEFAULT_FUZZ_SEED + 1);
    const tally: Tally = { fast: 0, zodOnly: 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) holds(fastConsultation, ConsultationStatusPayload, consultationCandidate(random), tally);
    expect(tally.fast).toBeGreaterThan(2_000);
    expect(tally.refused).toBeGreaterThan(2_000);
  });

  it("the fuzz engine's payloads", () => {
    const tally: Tally = { fast: 0, zodOnly: 0, refused: 0 };
    for (const c of fuzzCases(DEFAULT_FUZZ_SEED, 3_000, TARGETS, Date.parse('2026-11-26T09:00:00Z'), { hugeFrames: 0 })) {
      if (c.via !== 'publish') continue;
      let value: unknown;
      try {
        value = JSON.parse(c.data) as unknown;
      } catch {
        continue;
      }
      holds(fastNotification, NotificationPayload, value, tally);
      holds(fastConsultation, ConsultationStatusPayload, value, tally);
    }
    expect(tally.fast).toBeGreaterThan(100);
  });

  it('the well-formed case is taken by the fast check', () => {
    const n = { id: 1, user_id: 31, type: 't', title: 'a\u0000b', message: 'm', created_at: '2026-11-26T09:00:00Z' };
    expect(fastNotification(n)).toStrictEqual(NotificationPayload.parse(n));
    expect(fastNotification({ ...n, id: '1' })).toBeNull();
  });
});
