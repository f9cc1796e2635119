import { FEATURES, isLimited, type Feature, type FeatureStatus, type FieldProblem } from '../../../shared/features';
import { ApiError, ForbiddenError, NetworkError, NotAClinicError, NotFoundError, NotUnderstoodError, UnauthorizedError } from '../api/client';

/**
 * Each REST feature's state, detected from what the server answers and kept on
 * its own: one feature's failure never touches another's. A feature's sync runs
 * through `run`, which records the outcome and never throws, except for a 401
 * (the session is over for all of them).
 */

export interface FeatureOutcome {
  /** Records the server sent that the desk could not read. */
  dropped?: number;
  problem?: FieldProblem | null;
  /**
   * Changes this read found that no live event had brought: rows newer (to the
   * microsecond) than the copies held, as the shared reducers report them.
   * Counted by reconciliation to notice stopped broadcasts; a broadcast still
   * on its way is told apart by the session (it arrives, so the streak ends).
   */
  unannounced?: number;
}

export type RunResult = 'ok' | 'not-offered' | 'not-understood' | 'unreachable' | 'failed';

/** A feature the server does not offer is asked again at most this often (an upgrade of the back end adds it). */
export const NOT_OFFERED_RECHECK_MS = 30 * 60_000;
/** Backoff of a failing feature's own retries while the rest of the desk is fine. */
export const FAILING_RETRY_BASE_MS = 5_000;
export const FAILING_RETRY_MAX_MS = 5 * 60_000;

export interface FeatureTrackerDeps {
  now: () => number;
  /** `GET /api/appointments`, as this server's profile has it. */
  endpoint: (feature: Feature) => string;
  onChange: (features: FeatureStatus[]) => void;
}

export class FeatureTracker {
  private readonly statuses = new Map<Feature, FeatureStatus>();
  private readonly failures = new Map<Feature, number>();

  constructor(private readonly deps: FeatureTrackerDeps) {
    for (const feature of FEATURES) this.statuses.set(feature, blank(feature, deps.endpoint(feature)));
  }

  list(): FeatureStatus[] {
    return FEATURES.map((f) => ({ ...(this.statuses.get(f) as FeatureStatus) }));
  }

  get(feature: Feature): FeatureStatus {
    return { ...(this.statuses.get(feature) as FeatureStatus) };
  }

  /** Features not fully served right now, for "Live, 2 features limited". */
  limited(): Feature[] {
    return this.list()
      .filter(isLimited)
      .map((s) => s.feature);
  }

  /** Features sync on every catch-up, except one the server does not offer: that is asked again only now and then. */
  due(feature: Feature, force: boolean): boolean {
    const s = this.statuses.get(feature) as FeatureStatus;
    if (force || s.state !== 'not-offered' || s.lastAttemptAt === null) return true;
    return this.deps.now() - Date.parse(s.lastAttemptAt) >= NOT_OFFERED_RECHECK_MS;
  }

  /** How long a failing feature (or one answered by something that may pass, such as an HTML page) waits before its own retry; null otherwise. */
  retryDelay(feature: Feature, random: () => number = Math.random): number | null {
    const failures = this.failures.get(feature) ?? 0;
    if (failures === 0) return null;
    const ceiling = Math.min(FAILING_RETRY_MAX_MS, FAILING_RETRY_BASE_MS * 2 ** (failures - 1));
    // Jitter over the upper half: a clinic's desks that failed together do not retry together.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  async run(feature: Feature, sync: () => Promise<FeatureOutcome | void>): Promise<RunResult> {
    const at = new Date(this.deps.now()).toISOString();
    try {
      const outcome = (await sync()) ?? {};
      this.failures.delete(feature);
      this.set(feature, {
        state: 'available',
        lastAttemptAt: at,
        lastSuccessAt: at,
        error: null,
        fix: outcome.problem ? PROFILE_FIX : null,
        problem: outcome.problem ?? null,
        dropped: outcome.dropped ?? 0,
      });
      return 'ok';
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      const verdict = classify(error, feature);
      // An HTML page, a redirect or JSON cut short may be a proxy's or a deploy's passing trouble: asked again with backoff.
      const mayPass = verdict.state === 'failing' || (error instanceof NotAClinicError && !(error instanceof NotUnderstoodError));
      if (mayPass) this.failures.set(feature, (this.failures.get(feature) ?? 0) + 1);
      else this.failures.delete(feature);
      this.set(feature, { lastAttemptAt: at, dropped: 0, ...verdict });
      if (verdict.state === 'not-offered') return 'not-offered';
      if (verdict.state === 'not-understood') return 'not-understood';
      return error instanceof NetworkError ? 'unreachable' : 'failed';
    }
  }

  private set(feature: Feature, patch: Partial<FeatureStatus>): void {
    const current = this.statuses.get(feature) as FeatureStatus;
    const next = { ...current, ...patch };
    this.statuses.set(feature, next);
    // Times alone change on every sync; the window hears only of what it shows differently.
    const { lastAttemptAt: _a, lastSuccessAt: _s, ...was } = current;
    const { lastAttemptAt: _b, lastSuccessAt: _t, ...now } = next;
    if (JSON.stringify(was) !== JSON.stringify(now)) this.deps.onChange(this.list());
  }
}

const PROFILE_FIX =
  'Map the field with the profile line shown (policy "api": {"fields": {...}}), see docs/backend-contract.md, "API profile". Until then the desk uses what it can read.';

const PATH_KEYS: Record<Feature, string> = {
  notifications: 'notifications',
  board: 'appointments',
  consultations: 'consultations',
  conversations: 'conversations',
  members: 'members',
};

const LIVE_ONLY: Record<Feature, string> = {
  notifications: 'new notifications still arrive live and are kept in the cache',
  board: 'the board is built from live appointment updates',
  consultations: 'consultations appear as their live status changes arrive',
  conversations: 'conversations appear as their messages arrive',
  members: 'the board takes its doctors from the appointments, and presence shows who is online',
};

function classify(error: unknown, feature: Feature): Pick<FeatureStatus, 'state' | 'error' | 'fix' | 'problem'> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotUnderstoodError) return { state: 'not-understood', error: message, fix: PROFILE_FIX, problem: error.problem };
  const notOffered =
    error instanceof NotFoundError ||
    error instanceof ForbiddenError ||
    (error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501));
  if (notOffered) {
    return {
      state: 'not-offered',
      error: message,
      fix: `If the clinic's server has this list at another address, set "api": {"paths": {"${PATH_KEYS[feature]}": "/api/…"}} in the policy. Otherwise nothing to do: ${LIVE_ONLY[feature]}.`,
      problem: null,
    };
  }
  if (error instanceof NotAClinicError) {
    return { state: 'not-understood', error: message, fix: 'Check that this address is the Laravel app and that the route answers JSON (Accept: application/json).', problem: null };
  }
  return { state: 'failing', error: message, fix: 'The desk retries on its own; if it persists, check the server and its logs (Diagnostics, Run checks).', problem: null };
}

function blank(feature: Feature, endpoint: string): FeatureStatus {
  return { feature, state: 'pending', endpoint, lastSuccessAt: null, lastAttemptAt: null, error: null, fix: null, problem: null, dropped: 0 };
}
