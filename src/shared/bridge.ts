import { z } from 'zod';
import { Id } from './ids';
import { Appointment, ClientId, Consultation, Conversation, KnownRole, MESSAGE_BODY_MAX, Message, User } from './domain';
import { AppointmentAction, MessageReadData, TypingData } from './payloads';
import {
  Board,
  ChannelStatus,
  CheckReport,
  ConnectionInfo,
  DeskSnapshot,
  Diagnostics,
  NotificationItem,
  NotificationList,
  OnlineMember,
  OutgoingMessage,
  OpenTarget,
  Presence,
  SessionState,
  UpdateStatus,
} from './desk-state';
import { FeatureStatus } from './features';
import { ClinicTimeZone } from './clinic-time';
import { SettingsPatch, SettingsView } from './settings';
import { IsoDate, IsoDateTime } from './time';
import { ActionId, CalledIn, PendingStaffAction, StaffActionKind, StaffActionRequest, StaffActionResult, StaffActionSettled } from './staff-actions';

/**
 * The one contract between the renderer and whatever hosts the core (the
 * Electron main process over IPC, or the browser preview over a WebSocket).
 * `BRIDGE_METHODS` is the single source: the preload, the main handlers, the
 * preview bridge and the tests are all driven by it, so a method cannot exist
 * on one side only. Both hosts go through one host adapter
 * (src/main/core/desk/host-adapter.ts): it validates every input, answer and event
 * against this contract and answers each call with a `BridgeEnvelope`, which
 * the renderer unwraps in one place (src/shared/bridge-unwrap.ts, applied by the renderer's getBridge()).
 */

const NoInput = z.undefined();

export const SignInRequest = z.object({
  apiUrl: z.url({ protocol: /^https?$/ }).max(2048),
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

/** `local-cache`: the server accepted the sign-in but this computer could not open the desk's cache (the token was revoked). */
export const SIGN_IN_ERRORS = ['invalid-credentials', 'unreachable', 'not-a-clinic', 'forbidden', 'invalid-input', 'server-error', 'local-cache'] as const;
export const SignInResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), user: User, timeZone: ClinicTimeZone }),
  z.object({ ok: z.literal(false), error: z.enum(SIGN_IN_ERRORS), message: z.string().max(1000) }),
]);
export type SignInResult = z.infer<typeof SignInResult>;

/**
 * The clinic server this desk is configured for, for the sign-in screen.
 * `locked`: the administrator's policy sets it; the desk signs in there only.
 */
export const ServerPreset = z.object({ apiUrl: z.url().nullable(), locked: z.boolean() });
export type ServerPreset = z.infer<typeof ServerPreset>;

export const DemoRole = KnownRole.exclude(['patient']);
export const DemoAccount = z.object({ role: DemoRole, name: z.string().max(200), email: z.email() });
export type DemoAccount = z.infer<typeof DemoAccount>;

/**
 * What happened to an action the user took. `queued`: the server could not be
 * reached; the action waits in the durable outbox and the item shows as pending.
 */
export const ActionResult = z.object({ status: z.enum(['done', 'queued']) });
export type ActionResult = z.infer<typeof ActionResult>;

export const ListNotificationsRequest = z.object({
  /** Page backwards (newest first) from this id, exclusive. */
  beforeId: Id.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  type: z.string().max(64).optional(),
  unreadOnly: z.boolean().default(false),
});

export const OpenExternalResult = z.object({
  opened: z.boolean(),
  /** Why a link was not opened: not http(s), or not on the clinic's host. */
  reason: z.string().max(500).nullable(),
});

export const SendMessageInput = z.object({
  conversationId: Id,
  body: z.string().trim().min(1).max(MESSAGE_BODY_MAX),
  /** Set by the renderer so a retried send creates one message. */
  clientId: ClientId,
});
/**
 * Like every action, a message is queued in the durable outbox first and sent
 * from there: `done` with the message as the server stored it, or `queued`
 * while it waits for the server (it goes out by itself, once). A refusal (422,
 * 403) fails the call; the pending message turns `failed` with the reason.
 */
export const SendMessageResult = z.object({ status: z.enum(['done', 'queued']), message: Message.nullable() });

export const DiagnosticsReport = z.object({ text: z.string().max(200_000) });

/**
 * A line for the app's log from the window: mostly its own errors (Vue's error
 * handler, the window's `error` and `unhandledrejection` events). The host
 * writes it with the `renderer` scope, at most a few lines a minute (the page is
 * not trusted with the log); every field is bounded here, and the window
 * clips what it sends to these bounds.
 */
export const RENDERER_LOG_LIMITS = { message: 2000, stack: 8000, short: 200 } as const;
export const RendererLogEntry = z.object({
  level: z.enum(['info', 'warn', 'error']),
  message: z.string().min(1).max(RENDERER_LOG_LIMITS.message),
  /** What caught it: Vue's error handler, the window's `error` event, an unhandled promise rejection. */
  source: z.enum(['vue', 'window', 'promise']).optional(),
  /** The error's class (`TypeError`). */
  error: z.string().max(RENDERER_LOG_LIMITS.short).optional(),
  stack: z.string().max(RENDERER_LOG_LIMITS.stack).optional(),
  /** Vue's hint at where (`render function`, `mounted hook`) and the component's name. */
  info: z.string().max(RENDERER_LOG_LIMITS.short).optional(),
  component: z.string().max(RENDERER_LOG_LIMITS.short).optional(),
});
export type RendererLogEntry = z.infer<typeof RendererLogEntry>;

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const BRIDGE_METHODS = {
  getSnapshot: method(NoInput, DeskSnapshot),
  // session
  signIn: method(SignInRequest, SignInResult),
  /** The configured server, and whether the administrator's policy sets it. */
  getServerPreset: method(NoInput, ServerPreset),
  listDemoAccounts: method(NoInput, z.array(DemoAccount)),
  signInDemo: method(z.object({ role: DemoRole }), SignInResult),
  signOut: method(NoInput, z.undefined()),
  // board and consultations
  loadBoard: method(z.object({ date: IsoDate }), Board),
  listConsultations: method(NoInput, z.array(Consultation)),
  // notifications
  listNotifications: method(ListNotificationsRequest, NotificationList),
  markNotificationRead: method(z.object({ id: Id }), ActionResult),
  markAllNotificationsRead: method(NoInput, ActionResult),
  deleteNotification: method(z.object({ id: Id }), ActionResult),
  /** Marks it read and opens its `action_url` (in the app, or the clinic's site). */
  openNotification: method(z.object({ id: Id }), ActionResult),
  openExternal: method(z.object({ url: z.string().max(2048) }), OpenExternalResult),
  // conversations
  listConversations: method(NoInput, z.array(Conversation)),
  loadMessages: method(z.object({ conversationId: Id, beforeId: Id.optional() }), z.array(Message)),
  sendMessage: method(SendMessageInput, SendMessageResult),
  markConversationRead: method(z.object({ conversationId: Id }), ActionResult),
  setTyping: method(z.object({ conversationId: Id, typing: z.boolean() }), z.undefined()),

  /** A staff action on an appointment or consultation (docs/backend-contract.md, "Staff actions"); refused with kind `conflict`, `validation` or `forbidden` and the server's sentence. */
  staffAction: method(StaffActionRequest, StaffActionResult),
  /** Reverses a check-in, no-show or cancel within its undo window: withdrawn if not sent yet, else sent back to the status before. */
  undoStaffAction: method(z.object({ id: ActionId }), StaffActionResult),
  // connection and diagnostics
  reconnect: method(NoInput, z.undefined()),
  getDiagnostics: method(NoInput, Diagnostics),
  diagnosticsReport: method(NoInput, DiagnosticsReport),
  runChecks: method(NoInput, CheckReport),
  // settings
  getSettings: method(NoInput, SettingsView),
  updateSettings: method(SettingsPatch, SettingsView),
  // updates
  getUpdateStatus: method(NoInput, UpdateStatus),
  /** Looks for an update now; refused when updates are off. */
  checkForUpdates: method(NoInput, UpdateStatus),
  /** Restarts into the downloaded update; refused unless one is ready. */
  installUpdate: method(NoInput, z.undefined()),
  // the window's own log
  /** A line for the app's log (the window's errors), written with the `renderer` scope. */
  log: method(RendererLogEntry, z.undefined()),
} as const;

export type BridgeMethodName = keyof typeof BRIDGE_METHODS;
export const BRIDGE_METHOD_NAMES = Object.keys(BRIDGE_METHODS) as BridgeMethodName[];

export type BridgeInput<K extends BridgeMethodName> = z.input<(typeof BRIDGE_METHODS)[K]['input']>;
export type BridgeOutput<K extends BridgeMethodName> = z.output<(typeof BRIDGE_METHODS)[K]['output']>;

export const SYNC_REASONS = ['connect', 'reconnect', 'poll', 'manual', 'sign-in', 'refresh', 'retry', 'reconcile'] as const;

/** Everything the core tells the renderer, as it happens. */
export const DeskEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('session'), session: SessionState }),
  z.object({ kind: z.literal('connection'), connection: ConnectionInfo }),
  z.object({ kind: z.literal('channel'), channel: ChannelStatus }),
  z.object({ kind: z.literal('notification.upserted'), notification: NotificationItem, isNew: z.boolean() }),
  z.object({ kind: z.literal('notification.removed'), id: Id }),
  z.object({ kind: z.literal('notifications.unread'), unread: z.number().int().nonnegative() }),
  /**
   * A catch-up stored many notifications at once (after being offline): the
   * list reloads its first page and the tray shows one grouped alert.
   */
  z.object({ kind: z.literal('notifications.synced'), inserted: z.number().int().nonnegative(), newest: z.array(NotificationItem).max(20) }),
  z.object({
    kind: z.literal('appointment.updated'),
    appointment: Appointment,
    action: AppointmentAction.nullable(),
    /** Fields that changed, so the board can highlight them. */
    changed: z.array(z.string().max(64)),
  }),
  z.object({ kind: z.literal('board.replaced'), board: Board }),
  z.object({ kind: z.literal('consultation.updated'), consultation: Consultation }),
  z.object({ kind: z.literal('consultations.replaced'), consultations: z.array(Consultation) }),
  z.object({ kind: z.literal('presence.replaced'), presence: Presence }),
  z.object({ kind: z.literal('presence.joined'), member: OnlineMember }),
  z.object({ kind: z.literal('presence.left'), memberId: Id, at: IsoDateTime }),
  z.object({ kind: z.literal('conversation.updated'), conversation: Conversation }),
  /** A message the server stored; `clientId` when it is one this desk sent (its pending copy goes). */
  z.object({ kind: z.literal('message.created'), message: Message, clientId: ClientId.nullable() }),
  /** The user's message on its way (shown at once), or its state changed: replaced by clientId. */
  z.object({ kind: z.literal('message.pending'), outgoing: OutgoingMessage }),
  z.object({ kind: z.literal('message.read'), conversationId: Id, read: MessageReadData }),
  z.object({ kind: z.literal('typing'), conversationId: Id, typing: TypingData }),
  /** A staff action shown at once, or its state changed (sending → queued): replaced by id. */
  z.object({ kind: z.literal('staff-action.pending'), action: PendingStaffAction }),
  /** A staff action ended: its pending mark goes; on `refused` the card is back to the server's and `message` says why. */
  z.object({ kind: z.literal('staff-action.settled'), settled: StaffActionSettled }),
  /** The staff actions this user may take changed (the server's capabilities were read, or an action met a missing route). */
  z.object({ kind: z.literal('staff-actions.offered'), actions: z.array(StaffActionKind) }),
  /** A colleague's desk called a patient in. */
  z.object({ kind: z.literal('called-in'), call: CalledIn }),
  /**
   * A payload the desk refused, as its one rejection log recorded it: `count`
   * is the number of its group (channel, event, reason) there, this one
   * included. The log itself is `Diagnostics.rejected`.
   */
  z.object({ kind: z.literal('rejected'), channel: z.string().max(200), event: z.string().max(200), reason: z.string().max(1000), at: IsoDateTime, count: z.number().int().positive() }),
  z.object({ kind: z.literal('settings'), settings: SettingsView }),
  /** A catch-up over REST finished (on connect, reconnect, a poll, or on demand). */
  z.object({
    kind: z.literal('sync'),
    at: IsoDateTime,
    /**
     * `refresh`: the desk asked again on its own (a channel just subscribed, an event it could not place);
     * `retry`: a feature that failed, retried with backoff while the rest is live.
     */
    reason: z.enum(SYNC_REASONS),
    ok: z.boolean(),
    notificationsInserted: z.number().int().nonnegative(),
    outboxFlushed: z.number().int().nonnegative(),
    outboxPending: z.number().int().nonnegative(),
    error: z.string().max(1000).nullable(),
  }),
  z.object({ kind: z.literal('open'), target: OpenTarget }),
  /** A feature's REST state changed (detected, lost, recovered). */
  z.object({ kind: z.literal('features'), features: z.array(FeatureStatus) }),
  z.object({ kind: z.literal('update'), status: UpdateStatus }),
]);
export type DeskEvent = z.infer<typeof DeskEvent>;
export type SyncReason = (typeof SYNC_REASONS)[number];
export type DeskEventKind = DeskEvent['kind'];

export type Unsubscribe = () => void;

/**
 * Why a call failed, for the renderer to react to; the message is for staff.
 * `invalid-input`: the call did not match the contract; `refused`: not allowed
 * from this page; `unavailable`: the desk declined (not signed in, updates
 * off, ...); `unauthorized` … `not-a-clinic`: the clinic server's answer;
 * `internal`: a bug, details only in the log.
 */
export const BRIDGE_ERROR_KINDS = [
  'invalid-input',
  'refused',
  'unavailable',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'validation',
  'rate-limited',
  'server',
  'network',
  'not-a-clinic',
  'internal',
] as const;
export const BridgeErrorKind = z.enum(BRIDGE_ERROR_KINDS);
export type BridgeErrorKind = z.infer<typeof BridgeErrorKind>;
export const BRIDGE_ERROR_MESSAGE_MAX = 1000;

export const BridgeFailure = z.object({
  ok: z.literal(false),
  error: z.object({ kind: BridgeErrorKind, message: z.string().min(1).max(BRIDGE_ERROR_MESSAGE_MAX) }),
});
export type BridgeFailure = z.infer<typeof BridgeFailure>;

/**
 * Every call's answer, in both hosts: the value, or why not. Never a thrown
 * error across the boundary (Electron would rewrap it as "Error invoking
 * remote method ..."). `value` is optional: JSON drops `undefined`.
 */
export const BridgeEnvelope = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value: z.unknown().optional() }), BridgeFailure]);
export type BridgeEnvelope<T = unknown> = { ok: true; value: T } | BridgeFailure;

type MethodArgs<K extends BridgeMethodName> = BridgeInput<K> extends undefined ? [] : [input: BridgeInput<K>];

/** What the renderer's code uses: the host's envelopes unwrapped (a value, or a thrown `BridgeError`). */
export type ClinicBridge = {
  [K in BridgeMethodName]: (...args: MethodArgs<K>) => Promise<BridgeOutput<K>>;
} & {
  onEvent(listener: (event: DeskEvent) => void): Unsubscribe;
};

/** What a host hands the window (the preload's `window.clinic`, the preview client): each method answers with an envelope. */
export type HostBridge = {
  [K in BridgeMethodName]: (...args: MethodArgs<K>) => Promise<BridgeEnvelope<BridgeOutput<K>>>;
} & {
  onEvent(listener: (event: DeskEvent) => void): Unsubscribe;
};

/** IPC channel of a method (`clinic:signIn`) and of the event stream. */
export const ipcChannel = (name: BridgeMethodName): string => `clinic:${name}`;
export const IPC_EVENT_CHANNEL = 'clinic:event';

/**
 * The preload tells the host on this channel that the page subscribed to
 * events (`onEvent`), so that something addressed to a page still loading, such
 * as the screen a `clinicdesk://` link opened at start, is delivered then
 * rather than lost. Carries no payload; the page never sees this channel.
 */
export const IPC_SUBSCRIBE_CHANNEL = 'clinic:subscribe';
