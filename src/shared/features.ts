import { z } from 'zod';
import { IsoDateTime } from './time';

/**
 * What the clinic's REST API offers, feature by feature. Every clinic's Laravel
 * app differs (docs/backend-contract.md, "Dialects"), so the desk detects each
 * feature on its own and degrades on its own: a missing or misunderstood
 * endpoint never stops the others.
 */

export const FEATURES = ['notifications', 'board', 'consultations', 'conversations', 'members'] as const;
export const Feature = z.enum(FEATURES);
export type Feature = z.infer<typeof Feature>;

/**
 * `pending`: not synced yet. `available`: the last sync worked. `not-offered`:
 * the server has no such endpoint (404/405); the feature runs live-only, from
 * broadcasts and the cache. `not-understood`: the server answered, but not in
 * a shape the desk can read, even tolerantly; `problem` says where.
 * `failing`: the server did not answer (network, 5xx, 429); retried with backoff.
 */
export const FEATURE_STATES = ['pending', 'available', 'not-offered', 'not-understood', 'failing'] as const;
export const FeatureState = z.enum(FEATURE_STATES);
export type FeatureState = z.infer<typeof FeatureState>;

/** Where an answer could not be read: enough for an admin to write the profile line that maps it. */
export const FieldProblem = z.object({
  /** The dotted path in the answer, e.g. `data.3.starts_at`. */
  path: z.string().max(300),
  /** What was there, shortened; `(missing)` when absent. */
  seen: z.string().max(300),
  /** What the desk needed there. */
  expected: z.string().max(300),
  /** A line of the API profile (`api.fields` in the policy) that would map it, when one can. */
  profileLine: z.string().max(500).nullable(),
});
export type FieldProblem = z.infer<typeof FieldProblem>;

export const FeatureStatus = z.object({
  feature: Feature,
  state: FeatureState,
  /** The endpoint the desk reads, e.g. `GET /api/appointments`. */
  endpoint: z.string().max(300),
  lastSuccessAt: IsoDateTime.nullable(),
  lastAttemptAt: IsoDateTime.nullable(),
  /** The last failure, in words; null while it works. */
  error: z.string().max(1000).nullable(),
  /** What to do about it, in the admin's words. */
  fix: z.string().max(1000).nullable(),
  problem: FieldProblem.nullable(),
  /** Records of the last answer the desk had to drop (their problem is in `problem`); the rest were used. */
  dropped: z.number().int().nonnegative(),
});
export type FeatureStatus = z.infer<typeof FeatureStatus>;

/** Limited: the feature is not fully served by the REST API right now. */
export function isLimited(status: Pick<FeatureStatus, 'state' | 'dropped'>): boolean {
  return status.state === 'not-offered' || status.state === 'not-understood' || status.state === 'failing' || status.dropped > 0;
}

export const FEATURE_LABELS: Record<Feature, string> = {
  notifications: 'Notifications',
  board: 'Appointment board',
  consultations: 'Consultations',
  conversations: 'Conversations',
  members: 'Clinic members',
};
