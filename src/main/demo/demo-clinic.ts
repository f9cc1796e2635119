import { isTimeZone, systemTimeZone } from '../../shared/clinic-time';
import type { Appointment, Consultation, ConsultationStatus } from '../../shared/domain';
import type { AppointmentAction } from '../../shared/payloads';
import { LaravelBroadcaster, type EventNaming } from './broadcaster';
import { ClinicStore } from './clinic-store';
import {
  DemoBackend,
  type OpenConsultationInput,
  type OpenedConsultation,
  type StartConversationInput,
  type StartedConversation,
} from './demo-backend';
import type { ApiDialectName } from './dialects';
import type { DemoServerInfo } from './info';
import { startLaravelApp, type LaravelApp, type TrafficReport } from './laravel-app';
import { quietDemoLogger, type DemoLogger } from './logger';
import { startPusherServer, type PusherServer } from './pusher/server';
import { Scenario, type ScenarioOptions } from './scenario';
import { buildWorld } from './world';

/**
 * The embedded demo clinic: a Laravel-like REST API and a Pusher-protocol
 * socket server on 127.0.0.1, sharing one in-memory clinic. Tests, demo mode
 * and the browser preview all start it through `startDemoClinic()`.
 */

export interface DemoClinicOptions {
  seed?: number;
  host?: string;
  /** 0 (default): any free port. */
  apiPort?: number;
  wsPort?: number;
  appId?: string;
  appKey?: string;
  appSecret?: string;
  eventNaming?: EventNaming;
  /**
   * The REST dialect the clinic's Laravel app speaks (default 'default', the
   * desk's contract); see `dialects/` and docs/backend-contract.md.
   */
  apiDialect?: ApiDialectName;
  /** The demo's clock; today's appointments are laid out around its "now", on the clinic's local day. */
  now?: () => number;
  /**
   * The clinic's IANA time zone (default: this computer's). Its local day is
   * "today" (`?date=`, the layout, the scenario), and the user answer says it
   * (where the dialect does: `API_DIALECT_ZONE_KEYS`).
   */
  timeZone?: string;
  /** Options of the clinic-day scenario; it does not run until `scenario.start()` unless `autoStart`. */
  scenario?: Partial<ScenarioOptions> & { autoStart?: boolean };
  activityTimeoutSec?: number;
  pongTimeoutSec?: number;
  logger?: DemoLogger;
}

export const DEMO_APP = { id: '424242', key: 'clinic-desk-demo-key', secret: 'clinic-desk-demo-secret' } as const;

/** The accounts "Try the demo clinic" signs in with (demo-port.ts): the scenario never plays them, so a desk never sees itself online twice or typing. */
export const DEMO_SIGN_IN_EMAILS: readonly string[] = ['reception1@northside.clinic.test', 'doctor1@northside.clinic.test', 'admin@northside.clinic.test'];

export interface DemoClinic {
  readonly info: DemoServerInfo;
  readonly store: ClinicStore;
  readonly backend: DemoBackend;
  readonly api: LaravelApp;
  readonly scenario: Scenario;
  /** The socket server while it runs; null between `stopRealtime()` and `startRealtime()`. */
  readonly realtime: PusherServer | null;
  /** Stops the socket server (clients see it close), keeping the REST API and all data. */
  stopRealtime(): Promise<void>;
  /** Starts it again on the same port. */
  startRealtime(): Promise<PusherServer>;
  /** The clinic's IANA time zone. */
  readonly timeZone: string;
  /** The clinic's current local day, `YYYY-MM-DD`. */
  today(): string;
  /**
   * The queue worker switch: off, every change still happens over REST (the
   * scenario's and the tests'), but no broadcast reaches the socket server, as
   * when Laravel's queue worker is stopped. Client events (typing whispers) and
   * presence are not queued jobs and go on. On by default.
   */
  setBroadcasting(on: boolean): void;
  readonly broadcasting: boolean;
  /** A doctor sees a patient now: see `DemoBackend.openConsultationFor`. */
  openConsultation(input: OpenConsultationInput): Promise<OpenedConsultation>;
  /** A consultation's new status, its appointment following (`active` → `in_consultation`, `completed` → `completed`). */
  setConsultationStatus(id: number, status: ConsultationStatus): Promise<{ consultation: Consultation; appointment: Appointment | null; broadcast: boolean }>;
  /** A new conversation with its first message, `message-sent` on its channel and `message` notifications to the others. */
  startConversation(input: StartConversationInput): Promise<StartedConversation>;
  /** An appointment's new status and its `appointment-updated` (action from the status unless given). */
  setAppointmentStatus(id: number, status: string, action?: AppointmentAction): Promise<{ appointment: Appointment; broadcast: boolean }>;
  /** Requests, 304s and body bytes of the REST API per `METHOD /path`, since the start or `resetTraffic()`. */
  traffic(): TrafficReport;
  resetTraffic(): void;
  close(): Promise<void>;
}

export async function startDemoClinic(options: DemoClinicOptions = {}): Promise<DemoClinic> {
  const logger = options.logger ?? quietDemoLogger;
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 42;
  const app = { id: options.appId ?? DEMO_APP.id, key: options.appKey ?? DEMO_APP.key, secret: options.appSecret ?? DEMO_APP.secret };
  const eventNaming = options.eventNaming ?? 'broadcast-as';
  const apiDialect = options.apiDialect ?? 'default';
  const timeZone = options.timeZone ?? systemTimeZone();
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}: give an IANA name such as Europe/London`);

  const startRealtimeOn = (port: number) =>
    startPusherServer({
      host,
      port,
      apps: [app],
      // No demo clock here: the SDK signs trigger requests with the real time.
      logger,
      ...(options.activityTimeoutSec === undefined ? {} : { activityTimeoutSec: options.activityTimeoutSec }),
      ...(options.pongTimeoutSec === undefined ? {} : { pongTimeoutSec: options.pongTimeoutSec }),
    });

  let realtime: PusherServer | null = await startRealtimeOn(options.wsPort ?? 0);
  const wsPort = realtime.port;
  const world = buildWorld({ seed, now: now(), timeZone });
  const store = new ClinicStore(world, now);
  const broadcaster = new LaravelBroadcaster({ appId: app.id, key: app.key, secret: app.secret, host, port: wsPort, naming: eventNaming, logger });
  const backend = new DemoBackend(store, broadcaster);
  let api: LaravelApp;
  try {
    api = await startLaravelApp({ backend, pusherKey: app.key, pusherSecret: app.secret, host, port: options.apiPort ?? 0, logger, apiDialect });
  } catch (error) {
    await realtime.close();
    throw error;
  }
  const { autoStart = false, ratePerMinute = 20, ...scenarioOptions } = options.scenario ?? {};
  const scenario = new Scenario(
    backend,
    {
      seed,
      ratePerMinute,
      endpoints: { apiUrl: api.url, wsHost: host, wsPort, appKey: app.key },
      keepOffline: world.users.filter((u) => DEMO_SIGN_IN_EMAILS.includes(u.email)).map((u) => u.id),
      ...scenarioOptions,
    },
    logger,
  );

  const info: DemoServerInfo = {
    apiUrl: api.url,
    wsHost: host,
    wsPort,
    wsScheme: 'ws',
    appId: app.id,
    appKey: app.key,
    appSecret: app.secret,
    seed,
    eventNaming,
    apiDialect,
    timeZone,
    users: world.users.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      password: u.password,
      role: u.role,
      clinicId: u.clinic_id,
      ...(u.doctor_id === null ? {} : { doctorId: u.doctor_id }),
    })),
  };

  let closing: Promise<void> | null = null;
  const clinic: DemoClinic = {
    info,
    store,
    backend,
    api,
    scenario,
    get realtime() {
      return realtime;
    },
    async stopRealtime() {
      const server = realtime;
      realtime = null;
      if (server) await server.close();
    },
    async startRealtime() {
      if (realtime) return realtime;
      realtime = await startRealtimeOn(wsPort);
      return realtime;
    },
    timeZone,
    today: () => store.today(),
    setBroadcasting: (on) => backend.setBroadcasting(on),
    get broadcasting() {
      return backend.broadcasting;
    },
    openConsultation: (input) => backend.openConsultationFor(input),
    setConsultationStatus: (id, status) => backend.moveConsultation(id, status),
    startConversation: (input) => backend.startConversation(input),
    setAppointmentStatus: (id, status, action) => backend.setAppointmentStatus(id, status, action),
    traffic: () => api.traffic(),
    resetTraffic: () => api.resetTraffic(),
    close: () =>
      (closing ??= (async () => {
        scenario.stop();
        await Promise.allSettled([api.close(), clinic.stopRealtime()]);
      })()),
  };
  if (autoStart) scenario.start();
  logger.info('demo clinic started', { apiUrl: api.url, wsPort, seed, apiDialect, timeZone });
  return clinic;
}
