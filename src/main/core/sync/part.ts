import type { z } from 'zod';
import type { DeskEvent } from '../../../shared/bridge';
import type { User } from '../../../shared/domain';
import type { ApiClient } from '../api/client';

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
