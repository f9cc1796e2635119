/**
 * A whole desk core (DeskService) for benchmarks: wired like the tests'
 * (tests/helpers/desk.ts) but on the real clock, with a logger that drops
 * debug/info (the tests' memory logger keeps a record per event, which would
 * be measured too) and counts warnings, and with the product's default
 * settings. `NotificationTracker` turns the desk's events into per-id
 * "arrived at the core" and "emitted by the core" times.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeskEvent } from '../../src/shared/bridge';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { DeskConfig } from '../../src/main/core/config/schema';
import { DeskService, fixedSettings, memoryTokenStore, type DeskServiceOptions } from '../../src/main/core/desk/desk-service';
import type { Logger } from '../../src/main/core/log';
import type { RealtimeEvents } from '../../src/main/core/realtime/realtime';
import type { DemoServerInfo } from '../../src/main/demo/info';
import { hr } from './ipc';
import { sentAtOf } from './payloads';
import { until } from './report';

export const FAST_RECONNECT = { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } } as const;

export interface CountingLogger extends Logger {
  warnings: Array<{ level: string; message: string; fields: Record<string, unknown> }>;
}

/** Keeps the first 100 warnings and errors; debug and info cost nothing. */
export function countingLogger(): CountingLogger {
  const warnings: CountingLogger['warnings'] = [];
  const keep = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
    if (warnings.length < 100) warnings.push({ level, message, fields });
  };
  return { warnings, debug: () => undefined, info: () => undefined, warn: keep('warn'), error: keep('error') };
}

export interface BenchDesk {
  desk: DeskService;
  logger: CountingLogger;
  /** hr() of the last event the desk emitted (any kind). */
  lastEventAt: number;
  on(listener: (e: DeskEvent, at: number) => void): () => void;
  close(): Promise<void>;
}

export function deskConfig(info: DemoServerInfo): DeskConfig {
  return DeskConfig.parse({
    apiUrl: info.apiUrl,
    transport: { kind: 'reverb', key: info.appKey, host: info.wsHost, port: info.wsPort, scheme: 'http' },
    settings: { ...DEFAULT_SETTINGS },
  });
}

export function createBenchDesk(info: DemoServerInfo, options: Partial<DeskServiceOptions> & { cacheDir?: string } = {}): BenchDesk {
  const cacheDir = options.cacheDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-bench-'));
  const ownsDir = options.cacheDir === undefined;
  const config = deskConfig(info);
  const logger = countingLogger();
  const desk = new DeskService({
    config,
    settings: fixedSettings(config.settings, []),
    host: 'node',
    appVersion: 'bench',
    logger,
    tokens: memoryTokenStore(),
    ...options,
    cacheDir,
  });
  const listeners = new Set<(e: DeskEvent, at: number) => void>();
  const bench: BenchDesk = {
    desk,
    logger,
    lastEventAt: hr(),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await desk.signOut().catch(() => undefined);
      if (ownsDir) fs.rmSync(cacheDir, { recursive: true, force: true });
    },
  };
  desk.on((e) => {
    const at = hr();
    bench.lastEventAt = at;
    for (const l of listeners) l(e, at);
  });
  return bench;
}

/** Resolves with the time of the first event `match` accepts from now on, or rejects after `ms`. */
export function nextEvent(d: BenchDesk, match: (e: DeskEvent) => boolean, ms: number, label: string): Promise<{ event: DeskEvent; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${label}`));
    }, ms);
    const off = d.on((event, at) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve({ event, at });
    });
  });
}

/**
 * Signs in and waits until live, every channel subscribed (or refused for
 * good), and a catch-up done; returns the hr() of the live connection, of the last channel
 * subscription, and of the later of the last catch-up's end and that
 * subscription (ready). A channel subscribed after the catch-up (a doctor's
 * consultation channels, joined once the list is read) is read again on its
 * own, and that read announces nothing when it finds nothing new, so a later
 * `sync` event is not waited for.
 */
export async function signInLive(d: BenchDesk, info: DemoServerInfo, email: string, ms = 30_000): Promise<{ liveAt: number; subscribedAt: number; readyAt: number }> {
  const account = info.users.find((u) => u.email === email);
  if (!account) throw new Error(`no demo account ${email}`);
  let liveAt = 0;
  let lastSubscribedAt = 0;
  let lastSyncOkAt = 0;
  const off = d.on((e, at) => {
    if (e.kind === 'connection' && e.connection.status === 'live' && liveAt === 0) liveAt = at;
    else if (e.kind === 'channel' && e.channel.state === 'subscribed') lastSubscribedAt = at;
    else if (e.kind === 'sync' && e.ok) lastSyncOkAt = at;
  });
  try {
    const result = await d.desk.signIn({ apiUrl: info.apiUrl, email, password: account.password });
    if (!result.ok) throw new Error(`sign-in of ${email} failed: ${result.message}`);
    await until(async () => {
      if (liveAt === 0 || lastSyncOkAt === 0) return false;
      const channels = (await d.desk.getSnapshot()).channels;
      // A doctor's desk asks for colleagues' columns too; a server that keeps a doctor to their own
      // schedule refuses those channels (403) and the columns refresh over REST: settled, not pending.
      return channels.length > 0 && channels.every((c) => c.state === 'subscribed' || (c.state === 'failed' && c.errorStatus === 403));
    }, ms, `${email}: live, subscribed and caught up`, 10);
    return { liveAt, subscribedAt: lastSubscribedAt, readyAt: Math.max(lastSyncOkAt, lastSubscribedAt) };
  } finally {
    off();
  }
}

/** Waits until the desk has emitted nothing for `quietMs` (bounded by `ms`). */
export async function idle(d: BenchDesk, quietMs = 400, ms = 10_000): Promise<void> {
  await until(() => hr() - d.lastEventAt >= quietMs, ms, 'the desk to go quiet', 20);
}

/**
 * Per-notification times through one desk for an id range: `wireAt` when the
 * core's realtime layer passed it as valid (onWire), `emitAt` when the desk
 * announced it (`notification.upserted` isNew, or its share of a
 * `notifications.synced` batch: the session flushes arrivals per tick, in
 * order, so a batch of k is the next k arrivals), `sentAt` from the payload.
 */
export class NotificationTracker {
  readonly wireAt = new Map<number, number>();
  readonly emitAt = new Map<number, number>();
  readonly sentAt = new Map<number, number>();
  private readonly order: number[] = [];
  private cursor = 0;
  private readonly offs: Array<() => void> = [];
  private waiter: { count: number; resolve: () => void } | null = null;
  /** Announcements for ids outside the range, or more than arrived (should stay 0). */
  unmatched = 0;

  constructor(
    d: BenchDesk,
    private readonly firstId: number,
    private readonly count: number,
  ) {
    this.offs.push(
      d.desk.onWire((e: RealtimeEvents['event']) => {
        if (e.key !== 'notification') return;
        const id = e.payload.id;
        if (!this.inRange(id) || this.wireAt.has(id)) return;
        this.wireAt.set(id, hr());
        this.sentAt.set(id, sentAtOf(e.payload.message));
        this.order.push(id);
      }),
      d.on((e, at) => {
        if (e.kind === 'notification.upserted' && e.isNew) {
          if (!this.inRange(e.notification.id)) return;
          this.take(1, at, e.notification.id);
        } else if (e.kind === 'notifications.synced' && e.inserted > 0) {
          this.take(e.inserted, at, null);
        }
      }),
    );
  }

  private inRange(id: number): boolean {
    return id >= this.firstId && id < this.firstId + this.count;
  }

  private take(k: number, at: number, expectId: number | null): void {
    for (let i = 0; i < k; i++) {
      const id = this.order[this.cursor];
      if (id === undefined || (expectId !== null && id !== expectId)) {
        this.unmatched++;
        continue;
      }
      this.cursor++;
      this.emitAt.set(id, at);
    }
    if (this.waiter && this.emitAt.size >= this.waiter.count) this.waiter.resolve();
  }

  /** Resolves when `count` ids were emitted, or after `ms` (check `emitAt.size`). */
  waitEmitted(count: number, ms: number): Promise<void> {
    if (this.emitAt.size >= count) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiter = { count, resolve: done };
    });
  }

  lastEmitAt(): number {
    let last = 0;
    for (const at of this.emitAt.values()) last = Math.max(last, at);
    return last;
  }

  lastWireAt(): number {
    let last = 0;
    for (const at of this.wireAt.values()) last = Math.max(last, at);
    return last;
  }

  /** emitAt − sentAt for every emitted id. */
  latencies(): number[] {
    const out: number[] = [];
    for (const [id, at] of this.emitAt) {
      const sent = this.sentAt.get(id);
      if (sent !== undefined && Number.isFinite(sent)) out.push(at - sent);
    }
    return out;
  }

  /** wireAt − sentAt: the part spent before the session's batching, cache and events. */
  wireLatencies(): number[] {
    const out: number[] = [];
    for (const [id, at] of this.wireAt) {
      const sent = this.sentAt.get(id);
      if (sent !== undefined && Number.isFinite(sent)) out.push(at - sent);
    }
    return out;
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }
}
