import type { DeskSnapshot } from '../../shared/desk-state';

/**
 * A doctor's waiting room as the tray and the alerts show it: the doctor's
 * appointments on the board that are checked in (with any of the user's own
 * actions still on their way applied, so a patient the doctor just started
 * leaves the list at once), earliest first. Empty unless the user is a doctor
 * this server lets call patients in.
 */

export interface WaitingPatient {
  appointmentId: number;
  patientName: string;
  /** The appointment's time (ISO), read on the clinic's clock by the menu. */
  at: string;
  /** A call-in of this patient is on its way. */
  callingIn: boolean;
}

export const WAITING_IN_MENU = 5;

export function canCallIn(snapshot: Pick<DeskSnapshot, 'session' | 'staffActions'>): boolean {
  return snapshot.session.status === 'signed-in' && snapshot.session.user.doctor_id !== null && snapshot.staffActions.includes('call-in');
}

export function waitingPatients(snapshot: Pick<DeskSnapshot, 'session' | 'staffActions' | 'board' | 'pendingActions'>): WaitingPatient[] {
  if (!canCallIn(snapshot) || snapshot.session.status !== 'signed-in' || snapshot.board === null) return [];
  const doctorId = snapshot.session.user.doctor_id;
  const shown = new Map<number, string>();
  const callingIn = new Set<number>();
  for (const action of snapshot.pendingActions) {
    if (action.appointmentId === null) continue;
    if (action.status !== null) shown.set(action.appointmentId, action.status);
    if (action.kind === 'call-in') callingIn.add(action.appointmentId);
  }
  return snapshot.board.appointments
    .filter((a) => a.doctor_id === doctorId && (shown.get(a.id) ?? a.status) === 'checked_in')
    .sort((a, b) => Date.parse(a.appointment_date) - Date.parse(b.appointment_date) || a.id - b.id)
    .map((a) => ({ appointmentId: a.id, patientName: a.patient_name, at: a.appointment_date, callingIn: callingIn.has(a.id) }));
}
