import { describe, expect, it } from 'vitest';
import { ApiError, ConflictError, ForbiddenError, NotAClinicError, NotFoundError, ValidationFailedError, routeMissing } from '../../../src/main/core/api/client';
import { StaffActionEntry } from '../../../src/main/core/cache/outbox';
import { cardStatus, pendingOf, planUndo, refusalKind, refusalSentence, undoUntil, type UndoTarget } from '../../../src/main/core/sync/staff-action-rules';
import { PendingStaffAction, UNDO_WINDOW_MS, type StaffActionRequest } from '../../../src/shared/staff-actions';

/**
 * The rules of a staff action without I/O: the mark its card shows while the
 * server has not answered, when and how it may be undone, and how the
 * server's refusal reaches the user.
 */

const AT = '2026-11-26T09:02:00.000Z';
const AT_MS = Date.parse(AT);
const ID = '3f2c6a58-2b7e-4d4e-9d55-0a3c1c3b8e11';
const init = { url: 'http://clinic.test/api/appointments/7', method: 'PATCH' };

function entry(request: StaffActionRequest | StaffActionEntry['request'], previousStatus: string | null = 'scheduled', appointmentId: number | null = 7): StaffActionEntry {
  return StaffActionEntry.parse({ kind: 'staff-action', actionId: ID, request, appointmentId, previousStatus });
}

const checkIn = entry({ kind: 'check-in', appointmentId: 7, expectedStatus: 'scheduled' });
const target = (e: StaffActionEntry, stage: UndoTarget['stage'], createdAt = AT): UndoTarget => ({ entry: e, createdAt, stage });

describe('the pending mark on the card', () => {
  it('shows the status each action sets, the status before, and until when it may be undone', () => {
    const mark = pendingOf(checkIn, AT, 'sending');
    expect(PendingStaffAction.parse(mark)).toEqual({
      id: ID,
      kind: 'check-in',
      appointmentId: 7,
      consultationId: null,
      status: 'checked_in',
      previousStatus: 'scheduled',
      createdAt: AT,
      state: 'sending',
      undoUntil: new Date(AT_MS + UNDO_WINDOW_MS).toISOString(),
      undoes: null,
    });
  });

  it('no-show, cancel, start and complete change the card; a call-in leaves its status; only the reception actions can be undone', () => {
    const cases: Array<[StaffActionEntry['request'], string | null, boolean]> = [
      [{ kind: 'no-show', appointmentId: 7, expectedStatus: 'scheduled' }, 'no_show', true],
      [{ kind: 'cancel', appointmentId: 7, expectedStatus: 'confirmed', reason: 'Patient rang to cancel' }, 'cancelled', true],
      [{ kind: 'call-in', appointmentId: 7 }, null, false],
      [{ kind: 'start-consultation', appointmentId: 7 }, 'in_consultation', false],
      [{ kind: 'complete-consultation', consultationId: 90 }, 'completed', false],
    ];
    for (const [request, status, undoable] of cases) {
      expect(cardStatus(request), request.kind).toBe(status);
      const mark = pendingOf(entry(request), AT, 'queued');
      expect(mark.undoUntil === null, request.kind).toBe(!undoable);
      expect(mark.state).toBe('queued');
    }
    expect(pendingOf(entry({ kind: 'complete-consultation', consultationId: 90 }), AT, 'queued').consultationId).toBe(90);
  });

  it('an undo shows the status it goes back to, and which action it reverses; it cannot be undone itself', () => {
    const undo = entry({ kind: 'undo', appointmentId: 7, undoes: ID, status: 'scheduled', expectedStatus: 'checked_in' }, 'checked_in');
    expect(pendingOf(undo, AT, 'sending')).toMatchObject({ kind: 'undo', status: 'scheduled', previousStatus: 'checked_in', undoes: ID, undoUntil: null });
    expect(undoUntil('undo', AT)).toBeNull();
  });
});

describe('planUndo', () => {
  it('withdraws an action no try has gone out for: nothing is sent', () => {
    expect(planUndo(target(checkIn, 'waiting'), AT_MS + 1_000)).toEqual({ kind: 'withdraw' });
  });

  it('sends an undo back to the status before once a try went out, expecting the status the action set', () => {
    expect(planUndo(target(checkIn, 'sent'), AT_MS + 1_000)).toEqual({
      kind: 'send',
      request: { kind: 'undo', appointmentId: 7, undoes: ID, status: 'scheduled', expectedStatus: 'checked_in' },
    });
    const cancel = entry({ kind: 'cancel', appointmentId: 7, expectedStatus: 'confirmed', reason: 'Rang' }, 'confirmed');
    expect(planUndo(target(cancel, 'sent'), AT_MS)).toMatchObject({ kind: 'send', request: { status: 'confirmed', expectedStatus: 'cancelled' } });
  });

  it('refuses after the undo window, to the millisecond', () => {
    expect(planUndo(target(checkIn, 'sent'), AT_MS + UNDO_WINDOW_MS).kind).toBe('send');
    expect(planUndo(target(checkIn, 'sent'), AT_MS + UNDO_WINDOW_MS + 1)).toEqual({ kind: 'refuse', reason: 'The time to undo it has passed.' });
    expect(planUndo(target(checkIn, 'waiting'), AT_MS + UNDO_WINDOW_MS + 1).kind).toBe('refuse');
  });

  it('refuses what cannot be undone: a doctor’s action, an undo, one that ended, one whose status before is unknown', () => {
    expect(planUndo(target(entry({ kind: 'call-in', appointmentId: 7 }), 'sent'), AT_MS).kind).toBe('refuse');
    expect(planUndo(target(entry({ kind: 'start-consultation', appointmentId: 7 }), 'waiting'), AT_MS).kind).toBe('refuse');
    expect(planUndo(target(entry({ kind: 'undo', appointmentId: 7, undoes: ID, status: 'scheduled', expectedStatus: 'checked_in' }), 'sent'), AT_MS).kind).toBe('refuse');
    expect(planUndo(target(checkIn, 'ended'), AT_MS)).toMatchObject({ kind: 'refuse', reason: expect.stringContaining('nothing to undo') as string });
    expect(planUndo(target(entry({ kind: 'check-in', appointmentId: 7, expectedStatus: 'scheduled' }, null), 'sent'), AT_MS).kind).toBe('refuse');
  });
});

describe('a refusal for good, as the user meets it', () => {
  it('a 409 is a conflict with the server’s own sentence', () => {
    const error = new ConflictError('PATCH /api/appointments/7 answered 409: Already checked in by Elena Ruiz at 09:02.', { ...init, status: 409, serverMessage: 'Already checked in by Elena Ruiz at 09:02.' });
    expect(refusalKind(error)).toBe('conflict');
    expect(refusalSentence(error)).toBe('Already checked in by Elena Ruiz at 09:02.');
  });

  it('a 422 is validation (its first field message), a 403 forbidden, a record gone not-found, a missing route unavailable', () => {
    const invalid = new ValidationFailedError('422', { ...init, status: 422, serverMessage: 'The given data was invalid.', fields: { status: ['A completed appointment cannot be cancelled.'] } });
    expect([refusalKind(invalid), refusalSentence(invalid)]).toEqual(['validation', 'A completed appointment cannot be cancelled.']);
    const forbidden = new ForbiddenError('403', { ...init, status: 403, serverMessage: 'This action is unauthorized.' });
    expect([refusalKind(forbidden), refusalSentence(forbidden)]).toEqual(['forbidden', 'This action is unauthorized.']);
    const gone = new NotFoundError('404', { ...init, status: 404, serverMessage: 'No query results for model [App\\Models\\Appointment] 7' });
    expect(refusalKind(gone)).toBe('not-found');
    const noRoute = new NotFoundError('404', { ...init, status: 404, serverMessage: 'The route api/appointments/7/call-in could not be found.' });
    expect(refusalKind(noRoute)).toBe('unavailable');
    expect(refusalSentence(noRoute)).toBe('This clinic server does not offer that action (it answered 404).');
  });
});

describe('routeMissing: a route the server lacks, told from a record it lacks', () => {
  it('405 always; a 404 of the router or a page that is not JSON; not a 404 about a record', () => {
    expect(routeMissing(new ApiError('405', { ...init, status: 405, serverMessage: 'The PATCH method is not supported for route api/appointments/7.' }))).toBe(true);
    expect(routeMissing(new NotFoundError('404', { ...init, status: 404, serverMessage: 'The route api/appointments/7/call-in could not be found.' }))).toBe(true);
    expect(routeMissing(new NotAClinicError('an HTML page', { ...init, status: 404 }))).toBe(true);
    expect(routeMissing(new NotFoundError('404', { ...init, status: 404, serverMessage: 'No query results for model [App\\Models\\Appointment] 7' }))).toBe(false);
    expect(routeMissing(new NotFoundError('404', { ...init, status: 404 }))).toBe(false);
    expect(routeMissing(new ConflictError('409', { ...init, status: 409 }))).toBe(false);
    expect(routeMissing(new Error('not an answer'))).toBe(false);
  });
});
