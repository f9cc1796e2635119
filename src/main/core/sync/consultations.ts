import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { Consultation } from '../../../shared/domain';
import type { ConsultationStatusPayload } from '../../../shared/payloads';
import { applyConsultationsRead, applyStatusChange, isOpenConsultation, placeConsultation, type ConsultationsState } from '../../../shared/reducers/consultations';
import type { FeatureOutcome } from './features';
import type { PartContext } from './part';

const ConsultationList = z.array(Consultation);
const SNAPSHOT = 'consultations';

/**
 * The clinic's consultations: listed by the server when it offers the list,
 * changed by `consultation-status-changed` on each one's channel, and known
 * from those events alone when the server has no list. What a list or an
 * event does to them is the shared reducer's
 * (`src/shared/reducers/consultations.ts`), which the window uses too.
 */
export class ConsultationsPart {
  private state: ConsultationsState = [];
  /** The list was read (and announced) once: a read that changes nothing is not announced again. */
  private listed = false;

  constructor(private readonly ctx: PartContext) {}

  /** In id order. */
  list(): Consultation[] {
    return [...this.state];
  }

  /** Those followed live: pending and active ones. */
  open(): Consultation[] {
    return this.state.filter(isOpenConsultation);
  }

  restore(): void {
    this.state = applyConsultationsRead(this.state, this.ctx.loadSnapshot(SNAPSHOT, ConsultationList) ?? []).state;
  }

  async sync(): Promise<FeatureOutcome> {
    const listing = await this.ctx.api.consultations();
    const read = applyConsultationsRead(this.state, listing.items);
    // A reconciliation answered 304 (or with the same list): nothing to tell the window or save.
    if (this.listed && isDeepStrictEqual(read.state, this.state)) return { ...listing, unannounced: read.unannounced };
    this.listed = true;
    this.state = read.state;
    this.ctx.emit({ kind: 'consultations.replaced', consultations: this.list() });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConsultationList);
    return { ...listing, unannounced: read.unannounced };
  }

  get(id: number): Consultation | null {
    return this.state.find((c) => c.id === id) ?? null;
  }

  /**
   * A consultation as the server answered an action of this desk (a start, a
   * completion): placed newest wins, like a live change. Returns whether it
   * changed the list (a new open one is then followed live).
   */
  place(consultation: Consultation): boolean {
    const placed = placeConsultation(this.state, consultation);
    if (!placed.applied) return false;
    this.state = placed.state;
    this.ctx.emit({ kind: 'consultation.updated', consultation });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConsultationList);
    return true;
  }

  /**
   * Applies a live status change. `liveOnly`: the server has no list to
   * complete an unknown consultation from, so the event alone makes it.
   * Returns whether the consultation stopped being followed, and `incomplete`
   * when the list should be asked for it.
   */
  onUpdate(update: ConsultationStatusPayload, liveOnly: boolean): { result: 'applied' | 'ignored' | 'incomplete'; closed: boolean } {
    const applied = applyStatusChange(this.state, update, liveOnly ? { clinic_id: this.ctx.user.clinic_id } : null);
    if (applied.result !== 'applied') return { result: applied.result, closed: false };
    this.state = applied.state;
    this.ctx.emit({ kind: 'consultation.updated', consultation: applied.consultation });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConsultationList);
    return { result: 'applied', closed: applied.closed };
  }
}
