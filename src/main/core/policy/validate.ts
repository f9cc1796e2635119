import { Settings, type SettingKey } from '../../../shared/settings';
import type { ConfigIssue } from '../config/issues';
import { zodIssues } from '../config/zod-issues';
import type { DiscoveredPolicy, PolicySource, PolicySourceKind } from './read';
import { PolicyFile } from './schema';

/**
 * Whether a policy as read (read.ts, sources.ts) is one the desk applies: all
 * of it or, with any problem, none of it; each problem names the source it is
 * in and, for the registry and managed preferences, how to write the value there.
 */

const SETTINGS_KEYS = Object.keys(Settings.shape);

export type PolicyCheck = { ok: true; policy: PolicyFile } | { ok: false; problems: ConfigIssue[] };

function uniqueSources(sources: PolicySource[]): PolicySource[] {
  return [...new Map(sources.map((s) => [s.label, s])).values()];
}

/** The sources a problem at `field` is about: the one that set it, or those that set anything below it. */
function originsOf(field: string, discovered: DiscoveredPolicy): PolicySource[] {
  if (field === '(top level)') return discovered.sources;
  const parts = field.split('.');
  for (let i = parts.length; i > 0; i--) {
    const path = parts.slice(0, i).join('.');
    if (Object.hasOwn(discovered.origins, path)) return [discovered.origins[path] as PolicySource];
    const below = Object.entries(discovered.origins)
      .filter(([p]) => p.startsWith(`${path}.`))
      .map(([, s]) => s);
    if (below.length > 0) return uniqueSources(below);
  }
  return discovered.sources;
}

const TYPE_HINTS: Record<Exclude<PolicySourceKind, 'file'>, Record<string, string>> = {
  registry: {
    number: 'in the registry, make it a REG_DWORD value',
    boolean: 'in the registry, make it a REG_DWORD value of 1 (true) or 0 (false)',
    array: 'in the registry, make it a REG_MULTI_SZ value (one entry per line)',
    string: 'in the registry, make it a REG_SZ value',
    object: 'in the registry, make it a subkey',
  },
  'managed-preferences': {
    number: 'in the profile, make it an <integer>',
    boolean: 'in the profile, make it <true/> or <false/>',
    array: 'in the profile, make it an <array> of <string>',
    string: 'in the profile, make it a <string>',
    object: 'in the profile, make it a <dict>',
  },
};

/** Names the source of a policy problem, and for a wrong type how to write it there (a REG_DWORD, a plist <integer>). */
function locate(issue: ConfigIssue, discovered: DiscoveredPolicy): ConfigIssue {
  const sources = originsOf(issue.field, discovered);
  const only = sources.length === 1 ? sources[0] : undefined;
  const expected = /^must be an? (number|boolean|array|string|object)\b/.exec(issue.message)?.[1];
  const hint = only !== undefined && only.kind !== 'file' && expected !== undefined ? TYPE_HINTS[only.kind][expected] : undefined;
  return {
    ...issue,
    ...(sources.length === 0 ? {} : { file: sources.map((s) => s.label).join(' and ') }),
    ...(hint === undefined ? {} : { fix: `${issue.fix}; ${hint}` }),
  };
}

/**
 * Checks a discovered policy as a whole: every problem of every source, each
 * with the field, the source it is in and the fix. Used by `loadConfig` and
 * `clinic-desk doctor --policy`.
 */
export function validatePolicy(discovered: DiscoveredPolicy): PolicyCheck {
  const problems = [...discovered.problems];
  let policy: PolicyFile = {};
  if (discovered.value !== undefined) {
    const parsed = PolicyFile.safeParse(discovered.value, { reportInput: true });
    if (parsed.success) policy = parsed.data;
    else problems.push(...zodIssues(parsed.error, 'policy', discovered.value).map((issue) => locate(issue, discovered)));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy };
}

/** The settings a policy locks (its `settings`). */
export function lockedSettingsOf(policy: PolicyFile): SettingKey[] {
  return Object.keys(policy.settings ?? {}).filter((k): k is SettingKey => SETTINGS_KEYS.includes(k));
}
