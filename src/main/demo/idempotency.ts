import { HttpError, ValidationError } from './http-kit';

/**
 * `Idempotency-Key` for the staff actions, as an idempotency middleware keeps
 * it: the first answer to a key is stored per user for 24 hours; a repeat of
 * the same request (method and path) gets that answer again and does nothing,
 * even while the first is still running; the key on another request is
 * refused. Answers are kept, refusals (403, 409, 422) too: they are the
 * answer. A server error is not kept, so a retry runs again.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_MAX = 255;
export const KEY_REUSED = 'This Idempotency-Key was already used for another request.';

/** What the tests count of one key: requests that carried it, replays of the first answer, refusals for another request. */
export interface IdempotencyUse {
  requests: number;
  replayed: number;
  refused: number;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: HttpError | ValidationError };

interface Entry<T> {
  method: string;
  path: string;
  storedAt: number;
  settled: Promise<Settled<T>>;
}

export interface IdempotentRequest {
  userId: number;
  key: string;
  method: string;
  path: string;
}

/** The header's key, or undefined when the request has none (a blank header is none). */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim();
  if (value === '') return undefined;
  if (value.length > IDEMPOTENCY_KEY_MAX) throw new HttpError(400, `The Idempotency-Key header must not be longer than ${IDEMPOTENCY_KEY_MAX} characters.`);
  return value;
}

export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly uses = new Map<string, IdempotencyUse>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /** Runs `act` for the first request with the key; a repeat resolves (or throws) as the first did. */
  async once(request: IdempotentRequest, act: () => Promise<T>): Promise<T> {
    this.forgetExpired();
    const use = this.useOf(request.key);
    use.requests++;
    const id = `${request.userId}\n${request.key}`;
    const earlier = this.entries.get(id);
    if (earlier) {
      if (earlier.method !== request.method || earlier.path !== request.path) {
        use.refused++;
        throw new HttpError(422, KEY_REUSED);
      }
      use.replayed++;
      return unwrap(await earlier.settled);
    }
    const settled = act().then(
      (value): Settled<T> => ({ ok: true, value }),
      (error: unknown): Settled<T> => {
        if (error instanceof HttpError || error instanceof ValidationError) return { ok: false, error };
        this.entries.delete(id);
        throw error;
      },
    );
    this.entries.set(id, { method: request.method, path: request.path, storedAt: this.now(), settled });
    return unwrap(await settled);
  }

  /** Counts of one key, over every user who sent it. */
  usesOf(key: string): IdempotencyUse {
    return { ...this.useOf(key) };
  }

  private useOf(key: string): IdempotencyUse {
    let use = this.uses.get(key);
    if (!use) {
      use = { requests: 0, replayed: 0, refused: 0 };
      this.uses.set(key, use);
    }
    return use;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (now - entry.storedAt < this.ttlMs) continue;
      this.entries.delete(id);
      // Its counts go with it, so a long-running demo keeps a day of keys, not all of them.
      const key = id.slice(id.indexOf('\n') + 1);
      if (![...this.entries.keys()].some((other) => other.endsWith(`\n${key}`))) this.uses.delete(key);
    }
  }
}

function unwrap<T>(settled: Settled<T>): T {
  if (settled.ok) return settled.value;
  throw settled.error;
}
