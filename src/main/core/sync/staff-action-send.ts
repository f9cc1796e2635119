import type { Appointment, Consultation } from '../../../shared/domain';
import { ACTION_STATUS } from '../../../shared/staff-actions';
import type { ApiClient } from '../api/client';
import type { StaffActionEntry } from '../cache/outbox';

/**
 * One staff action from the outbox, as its request (docs/backend-contract.md,
 * "Staff actions"): the action's id is the `Idempotency-Key` of every try, so
 * a retry after a lost answer, or after a restart, is the same action. The
 * answer is the appointment or the consultation as the server now has it
 * (null when it sent none the desk can read).
 */
export function sendStaffAction(api: ApiClient, entry: StaffActionEntry, socketId: string | undefined): Promise<Appointment | Consultation | null> {
  const options = { idempotencyKey: entry.actionId, socketId };
  const r = entry.request;
  switch (r.kind) {
    case 'check-in':
    case 'no-show':
      return api.setAppointmentStatus(r.appointmentId, { status: ACTION_STATUS[r.kind], expectedStatus: r.expectedStatus }, options);
    case 'cancel':
      return api.setAppointmentStatus(r.appointmentId, { status: ACTION_STATUS.cancel, reason: r.reason, expectedStatus: r.expectedStatus }, options);
    case 'undo':
      return api.setAppointmentStatus(r.appointmentId, { status: r.status, expectedStatus: r.expectedStatus }, options);
    case 'call-in':
      return api.callIn(r.appointmentId, options);
    case 'start-consultation':
      return api.startConsultation(r.appointmentId, options);
    case 'complete-consultation':
      return api.completeConsultation(r.consultationId, options);
  }
}
