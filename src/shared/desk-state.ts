import { z } from 'zod';
import { Id } from './ids';
import { Appointment, ClientId, ClinicMember, Consultation, Conversation, MESSAGE_BODY_MAX, Notification, Role, User } from './domain';
import { Feature, FeatureStatus } from './features';
import { ClinicTimeZone } from './clinic-time';
import { IsoDate, IsoDateTime } from './time';
import { PendingStaffAction, StaffActionKind } from './staff-actions';

/**
 * The desk's view of the world, as the core keeps it and the renderer shows
 * it. Everything here crosses the bridge, so everything is a zod schema.
 */

export const SessionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out'), reason: z.string().max(500).nullable() }),
  z.object({ status: z.literal('signing-in') }),
  z.object({
    status: z.literal('signed-in'),
    user: User,
    apiUrl: z.url(),
    /** True when signed in to the embedded demo clinic. */
    demo: z.boolean(),
    /** The zone whose days the board shows and whose clock the desk reads. */
    timeZone: ClinicTimeZone,
  }),
]);
export type SessionState = z.infer<typeof SessionState>;

/**
 * `live`: WebSocket connected and subscribed. `connecting`/`reconnecting`:
 * trying. `polling`: no WebSocket (down, or the polling-only transport) but the
 * REST API answers, so the desk refreshes on a timer. `offline`: neither.
 * `idle`: not signed in.
 */
export const CONNECTION_STATUSES = ['idle', 'connecting', 'live', 'reconnecting', 'polling', 'offline'] as const;
export const ConnectionStatus = z.enum(CONNECTION_STATUSES);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const TRANSPORTS = ['pusher', 'reverb', 'polling'] as const;
export const Transport = z.enum(TRANSPORTS);
export type Transport = z.infer<typeof Transport>;

export const ConnectionInfo = z.object({
  status: ConnectionStatus,
  since: IsoDateTime,
  transport: Transport,
  socketId: z.string().max(64).nullable(),
  lastEventAt: IsoDateTime.nullable(),
  lastSyncAt: IsoDateTime.nullable(),
  nextRetryAt: IsoDateTime.nullable(),
  /** Why the connection is not live, in words for the status bar. */
  detail: z.string().max(500).nullable(),
  /**
   * Features the REST API does not fully serve right now (not offered, not
   * understood, failing): the status bar says "Live, 2 features limited".
   */
  limitedFeatures: z.array(Feature),
  /**
   * Set while the REST API keeps showing changes no broadcast announced (the
   * server's queue worker stopped, a broadcast driver of "log"): what the
   * admin should check. The desk stays current by reconciling meanwhile.
   */
  broadcastWarning: z.string().max(500).nullable(),
});
export type ConnectionInfo = z.infer<typeof ConnectionInfo>;

/** The connection before anything happened: nobody signed in, or the window not yet told. */
export function idleConnection(transport: Transport, since: string): ConnectionInfo {
  return {
    status: 'idle',
    since,
    transport,
    socketId: null,
    lastEventAt: null,
    lastSyncAt: null,
    nextRetryAt: null,
    detail: null,
    limitedFeatures: [],
    broadcastWarning: null,
  };
}

export const ConnectionTransition = z.object({
  at: IsoDateTime,
  from: ConnectionStatus,
  to: ConnectionStatus,
  detail: z.string().max(500).nullable(),
});
export type ConnectionTransition = z.infer<typeof ConnectionTransition>;

export const CHANNEL_STATES = ['pending', 'subscribed', 'failed', 'unsubscribed'] as const;
export const ChannelStatus = z.object({
  name: z.string().max(200),
  state: z.enum(CHANNEL_STATES),
  /** Auth endpoint status for a failed subscription (401, 403, ...), null for other failures. */
  errorStatus: z.number().int().nullable(),
  error: z.string().max(500).nullable(),
  subscribedAt: IsoDateTime.nullable(),
  lastEventAt: IsoDateTime.nullable(),
  eventCount: z.number().int().nonnegative(),
  rejectedCount: z.number().int().nonnegative(),
  /** Payload timestamp to receipt, last event, in ms; null when the payload has no timestamp. */
  lastLatencyMs: z.number().nullable(),
});
export type ChannelStatus = z.infer<typeof ChannelStatus>;

export const RejectedPayload = z.object({
  channel: z.string().max(200),
  event: z.string().max(200),
  reason: z.string().max(1000),
  count: z.number().int().positive(),
  lastAt: IsoDateTime,
});
export type RejectedPayload = z.infer<typeof RejectedPayload>;

/** A notification as the desk shows it: server state plus any action still waiting in the outbox. */
export const NotificationItem = Notification.extend({
  pending: z.enum(['read', 'delete']).nullable(),
});
export type NotificationItem = z.infer<typeof NotificationItem>;

/**
 * A message the user sent that the server has not stored yet, shown at once.
 * `sending`: on its way; `queued`: waits in the durable outbox until the
 * server can take it (kept across a restart); `failed`: the server refused it
 * for good (`error` says why) and the outbox let it go. Replaced by the stored
 * message carrying its `clientId` (`message.created`).
 */
export const OUTGOING_STATES = ['sending', 'queued', 'failed'] as const;
export const OutgoingMessage = z.object({
  clientId: ClientId,
  conversationId: Id,
  body: z.string().min(1).max(MESSAGE_BODY_MAX),
  createdAt: IsoDateTime,
  state: z.enum(OUTGOING_STATES),
  error: z.string().max(1000).nullable(),
});
export type OutgoingMessage = z.infer<typeof OutgoingMessage>;

export const NotificationList = z.object({
  items: z.array(NotificationItem),
  hasMore: z.boolean(),
  unread: z.number().int().nonnegative(),
});
export type NotificationList = z.infer<typeof NotificationList>;

export const BoardDoctor = z.object({
  doctorId: Id,
  name: z.string().max(200),
  /**
   * Null while the column updates live. Seconds between refreshes when the
   * server refuses this desk the doctor's channel (a doctor looking at a
   * colleague's column): the column says so.
   */
  refreshSeconds: z.number().int().positive().nullable().default(null),
});

export const Board = z.object({
  date: IsoDate,
  doctors: z.array(BoardDoctor),
  appointments: z.array(Appointment),
  /** When the board was last confirmed by the server; the banner shows it while not live. */
  syncedAt: IsoDateTime.nullable(),
  stale: z.boolean(),
});
export type Board = z.infer<typeof Board>;

export const OnlineMember = z.object({
  id: Id,
  name: z.string().max(200),
  role: Role,
  onlineSince: IsoDateTime,
});
export type OnlineMember = z.infer<typeof OnlineMember>;

export const Presence = z.object({
  clinicId: Id.nullable(),
  members: z.array(OnlineMember),
  /** Everyone in the clinic, online or not, from `GET /api/clinic/members`. */
  roster: z.array(ClinicMember),
});
export type Presence = z.infer<typeof Presence>;

/** A place in the app the renderer can show: from a notification, the tray or a `clinicdesk://` link. */
export const OpenTarget = z.discriminatedUnion('screen', [
  z.object({ screen: z.literal('board'), appointmentId: Id.optional(), date: IsoDate.optional() }),
  z.object({ screen: z.literal('consultations'), consultationId: Id.optional() }),
  z.object({ screen: z.literal('notifications'), notificationId: Id.optional() }),
  z.object({ screen: z.literal('conversations'), conversationId: Id.optional() }),
  z.object({ screen: z.literal('presence') }),
  z.object({ screen: z.literal('diagnostics') }),
  z.object({ screen: z.literal('settings') }),
]);
export type OpenTarget = z.infer<typeof OpenTarget>;

export const CheckResult = z.object({
  id: z.string().max(64),
  title: z.string().max(200),
  ok: z.boolean(),
  detail: z.string().max(2000),
  /** What to do about a failure, in the admin's words. */
  fix: z.string().max(2000).nullable(),
  /** Passed, with something an admin should know (a feature the server does not offer): the report still passes. */
  warning: z.boolean().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const CheckReport = z.object({ ok: z.boolean(), ranAt: IsoDateTime, checks: z.array(CheckResult) });
export type CheckReport = z.infer<typeof CheckReport>;

export const Diagnostics = z.object({
  appVersion: z.string().max(64),
  host: z.enum(['electron', 'preview', 'node']),
  connection: ConnectionInfo,
  timeline: z.array(ConnectionTransition),
  channels: z.array(ChannelStatus),
  rejected: z.array(RejectedPayload),
  cache: z.object({
    notifications: z.number().int().nonnegative(),
    outbox: z.number().int().nonnegative(),
    /** Why changes are not reaching the cache file ("the disk is full: notifications are not being saved"); null while they are. */
    writeError: z.string().max(500).nullable(),
    /** Notifications kept although their creation time could not be trusted (dated in the future, or back-dated behind newer ones). */
    datesFlagged: z.number().int().nonnegative(),
  }),
  features: z.array(FeatureStatus),
  /** The clinic's zone, where it came from; null when no one is signed in. */
  timeZone: ClinicTimeZone.nullable(),
  /** While live, the desk compares itself with the server on a timer: what that costs and what it found. */
  reconciliation: z.object({
    intervalSec: z.number().int().positive(),
    lastAt: IsoDateTime.nullable(),
    /** Requests of the reconciliations of this session, and how many the server answered "not modified" (304). */
    requests: z.number().int().nonnegative(),
    notModified: z.number().int().nonnegative(),
    /** Changes found over REST that no live event had announced. */
    unannounced: z.number().int().nonnegative(),
  }),
});
export type Diagnostics = z.infer<typeof Diagnostics>;

export const DeskSnapshot = z.object({
  session: SessionState,
  connection: ConnectionInfo,
  board: Board.nullable(),
  consultations: z.array(Consultation),
  presence: Presence,
  conversations: z.array(Conversation),
  /** The user's messages waiting in the outbox (kept across a restart). */
  outgoing: z.array(OutgoingMessage),
  /** The user's staff actions the server has not answered yet, shown on their cards (kept across a restart). */
  pendingActions: z.array(PendingStaffAction),
  /** The staff actions this user may take on this server: their role's, less what the server does not offer or the policy switched off. */
  staffActions: z.array(StaffActionKind),
  unreadNotifications: z.number().int().nonnegative(),
  channels: z.array(ChannelStatus),
  /** What the clinic's REST API offers, per feature. */
  features: z.array(FeatureStatus),
});
export type DeskSnapshot = z.infer<typeof DeskSnapshot>;

// ── updates ──

export const UPDATE_CHANNEL_NAMES = ['stable', 'beta'] as const;
const AppVersionText = z.string().max(64);
const ByteCount = z.number().nonnegative();

/** What every update status carries, for Settings and Diagnostics. */
const UpdateFacts = z.object({
  currentVersion: AppVersionText,
  /** The policy's channel; null when updates are off. */
  channel: z.enum(UPDATE_CHANNEL_NAMES).nullable(),
  /** The version the policy holds every desk on, if any. */
  pinnedVersion: AppVersionText.nullable(),
  /** The policy installs without asking, after a short countdown. */
  forced: z.boolean(),
  /** The last time the update server answered. */
  lastCheckedAt: IsoDateTime.nullable(),
  /** Where the desk looks for updates (the policy's url, or its folder of a pinned version); null when off. */
  feedUrl: z.string().max(2100).nullable(),
  /** When the next check is due; null while checking, downloading or off. */
  nextCheckAt: IsoDateTime.nullable(),
});

/**
 * The desk's updater, as the renderer shows it. `off`: no checks at all (the
 * policy, a development build, or an installation the OS updates). `ready`: a
 * verified download waits; it installs on quit, when the user agrees, or at
 * `installAt` when the policy forces it. `error.during` says which step
 * failed; `error.version` is the update it was about (null for a check).
 */
export const UpdateStatus = z.discriminatedUnion('state', [
  UpdateFacts.extend({ state: z.literal('off'), reason: z.string().max(500) }),
  UpdateFacts.extend({ state: z.literal('idle') }),
  UpdateFacts.extend({ state: z.literal('checking') }),
  UpdateFacts.extend({ state: z.literal('available'), version: AppVersionText }),
  UpdateFacts.extend({
    state: z.literal('downloading'),
    version: AppVersionText,
    percent: z.number().min(0).max(100),
    bytesPerSecond: ByteCount,
    transferred: ByteCount,
    total: ByteCount,
  }),
  UpdateFacts.extend({ state: z.literal('ready'), version: AppVersionText, installAt: IsoDateTime.nullable() }),
  UpdateFacts.extend({
    state: z.literal('error'),
    during: z.enum(['check', 'download', 'install']),
    version: AppVersionText.nullable(),
    message: z.string().max(1000),
    retryAt: IsoDateTime.nullable(),
  }),
]);
export type UpdateStatus = z.infer<typeof UpdateStatus>;
export type UpdateState = UpdateStatus['state'];
