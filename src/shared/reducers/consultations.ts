import { OPEN_CONSULTATION_STATUSES, type Consultation } from '../domain';
import type { ConsultationStatusPayload } from '../payloads';
import { mergeConsultation, newer, supersedes } from './newest-wins';

/**
 * The clinic's consultations, as a pure reducer over a list in id order: the
 * core's consultations part (`src/main/core/sync/consultations.ts`) applies
 * live status changes and the server's list with it, and the window's store
 * places the consultations the core emits with the same functions.
 */

export type ConsultationsState = readonly Consultation[];

/** The followed ones: pending and active. */
export function isOpenConsultation(c: Pick<Consultation, 'status'>): boolean {
  return OPEN_CONSULTATION_STATUSES.includes(c.status);
}

/**
 * A consultation as the desk now knows it: it replaces the one held by id
 * unless that one is as new or newer. `applied`: the list changed.
 */
export function placeConsultation(state: ConsultationsState, consultation: Consultation): { state: ConsultationsState; applied: boolean } {
  const index = state.findIndex((c) => c.id === consultation.id);
  const current = index >= 0 ? state[index] : undefined;
  if (current && !supersedes(consultation, current)) return { state, applied: false };
  const next = current ? state.slice() : [...state, consultation].sort((a, b) => a.id - b.id);
  if (current) next[index] = consultation;
  return { state: next, applied: true };
}

export type StatusChangeResult =
  | {
      result: 'applied';
      state: ConsultationsState;
      consultation: Consultation;
      /** It left pending and active: no longer followed live. */
      closed: boolean;
    }
  /** `incomplete`: a consultation the desk has not seen; the list has its clinic and patient. */
  | { result: 'ignored' | 'incomplete'; state: ConsultationsState };

/**
 * A `consultation-status-changed` payload, newest wins (`mergeConsultation`).
 * `liveOnly`: the server has no list to complete an unknown consultation
 * from, so the payload alone makes it, in the desk's own clinic.
 */
export function applyStatusChange(state: ConsultationsState, update: ConsultationStatusPayload, liveOnly: { clinic_id: number } | null): StatusChangeResult {
  const merged = mergeConsultation(state.find((c) => c.id === update.id) ?? null, update, liveOnly);
  if (!merged.applied) return { result: merged.reason === 'incomplete' ? 'incomplete' : 'ignored', state };
  return { result: 'applied', state: placeConsultation(state, merged.value).state, consultation: merged.value, closed: !isOpenConsultation(merged.value) };
}

/**
 * The server's list against what is held: it is the list (a consultation it
 * no longer lists goes), each row newest wins against the copy held.
 * `unannounced`: open consultations whose row is newer than the copy held, a
 * change their live channel should have brought (a new one is not evidence:
 * its channel is only known from the list).
 */
export function applyConsultationsRead(state: ConsultationsState, read: readonly Consultation[]): { state: ConsultationsState; unannounced: number } {
  const held = new Map(state.map((c) => [c.id, c]));
  const next = new Map<number, Consultation>();
  let unannounced = 0;
  for (const row of read) {
    const mine = held.get(row.id);
    if (mine && isOpenConsultation(mine) && supersedes(row, mine)) unannounced++;
    next.set(row.id, mine ? newer(row, mine) : row);
  }
  return { state: [...next.values()].sort((a, b) => a.id - b.id), unannounced };
}
