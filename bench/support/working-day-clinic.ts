/**
 * The clinic's side of the working-day benchmark (bench/working-day.bench.ts),
 * run inside the clinic's process (support/clinic-host.ts): a compressed
 * clinic day aimed at one desk, through the demo clinic's own back end.
 *
 * Every change goes through `DemoBackend` (the store first, then its
 * `LaravelBroadcaster` with the payload Laravel would send), but the
 * broadcaster's Pusher SDK is swapped for a direct `realtime.publish` into the
 * socket server: the HTTP trigger API tops out around 1,300 events/s, below
 * the day's bursts (see "How the socket benchmarks are built"). While the
 * socket server is down the publish throws, the broadcaster counts a failure
 * and the change stays in the store only, as when Laravel's queued broadcast
 * fails: the desk must catch it up over REST.
 *
 * The kinds, all on channels a receptionist's desk follows:
 * - `notification`: a notification for the desk's user (`general-notification`);
 * - `appointment`: a status change of one of today's appointments of the
 *   desk's clinic, cycling scheduled → confirmed → reminder_sent (statuses that
 *   keep the row on the board and start no consultation), `appointment-updated`
 *   on its doctor's channel;
 * - `consultation`: an open consultation of the clinic going pending ⇄ active
 *   (`consultation-status-changed`);
 * - `message`: a colleague's message in a conversation the user takes part in
 *   (`message-sent`);
 * - `typing`: a colleague's `client-typing` whisper in one of those
 *   conversations, relayed as the socket server relays client events.
 */
import { channels } from '../../src/shared/channels';
import type { User } from '../../src/shared/domain';
import { TYPING_CLIENT_EVENT } from '../../src/shared/payloads';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import { Rng } from '../../src/main/demo/rng';
import { hr } from './ipc';
import { LINES, NOTES } from '../../src/main/demo/scenario';

export const DAY_KINDS = ['notification', 'appointment', 'consultation', 'message', 'typing'] as const;
export type DayKind = (typeof DAY_KINDS)[number];
export type KindCounts = Record<DayKind, number>;

/** The mix of the day's broadcasts (weights). */
export const DAY_MIX: ReadonlyArray<readonly [DayKind, number]> = [
  ['notification', 35],
  ['appointment', 30],
  ['consultation', 8],
  ['message', 15],
  ['typing', 12],
];

export const zeroCounts = (): KindCounts => ({ notification: 0, appointment: 0, consultation: 0, message: 0, typing: 0 });

/** One stretch of the day between two reconnects: events per compressed minute, and presence changes. */
export interface DaySegment {
  /** Seeds the choice of kinds and targets of this segment. */
  seed: number;
  /** Events in each compressed minute of the segment. */
  perMinute: number[];
  /** Wall-clock milliseconds of one compressed minute. */
  minuteMs: number;
  /** A colleague joins (`join`) or leaves presence at the start of compressed minute `minute` of the segment. */
  presence: Array<{ minute: number; userId: number; join: boolean }>;
}

export interface SegmentResult {
  published: KindCounts;
  failed: number;
  startedAt: number;
  endedAt: number;
  /** How far the publisher fell behind its schedule at worst. */
  maxLagMs: number;
}

const CYCLE = ['scheduled', 'confirmed', 'reminder_sent'] as const;
const ACTION: Record<(typeof CYCLE)[number], string> = { scheduled: 'confirmed', confirmed: 'confirmed', reminder_sent: 'reminder' };

interface Targets {
  user: User;
  appointments: number[];
  consultations: number[];
  conversations: Array<{ id: number; senders: User[] }>;
}

/** The private part of the demo's back end the day swaps: its broadcaster's Pusher SDK client. */
interface BroadcasterInternals {
  pusher: { trigger(channels: string[], event: string, data: string, params?: { socket_id?: string }): Promise<unknown> };
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WorkingDayClinic {
  private targets: Targets | null = null;
  private readonly published = zeroCounts();
  private failed = 0;
  private turn = 0;

  constructor(
    private readonly clinic: () => DemoClinic,
    private readonly presence: { join(userId: number, clinicId: number): Promise<unknown>; leave(userId: number, clinicId: number): Promise<unknown> },
  ) {}

  /**
   * Swaps the broadcaster's SDK for a direct publish and picks the targets the
   * desk of `email` follows. Fails loudly if the demo's back end changed shape.
   */
  prepare(email: string): { userId: number; clinicId: number; appointments: number; consultations: number[]; conversations: number[]; colleagues: number[] } {
    const c = this.clinic();
    const broadcaster = (c.backend as unknown as { broadcaster?: Partial<BroadcasterInternals> }).broadcaster;
    if (!broadcaster || typeof broadcaster.pusher?.trigger !== 'function') throw new Error('DemoBackend changed shape: the working day needs backend.broadcaster.pusher.trigger');
    broadcaster.pusher = {
      trigger: (names, event, data, params) => {
        const rt = this.clinic().realtime;
        if (!rt) return Promise.reject(new Error('socket server down'));
        rt.publish(c.info.appId, names, event, data, params?.socket_id);
        return Promise.resolve({});
      },
    };
    const store = c.store;
    const account = c.info.users.find((u) => u.email === email);
    const user = account ? store.userById(account.id) : null;
    if (!user) throw new Error(`no demo account ${email}`);
    const appointments = store
      .appointmentsOn(user.clinic_id, store.today(), (a) => (CYCLE as readonly string[]).includes(a.status))
      .map((a) => a.id)
      .sort((a, b) => a - b);
    const consultations = store
      .consultationsWhere((k) => (k.status === 'pending' || k.status === 'active') && store.doctor(k.doctor_id)?.clinic_id === user.clinic_id)
      .map((k) => k.id)
      .sort((a, b) => a - b);
    const conversations = store
      .conversationsWhere((cv) => cv.participant_ids.includes(user.id))
      .map((cv) => ({ id: cv.id, senders: cv.participant_ids.filter((id) => id !== user.id).map((id) => store.userById(id)).filter((u): u is User => u !== null) }))
      .filter((cv) => cv.senders.length > 0);
    if (appointments.length === 0 || consultations.length === 0 || conversations.length === 0) throw new Error('the demo clinic has nothing for the working day to change');
    this.targets = { user, appointments, consultations, conversations };
    const colleagues = c.info.users.filter((u) => u.clinicId === user.clinic_id && u.role !== 'patient' && u.id !== user.id).map((u) => u.id);
    return { userId: user.id, clinicId: user.clinic_id, appointments: appointments.length, consultations, conversations: conversations.map((cv) => cv.id), colleagues };
  }

  /** What was published so far (taken by the socket server), per kind; `failed`: broadcasts that found it down. */
  counts(): { published: KindCounts; failed: number } {
    return { published: { ...this.published }, failed: this.failed };
  }

  /** Publishes one segment of the day on its schedule; resolves when the last event and presence change are out. */
  async segment(s: DaySegment): Promise<SegmentResult> {
    const rng = new Rng(s.seed);
    const before = { ...this.published };
    const schedule: number[] = [];
    s.perMinute.forEach((count, minute) => {
      for (let j = 0; j < count; j++) schedule.push(minute * s.minuteMs + (j * s.minuteMs) / count);
    });
    const presence = [...s.presence].sort((a, b) => a.minute - b.minute);
    const pending: Array<Promise<unknown>> = [];
    const startedAt = hr();
    let next = 0;
    let maxLagMs = 0;
    while (next < schedule.length || presence.length > 0) {
      const now = hr() - startedAt;
      while (presence.length > 0 && (presence[0]?.minute ?? 0) * s.minuteMs <= now) {
        const p = presence.shift();
        if (p) pending.push((p.join ? this.presence.join(p.userId, this.user().clinic_id) : this.presence.leave(p.userId, this.user().clinic_id)).catch(() => undefined));
      }
      while (next < schedule.length && (schedule[next] ?? 0) <= now) {
        maxLagMs = Math.max(maxLagMs, now - (schedule[next] ?? 0));
        await this.publishOne(rng.weighted(DAY_MIX), rng);
        next++;
      }
      if (next < schedule.length || presence.length > 0) await wait(1);
    }
    await Promise.all(pending);
    const published = zeroCounts();
    for (const k of DAY_KINDS) published[k] = this.published[k] - before[k];
    return { published, failed: this.failed, startedAt, endedAt: hr(), maxLagMs };
  }

  /** Notifications created while the socket server is down (their broadcast fails): the desk must catch them up. */
  async missed(count: number): Promise<number> {
    let stored = 0;
    for (let i = 0; i < count; i++) {
      const r = await this.clinic().backend.notify({ user_id: this.user().id, type: 'system', title: 'While the socket was down', message: `Missed broadcast ${i + 1} of ${count}.`, action_url: null });
      if (!r.broadcast) this.failed++;
      stored++;
    }
    return stored;
  }

  private user(): User {
    if (!this.targets) throw new Error('working day not prepared');
    return this.targets.user;
  }

  private async publishOne(kind: DayKind, rng: Rng): Promise<void> {
    const t = this.targets;
    if (!t) throw new Error('working day not prepared');
    const c = this.clinic();
    const backend = c.backend;
    const store = c.store;
    this.turn++;
    let ok: boolean;
    switch (kind) {
      case 'notification': {
        const [type, title, message] = rng.pick(NOTES);
        ok = (await backend.notify({ user_id: t.user.id, type, title, message, action_url: rng.chance(0.5) ? `/appointments/${rng.pick(t.appointments)}` : null })).broadcast;
        break;
      }
      case 'appointment': {
        const id = rng.pick(t.appointments);
        const current = store.appointment(id)?.status ?? 'scheduled';
        const at = CYCLE.indexOf(current as (typeof CYCLE)[number]);
        const status = CYCLE[(at + 1) % CYCLE.length] ?? 'confirmed';
        ok = (await backend.updateAppointment(id, ACTION[status], { status })).broadcast;
        break;
      }
      case 'consultation': {
        const id = rng.pick(t.consultations);
        const current = store.consultation(id)?.status;
        ok = (await backend.setConsultationStatus(id, current === 'active' ? 'pending' : 'active')).broadcast;
        break;
      }
      case 'message': {
        const conversation = rng.pick(t.conversations);
        ok = (await backend.postMessage(conversation.id, rng.pick(conversation.senders), rng.pick(LINES))).broadcast;
        break;
      }
      case 'typing': {
        const conversation = rng.pick(t.conversations);
        const sender = rng.pick(conversation.senders);
        const rt = c.realtime;
        ok = rt !== null;
        // As the socket server relays a colleague's `whisper('typing', ...)`: a client event, never stored.
        rt?.publish(c.info.appId, [channels.conversation(conversation.id).fullName], TYPING_CLIENT_EVENT, JSON.stringify({ conversation_id: conversation.id, type: 'typing', data: { user_id: sender.id, name: sender.name, typing: this.turn % 2 === 0 }, timestamp: store.stamp() }));
        break;
      }
    }
    if (ok) this.published[kind]++;
    else this.failed++;
  }
}
