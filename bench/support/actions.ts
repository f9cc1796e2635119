/**
 * Staff actions between two desks (issue 15), for bench/actions.bench.ts and
 * its bounded version tests/integration/bench/actions.test.ts.
 *
 * One embedded demo clinic (seed 42, no scenario, the clinic on UTC as the e2e
 * tests run it), and two desk cores on it, each its own `DeskService` with its
 * own cache (support/preview-bench-desk.ts): reception1 and doctor1. What one desk does
 * reaches the other only through the clinic's REST API and its socket server.
 * The doctor's day is topped up with upcoming appointments (one per check-in)
 * through the store's `createAppointment`, before the desks sign in.
 *
 * `runActions` paces a plan (`planActions`), one action every `intervalMs`,
 * each called in Node on the acting desk (`staffAction`, `undoStaffAction`),
 * and notes on Node's clock (`nodeEpoch`, the scale the page clocks are mapped
 * to): just before the call, when the call answered, and when the other desk's
 * core announced the change (`appointment.updated` with the new status; for a
 * call-in, the notification to reception and the doctor's whisper). The
 * benchmark adds the pages: the same desks shown through preview hosts.
 */
import type { DeskEvent } from '../../src/shared/bridge';
import type { Appointment } from '../../src/shared/domain';
import { toLaravelIso } from '../../src/shared/time';
import { actionsForRole, type StaffActionKind, type StaffActionRequest, type StaffActionResult } from '../../src/shared/staff-actions';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import type { DemoUserInfo } from '../../src/main/demo/info';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { Rng } from '../../src/main/demo/rng';
import { createPreviewBenchDesk, type PreviewBenchDesk } from './preview-bench-desk';
import { nodeEpoch } from './dashboard-page';
import { sleep, until } from './report';

export type Actor = 'reception' | 'doctor';
export type StepKind = StaffActionKind | 'undo';

const PRE_VISIT = new Set(['scheduled', 'confirmed', 'reminder_sent']);
const UPCOMING = ['scheduled', 'confirmed', 'reminder_sent'] as const;
const CANCEL_REASON = 'Patient rang to rebook';

export interface RigDesk extends PreviewBenchDesk {
  actor: Actor;
  account: DemoUserInfo;
  /** When the core emitted each change (Node epoch, ms), by `changeKey`, in order. */
  seen: Map<string, number[]>;
}

export interface ActionsRig {
  demo: EmbeddedDemo;
  clinic: DemoClinic;
  day: string;
  /** The doctor's upcoming appointments of the day the plan acts on, in the order it takes them. */
  appointments: Appointment[];
  /** How many of them the top-up added. */
  added: number;
  reception: RigDesk;
  doctor: RigDesk;
  /** Signs both desks in with "Try the demo clinic" from Node (no page; the benchmark signs in through its pages). */
  signInInNode(): Promise<void>;
  /** Resolves once both desks are live, offer their role's actions, and hold every appointment of the plan on their boards. */
  ready(timeoutMs?: number): Promise<void>;
  /** Everything the two desks logged as an error. */
  errors(): Array<{ desk: Actor; message: string; fields: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** What a core announced: a card's new status, reception's call-in notification, the doctor's whisper. */
export const changeKey = {
  status: (appointmentId: number, status: string) => `status:${appointmentId}:${status}`,
  callInNotification: (appointmentId: number) => `call-in:${appointmentId}`,
  whisper: (appointmentId: number) => `whisper:${appointmentId}`,
};

function record(seen: Map<string, number[]>, key: string, at: number): void {
  const list = seen.get(key);
  if (list) list.push(at);
  else seen.set(key, [at]);
}

function watch(bench: PreviewBenchDesk, actor: Actor, account: DemoUserInfo): RigDesk {
  const seen = new Map<string, number[]>();
  // What the desk last showed of each appointment: a re-read of the day (after a consultation starts or ends the
  // acting desk reads the board again) can bring a colleague's change before its broadcast, which then changes
  // nothing and is not announced again: the change arrived with the board.
  let known: Map<number, string> | null = null;
  bench.desk.on((e: DeskEvent) => {
    const at = nodeEpoch();
    if (e.kind === 'appointment.updated') {
      record(seen, changeKey.status(e.appointment.id, e.appointment.status), at);
      known?.set(e.appointment.id, e.appointment.status);
    } else if (e.kind === 'board.replaced') {
      const first = known === null;
      known ??= new Map();
      for (const a of e.board.appointments) {
        if (!first && known.get(a.id) !== a.status) record(seen, changeKey.status(a.id, a.status), at);
        known.set(a.id, a.status);
      }
    } else if (e.kind === 'notification.upserted' && e.isNew && e.notification.type === 'call-in') {
      const id = /^\/appointments\/(\d+)$/.exec(e.notification.action_url ?? '')?.[1];
      if (id !== undefined) record(seen, changeKey.callInNotification(Number(id)), at);
    } else if (e.kind === 'called-in') record(seen, changeKey.whisper(e.call.appointmentId), at);
  });
  return { ...bench, actor, account, seen };
}

/**
 * The doctor's upcoming appointments of `day` (scheduled, confirmed or
 * reminded: the ones reception can check in), topped up to `count` with new
 * ones through `createAppointment`, 06:00–22:00 UTC, statuses in turn.
 */
function doctorDay(clinic: DemoClinic, doctorId: number, day: string, count: number): { appointments: Appointment[]; added: number } {
  const store = clinic.store;
  const doctor = store.world.doctors.find((d) => d.id === doctorId);
  if (!doctor) throw new Error(`the demo clinic has no doctor ${doctorId}`);
  const mine = () => store.appointmentsOn(doctor.clinic_id, day, (a) => a.doctor_id === doctorId && PRE_VISIT.has(a.status));
  const patients = store.world.patients.filter((p) => p.clinic_id === doctor.clinic_id);
  const missing = Math.max(0, count - mine().length);
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  for (let i = 0; i < missing; i++) {
    const patient = patients[(i * 7) % patients.length];
    if (!patient) throw new Error(`clinic ${doctor.clinic_id} has no patients`);
    const minute = 6 * 60 + Math.floor((i * 16 * 60) / missing);
    store.createAppointment({
      doctor_id: doctorId,
      patient_id: patient.id,
      status: UPCOMING[i % UPCOMING.length] ?? 'scheduled',
      appointment_date: toLaravelIso(dayStart + minute * 60_000),
      duration_minutes: 15,
      reason: 'Check-up',
    });
  }
  const appointments = mine().slice(0, count);
  if (appointments.length < count) throw new Error(`doctor ${doctorId} has ${appointments.length} upcoming appointments on ${day}, wanted ${count}`);
  return { appointments, added: missing };
}

/** The clinic, its doctor's day topped up to `appointments`, and the two desks (not signed in yet). */
export async function startActionsRig(options: { appointments: number }): Promise<ActionsRig> {
  const demo = embeddedDemo({ seed: 42, timeZone: 'UTC', scenario: { autoStart: false }, logger: quietDemoLogger });
  await demo.start('reception');
  const clinic = demo.clinic;
  if (!clinic) throw new Error('the demo clinic did not start');
  const account = (email: string) => {
    const found = clinic.info.users.find((u) => u.email === email);
    if (!found) throw new Error(`the demo clinic has no ${email}`);
    return found;
  };
  const doctorAccount = account('doctor1@northside.clinic.test');
  if (doctorAccount.doctorId === undefined) throw new Error('doctor1 is not a doctor');
  const day = clinic.store.today();
  const { appointments, added } = doctorDay(clinic, doctorAccount.doctorId, day, options.appointments);
  const reception = watch(createPreviewBenchDesk(demo, 'clinic-desk-actions-bench-'), 'reception', account('reception1@northside.clinic.test'));
  const doctor = watch(createPreviewBenchDesk(demo, 'clinic-desk-actions-bench-'), 'doctor', doctorAccount);
  const ids = appointments.map((a) => a.id);

  return {
    demo,
    clinic,
    day,
    appointments,
    added,
    reception,
    doctor,
    async signInInNode() {
      for (const d of [reception, doctor]) {
        const result = await d.desk.signInDemo({ role: d.actor });
        if (!result.ok) throw new Error(`${d.actor}: the sign-in failed: ${result.message}`);
      }
    },
    async ready(timeoutMs = 30_000) {
      for (const d of [reception, doctor]) {
        const offered = [...actionsForRole(d.account.role)].sort().join(',');
        await until(
          async () => {
            const s = await d.desk.getSnapshot();
            const onBoard = new Set(s.board?.appointments.map((a) => a.id) ?? []);
            return s.connection.status === 'live' && [...s.staffActions].sort().join(',') === offered && ids.every((id) => onBoard.has(id));
          },
          timeoutMs,
          `the ${d.actor}'s desk live, offering its actions, with the day's ${ids.length} appointments`,
          20,
        );
      }
    },
    errors: () => [reception, doctor].flatMap((d) => d.logger.errors.map((e) => ({ desk: d.actor, ...e }))),
    async close() {
      await reception.close();
      await doctor.close();
      await demo.close();
    },
  };
}

// ──────────────────────────────────────────────────────────────── plan ───

export interface PlannedStep {
  kind: StepKind;
  actor: Actor;
  appointmentId: number;
  /** The card's status when the action is taken (`expectedStatus`). */
  from: string;
  /** The status the other desk's card shows after it; null for a call-in, which changes no card. */
  to: string | null;
  /** Not in the figures: the run's first cycle, which warms the paths up (first requests, JIT). */
  warmup: boolean;
}

/**
 * One check-in per appointment, by reception. With `mix`, appointment i is
 * followed, right after its check-in, by (i mod 6): nothing; reception's undo
 * (back to the status before); reception's no-show; reception's cancel (with
 * a reason); the doctor's start and completion of the consultation; the
 * doctor's call-in. The first `warmup` appointments are the warm-up.
 */
export function planActions(appointments: readonly Appointment[], options: { mix: boolean; warmup: number }): PlannedStep[] {
  const steps: PlannedStep[] = [];
  appointments.forEach((a, i) => {
    const warmup = i < options.warmup;
    const step = (kind: StepKind, actor: Actor, from: string, to: string | null) => steps.push({ kind, actor, appointmentId: a.id, from, to, warmup });
    step('check-in', 'reception', a.status, 'checked_in');
    if (!options.mix) return;
    switch (i % 6) {
      case 1:
        step('undo', 'reception', 'checked_in', a.status);
        break;
      case 2:
        step('no-show', 'reception', 'checked_in', 'no_show');
        break;
      case 3:
        step('cancel', 'reception', 'checked_in', 'cancelled');
        break;
      case 4:
        step('start-consultation', 'doctor', 'checked_in', 'in_consultation');
        step('complete-consultation', 'doctor', 'in_consultation', 'completed');
        break;
      case 5:
        step('call-in', 'doctor', 'checked_in', null);
        break;
    }
  });
  return steps;
}

// ───────────────────────────────────────────────────────────────── run ───

export interface StepRecord extends PlannedStep {
  index: number;
  /** Node epoch (ms) just before the acting desk was called. */
  sentAt: number;
  /** How late the call was against its slot (start + index × interval + its jitter). */
  lagMs: number;
  /** The acting desk's call answered `done` (null: it did not). */
  answerAt: number | null;
  result: StaffActionResult['status'] | null;
  error: string | null;
}

const otherOf = (rig: ActionsRig, actor: Actor): RigDesk => (actor === 'reception' ? rig.doctor : rig.reception);
const deskOf = (rig: ActionsRig, actor: Actor): RigDesk => (actor === 'reception' ? rig.reception : rig.doctor);

/** What the other desk announces for a step: the card's new status, or reception's call-in notification. */
export function otherKey(step: PlannedStep): string {
  return step.to === null ? changeKey.callInNotification(step.appointmentId) : changeKey.status(step.appointmentId, step.to);
}

/**
 * How far (ms) each action's slot is moved, seeded: a person acts at any
 * moment of the page's 60 Hz frame clock, but slots a round 250 ms apart
 * (15 frames) would all meet it at the same phase, and the wait for the next
 * frame, up to 16.7 ms of every figure, would be the same for all of them.
 */
export const SLOT_JITTER_MS = 17;
const SLOT_SEED = 20261206;

/**
 * Runs `plan` on the rig's desks (signed in and `ready`), one action every
 * `intervalMs` (each slot moved by up to `SLOT_JITTER_MS`): each waits for
 * its slot, so a slow answer delays the next action rather than queueing it
 * behind. Whatever a call needs first (the check-in's id for its undo, the
 * consultation's id for its completion) is looked up before the time is taken.
 */
export async function runActions(rig: ActionsRig, plan: readonly PlannedStep[], intervalMs: number): Promise<StepRecord[]> {
  const checkIns = new Map<number, string>();
  const records: StepRecord[] = [];
  const rng = new Rng(SLOT_SEED);
  const start = nodeEpoch();
  for (const [index, step] of plan.entries()) {
    const slot = start + index * intervalMs + rng.next() * SLOT_JITTER_MS;
    const wait = slot - nodeEpoch();
    if (wait > 0) await sleep(wait);
    const desk = deskOf(rig, step.actor).desk;
    let call: () => Promise<StaffActionResult>;
    switch (step.kind) {
      case 'undo': {
        const id = checkIns.get(step.appointmentId);
        if (id === undefined) throw new Error(`no check-in to undo for appointment ${step.appointmentId}`);
        call = () => desk.undoStaffAction({ id });
        break;
      }
      case 'complete-consultation': {
        const consultation = (await desk.listConsultations()).find((c) => c.appointment_id === step.appointmentId && c.status === 'active');
        if (!consultation) throw new Error(`the doctor's desk has no active consultation for appointment ${step.appointmentId}`);
        call = () => desk.staffAction({ kind: 'complete-consultation', consultationId: consultation.id });
        break;
      }
      default: {
        const request = requestOf(step);
        call = () => desk.staffAction(request);
      }
    }
    const sentAt = nodeEpoch();
    const r: StepRecord = { ...step, index, sentAt, lagMs: Math.max(0, sentAt - slot), answerAt: null, result: null, error: null };
    records.push(r);
    try {
      const result = await call();
      r.result = result.status;
      if (result.status === 'done') r.answerAt = nodeEpoch();
      if (step.kind === 'check-in') checkIns.set(step.appointmentId, result.id);
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
    }
  }
  return records;
}

function requestOf(step: PlannedStep): StaffActionRequest {
  const appointmentId = step.appointmentId;
  switch (step.kind) {
    case 'check-in':
    case 'no-show':
      return { kind: step.kind, appointmentId, expectedStatus: step.from };
    case 'cancel':
      return { kind: 'cancel', appointmentId, expectedStatus: step.from, reason: CANCEL_REASON };
    case 'call-in':
    case 'start-consultation':
      return { kind: step.kind, appointmentId };
    default:
      throw new Error(`${step.kind} is not a plain request`);
  }
}

/** Waits until the other desk of every step announced it (or `timeoutMs` passed: what is missing then is reported, not thrown). */
export async function awaitDelivery(rig: ActionsRig, records: readonly StepRecord[], timeoutMs: number): Promise<void> {
  await until(() => records.every((r) => (otherOf(rig, r.actor).seen.get(otherKey(r))?.length ?? 0) > 0), timeoutMs, 'every action at the other desk').catch(() => undefined);
}

export interface Delivered {
  /** The other desk's core announced it (Node epoch), the first time at or after the call. */
  otherCoreAt: number | null;
  /** How many times the other desk announced it during the run (once is right). */
  otherCoreCount: number;
  /** For a call-in, the doctor's whisper at reception's core. */
  whisperAt: number | null;
}

export function delivered(rig: ActionsRig, r: StepRecord): Delivered {
  const other = otherOf(rig, r.actor);
  const times = other.seen.get(otherKey(r)) ?? [];
  const after = times.filter((t) => t >= r.sentAt);
  const whisper = r.kind === 'call-in' ? (rig.reception.seen.get(changeKey.whisper(r.appointmentId)) ?? []).find((t) => t >= r.sentAt) : undefined;
  return { otherCoreAt: after[0] ?? null, otherCoreCount: times.length, whisperAt: whisper ?? null };
}
