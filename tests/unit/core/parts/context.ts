/**
 * A `PartContext` for testing one feature part of the session on its own:
 * every event the part emits is recorded (and checked against the bridge's
 * `DeskEvent` schema, as it would cross to the window), snapshots are kept in
 * memory, written at once and read back through JSON and their schema as the
 * cache does, the clock is fixed, and `api` is a real `ApiClient` against a
 * demo clinic (or against a closed port, for tests of live updates only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { ApiClient } from '../../../../src/main/core/api/client';
import { openCache, type DeskCache } from '../../../../src/main/core/cache/cache';
import type { PartContext } from '../../../../src/main/core/sync/part';
import type { DemoClinic } from '../../../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../../../src/main/demo/dialects';
import { DeskEvent, type DeskEventKind } from '../../../../src/shared/bridge';
import type { User } from '../../../../src/shared/domain';
import { isoToMicros, toLaravelIso } from '../../../../src/shared/time';
import { account, FIXED_NOW_MS, startTestClinic } from '../../../helpers/demo';

/** What `isoNow()` answers unless a test moves the clock: the demo's fixed "now". */
export const NOW_ISO = new Date(FIXED_NOW_MS).toISOString();

export type EventOf<K extends DeskEventKind> = Extract<DeskEvent, { kind: K }>;

/** Snapshots as the cache holds them: JSON text, by key. Share one between contexts to model a restart. */
export type SnapshotStore = Map<string, string>;

export interface RecordedContext {
  ctx: PartContext;
  /** Everything the part emitted, in order. */
  events: DeskEvent[];
  snapshots: SnapshotStore;
  /** Emitted events that would not cross the bridge, and snapshots their own schema refuses. Empty in a good run. */
  problems: string[];
  /** The events of one kind, in order. */
  of<K extends DeskEventKind>(kind: K): EventOf<K>[];
  /** A stored snapshot read back as `loadSnapshot` reads it. */
  snapshot<T>(key: string, schema: z.ZodType<T>): T | null;
  /** Forgets the events recorded so far. */
  clear(): void;
  /** Moves the clock `isoNow()` reads. */
  setNow(iso: string): void;
}

/** Every context made since the last `takeProblems()`. */
const contexts: RecordedContext[] = [];

/** The problems of every context made since the last call (none in a good test): `expect(takeProblems()).toEqual([])`. */
export function takeProblems(): string[] {
  return contexts.splice(0).flatMap((r) => r.problems);
}

export function recordedContext(user: User, api: ApiClient, options: { snapshots?: SnapshotStore; now?: string; zone?: string } = {}): RecordedContext {
  const events: DeskEvent[] = [];
  const problems: string[] = [];
  const snapshots = options.snapshots ?? new Map<string, string>();
  let now = options.now ?? NOW_ISO;

  const load = <T>(key: string, schema: z.ZodType<T>): T | null => {
    const raw = snapshots.get(key);
    if (raw === undefined) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  };

  const ctx: PartContext = {
    user,
    api,
    emit: (event) => {
      const checked = DeskEvent.safeParse(event);
      if (!checked.success) problems.push(`event ${event.kind} does not match DeskEvent: ${checked.error.message}`);
      events.push(event);
    },
    saveSnapshot: (key, value, schema) => {
      // As the cache: a value its own schema refuses is not stored (it could not be read back).
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        problems.push(`snapshot ${key} does not match its schema: ${parsed.error.message}`);
        return;
      }
      snapshots.set(key, JSON.stringify(parsed.data));
    },
    loadSnapshot: load,
    isoNow: () => now,
    zone: options.zone ?? 'UTC',
  };

  const recorded: RecordedContext = {
    ctx,
    events,
    snapshots,
    problems,
    of: <K extends DeskEventKind>(kind: K) => events.filter((e): e is EventOf<K> => e.kind === kind),
    snapshot: load,
    clear: () => void events.splice(0),
    setNow: (iso) => {
      now = iso;
    },
  };
  contexts.push(recorded);
  return recorded;
}

// ------------------------------------------------------------ cleanup ---

const cleanups: Array<() => Promise<void> | void> = [];

/** Closes what the helpers below opened, last first: `afterEach(closeAll)`. */
export async function closeAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

// ---------------------------------------------------------------- api ---

export interface DemoSignIn {
  clinic: DemoClinic;
  api: ApiClient;
  /** The user as the API's sign-in answered it. */
  user: User;
  /** Every URL `api` asked for, in order (query included, which the clinic's request log leaves out). */
  sent: URL[];
  /** Moves the clinic's clock on by `ms` (it stands still otherwise): its next changes are stamped later. */
  advance: (ms: number) => void;
}

/**
 * A demo clinic on the fixed clock, in UTC (so that `TODAY` is its day and its
 * layout does not follow this computer's zone), and a real `ApiClient` signed
 * in to it as the demo account `email`.
 */
export async function signedIn(email: string, apiDialect: ApiDialectName = 'default'): Promise<DemoSignIn> {
  let now = FIXED_NOW_MS;
  const clinic = await startTestClinic({ apiDialect, timeZone: 'UTC', now: () => now });
  cleanups.push(() => clinic.close());
  const me = account(clinic, email);
  const sent: URL[] = [];
  const recording: typeof fetch = (input, init) => {
    sent.push(new URL(input instanceof Request ? input.url : String(input)));
    return fetch(input, init);
  };
  const api = new ApiClient({ baseUrl: clinic.info.apiUrl, retry: { attempts: 1 }, fetch: recording });
  const { user } = await api.login(me.email, me.password);
  return {
    clinic,
    api,
    user,
    sent,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A Laravel timestamp one microsecond before `iso`: the newest change that is still older than it. */
export function justBefore(iso: string): string {
  const micros = isoToMicros(iso) - 1;
  return toLaravelIso(Math.floor(micros / 1000), micros % 1000);
}

/** The status of every GET the clinic answered on `path`, in order. */
export function requestsTo(clinic: DemoClinic, path: string): number[] {
  return clinic.api.requestLog.filter((r) => r.method === 'GET' && r.path === path).map((r) => r.status);
}

/** An `ApiClient` whose server is gone: a port that was free a moment ago. Any call fails with a `NetworkError`. */
export async function closedPortApi(): Promise<ApiClient> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
  return new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 1 }, timeoutMs: 2_000 });
}

/** Demo accounts, as the API's sign-in describes them, for tests that never ask the server. */
export const RECEPTION: User = { id: 2, name: 'Vera Quispe', email: 'reception1@northside.clinic.test', role: 'reception', clinic_id: 1, doctor_id: null, time_zone: null };
export const DOCTOR_LIAM: User = { id: 5, name: 'Dr. Liam Garcia', email: 'doctor2@northside.clinic.test', role: 'doctor', clinic_id: 1, doctor_id: 32, time_zone: null };

// -------------------------------------------------------------- cache ---

/** A real `DeskCache` on a file in a fresh temp directory, on the given clock. */
export function tempCache(now: () => number): DeskCache {
  const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-parts-'));
  const { cache } = openCache({ file: join(dir, 'desk.sqlite'), now });
  cleanups.push(() => {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return cache;
}

// --------------------------------------------------------------- demo ---

/** The first of `rows`, which a test picked by what it needs: `what` names it when the demo has none. */
export function first<T>(rows: readonly T[], what: string): T {
  const [found] = rows;
  if (found === undefined) throw new Error(`the demo clinic has no ${what}`);
  return found;
}
