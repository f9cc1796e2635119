import { z } from 'zod';
import { Consultation, OPEN_CONSULTATION_STATUSES } from '../../../shared/domain';
import type { ConsultationStatusPayload } from '../../../shared/payloads';
import { mergeConsultation, newer } from './newest-wins';
import type { FeatureOutcome } from './features';
import { unannounced, type PartContext } from './part';

const ConsultationList = z.array(Consultation);
const SNAPSHOT = 'consultations';

/**
 * The clinic's consultations: listed by the server when it offers the list,
 * changed by `consultation-status-changed` on each one's channel, and known
 * from those events alone when the server has no list.
 */
export class ConsultationsPart {
  private readonly byId = new Map<number, Consultation>();

  constructor(private readonly ctx: PartContext) {}

  list(): Consultation[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Those followed live: pending and active ones. */
  open(): Consultation[] {
    return this.list().filter((c) => OPEN_CONSULTATION_STATUSES.includes(c.status));
  }

  restore(): void {
    for (const c of this.ctx.loadSnapshot(SNAPSHOT, ConsultationList) ?? []) this.byId.set(c.id, c);
  }

  async sync(): Promise<FeatureOutcome> {
    const listing = await this.ctx.api.consultations();
    const next = new Map<number, Consultation>();
    let missed = 0;
    for (const row of listing.items) {
      const mine = this.byId.get(row.id);
      // A new consultation is not evidence: its channel is only known from the list.
      if (mine && OPEN_CONSULTATION_STATUSES.includes(mine.status) && unannounced(row, mine)) missed++;
      next.set(row.id, mine ? newer(row, mine) : row);
    }
    this.byId.clear();
    for (const [id, c] of next) this.byId.set(id, c);
    this.ctx.emit({ kind: 'consultations.replaced', consultations: this.list() });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConsultationList);
    return { ...listing, unannounced: missed };
  }

  /**
   * Applies a live status change. `liveOnly`: the server has no list to
   * complete an unknown consultation from, so the event alone makes it.
   * Returns whether the consultation stopped being followed, and `incomplete`
   * when the list should be asked for it.
   */
  onUpdate(update: ConsultationStatusPayload, liveOnly: boolean): { result: 'applied' | 'ignored' | 'incomplete'; closed: boolean } {
    const merged = mergeConsultation(this.byId.get(update.id) ?? null, update, liveOnly ? { clinic_id: this.ctx.user.clinic_id } : null);
    if (!merged.applied) return { result: merged.reason === 'incomplete' ? 'incomplete' : 'ignored', closed: false };
    this.byId.set(update.id, merged.value);
    this.ctx.emit({ kind: 'consultation.updated', consultation: merged.value });
    this.ctx.saveSnapshot(SNAPSHOT, this.list(), ConsultationList);
    return { result: 'applied', closed: !OPEN_CONSULTATION_STATUSES.includes(merged.value.status) };
  }
}
