import type { CheckResult } from '../../../shared/desk-state';
import type { User } from '../../../shared/domain';
import { FEATURE_LABELS, type Feature, type FeatureStatus } from '../../../shared/features';
import type { ApiClient } from '../api/client';
import { FeatureTracker, type FeatureOutcome } from '../sync/features';

/**
 * What the clinic's REST API offers the desk, feature by feature: one read of
 * each list through the same tolerant readers the desk syncs with. Works, not
 * offered (the feature runs live-only) or not understood (the field, the value
 * seen and the profile line that maps it). Only sign-in, `/api/user` and
 * channel authorization are hard requirements, so nothing here fails the
 * report: a limited feature is a warning.
 */

const PATHS = { notifications: 'notifications', board: 'appointments', consultations: 'consultations', conversations: 'conversations', members: 'members' } as const;

export async function compatibilityChecks(api: ApiClient, user: User, today: string): Promise<CheckResult[]> {
  const tracker = new FeatureTracker({ now: Date.now, endpoint: (f) => `GET ${api.endpoint(PATHS[f])}`, onChange: () => undefined });
  const counts = new Map<Feature, number>();
  const read = (feature: Feature, list: () => Promise<FeatureOutcome & { items: unknown[] }>) =>
    tracker.run(feature, async () => {
      const listing = await list();
      counts.set(feature, listing.items.length);
      return listing;
    });
  const staff = user.role !== 'patient';
  await Promise.all([
    read('notifications', () => api.notificationsPage(0)),
    read('board', () => api.appointments(today)),
    read('consultations', () => api.consultations()),
    ...(staff ? [read('conversations', () => api.conversations()), read('members', () => api.members())] : []),
  ]);
  return tracker
    .list()
    .filter((s) => s.state !== 'pending')
    .map((s) => featureCheck(s, counts.get(s.feature) ?? 0, today));
}

function featureCheck(s: FeatureStatus, count: number, today: string): CheckResult {
  const id = `feature-${s.feature}`;
  const title = `Clinic server: ${FEATURE_LABELS[s.feature]}`;
  const what = s.feature === 'board' ? `${count} appointment${count === 1 ? '' : 's'} on ${today}` : s.feature === 'notifications' ? `${count} on the first page` : `${count} read`;
  switch (s.state) {
    case 'available': {
      if (s.dropped === 0) return { id, title, ok: true, detail: `Works: ${s.endpoint}, ${what}.`, fix: null };
      return {
        id,
        title,
        ok: true,
        warning: true,
        detail: `Works in part: ${s.endpoint}, ${what}; ${s.dropped} record${s.dropped === 1 ? '' : 's'} could not be read${problemText(s)}.`,
        fix: fixText(s),
      };
    }
    case 'not-offered':
      return { id, title, ok: true, warning: true, detail: `Not offered by this server (${sentence(s.error ?? s.endpoint)}). The desk runs this feature live-only.`, fix: s.fix };
    case 'not-understood':
      return { id, title, ok: true, warning: true, detail: `Not understood: ${s.endpoint}${problemText(s) || `: ${s.error ?? 'an answer the desk cannot read'}`}.`, fix: fixText(s) };
    case 'failing':
    case 'pending':
      return { id, title, ok: true, warning: true, detail: `Could not be checked: ${sentence(s.error ?? 'no answer')}.`, fix: s.fix };
  }
}

/** A server's message inside our sentence: without its own full stop. */
function sentence(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

function problemText(s: FeatureStatus): string {
  const p = s.problem;
  return p ? ` (at ${p.path}: ${p.expected}, got ${p.seen})` : '';
}

function fixText(s: FeatureStatus): string | null {
  if (!s.problem?.profileLine) return s.fix;
  return `Map it in the policy's API profile: "api": {"fields": {${s.problem.profileLine}}} (replace the path with where the value is in your records if the suggestion is wrong; docs/backend-contract.md, "API profile").`;
}
