/**
 * A whole desk core (DeskService) signed in to a demo clinic, with its event
 * stream recorded so tests can wait for "the board shows it" rather than sleep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent } from '../../src/shared/bridge';
import type { ChannelStatus } from '../../src/shared/desk-state';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { DeskConfig } from '../../src/main/core/config/schema';
import { DeskService, fixedSettings, memoryTokenStore, type DeskServiceOptions, type TokenStore } from '../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../src/main/core/log';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import type { DemoClinicOptions } from '../../src/main/demo/demo-clinic';
import { closeAfterEach, type Closeable } from './close-after-each';
import { fixedClock, startTestClinic } from './demo';

export interface TestDesk {
  desk: DeskService;
  events: DeskEvent[];
  cacheDir: string;
  tokens: TokenStore;
  logger: ReturnType<typeof memoryLogger>;
  /**
   * Resolves with the first matching event recorded at or after index `since`
   * (default: any recorded so far), or a future one.
   */
  waitFor<K extends DeskEvent['kind']>(kind: K, match?: (e: Extract<DeskEvent, { kind: K }>) => boolean, ms?: number, since?: number): Promise<Extract<DeskEvent, { kind: K }>>;
  /** The index the next event will get, for `waitFor(..., since)`. */
  mark(): number;
  close(): Promise<void>;
}

export function deskConfig(clinic: DemoClinic, overrides: Partial<DeskConfig> = {}): DeskConfig {
  return DeskConfig.parse({
    apiUrl: clinic.info.apiUrl,
    transport: { kind: 'reverb', key: clinic.info.appKey, host: clinic.info.wsHost, port: clinic.info.wsPort, scheme: 'http' },
    settings: { ...DEFAULT_SETTINGS, pollingIntervalSec: 5 },
    ...overrides,
  });
}

export function createDesk(clinic: DemoClinic, options: Partial<DeskServiceOptions> & { cacheDir?: string } = {}): TestDesk {
  const cacheDir = options.cacheDir ?? mkdtempSync(join(tmpdir(), 'clinic-desk-desk-'));
  const ownsDir = options.cacheDir === undefined;
  const config = options.config ?? deskConfig(clinic);
  const logger = memoryLogger();
  const tokens = options.tokens ?? memoryTokenStore();
  const desk = new DeskService({
    config,
    settings: options.settings ?? fixedSettings(config.settings, []),
    host: 'node',
    appVersion: 'test',
    // The demo's day, so the board date does not depend on when the tests run.
    now: fixedClock,
    logger,
    tokens,
    ...options,
    cacheDir,
  });
  const events: DeskEvent[] = [];
  const waiters = new Set<(e: DeskEvent) => void>();
  desk.on((e) => {
    events.push(e);
    for (const w of [...waiters]) w(e);
  });
  return {
    desk,
    events,
    cacheDir,
    tokens,
    logger,
    mark: () => events.length,
    waitFor(kind, match = () => true, ms = 5000, since = 0) {
      type E = Extract<DeskEvent, { kind: typeof kind }>;
      const hit = (e: DeskEvent): e is E => e.kind === kind && match(e as E);
      const found = events.slice(since).find(hit);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting for a ${kind} event`));
        }, ms);
        const check = (e: DeskEvent) => {
          if (!hit(e)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(e);
        };
        waiters.add(check);
      });
    },
    async close() {
      await desk.close();
      if (ownsDir) rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Signs a desk in as a demo account and waits until it is live and caught up. */
export async function signInLive(t: TestDesk, clinic: DemoClinic, email: string): Promise<void> {
  const account = clinic.info.users.find((u) => u.email === email);
  if (!account) throw new Error(`no demo account ${email}`);
  const result = await t.desk.signIn({ apiUrl: clinic.info.apiUrl, email, password: account.password });
  if (!result.ok) throw new Error(`sign-in failed: ${result.message}`);
  await t.waitFor('connection', (e) => e.connection.status === 'live');
  // Live means subscribed to every channel and caught up after the last subscription. A doctor's desk
  // may be refused colleagues' schedules (the clinic's channel rules): those columns refresh instead.
  const settled = (c: ChannelStatus) => c.state === 'subscribed' || (c.state === 'failed' && c.errorStatus === 403 && c.name.startsWith('private-appointments.doctor.'));
  const deadline = Date.now() + 5000;
  for (;;) {
    const channels = (await t.desk.getSnapshot()).channels;
    if (channels.length > 0 && channels.every(settled)) break;
    if (Date.now() > deadline) throw new Error(`channels not all subscribed: ${JSON.stringify(channels.map((c) => [c.name, c.state]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Each subscription asks for a catch-up (events sent before it were missed): wait for one that ran after
  // the last of them (it may have finished already: Live itself waits for it after a connect).
  const lastSubscribed = t.events.findLastIndex((e) => e.kind === 'channel' && e.channel.state !== 'pending');
  await t.waitFor('sync', (e) => e.ok, 5000, lastSubscribed + 1);
}

/** Retries `check` until it stops throwing, or rethrows its last error after `ms`. */
export async function eventually(check: () => Promise<void> | void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Reconnects within a fraction of a second, so a test that restarts the socket server does not wait pusher-js's 15 s. */
export const FAST_REALTIME = { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } };

/**
 * The demo clinics and desks of a test file, each closed after its test:
 * `rig.clinic()` starts one (seeded, fixed clock), `rig.desk(c)` makes a desk
 * of it that reconnects fast (`realtime` unless the options say otherwise).
 */
export function testRig(realtime: Partial<DeskServiceOptions>['realtime'] = FAST_REALTIME): {
  clinic: (options?: DemoClinicOptions) => Promise<DemoClinic>;
  desk: (c: DemoClinic, options?: Partial<DeskServiceOptions> & { cacheDir?: string }) => TestDesk;
  open: { push(item: Closeable): void };
} {
  const open = closeAfterEach();
  return {
    open,
    clinic: async (options = {}) => {
      const c = await startTestClinic(options);
      open.push(c);
      return c;
    },
    desk: (c, options = {}) => {
      const d = createDesk(c, { ...(realtime === undefined ? {} : { realtime }), ...options });
      open.push(d);
      return d;
    },
  };
}
