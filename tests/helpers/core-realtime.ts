/**
 * Harness for the realtime core's tests: Realtime instances against the demo
 * clinic's socket server (or a proxy in front of it) that are all
 * disconnected in afterEach, and waits on Realtime's own events with a
 * timeout instead of sleeping.
 */
import type { ChannelStatus } from '../../src/shared/desk-state';
import type { DemoServerInfo } from '../../src/main/demo/info';
import { memoryLogger, type Logger, type LogRecord } from '../../src/main/core/log';
import { Realtime, type RealtimeEvents, type RealtimeOptions, type RealtimeTransport } from '../../src/main/core/realtime/realtime';

/** Short backoff so that a recovery takes a fraction of a second on loopback. */
export const FAST_RECONNECT = { baseDelayMs: 80, maxDelayMs: 500 } as const;
export const WAIT = 5_000;

const ALL_EVENTS: ReadonlyArray<keyof RealtimeEvents> = ['state', 'channel', 'event', 'rejected', 'presence', 'typing', 'calledIn', 'connected'];

/** The demo socket server as a self-hosted (Reverb-style) transport; `port` points it at a proxy. */
export function demoTransport(info: DemoServerInfo, port = info.wsPort): RealtimeTransport {
  return { kind: 'reverb', key: info.appKey, host: info.wsHost, port, scheme: 'http' };
}

export class RealtimePool {
  private readonly instances: Realtime[] = [];

  create(info: DemoServerInfo, options: Partial<RealtimeOptions> & Pick<RealtimeOptions, 'authorize'>): Realtime & { logs: LogRecord[] } {
    const logger: Logger & { records: LogRecord[] } = memoryLogger();
    const rt = new Realtime({ transport: demoTransport(info), reconnect: FAST_RECONNECT, logger, ...options });
    this.instances.push(rt);
    return Object.assign(rt, { logs: logger.records });
  }

  disconnectAll(): void {
    for (const rt of this.instances.splice(0)) rt.disconnect();
  }
}

/** The next `event` the predicate accepts. */
export function nextOf<K extends keyof RealtimeEvents>(
  rt: Realtime,
  event: K,
  predicate: (e: RealtimeEvents[K]) => boolean = () => true,
  ms = WAIT,
  label: string = event,
): Promise<RealtimeEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${label}`));
    }, ms);
    const off = rt.on(event, (e) => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Every occurrence of `event` from now on. */
export function collect<K extends keyof RealtimeEvents>(rt: Realtime, event: K): Array<RealtimeEvents[K]> {
  const seen: Array<RealtimeEvents[K]> = [];
  rt.on(event, (e) => seen.push(e));
  return seen;
}

/** Resolves once `check()` holds, re-checked on every Realtime event. */
export function until(rt: Realtime, check: () => boolean, label: string, ms = WAIT): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = [];
    const done = (error?: Error) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
    for (const event of ALL_EVENTS) {
      offs.push(
        rt.on(event, () => {
          if (check()) done();
        }),
      );
    }
  });
}

export function channelOf(rt: Realtime, name: string): ChannelStatus | undefined {
  return rt.channelStatuses().find((c) => c.name === name);
}

/** Connected, and every named channel in the given state (default subscribed). */
export function settled(rt: Realtime, names: readonly string[], state: ChannelStatus['state'] = 'subscribed', ms = WAIT): Promise<void> {
  return until(
    rt,
    () => rt.status.state === 'connected' && names.every((n) => channelOf(rt, n)?.state === state),
    `connected with ${names.join(', ')} ${state}`,
    ms,
  );
}
