import { describe, expect, it } from 'vitest';
import { fastBoard, fastSnapshotCheck } from '../../../src/main/core/cache/fast-snapshot';
import { Board, Presence } from '../../../src/shared/desk-state';
import { DEFAULT_FUZZ_SEED } from '../../helpers/fuzz';
import { DATE_TIMES, NUMBERS, holds, pick, rng, textAround } from '../../helpers/boundary-values';

/**
 * The hand-written check in front of zod when the cache reads the board's
 * snapshot back (fast-snapshot.ts) must never be looser than `Board`: whatever
 * it accepts, zod accepts too, with an equal output (same fields, same values,
 * same defaults, same key order). Checked over boards generated around the
 * limits of every field, at every level (the board, a column, an appointment),
 * read back through JSON as the cache stores them.
 */

const DATES: unknown[] = ['2026-11-26', '2024-02-29', '2026-02-29', '2026-13-01', '2026-11-31', '2026-1-26', '26-11-2026', '2026-11-26T00:00:00Z', '', null, 20261126];

function appointment(i: number): Record<string, unknown> {
  return {
    id: 100_000 + i,
    clinic_id: 1,
    doctor_id: 31 + (i % 3),
    ...(i % 4 === 0 ? { doctor_name: 'Dr. Okafor' } : {}),
    patient_id: 1_000 + i,
    patient_name: `Patient ${i}`,
    status: 'scheduled',
    appointment_date: '2026-11-26T09:00:00.000000Z',
    duration_minutes: 15,
    ...(i % 5 === 0 ? {} : { reason: i % 2 === 0 ? 'Check-up' : null }),
    updated_at: '2026-11-25T09:00:00.000000Z',
  };
}

function mutateAppointment(random: () => number, row: Record<string, unknown>): void {
  const field = pick(random, ['id', 'clinic_id', 'doctor_id', 'patient_id', 'doctor_name', 'patient_name', 'status', 'appointment_date', 'updated_at', 'duration_minutes', 'reason', 'extra', 'drop']);
  switch (field) {
    case 'id':
    case 'clinic_id':
    case 'doctor_id':
    case 'patient_id':
    case 'duration_minutes':
      row[field] = pick(random, NUMBERS);
      break;
    case 'doctor_name':
    case 'patient_name':
      row[field] = random() < 0.8 ? textAround(random, 200) : pick(random, [1, null, undefined, ['a']]);
      break;
    case 'status':
      row.status = random() < 0.6 ? pick(random, ['scheduled', 'checked_in', '', ' ', '\u0000']) : random() < 0.5 ? textAround(random, 40) : pick(random, [null, 1]);
      break;
    case 'reason':
      row.reason = random() < 0.8 ? textAround(random, 1000) : pick(random, [1, null, undefined]);
      break;
    case 'appointment_date':
    case 'updated_at':
      row[field] = pick(random, DATE_TIMES);
      break;
    case 'extra':
      row[pick(random, ['extra', 'doctor', 'constructor', 'toString', '__proto__'])] = pick(random, [1, 'x', null, { a: 1 }]);
      break;
    case 'drop':
      delete row[pick(random, ['id', 'clinic_id', 'doctor_id', 'doctor_name', 'patient_id', 'patient_name', 'status', 'appointment_date', 'duration_minutes', 'reason', 'updated_at'])];
      break;
  }
}

function boardCandidate(random: () => number): unknown {
  const doctors: Record<string, unknown>[] = [31, 32, 33].map((id, i) => ({ doctorId: id, name: `Dr. ${id}`, ...(i === 2 ? {} : { refreshSeconds: i === 0 ? null : 60 }) }));
  const appointments = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => appointment(i));
  const board: Record<string, unknown> = { date: '2026-11-26', doctors, appointments, syncedAt: '2026-11-26T08:59:00.000Z', stale: false };
  const mutations = Math.floor(random() * 3);
  for (let i = 0; i < mutations; i++) {
    const where = pick(random, ['board', 'doctor', 'appointment', 'appointment', 'appointment']);
    if (where === 'appointment') {
      mutateAppointment(random, pick(random, appointments));
    } else if (where === 'doctor') {
      const doctor = pick(random, doctors);
      const field = pick(random, ['doctorId', 'name', 'refreshSeconds', 'extra', 'drop']);
      if (field === 'doctorId' || field === 'refreshSeconds') doctor[field] = pick(random, NUMBERS);
      else if (field === 'name') doctor.name = random() < 0.8 ? textAround(random, 200) : pick(random, [1, null]);
      else if (field === 'extra') doctor[pick(random, ['extra', '__proto__'])] = 1;
      else delete doctor[pick(random, ['doctorId', 'name', 'refreshSeconds'])];
    } else {
      const field = pick(random, ['date', 'syncedAt', 'stale', 'doctors', 'appointments', 'extra', 'drop']);
      if (field === 'date') board.date = pick(random, DATES);
      else if (field === 'syncedAt') board.syncedAt = pick(random, DATE_TIMES);
      else if (field === 'stale') board.stale = pick(random, [true, false, 'true', 0, null]);
      else if (field === 'doctors' || field === 'appointments') board[field] = pick(random, [[], null, {}, 'x', [null], [1]]);
      else if (field === 'extra') board[pick(random, ['extra', '__proto__', 'constructor'])] = { a: 1 };
      else delete board[pick(random, ['date', 'doctors', 'appointments', 'syncedAt', 'stale'])];
    }
  }
  // Through JSON, as the cache stores it (a `__proto__` key becomes an own property, as JSON.parse makes it).
  return random() < 0.03 ? pick(random, [null, [], 'x', 1, JSON.stringify(board)]) : (JSON.parse(JSON.stringify(board)) as unknown);
}

describe("the board snapshot's fast check never accepts what zod refuses, and gives what zod gives", () => {
  it('boards generated around every limit, at every level', () => {
    const random = rng(DEFAULT_FUZZ_SEED);
    const tally = { fast: 0, zodOnly: 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) {
      const value = boardCandidate(random);
      holds(fastBoard, Board, value, tally);
    }
    // The check is worth having: it takes the well-formed case; and the generator reaches refusals.
    expect(tally.fast).toBeGreaterThan(2_000);
    expect(tally.refused).toBeGreaterThan(2_000);
  });

  it('takes a whole day as the desk saves it, with its defaults and its cleaned text', () => {
    const board = {
      date: '2026-11-26',
      doctors: [{ doctorId: 31, name: 'Dr. 31' }],
      appointments: Array.from({ length: 2_000 }, (_, i) => ({ ...appointment(i), patient_name: i === 7 ? 'Pat\u202eient' : `Patient ${i}` })),
      syncedAt: null,
      stale: true,
    };
    const value = JSON.parse(JSON.stringify(board)) as unknown;
    const quick = fastBoard(value);
    expect(quick).not.toBeNull();
    expect(quick).toStrictEqual(Board.parse(value));
    expect(quick?.appointments[7]?.patient_name).toBe('Patient');
    expect(quick?.doctors[0]?.refreshSeconds).toBeNull();
  });

  it('is used for the board only', () => {
    expect(fastSnapshotCheck(Board)).toBe(fastBoard);
    expect(fastSnapshotCheck(Presence)).toBeNull();
  });
});
