import type { z } from 'zod';
import { DEFAULT_SETTINGS, Settings, type SettingKey, type SettingsPatch } from '../../../shared/settings';
import type { ApiProfile } from '../api/profile';
import { NO_POLICY, readPolicyFile, type DiscoveredPolicy } from '../policy/read';
import type { PolicyFile } from '../policy/schema';
import { lockedSettingsOf, validatePolicy } from '../policy/validate';
import { envLayer } from './environment';
import { ConfigError, formatIssue, type ConfigIssue } from './issues';
import { readConfigJson } from './read-config-json';
import {
  DEFAULT_CACHE_RETENTION_DAYS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DeskConfig,
  DeskConfigOverrides,
  UserSettingsFile,
  isLoopback,
  type ClinicPolicy,
  type PartialDeskConfigInput,
  type TransportConfig,
} from './schema';
import { zodIssues } from './zod-issues';

/**
 * The desk's configuration, in layers (lowest first):
 *
 *   built-in defaults < admin policy file < user settings file < environment < explicit overrides
 *
 * The policy file is how admins pre-configure many desks (and lock settings;
 * as the machine's policy it also keeps its server and transport against the
 * environment, `machinePolicy`, unless it sets `allowEnvironmentOverrides`);
 * the user file is what the Settings screen writes; the environment speaks the
 * back end's own `.env` names, so the `.env` of the clinic's Laravel app can be
 * handed to the desk as it is (the variables: environment.ts).
 *
 * Every problem is reported with the field it is about and how to fix it
 * (`ConfigError.issues`); an unreadable user file only costs the user's own
 * preferences (a warning), never the start of the app.
 */

export interface ConfigSources {
  /** The machine's admin policy as discovered (`discoverPolicy` in policy/sources.ts); wins over `policyFile`. */
  policy?: DiscoveredPolicy;
  /** The admin policy as one JSON file (the CLI's `--config`, tests); a missing file is no policy. */
  policyFile?: string;
  /** The Settings screen's file (JSON); a missing file is no user settings. */
  userFile?: string;
  /** Usually `process.env`; passed in so tests and hosts decide. */
  env?: Record<string, string | undefined>;
  overrides?: PartialDeskConfigInput;
  /**
   * The policy is the machine's (the desktop, the preview): the server and transport it sets
   * are not replaced from the environment unless it says `allowEnvironmentOverrides`. The CLI's
   * `--config` file is the user's own, which the environment and flags refine.
   */
  machinePolicy?: boolean;
}

export interface LoadedConfig {
  config: DeskConfig;
  /** Settings the policy sets: read-only in the Settings screen. */
  locked: SettingKey[];
  /** Dotted config paths the policy sets (`apiUrl`, `transport`, `settings.theme`, ...). */
  lockedFields: string[];
  /** Problems that did not stop loading (an unreadable user file, an insecure URL, a policy not applied, ...). */
  warnings: string[];
  /** Where the admin policy was found, lowest precedence first (for display); empty: there is none. */
  policySources: string[];
  /**
   * Why the admin policy was not applied; empty when it was (or there is none).
   * Non-empty means none of it applies: the desk runs on its defaults rather
   * than on half an administrator's intent.
   */
  policyProblems: ConfigIssue[];
}

export type SettingsLayer = z.infer<typeof SettingsPatch>;

export function applySettings(base: Settings, patch: SettingsLayer | undefined, skip: ReadonlySet<string> = new Set()): Settings {
  if (patch === undefined) return base;
  const next: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || skip.has(key)) continue;
    next[key] = key === 'alerts' ? { ...base.alerts, ...(value as Partial<Settings['alerts']>) } : value;
  }
  return Settings.parse(next);
}

/**
 * Builds the configuration from its layers:
 *
 *   built-in defaults < policy `defaultSettings` < user settings file < policy `settings` (locked)
 *
 * for settings, and defaults < policy < environment < overrides for the rest.
 * Throws `ConfigError` (with every problem found, not just the first) when the
 * environment or the overrides are invalid. An invalid admin policy does not
 * throw: none of it is applied, its problems are in `policyProblems` (and a
 * warning), and the desk runs on its defaults. An invalid user file is dropped
 * with a warning.
 */
export function loadConfig(sources: ConfigSources): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];

  let apiUrl: string | null = null;
  let transport: TransportConfig = { kind: 'polling' };
  let settings: Settings = DEFAULT_SETTINGS;
  let cacheRetentionDays = DEFAULT_CACHE_RETENTION_DAYS;
  let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  let allowedLinkHosts: string[] | undefined;
  let allowInsecureTokenStorage = false;
  let api: ApiProfile | undefined;
  let clinic: ClinicPolicy | undefined;

  // --- admin policy: all of it, or (when any of it is invalid) none of it
  const discovered = sources.policy ?? (sources.policyFile === undefined ? NO_POLICY : readPolicyFile(sources.policyFile));
  const policySources = discovered.sources.map((s) => s.label);
  const checked = validatePolicy(discovered);
  const policy: PolicyFile = checked.ok ? checked.policy : {};
  const policyProblems = checked.ok ? [] : checked.problems;
  if (!checked.ok) {
    warnings.push(
      `the administrator's policy (${policySources.join(', ')}) was not applied, Clinic Desk runs on its defaults: ${policyProblems.map(formatIssue).join('; ')}`,
    );
  }
  if (policy.apiUrl !== undefined) apiUrl = policy.apiUrl;
  if (policy.transport !== undefined) transport = policy.transport;
  // Starting values first, so the locked ones win where both name a setting.
  settings = applySettings(settings, policy.defaultSettings);
  settings = applySettings(settings, policy.settings);
  if (policy.cacheRetentionDays !== undefined) cacheRetentionDays = policy.cacheRetentionDays;
  if (policy.allowedLinkHosts !== undefined) allowedLinkHosts = policy.allowedLinkHosts;
  if (policy.allowInsecureTokenStorage !== undefined) allowInsecureTokenStorage = policy.allowInsecureTokenStorage;
  if (policy.api !== undefined) api = policy.api;
  if (policy.clinic !== undefined) clinic = policy.clinic;
  const locked = lockedSettingsOf(policy);
  const lockedFields = [
    ...Object.keys(policy).filter((k) => k !== 'settings' && k !== 'defaultSettings' && k !== '$schema'),
    ...locked.map((k) => `settings.${k}`),
  ];

  // --- user settings: the policy's settings stay as the admin set them
  if (sources.userFile !== undefined) {
    const read = readConfigJson(sources.userFile);
    if (read.kind === 'error') warnings.push(`ignored the user settings: ${formatIssue({ source: 'user', ...read.issue })}`);
    if (read.kind === 'ok') {
      const parsed = UserSettingsFile.safeParse(read.value, { reportInput: true });
      if (!parsed.success) {
        const problems = zodIssues(parsed.error, 'user', read.value, sources.userFile);
        warnings.push(`ignored the user settings, defaults apply: ${problems.map(formatIssue).join('; ')}`);
      } else {
        const overruled = Object.keys(parsed.data).filter((k) => locked.includes(k as SettingKey));
        if (overruled.length > 0) warnings.push(`the administrator's policy sets ${overruled.join(', ')}; the user settings for them are not used`);
        settings = applySettings(settings, parsed.data, new Set(overruled));
      }
    }
  }

  // --- environment
  const env = envLayer(sources.env ?? {}, transport, issues, warnings);
  // A user who can set variables for the app must not get round the administrator's server.
  const envMayOverride = sources.machinePolicy !== true || policy.allowEnvironmentOverrides === true;
  if (env.apiUrl !== undefined) {
    if (policy.apiUrl !== undefined && policy.apiUrl !== env.apiUrl) {
      warnings.push(
        envMayOverride
          ? "CLINIC_DESK_API_URL overrides the administrator's apiUrl"
          : "CLINIC_DESK_API_URL is ignored: the administrator's policy sets apiUrl (allowEnvironmentOverrides is not true)",
      );
    }
    if (envMayOverride || policy.apiUrl === undefined) apiUrl = env.apiUrl;
  }
  if (env.transport !== undefined) {
    if (policy.transport !== undefined && JSON.stringify(policy.transport) !== JSON.stringify(env.transport)) {
      warnings.push(
        envMayOverride
          ? "the environment's broadcasting settings override the administrator's transport"
          : "the environment's broadcasting settings are ignored: the administrator's policy sets the transport (allowEnvironmentOverrides is not true)",
      );
    }
    if (envMayOverride || policy.transport === undefined) transport = env.transport;
  }

  // --- explicit overrides
  if (sources.overrides !== undefined) {
    const parsed = DeskConfigOverrides.safeParse(sources.overrides, { reportInput: true });
    if (!parsed.success) issues.push(...zodIssues(parsed.error, 'overrides', sources.overrides));
    else {
      const o = parsed.data;
      if (o.apiUrl !== undefined) apiUrl = o.apiUrl;
      if (o.transport !== undefined) transport = o.transport;
      settings = applySettings(settings, o.settings);
      if (o.cacheRetentionDays !== undefined) cacheRetentionDays = o.cacheRetentionDays;
      if (o.requestTimeoutMs !== undefined) requestTimeoutMs = o.requestTimeoutMs;
      if (o.allowedLinkHosts !== undefined) allowedLinkHosts = o.allowedLinkHosts;
      if (o.allowInsecureTokenStorage !== undefined) allowInsecureTokenStorage = o.allowInsecureTokenStorage;
      if (o.api !== undefined) api = o.api;
      if (o.clinic !== undefined) clinic = o.clinic;
    }
  }

  if (issues.length > 0) throw new ConfigError(issues);

  if (apiUrl !== null && apiUrl.startsWith('http:') && !isLoopback(apiUrl)) {
    warnings.push(`${apiUrl} is not https: the sign-in token and patient data would travel unencrypted`);
  }
  const config = DeskConfig.parse({
    apiUrl,
    transport,
    settings,
    cacheRetentionDays,
    requestTimeoutMs,
    allowInsecureTokenStorage,
    ...(policy.updates === undefined ? {} : { updates: policy.updates }),
    ...(allowedLinkHosts === undefined ? {} : { allowedLinkHosts }),
    ...(api === undefined ? {} : { api }),
    ...(clinic === undefined ? {} : { clinic }),
  });
  return { config, locked, lockedFields, warnings, policySources, policyProblems };
}
