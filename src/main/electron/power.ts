import { networkInterfaces } from 'node:os';
import { net, powerMonitor } from 'electron';
import type { Logger } from '../core/log';

/**
 * pusher-js does not notice that the machine slept: its socket looks open
 * while the server dropped it long ago, and the desk would sit "live" and
 * deaf until the next activity timeout. So waking up, unlocking the screen and
 * a change of network force a fresh connection and a catch-up at once.
 */

export interface WakeOptions {
  reconnect: (reason: string) => void;
  logger: Logger;
  now?: () => number;
  /** Resume and unlock usually come together: one reconnect for both. */
  coalesceMs?: number;
}

export function reconnectOnWake(options: WakeOptions): () => void {
  const now = options.now ?? Date.now;
  const coalesceMs = options.coalesceMs ?? 3000;
  let last = Number.NEGATIVE_INFINITY;
  const trigger = (reason: string) => () => {
    const t = now();
    if (t - last < coalesceMs) return;
    last = t;
    options.logger.info('forcing a reconnect', { reason });
    options.reconnect(reason);
  };
  const onResume = trigger('resume');
  const onUnlock = trigger('unlock-screen');
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onUnlock);
  return () => {
    powerMonitor.off('resume', onResume);
    powerMonitor.off('unlock-screen', onUnlock);
  };
}

/** Online or not, and which addresses the machine has: a change means a new network path. */
export function networkSignature(): string {
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal)
    .map((a) => a.address)
    .sort();
  return `${net.isOnline() ? 'online' : 'offline'}|${addresses.join(',')}`;
}

export interface NetworkWatchOptions {
  onChange: (reason: string) => void;
  logger: Logger;
  probe?: () => string;
  intervalMs?: number;
}

/** Electron has no network-change event: poll a cheap signature and report changes that leave us online. */
export function watchNetwork(options: NetworkWatchOptions): () => void {
  const probe = options.probe ?? networkSignature;
  let last = probe();
  const timer = setInterval(() => {
    const current = probe();
    if (current === last) return;
    last = current;
    options.logger.info('network changed', { online: current.startsWith('online') });
    if (current.startsWith('online')) options.onChange('network changed');
  }, options.intervalMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}
