import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openCache, type CacheOptions, type OpenedCache } from '../../../src/main/core/cache/cache';
import { memoryLogger } from '../../../src/main/core/log';
import { Notification } from '../../../src/shared/domain';

/** 2026-11-26T09:00:00Z; tests move it forward by hand. */
export const T0 = Date.parse('2026-11-26T09:00:00.000Z');
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface Clock {
  ms: number;
  now: () => number;
  iso: () => string;
}

export function fixedClock(ms = T0): Clock {
  const clock: Clock = { ms, now: () => clock.ms, iso: () => new Date(clock.ms).toISOString() };
  return clock;
}

/**
 * A fresh temp folder per test, removed after it with everything in it; every
 * cache opened through `open` is closed first (a test that wipes or closes
 * its own cache is fine: closing twice is a no-op).
 */
export function useCacheDir() {
  const state = { dir: '', opened: [] as OpenedCache[] };
  afterEach(() => {
    for (const { cache } of state.opened) if (cache.isOpen) cache.close();
    state.opened = [];
    if (state.dir) {
      // A test may have made the folder read-only.
      fs.chmodSync(state.dir, 0o700);
      for (const entry of fs.readdirSync(state.dir)) fs.chmodSync(path.join(state.dir, entry), 0o700);
      fs.rmSync(state.dir, { recursive: true, force: true });
    }
    state.dir = '';
  });
  const ctx = {
    get dir(): string {
      if (!state.dir) state.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-cache-'));
      return state.dir;
    },
    file(name = 'desk.sqlite'): string {
      return path.join(ctx.dir, name);
    },
    /** Opens (or reopens) a cache in the folder with a memory logger. */
    open(options: Partial<CacheOptions> & { clock?: Clock } = {}) {
      const logger = memoryLogger();
      const clock = options.clock ?? fixedClock();
      const opened = openCache({ file: ctx.file(), now: clock.now, logger, ...options });
      state.opened.push(opened);
      return { ...opened, logger, clock };
    },
  };
  return ctx;
}

/** A notification built (and checked) with the shared schema: id n, created n minutes after T0 - 1 day. */
export function note(id: number, fields: Partial<Notification> = {}): Notification {
  return Notification.parse({
    id,
    user_id: 7,
    type: 'appointment',
    title: `Appointment #${id} confirmed`,
    message: `Patient ${id} is confirmed for tomorrow at 09:00.`,
    action_url: `/appointments/${id}`,
    created_at: new Date(T0 - DAY_MS + id * 60_000).toISOString().replace('Z', '000Z'),
    read_at: null,
    ...fields,
  });
}

export function notes(from: number, to: number, fields: Partial<Notification> = {}): Notification[] {
  const rows: Notification[] = [];
  for (let id = from; id <= to; id++) rows.push(note(id, fields));
  return rows;
}

export function sideFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}
