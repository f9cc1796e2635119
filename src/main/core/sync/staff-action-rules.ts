import type { BridgeErrorKind } from '../../../shared/bridge';
import { ACTION_STATUS, UNDOABLE_ACTIONS, UNDO_WINDOW_MS, type PendingStaffAction, type StaffActionKind } from '../../../shared/staff-actions';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError, routeMissing, type ApiError } from '../api/client';
import type { StaffActionEntry, UndoRequest } from '../cache/outbox';
import { refusalReason } from './outbox-sender';

/**
 * The rules of a staff action that need no I/O: the mark it puts on its card,
 * whether and how it may be undone, and how the server's refusal reaches the
 * user. The part that applies them is `staff-actions.ts`.
 */

export type ActionRequest = StaffActionEntry['request'];

/**
 * The appointment status the card shows while the action waits: the one it
 * sets, or, for an undo, the one it goes back to. Null when it leaves the
 * status as it is (a call-in).
 */
export function cardStatus(request: ActionRequest): string | null {
  switch (request.kind) {
    case 'check-in':
    case 'no-show':
    case 'cancel':
      return ACTION_STATUS[request.kind];
    case 'undo':
      return request.status;
    case 'call-in':
      return null;
    case 'start-consultation':
      return 'in_consultation';
    case 'complete-consultation':
      return 'completed';
  }
}

export function isUndoable(kind: StaffActionKind | 'undo'): kind is StaffActionKind {
  return kind !== 'undo' && UNDOABLE_ACTIONS.includes(kind);
}

/** Until when the user may undo an action taken at `createdAt`; null when it cannot be undone. */
export function undoUntil(kind: StaffActionKind | 'undo', createdAt: string): string | null {
  return isUndoable(kind) ? new Date(Date.parse(createdAt) + UNDO_WINDOW_MS).toISOString() : null;
}

/** The pending mark of a queued action, as the window shows it on its card. */
export function pendingOf(entry: StaffActionEntry, createdAt: string, state: PendingStaffAction['state']): PendingStaffAction {
  const { request } = entry;
  return {
    id: entry.actionId,
    kind: request.kind,
    appointmentId: entry.appointmentId,
    consultationId: request.kind === 'complete-consultation' ? request.consultationId : null,
    status: cardStatus(request),
    previousStatus: entry.previousStatus,
    createdAt,
    state,
    undoUntil: undoUntil(request.kind, createdAt),
    undoes: request.kind === 'undo' ? request.undoes : null,
  };
}

/**
 * Where an action stands for an undo: `waiting` in the outbox, never tried;
 * `sent` (at least one try went out: it may have reached the server, or it
 * is done); `ended` (refused, or undone already).
 */
export type UndoTarget = {
  entry: StaffActionEntry;
  createdAt: string;
  stage: 'waiting' | 'sent' | 'ended';
};

export type UndoPlan =
  /** Taken out of the outbox: nothing is sent. */
  | { kind: 'withdraw' }
  /** Sent after it: the appointment goes back to the status before. */
  | { kind: 'send'; request: UndoRequest }
  | { kind: 'refuse'; reason: string };

export function planUndo(target: UndoTarget, nowMs: number): UndoPlan {
  const { request } = target.entry;
  if (!isUndoable(request.kind)) return { kind: 'refuse', reason: 'Only a check-in, a no-show or a cancellation can be undone.' };
  if (nowMs > Date.parse(target.createdAt) + UNDO_WINDOW_MS) return { kind: 'refuse', reason: 'The time to undo it has passed.' };
  if (target.stage === 'ended') return { kind: 'refuse', reason: 'There is nothing to undo: it did not happen, or it was undone already.' };
  if (target.stage === 'waiting') return { kind: 'withdraw' };
  const previous = target.entry.previousStatus;
  if (previous === null || target.entry.appointmentId === null) return { kind: 'refuse', reason: 'The status before it is not known, so it cannot be undone here.' };
  const status = cardStatus(request);
  if (status === null) return { kind: 'refuse', reason: 'Only a check-in, a no-show or a cancellation can be undone.' };
  return { kind: 'send', request: { kind: 'undo', appointmentId: target.entry.appointmentId, undoes: target.entry.actionId, status: previous, expectedStatus: status } };
}

/** The kind of the bridge error a refusal for good becomes. */
export function refusalKind(error: ApiError): BridgeErrorKind {
  if (error instanceof ConflictError) return 'conflict';
  if (error instanceof ValidationFailedError) return 'validation';
  if (error instanceof ForbiddenError) return 'forbidden';
  if (routeMissing(error)) return 'unavailable';
  if (error instanceof NotFoundError) return 'not-found';
  return 'validation';
}

/** The server's refusal in one sentence for staff: its own when it sent one. */
export function refusalSentence(error: ApiError): string {
  if (routeMissing(error)) return `This clinic server does not offer that action (it answered ${error.status}).`;
  return refusalReason(error);
}
