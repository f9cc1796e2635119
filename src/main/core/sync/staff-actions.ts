import { randomUUID } from 'node:crypto';
import { Appointment, Consultation } from '../../../shared/domain';
import type { Feature } from '../../../shared/features';
import { UNDO_WINDOW_MS, type ActionId, type CalledInWhisper, type PendingStaffAction, type StaffActionRequest, type StaffActionResult, type StaffActionSettled } from '../../../shared/staff-actions';
import { routeMissing, type ApiError } from '../api/client';
import type { DeskCache, OutboxEntry } from '../cache/cache';
import type { StaffActionEntry } from '../cache/outbox';
import { DeskRefusal } from '../desk/refusal';
import type { Logger } from '../log';
import type { BoardPart } from './board';
import type { ActionOutcome } from './catch-up';
import type { ConsultationsPart } from './consultations';
import type { Delivery } from './outbox-sender';
import type { PartContext } from './part';
import { ACTION_ENDPOINTS, type StaffActionOffers } from './staff-action-offers';
import { pendingOf, planUndo, refusalKind, refusalSentence, type UndoTarget } from './staff-action-rules';

/**
 * Staff actions (docs/backend-contract.md, "Staff actions"): check-in,
 * no-show, cancel, call-in, starting and completing a consultation. Each goes
 * the one way every action goes: into the durable outbox (its id is the
 * dedupe key and the `Idempotency-Key` of every try), shown at once, sent
 * behind whatever waited, `queued` while the server cannot answer (and kept
 * across a restart), dropped on a refusal for good.
 *
 * **The pending overlay is only a mark.** Nothing here writes the action's
 * status into the board or the consultations: the window shows
 * `PendingStaffAction.status` over the server's status on the card until the
 * action is settled, and the board keeps taking broadcasts newest wins, so a
 * colleague's change that crosses a pending action is never lost. The
 * server's answer then goes through the board or consultations part (newest
 * wins again: a broadcast already newer than the answer stays); a refusal
 * drops the mark and reads the day again, so the card shows what the server
 * holds. The server's broadcast of this desk's own action does not come back
 * to it (`X-Socket-ID`): the answer is how this desk learns it.
 *
 * Undo (check-in, no-show, cancel, within `UNDO_WINDOW_MS`): an action no try
 * has gone out for is taken out of the outbox (nothing is sent); otherwise an
 * undo of its own (a new action id) goes behind it, back to the status before.
 */

export interface StaffActionsDeps {
  ctx: PartContext;
  cache: DeskCache;
  /** Sends the outbox now, behind whatever waited; what became of `outboxId`. */
  deliver: (outboxId: number) => Promise<Delivery>;
  offers: StaffActionOffers;
  board: BoardPart;
  consultations: ConsultationsPart;
  now: () => number;
  logger: Logger;
  /** An answer opened or closed a consultation: the channels follow. */
  consultationsChanged: () => void;
  /** Lists to read again soon: the server's state after a refusal, or what an answer did not carry. */
  refresh: (features: Feature[]) => void;
  /** Tells the other desks of a call-in (a whisper on the clinic's presence channel); false when it could not go. */
  whisper: (call: CalledInWhisper) => boolean;
}

/** One action this session knows of: taken here, or found in the outbox (a restart). */
interface Tracked {
  entry: StaffActionEntry;
  createdAt: string;
  /** Its outbox entry, while it waits there. */
  outboxId: number | null;
  /** A try went out: it may have reached the server, so an undo must be sent, not withdrawn. */
  sent: boolean;
  /** The user's call is delivering it now. */
  sending: boolean;
  outcome: StaffActionSettled['outcome'] | null;
  /** The undo on its way for it. */
  undoneBy: ActionId | null;
}

export class StaffActionsPart {
  private readonly tracked = new Map<ActionId, Tracked>();

  constructor(private readonly d: StaffActionsDeps) {}

  /** The actions the server has not answered, from the outbox (so they survive a restart), oldest first. */
  pending(): PendingStaffAction[] {
    return this.d.cache.pendingActions().flatMap((e) => {
      if (e.action.kind !== 'staff-action') return [];
      return [pendingOf(e.action, e.createdAt, this.tracked.get(e.action.actionId)?.sending === true ? 'sending' : 'queued')];
    });
  }

  /** Takes an action the user may take (else a `DeskRefusal` saying why not); a refusal of the server fails the call with its sentence. */
  async act(request: StaffActionRequest): Promise<StaffActionResult> {
    const why = this.d.offers.whyNot(request.kind);
    if (why !== null) throw new DeskRefusal(why);
    this.prune();
    return this.run({ kind: 'staff-action', actionId: randomUUID(), request, ...this.before(request) });
  }

  /**
   * Reverses a check-in, no-show or cancel in its undo window. The answer's
   * `id` is the action's own when it was withdrawn (nothing sent), and the
   * undo's when one is sent.
   */
  async undo(id: ActionId): Promise<StaffActionResult> {
    this.prune();
    const t = this.tracked.get(id) ?? this.fromOutbox(id);
    if (!t) throw new DeskRefusal('There is no recent action of yours to undo.');
    if (t.undoneBy !== null) throw new DeskRefusal('It is being undone already.');
    const plan = planUndo(this.undoTarget(t), this.d.now());
    switch (plan.kind) {
      case 'refuse':
        throw new DeskRefusal(plan.reason);
      case 'withdraw':
        // Synchronously, before a flush can reach it: a flush skips what is no longer in the outbox.
        if (t.outboxId !== null) this.d.cache.completeAction(t.outboxId);
        t.outboxId = null;
        this.settle(t, 'undone', null);
        return { id, status: 'done' };
      case 'send': {
        const undoId = randomUUID();
        t.undoneBy = undoId;
        return this.run({ kind: 'staff-action', actionId: undoId, request: plan.request, appointmentId: plan.request.appointmentId, previousStatus: plan.request.expectedStatus });
      }
    }
  }

  /** A flush is about to send this entry: from now on an undo must be sent, not withdrawn. */
  onSend(entry: OutboxEntry): void {
    if (entry.action.kind === 'staff-action') this.track(entry.action, entry.createdAt, entry.id).sent = true;
  }

  /** A flush took the entry out of the outbox: the server took it, or refused it for good. */
  onDone(entry: OutboxEntry, outcome: ActionOutcome): void {
    if (entry.action.kind !== 'staff-action') return;
    const t = this.track(entry.action, entry.createdAt, entry.id);
    t.outboxId = null;
    t.sent = true;
    if (outcome.kind === 'done') this.done(t, outcome.answer);
    else this.refused(t, outcome.error);
  }

  // ── what happens to one action ─────────────────────────────────────────

  private async run(entry: StaffActionEntry): Promise<StaffActionResult> {
    const outboxId = this.d.cache.enqueue(entry);
    const createdAt = this.d.cache.pendingActions().find((e) => e.id === outboxId)?.createdAt ?? this.d.ctx.isoNow();
    const t: Tracked = { entry, createdAt, outboxId, sent: false, sending: true, outcome: null, undoneBy: null };
    this.tracked.set(entry.actionId, t);
    this.emitPending(t, 'sending');
    const delivery = await this.d.deliver(outboxId);
    t.sending = false;
    const id = entry.actionId;
    // Withdrawn by an undo while it waited behind others: it ended, nothing was sent.
    if (t.outcome === 'undone') return { id, status: 'done' };
    if (delivery.status === 'refused') throw refusal(delivery.error);
    if (delivery.status === 'queued') {
      if (t.outcome === null) this.emitPending(t, 'queued');
      return { id, status: 'queued' };
    }
    return { id, status: 'done' };
  }

  private done(t: Tracked, answer: unknown): void {
    const { request } = t.entry;
    if (request.kind === 'start-consultation' || request.kind === 'complete-consultation') {
      const consultation = Consultation.safeParse(answer);
      if (!consultation.success) this.d.refresh(['consultations']);
      else if (this.d.consultations.place(consultation.data)) this.d.consultationsChanged();
      // Its appointment moved too (in consultation, completed), in a broadcast this desk is not sent.
      this.d.refresh(['board']);
    } else {
      const appointment = Appointment.safeParse(answer);
      if (appointment.success) this.d.board.place(appointment.data);
      else this.d.refresh(['board']);
    }
    if (request.kind === 'call-in') this.whisperCallIn(request.appointmentId, answer);
    this.settle(t, 'done', null);
    if (request.kind === 'undo') {
      const undone = this.tracked.get(request.undoes);
      if (undone && undone.outcome !== 'undone') this.settle(undone, 'undone', null);
    }
  }

  private refused(t: Tracked, error: ApiError): void {
    const { request } = t.entry;
    if (routeMissing(error)) this.d.offers.hide(ACTION_ENDPOINTS[request.kind === 'undo' ? 'check-in' : request.kind].route, error.message);
    this.settle(t, 'refused', refusalSentence(error));
    if (request.kind === 'undo') {
      const undone = this.tracked.get(request.undoes);
      if (undone) undone.undoneBy = null;
    }
    // The card goes back to what the server holds, which a refusal usually means changed (a 409): read it again.
    this.d.refresh(request.kind === 'start-consultation' || request.kind === 'complete-consultation' ? ['board', 'consultations'] : ['board']);
    // An undo waiting behind an action the server refused has nothing left to undo.
    for (const other of this.tracked.values()) {
      const r = other.entry.request;
      if (r.kind === 'undo' && r.undoes === t.entry.actionId && other.outcome === null && !other.sent) {
        if (other.outboxId !== null) this.d.cache.completeAction(other.outboxId);
        other.outboxId = null;
        this.settle(other, 'undone', null);
      }
    }
  }

  private settle(t: Tracked, outcome: StaffActionSettled['outcome'], message: string | null): void {
    t.outcome = outcome;
    t.sending = false;
    this.d.ctx.emit({
      kind: 'staff-action.settled',
      settled: { id: t.entry.actionId, kind: t.entry.request.kind, appointmentId: t.entry.appointmentId, outcome, message: message === null ? null : message.slice(0, 1000) },
    });
  }

  /** "Dr. Ortiz is ready for Ana Lima", to the other desks: a courtesy next to the server's notification to reception. */
  private whisperCallIn(appointmentId: number, answer: unknown): void {
    const appointment = Appointment.safeParse(answer).data ?? this.d.board.appointment(appointmentId);
    const { user } = this.d.ctx;
    const doctorId = user.doctor_id ?? appointment?.doctor_id ?? null;
    if (appointment === null || doctorId === null) return;
    const sent = this.d.whisper({
      appointment_id: appointmentId,
      patient_name: appointment.patient_name || `Patient ${appointment.patient_id}`,
      doctor_id: doctorId,
      doctor_name: user.name,
      at: this.d.ctx.isoNow(),
    });
    if (!sent) this.d.logger.info('the call-in was not whispered (the clinic channel is not up); the server still notifies reception', { appointmentId });
  }

  // ── bookkeeping ────────────────────────────────────────────────────────

  /** What the action is about and the status its card had: what an undo goes back to. */
  private before(request: StaffActionRequest): Pick<StaffActionEntry, 'appointmentId' | 'previousStatus'> {
    switch (request.kind) {
      case 'check-in':
      case 'no-show':
      case 'cancel':
        return { appointmentId: request.appointmentId, previousStatus: request.expectedStatus };
      case 'call-in':
      case 'start-consultation':
        return { appointmentId: request.appointmentId, previousStatus: this.d.board.appointment(request.appointmentId)?.status ?? null };
      case 'complete-consultation': {
        const appointmentId = this.d.consultations.get(request.consultationId)?.appointment_id ?? null;
        return { appointmentId, previousStatus: appointmentId === null ? null : (this.d.board.appointment(appointmentId)?.status ?? null) };
      }
    }
  }

  private undoTarget(t: Tracked): UndoTarget {
    const waiting = t.outcome === null && !t.sent && t.outboxId !== null && this.d.cache.hasAction(t.outboxId);
    const stage = t.outcome === 'refused' || t.outcome === 'undone' ? 'ended' : waiting ? 'waiting' : 'sent';
    return { entry: t.entry, createdAt: t.createdAt, stage };
  }

  private track(entry: StaffActionEntry, createdAt: string, outboxId: number): Tracked {
    let t = this.tracked.get(entry.actionId);
    if (!t) {
      t = { entry, createdAt, outboxId, sent: false, sending: false, outcome: null, undoneBy: null };
      this.tracked.set(entry.actionId, t);
    }
    return t;
  }

  /** An action queued before a restart: tried before (attempts) means it may have reached the server. */
  private fromOutbox(id: ActionId): Tracked | null {
    const found = this.d.cache.pendingActions().find((e) => e.action.kind === 'staff-action' && e.action.actionId === id);
    if (found?.action.kind !== 'staff-action') return null;
    const t = this.track(found.action, found.createdAt, found.id);
    if (found.attempts > 0) t.sent = true;
    return t;
  }

  /** Settled actions are kept only as long as they could be undone. */
  private prune(): void {
    const oldest = this.d.now() - UNDO_WINDOW_MS;
    for (const [id, t] of this.tracked) {
      if (t.outcome !== null && Date.parse(t.createdAt) < oldest) this.tracked.delete(id);
    }
  }

  private emitPending(t: Tracked, state: PendingStaffAction['state']): void {
    this.d.ctx.emit({ kind: 'staff-action.pending', action: pendingOf(t.entry, t.createdAt, state) });
  }
}

/** A refusal for good, as the bridge call fails: the server's sentence, and a kind the window can tell apart (`conflict`, `validation`, `forbidden`). */
function refusal(error: ApiError): DeskRefusal {
  return new DeskRefusal(refusalSentence(error), refusalKind(error));
}
