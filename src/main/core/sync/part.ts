import type { z } from 'zod';
import type { DeskEvent } from '../../../shared/bridge';
import type { User } from '../../../shared/domain';
import type { ApiClient } from '../api/client';
import { compareIso } from '../../../shared/time';

/**
 * What a feature part of the session needs from it: who is signed in, the
 * API, a way to tell the window, and a debounced snapshot writer so the next
 * start shows the cached state at once. Parts get nothing else, so each can
 * be built and tested on its own.
 */
export interface PartContext {
  user: User;
  api: ApiClient;
  emit: (event: DeskEvent) => void;
  /** Writes `value` to the cache as snapshot `key`, soon (writes of one key within a moment collapse into one). */
  saveSnapshot: <T>(key: string, value: T, schema: z.ZodType<T>) => void;
  /** A cached snapshot, read back through its schema; null when absent or unreadable. */
  loadSnapshot: <T>(key: string, schema: z.ZodType<T>) => T | null;
  isoNow: () => string;
  /** The clinic's time zone (IANA): which day an appointment is on. */
  zone: string;
}

/**
 * A change the REST API shows that a live event should have brought first:
 * the row is newer (to the microsecond) than the one held. Counted by
 * reconciliation, to notice stopped broadcasts; a broadcast still on its way
 * is told apart by the session (it arrives, so the streak ends).
 */
export function unannounced(row: { updated_at: string }, held: { updated_at: string } | undefined): boolean {
  return held !== undefined && compareIso(row.updated_at, held.updated_at) > 0;
}
