import { ApiProfile } from '../api/profile';
import { distance } from 'fastest-levenshtein';
import { basename } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SETTINGS, Settings, SettingsPatch, type SettingKey } from '../../../shared/settings';
import { TimeZoneName } from '../../../shared/clinic-time';
import { readJsonFile, writeJsonFileAtomic, type JsonFileProblem } from './json-file';

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
 * handed to the desk as it is:
 *
 * | variable | meaning |
 * |---|---|
 * | `CLINIC_DESK_API_URL` | the clinic's Laravel app, e.g. `https://clinic.example.org` |
 * | `BROADCAST_DRIVER` (or Laravel 11's `BROADCAST_CONNECTION`) | `pusher`, `reverb`, `log`/`null` (no WebSocket: REST polling) |
 * | `PUSHER_APP_KEY`, `PUSHER_APP_CLUSTER` (or `VITE_PUSHER_…`) | Pusher Channels |
 * | `PUSHER_HOST`, `PUSHER_PORT`, `PUSHER_SCHEME` (or `VITE_PUSHER_…`) | a self-hosted Pusher-protocol server (Soketi) behind the pusher driver |
 * | `REVERB_APP_KEY`, `REVERB_HOST`, `REVERB_PORT`, `REVERB_SCHEME` (or `VITE_REVERB_…`) | Laravel Reverb |
 *
 * Every problem is reported with the field it is about and how to fix it
 * (`ConfigError.issues`); an unreadable user file only costs the user's own
 * preferences (a warning), never the start of the app.
 */

// ------------------------------------------------------------- schemas ---

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `http(s)://host[:port][/path]`, normalised to no trailing slash (the client appends `/api/...`). */
export const ApiUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = apiUrlProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  })
  .overwrite(normaliseApiUrl);

function apiUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http:// or https:// URL, e.g. https://clinic.example.org';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must be an http:// or https:// URL (got ${url.protocol.replace(/:$/, '')}://)`;
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must not contain a query string (?…) or fragment (#…)';
  return null;
}

function normaliseApiUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return value;
  }
}

const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/i;
const AppKey = z.string().min(1, 'must not be empty').max(200).regex(/^\S+$/, 'must not contain spaces');
const SocketHost = z
  .string()
  .max(253)
  .regex(HOST_NAME, 'must be a host name or IP address without scheme, port or path, e.g. ws.clinic.example.org');
const Port = z.number().int().min(1).max(65535);

export const TransportConfig = z.discriminatedUnion('kind', [
  /** Pusher Channels (the seed's option 1). */
  z.strictObject({
    kind: z.literal('pusher'),
    key: AppKey,
    cluster: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a Pusher cluster name such as mt1, eu or ap2'),
  }),
  /** A self-hosted Pusher-protocol server (Laravel Reverb, Soketi): `ws(s)://host:port[path]/app/key`. */
  z.strictObject({
    kind: z.literal('reverb'),
    key: AppKey,
    host: SocketHost,
    port: Port,
    scheme: z.enum(['http', 'https']).default('https'),
    path: z
      .string()
      .max(200)
      .regex(/^\/[^\s?#]*[^\s?#/]$/, 'must start with "/" and not end with one, e.g. "/ws"')
      .optional(),
  }),
  /** No WebSocket (the seed's `BROADCAST_DRIVER=log`): the desk refreshes over REST. */
  z.strictObject({ kind: z.literal('polling') }),
]);
export type TransportConfig = z.infer<typeof TransportConfig>;

/** A host an `action_url` may point at, compared with `URL.host` (`name` or `name:port`). */
const LinkHost = z
  .string()
  .trim()
  .toLowerCase()
  .max(260)
  .regex(/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/, 'must be a host name, optionally with :port, e.g. clinic.example.org');

const CacheRetentionDays = z.number().int().min(1).max(3650);
const RequestTimeoutMs = z.number().int().min(100).max(600_000);

const DEFAULT_CACHE_RETENTION_DAYS = 30;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** `1.4.2` or `1.5.0-beta.3`: the versions electron-builder stamps on a release. */
export const AppVersion = z
  .string()
  .max(64)
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a version such as 1.4.2 or 1.5.0-beta.3');

/**
 * On Linux the downloaded AppImage is checked only against the SHA-512 in the
 * feed's yml, which comes from the same server: without TLS, whoever sits on
 * the network could hand every desk a program of their own. Plain http only
 * for a server on this machine (testing a release).
 */
const UpdateUrl = ApiUrl.refine((url) => url.startsWith('https:') || isLoopback(url), {
  message: 'must be an https:// URL (plain http is allowed only for localhost)',
});

export const UPDATE_CHANNELS = ['stable', 'beta'] as const;

/**
 * Where updates come from and on whose terms (docs/admin-guide.md, "Rolling out
 * an update"). Without `url` there is no update server, so no update check at all.
 */
export const UpdatePolicy = z.strictObject({
  /** false: never check, download or install (the default when there is no url). */
  enabled: z.boolean().optional().meta({ description: 'false: never check for, download or install an update, even with a url.' }),
  /** The folder electron-builder's generic provider publishes to (latest.yml, beta.yml, installers). */
  url: UpdateUrl.optional().meta({ description: 'The https:// folder the releases are published to (latest.yml, beta.yml and the installers).' }),
  /** `beta` also offers pre-releases (beta.yml). Default `stable`. */
  channel: z
    .enum(UPDATE_CHANNELS)
    .optional()
    .meta({ description: '"stable" (default): releases only; "beta": pre-releases such as 1.5.0-beta.2 too.' }),
  /** Stay on (or move to) exactly this version; other versions offered are ignored. */
  pinVersion: AppVersion.optional().meta({ description: 'Keep every desk on exactly this version (installing it, downgrading if need be), e.g. 1.4.2.' }),
  /** Install as soon as the download is verified (after a short warning) instead of on quit or when the user agrees. */
  force: z.boolean().optional().meta({ description: 'Install as soon as the download is verified, after a short countdown the user cannot postpone.' }),
  /** How often to look for an update. Default 4. */
  checkIntervalHours: z.number().int().min(1).max(168).optional().meta({ description: 'How often to look for an update, in hours (1 to 168, default 4).' }),
});
export type UpdatePolicy = z.infer<typeof UpdatePolicy>;

/** Facts about the clinic itself. */
export const ClinicPolicy = z.strictObject({
  timeZone: TimeZoneName.optional().meta({
    description:
      "The clinic's time zone, an IANA name such as \"Europe/London\" or \"America/Los_Angeles\": the board's day and every time the desk shows follow it. Used when the server's user answer names no zone (e.g. clinic.timezone); default: the computer's own zone.",
  }),
});
export type ClinicPolicy = z.infer<typeof ClinicPolicy>;

export const DeskConfig = z
  .object({
    /** null: not configured yet (the sign-in screen asks for it). */
    apiUrl: ApiUrl.nullable(),
    transport: TransportConfig,
    settings: Settings,
    cacheRetentionDays: CacheRetentionDays.default(DEFAULT_CACHE_RETENTION_DAYS),
    requestTimeoutMs: RequestTimeoutMs.default(DEFAULT_REQUEST_TIMEOUT_MS),
    /** Hosts a notification's `action_url` may open; defaults to the API's host. */
    allowedLinkHosts: z.array(LinkHost).max(100).optional(),
    /** Keep the token in plain text where the OS offers no secret store (Linux without a keyring). */
    allowInsecureTokenStorage: z.boolean().default(false),
    /** Only the admin policy sets this; `{}` (no url) means no update checks. */
    updates: UpdatePolicy.default({}),
    /** How this clinic's REST API differs from the default dialect (docs/backend-contract.md, "API profile"). */
    api: ApiProfile.optional(),
    clinic: ClinicPolicy.optional(),
  })
  .transform(({ allowedLinkHosts, ...config }) => ({
    ...config,
    allowedLinkHosts: allowedLinkHosts ?? (config.apiUrl === null ? [] : [new URL(config.apiUrl).host]),
  }));
export type DeskConfig = z.infer<typeof DeskConfig>;

/**
 * The admin policy file. Everything it sets is locked: settings it names are
 * read-only in the Settings screen (`locked`), other fields are reported in
 * `lockedFields`; `defaultSettings` are starting values the user may change.
 * Strict, so a misspelt option is an error rather than silently ignored. No
 * transforms, so a JSON Schema can be generated from it (docs/policy.schema.json).
 */
export const PolicyFile = z.strictObject({
  // The descriptions are for admins: they are what an editor shows from docs/policy.schema.json.
  $schema: z.string().max(2048).optional().meta({ description: 'The URL or path of this JSON Schema, so editors check the file.' }),
  apiUrl: ApiUrl.optional().meta({
    description: "The clinic's Laravel app, with http:// or https:// and without /api, e.g. https://clinic.example.org. Fills in and locks the server address on the sign-in screen.",
  }),
  transport: TransportConfig.optional().meta({
    description:
      'The socket server the back end broadcasts to: {"kind": "pusher", "key", "cluster"} for Pusher Channels, {"kind": "reverb", "key", "host", "port", "scheme", "path"} for a self-hosted Pusher-protocol server (Laravel Reverb, Soketi), or {"kind": "polling"} for none (the desk refreshes over the API).',
  }),
  settings: SettingsPatch.optional().meta({
    description: 'Settings set and locked: users see them as "Set by your administrator" and cannot change them. Naming "alerts" (even in part) locks the whole Alerts group.',
  }),
  defaultSettings: SettingsPatch.optional().meta({
    description: 'Starting values for the same settings, which users may change. Where "settings" names the same setting, the locked value applies.',
  }),
  cacheRetentionDays: CacheRetentionDays.optional().meta({ description: "How long notifications, read or unread, stay in the desk's local cache, in days from their creation (default 30)." }),
  allowedLinkHosts: z
    .array(LinkHost)
    .max(100)
    .optional()
    .meta({ description: "Hosts (with :port when not the standard one) a notification's link may open in the browser. Default: the API's host." }),
  allowInsecureTokenStorage: z.boolean().optional().meta({
    description:
      'true: where the OS has no secret store (Linux without a keyring), keep the sign-in token in a file only the user can read instead of asking to sign in at every start. Default false.',
  }),
  updates: UpdatePolicy.optional().meta({
    description: 'Where updates come from and on whose terms. Without "url" the desk never checks for updates.',
  }),
  api: ApiProfile.optional().meta({
    description:
      "The API profile: how the clinic's Laravel REST API differs from the desk's default (paths, action methods, query parameter names, page size, field mappings). Only what differs; see docs/backend-contract.md, \"API profile\".",
  }),
  clinic: ClinicPolicy.optional().meta({
    description: "Facts about the clinic the desk cannot always learn from its server.",
  }),
  allowEnvironmentOverrides: z.boolean().optional().meta({
    description:
      'true: the environment (CLINIC_DESK_API_URL, PUSHER_*, REVERB_*, BROADCAST_DRIVER) may replace the apiUrl and transport this policy sets, e.g. to try a desk against a staging server. Default false: what the policy sets stays.',
  }),
});
export type PolicyFile = z.infer<typeof PolicyFile>;

/** What the Settings screen stores: only what the user changed (so new defaults still reach them). */
export const UserSettingsFile = SettingsPatch;

/** Explicit overrides (CLI flags, tests): any field, `null` apiUrl meaning "not configured". */
export const DeskConfigOverrides = z.strictObject({
  apiUrl: ApiUrl.nullable().optional(),
  transport: TransportConfig.optional(),
  settings: SettingsPatch.optional(),
  cacheRetentionDays: CacheRetentionDays.optional(),
  requestTimeoutMs: RequestTimeoutMs.optional(),
  allowedLinkHosts: z.array(LinkHost).max(100).optional(),
  allowInsecureTokenStorage: z.boolean().optional(),
  api: ApiProfile.optional(),
  clinic: ClinicPolicy.optional(),
});
export type PartialDeskConfigInput = z.input<typeof DeskConfigOverrides>;

// -------------------------------------------------------------- errors ---

export type ConfigSource = 'policy' | 'user' | 'env' | 'overrides';

export interface ConfigIssue {
  source: ConfigSource;
  /** Dotted path in the file or overrides (`transport.port`), or the environment variable (`REVERB_PORT`). */
  field: string;
  message: string;
  fix: string;
  /** The file the issue is in, for the policy and user layers. */
  file?: string;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function describeSource(issue: ConfigIssue): string {
  switch (issue.source) {
    case 'policy':
      return `admin policy${issue.file === undefined ? '' : ` (${issue.file})`}`;
    case 'user':
      return `user settings${issue.file === undefined ? '' : ` (${issue.file})`}`;
    case 'env':
      return 'environment';
    case 'overrides':
      return 'command line';
  }
}

/** One line per issue: where, what is wrong, and what to do. */
export function formatIssue(issue: ConfigIssue): string {
  return `${describeSource(issue)}: ${issue.field} ${issue.message}. Fix: ${issue.fix}`;
}

function formatIssues(issues: ConfigIssue[]): string {
  const head = issues.length === 1 ? 'Invalid configuration' : `Invalid configuration (${issues.length} problems)`;
  return `${head}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`;
}

// ------------------------------------------------------- zod → issues ---

const POLICY_KEYS = Object.keys(PolicyFile.shape);
const OVERRIDE_KEYS = Object.keys(DeskConfigOverrides.shape);
const SETTINGS_KEYS = Object.keys(Settings.shape);
const ALERT_KEYS = Object.keys(DEFAULT_SETTINGS.alerts);
const UPDATE_KEYS = Object.keys(UpdatePolicy.shape);

/** How to fix a field, by its dotted path (without the `settings.` prefix for user files). */
function fixFor(path: string, source: ConfigSource): string {
  const where = source === 'user' ? 'in Settings, or delete the file to start from the defaults' : '';
  const settingPath = path.replace(/^(?:settings|defaultSettings)\./, '');
  const fixes: Record<string, string> = {
    apiUrl: "use the clinic's web address with http:// or https://, e.g. https://clinic.example.org",
    transport: 'set "kind" to "pusher" (with key, cluster), "reverb" (with key, host, port, scheme) or "polling"',
    'transport.kind': 'use "pusher", "reverb" or "polling"',
    'transport.key': "use the app key of your Pusher or Reverb app (PUSHER_APP_KEY / REVERB_APP_KEY in the back end's .env)",
    'transport.cluster': 'use your Pusher cluster (e.g. mt1, eu, ap2 — see your Pusher dashboard)',
    'transport.host': 'use the host name of your Reverb or Soketi server without scheme or port, e.g. ws.clinic.example.org',
    'transport.port': 'use the port your Reverb server listens on, e.g. 8080',
    'transport.scheme': 'use "https" (TLS) or "http"',
    'transport.path': 'use a path prefix such as "/ws", or leave it out',
    cacheRetentionDays: 'use a whole number of days from 1 to 3650 (default 30)',
    requestTimeoutMs: 'use a whole number of milliseconds from 100 to 600000 (default 10000)',
    allowedLinkHosts: 'list host names such as "clinic.example.org" (with ":port" for a non-standard port)',
    allowInsecureTokenStorage: 'use true or false',
    allowEnvironmentOverrides: 'use true or false',
    $schema: 'use the URL or path of the policy JSON Schema, or leave it out',
    theme: 'use "system", "light" or "dark"',
    pollingIntervalSec: 'use a whole number of seconds from 5 to 3600',
    dndUntil: 'use an ISO 8601 time such as 2026-11-26T18:00:00Z, or null',
    settings: 'use an object of settings to lock, e.g. { "startAtLogin": true }',
    defaultSettings: 'use an object of starting values, e.g. { "theme": "dark" }',
    updates: 'use an object such as { "url": "https://updates.clinic.example.org/clinic-desk" }',
    api: 'use an object with any of paths, methods, params, pageSize, fields (docs/backend-contract.md, "API profile")',
    'api.paths': 'use endpoint names (appointments, notifications, broadcastingAuth, ...) with paths starting with "/", e.g. { "appointments": "/api/v2/appointments" }',
    'api.methods': 'use action names (notificationRead, notificationsReadAll, notificationDelete, sendMessage, conversationRead) with POST, PATCH, PUT or DELETE',
    'api.params': 'use parameter roles (afterId, perPage, date, beforeId, status) with the names your API takes, e.g. { "afterId": "since_id" }',
    'api.pageSize': 'use a whole number from 1 to 1000 (default 500)',
    'api.fields': 'map "<resource>.<field>" to a dotted path in your records, e.g. { "appointments.appointment_date": "starts_on" }',
    'updates.enabled': 'use true or false (false: never check for updates)',
    'updates.url': 'use the https:// address of the folder the releases are published to, e.g. https://updates.clinic.example.org/clinic-desk',
    'updates.channel': 'use "stable" or "beta"',
    'updates.pinVersion': 'use a released version such as 1.4.2 (no "v" in front), or leave it out',
    'updates.force': 'use true or false',
    'updates.checkIntervalHours': 'use a whole number of hours from 1 to 168 (default 4)',
  };
  const known = fixes[path] ?? fixes[settingPath] ?? (/^allowedLinkHosts\.\d+$/.test(path) ? fixes.allowedLinkHosts : undefined);
  if (known !== undefined) return where === '' ? known : `${known} ${where}`;
  if (/^(alerts(\.\w+)?|hideMessageText|silenceWhenFocused|startAtLogin|startMinimised|closeToTray)$/.test(settingPath)) {
    return where === '' ? 'use true or false' : `use true or false ${where}`;
  }
  return where === '' ? 'correct the value or remove it' : `change it ${where}`;
}

/** The first of `known` within two edits of `key`, case aside (a misspelt option's likely meaning). */
function closeTo(known: readonly string[], key: string): string | undefined {
  const lower = key.toLowerCase();
  return known.find((k) => distance(k.toLowerCase(), lower) <= 2);
}

function knownKeysAt(parentPath: string, source: ConfigSource, transportKind: unknown): string[] {
  if (parentPath === '') return source === 'policy' ? POLICY_KEYS : source === 'user' ? SETTINGS_KEYS : OVERRIDE_KEYS;
  if (parentPath === 'settings' || parentPath === 'defaultSettings') return SETTINGS_KEYS;
  if (parentPath === 'alerts' || parentPath === 'settings.alerts' || parentPath === 'defaultSettings.alerts') return ALERT_KEYS;
  if (parentPath === 'updates') return UPDATE_KEYS;
  if (parentPath === 'transport') {
    if (transportKind === 'pusher') return ['kind', 'key', 'cluster'];
    if (transportKind === 'reverb') return ['kind', 'key', 'host', 'port', 'scheme', 'path'];
    return ['kind'];
  }
  return [];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function zodIssues(error: z.ZodError, source: ConfigSource, input: unknown, file?: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (field: string, message: string, fix: string) => issues.push({ source, field, message, fix, ...(file === undefined ? {} : { file }) });
  const transportKind =
    typeof input === 'object' && input !== null && 'transport' in input && typeof input.transport === 'object' && input.transport !== null && 'kind' in input.transport
      ? input.transport.kind
      : undefined;
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    const field = path === '' ? '(top level)' : path;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const known = knownKeysAt(path, source, transportKind);
          const close = closeTo(known, key);
          const full = path === '' ? key : `${path}.${key}`;
          // A setting written at the top of a policy belongs in one of its settings groups.
          const setting = source === 'policy' && path === '' && close === undefined ? closeTo(SETTINGS_KEYS, key) : undefined;
          if (setting !== undefined) {
            at(
              full,
              'is not a known option',
              `move it into "settings" (to set and lock it) or "defaultSettings" (as a starting value)${setting === key ? '' : `, spelt "${setting}"`}`,
            );
            continue;
          }
          at(
            full,
            'is not a known option',
            `remove "${key}"${close === undefined ? '' : ` (did you mean "${close}"?)`}${known.length > 0 ? `; known options here: ${known.join(', ')}` : ''}`,
          );
        }
        break;
      case 'invalid_type':
        if (issue.input === undefined) at(field, 'is required', fixFor(path, source));
        else at(field, `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`} (got ${describeValue(issue.input)})`, fixFor(path, source));
        break;
      case 'invalid_union':
        if (path.endsWith('kind')) at(field, 'must be "pusher", "reverb" or "polling"', fixFor(path, source));
        else at(field, issue.message, fixFor(path, source));
        break;
      case 'too_small':
        at(field, `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' items' : ''}`, fixFor(path, source));
        break;
      case 'too_big':
        at(field, `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' items' : ''}`, fixFor(path, source));
        break;
      case 'invalid_value':
        at(field, `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${describeValue(issue.input)})`, fixFor(path, source));
        break;
      default:
        at(field, issue.message, fixFor(path, source));
    }
  }
  return issues;
}

// ----------------------------------------------------------- JSON files ---

export type FileRead = { kind: 'missing' } | { kind: 'ok'; value: unknown } | { kind: 'error'; issue: Omit<ConfigIssue, 'source'> };

/**
 * Largest settings or policy file read. They hold a few kilobytes; the bound
 * keeps a wrong path (a log, a disk image, a device) from being read whole.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** The fix for each way a settings or policy file can be unusable (json-file.ts reads it). */
function fileIssue(file: string, problem: JsonFileProblem): Omit<ConfigIssue, 'source'> {
  const at = (message: string, fix: string) => ({ field: file, file, message, fix });
  switch (problem.kind) {
    case 'too-large':
      return at(`is too large (${problem.size} bytes; at most ${problem.limit} are read)`, 'a settings or policy file holds a few kilobytes: point the path at the right file');
    case 'not-a-file':
      return at('is not a regular file', 'point the path at a JSON file');
    case 'unreadable':
      return at(
        `cannot be read (${problem.code})`,
        problem.code === 'EISDIR' ? 'point the path at a JSON file, not a folder' : 'make the file readable by the user running Clinic Desk, or remove it',
      );
    case 'too-deep':
      return at(`nests deeper than ${problem.limit} levels`, 'a settings or policy file nests a few levels at most: check that this is the right file');
    case 'empty':
      return at('is empty', 'write a JSON object into it (at least {}), or remove the file');
    case 'syntax':
      return at(
        `is not valid JSON: ${problem.reason} at line ${problem.line}, column ${problem.column}`,
        `correct the JSON at line ${problem.line} of ${basename(file)} (a missing comma or quote, a trailing comma, or a comment are the usual causes)`,
      );
  }
}

/** A settings or policy file, read bounded (json-file.ts), its problem worded with the fix. */
export function readConfigJson(file: string): FileRead {
  const read = readJsonFile(file, { maxBytes: MAX_CONFIG_FILE_BYTES });
  return read.kind === 'error' ? { kind: 'error', issue: fileIssue(file, read.problem) } : read;
}

// ---------------------------------------------------------- environment ---

interface EnvLayer {
  apiUrl?: string;
  transport?: TransportConfig;
}

/** Reads a variable as a shell or docker `env_file` may leave it: trimmed, unquoted, `${OTHER}` expanded, '' = unset. */
function envReader(env: Record<string, string | undefined>) {
  const raw = (name: string, depth = 0): string | undefined => {
    let value = env[name]?.trim();
    if (value === undefined) return undefined;
    const quoted = /^(["'])(.*)\1$/s.exec(value);
    if (quoted) value = quoted[2]?.trim() ?? '';
    // Laravel's .env.example has VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"; not every loader expands it.
    const reference = /^\$\{(\w+)\}$/.exec(value)?.[1];
    if (reference !== undefined) value = depth < 3 ? (raw(reference, depth + 1) ?? '') : '';
    return value === '' ? undefined : value;
  };
  /** The first of the names that is set, with the name it came from. */
  return (...names: string[]): { name: string; value: string } | undefined => {
    for (const name of names) {
      const value = raw(name);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  };
}

function envLayer(env: Record<string, string | undefined>, lower: TransportConfig, issues: ConfigIssue[], warnings: string[]): EnvLayer {
  const get = envReader(env);
  const layer: EnvLayer = {};
  const issue = (field: string, message: string, fix: string) => issues.push({ source: 'env', field, message, fix });

  const apiUrl = get('CLINIC_DESK_API_URL');
  if (apiUrl) {
    const parsed = ApiUrl.safeParse(apiUrl.value);
    if (parsed.success) layer.apiUrl = parsed.data;
    else
      issue(
        apiUrl.name,
        parsed.error.issues[0]?.message ?? 'is not a valid URL',
        `set ${apiUrl.name} to your clinic's address, e.g. https://clinic.example.org`,
      );
  }

  const reverb = {
    key: get('REVERB_APP_KEY', 'VITE_REVERB_APP_KEY'),
    host: get('REVERB_HOST', 'VITE_REVERB_HOST'),
    port: get('REVERB_PORT', 'VITE_REVERB_PORT'),
    scheme: get('REVERB_SCHEME', 'VITE_REVERB_SCHEME'),
  };
  const pusher = {
    key: get('PUSHER_APP_KEY', 'VITE_PUSHER_APP_KEY'),
    cluster: get('PUSHER_APP_CLUSTER', 'VITE_PUSHER_APP_CLUSTER'),
    host: get('PUSHER_HOST', 'VITE_PUSHER_HOST'),
    port: get('PUSHER_PORT', 'VITE_PUSHER_PORT'),
    scheme: get('PUSHER_SCHEME', 'VITE_PUSHER_SCHEME'),
  };
  const vitePusherKey = get('VITE_PUSHER_APP_KEY');
  if (pusher.key && vitePusherKey && pusher.key.name !== vitePusherKey.name && vitePusherKey.value !== pusher.key.value) {
    warnings.push('PUSHER_APP_KEY and VITE_PUSHER_APP_KEY differ; the desk uses PUSHER_APP_KEY');
  }
  const anyReverb = Object.values(reverb).some((v) => v !== undefined);
  // PUSHER_HOST/PORT/SCHEME alone are Laravel's defaults for api-<cluster>.pusher.com; the key says "pusher is meant".
  const anyPusher = pusher.key !== undefined || pusher.cluster !== undefined;

  const driver = get('BROADCAST_DRIVER', 'BROADCAST_CONNECTION');
  let kind: TransportConfig['kind'] | undefined;
  switch (driver?.value.toLowerCase()) {
    case undefined:
      break;
    case 'log':
    case 'null':
      kind = 'polling';
      break;
    case 'pusher':
      kind = 'pusher';
      break;
    case 'reverb':
      kind = 'reverb';
      break;
    case 'redis':
      warnings.push(
        `${driver?.name}=redis queues broadcasts on the server; the desk still needs a Pusher-protocol server (PUSHER_* or REVERB_*)` +
          (anyReverb || anyPusher ? '' : ', so it polls the REST API'),
      );
      break;
    default:
      issue(
        driver?.name ?? 'BROADCAST_DRIVER',
        `is "${driver?.value}", a broadcaster the desk cannot connect to`,
        `set ${driver?.name ?? 'BROADCAST_DRIVER'} to pusher, reverb, or log (no WebSocket: the desk polls the REST API)`,
      );
      return layer;
  }
  if (kind === undefined) {
    if (anyReverb && anyPusher) warnings.push('both REVERB_* and PUSHER_* are set; the desk uses Reverb (set BROADCAST_DRIVER to choose)');
    kind = anyReverb ? 'reverb' : anyPusher ? 'pusher' : undefined;
  }
  if (kind === undefined) return layer;
  if (kind === 'polling') {
    layer.transport = { kind: 'polling' };
    return layer;
  }

  const before = issues.length;
  const port = (entry: { name: string; value: string } | undefined, fallback: number, serverName: string): number => {
    if (entry === undefined) return fallback;
    const n = /^\d{1,5}$/.test(entry.value) ? Number(entry.value) : Number.NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
    issue(entry.name, 'must be a port number (1–65535)', `set ${entry.name} to the port your ${serverName} server listens on, e.g. ${serverName === 'Reverb' ? 8080 : 6001}`);
    return fallback;
  };
  const scheme = (entry: { name: string; value: string } | undefined, fallback: 'http' | 'https'): 'http' | 'https' => {
    if (entry === undefined) return fallback;
    const value = entry.value.toLowerCase();
    if (value === 'http' || value === 'https') return value;
    issue(entry.name, `must be http or https (got "${entry.value}")`, `set ${entry.name} to https (TLS) or http`);
    return fallback;
  };
  const host = (entry: { name: string; value: string }, serverName: string): string => {
    if (HOST_NAME.test(entry.value) && entry.value.length <= 253) return entry.value;
    issue(
      entry.name,
      'must be a host name or IP address without scheme, port or path',
      `set ${entry.name} to the host name of your ${serverName} server only, e.g. ws.clinic.example.org`,
    );
    return 'invalid.invalid';
  };
  const key = (entry: { name: string; value: string } | undefined, name: string, inherited: string | undefined, fix: string): string => {
    if (entry === undefined) {
      if (inherited !== undefined) return inherited;
      issue(name, 'is not set', fix);
      return 'missing';
    }
    if (/^\S+$/.test(entry.value) && entry.value.length <= 200) return entry.value;
    issue(entry.name, 'must be an app key without spaces', fix);
    return 'invalid';
  };
  // Echo's defaults: TLS unless told otherwise, on the scheme's standard port.
  const selfHosted = (
    entries: { key: typeof reverb.key; host: typeof reverb.host; port: typeof reverb.port; scheme: typeof reverb.scheme },
    names: { key: string; host: string },
    serverName: string,
  ): TransportConfig => {
    const inherited = lower.kind === 'reverb' ? lower : undefined;
    const s = scheme(entries.scheme, inherited?.scheme ?? 'https');
    const k = key(entries.key, names.key, inherited?.key, `set ${names.key} to the app key of your ${serverName} server (${names.key} in the back end's .env)`);
    let h = inherited?.host;
    if (entries.host !== undefined) h = host(entries.host, serverName);
    else if (h === undefined) issue(names.host, 'is not set', `set ${names.host} to the host name of your ${serverName} server, e.g. ws.clinic.example.org`);
    const p = port(entries.port, inherited?.port ?? (s === 'https' ? 443 : 80), serverName);
    return {
      kind: 'reverb',
      key: k,
      host: h ?? 'missing',
      port: p,
      scheme: s,
      ...(inherited?.path === undefined ? {} : { path: inherited.path }),
    };
  };

  let transport: TransportConfig;
  if (kind === 'reverb') {
    transport = selfHosted(reverb, { key: 'REVERB_APP_KEY', host: 'REVERB_HOST' }, 'Reverb');
  } else if (pusher.host !== undefined && !/(^|\.)pusher\.com$/i.test(pusher.host.value)) {
    // The pusher driver pointed at a self-hosted server (Soketi's documented setup).
    transport = selfHosted(pusher, { key: 'PUSHER_APP_KEY', host: 'PUSHER_HOST' }, 'Soketi');
  } else {
    const inherited = lower.kind === 'pusher' ? lower : undefined;
    const k = key(pusher.key, 'PUSHER_APP_KEY', inherited?.key, 'set PUSHER_APP_KEY to the key of your Pusher app (Pusher dashboard → App Keys)');
    let cluster = inherited?.cluster;
    if (pusher.cluster !== undefined) {
      if (/^[a-z0-9-]{1,32}$/.test(pusher.cluster.value)) cluster = pusher.cluster.value;
      else issue(pusher.cluster.name, `must be a Pusher cluster name (got "${pusher.cluster.value}")`, `set ${pusher.cluster.name} to your cluster (e.g. mt1, eu, ap2 — see your Pusher dashboard)`);
    } else if (cluster === undefined) {
      issue(
        'PUSHER_APP_CLUSTER',
        pusher.key === undefined ? 'is not set' : `is not set (${pusher.key.name} is)`,
        'set PUSHER_APP_CLUSTER (e.g. mt1, eu, ap2 — see your Pusher dashboard)',
      );
    }
    transport = { kind: 'pusher', key: k, cluster: cluster ?? 'missing' };
  }
  if (issues.length === before) layer.transport = transport;
  return layer;
}

// --------------------------------------------------------------- policy ---

/** Where a machine's policy is kept: the JSON file, the Windows registry, macOS managed preferences. */
export type PolicySourceKind = 'file' | 'registry' | 'managed-preferences';

export interface PolicySource {
  kind: PolicySourceKind;
  /** For people: the file's path, `registry HKLM\Software\Policies\ClinicDesk`, `managed preferences /Library/…plist`. */
  label: string;
}

/** The admin policy as read from its sources, not yet validated (policy-sources.ts reads the machine's). */
export interface DiscoveredPolicy {
  /** The merged policy; undefined when no source holds one. */
  value: unknown;
  /** The sources that hold a policy (readable or not), lowest precedence first. */
  sources: PolicySource[];
  /** Which source set each value, by dotted path (`transport.port`), so a problem names the right one. */
  origins: Record<string, PolicySource>;
  /** Sources that exist but could not be read. */
  problems: ConfigIssue[];
}

export type PolicyCheck = { ok: true; policy: PolicyFile } | { ok: false; problems: ConfigIssue[] };

const NO_POLICY: DiscoveredPolicy = { value: undefined, sources: [], origins: {}, problems: [] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The dotted paths of every value in a JSON object (a list is one value). */
export function valuePaths(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return prefix === '' ? [] : [prefix];
  const paths = Object.entries(value).flatMap(([key, child]) => valuePaths(child, prefix === '' ? key : `${prefix}.${key}`));
  // An empty object is still something the source set (and may be wrong).
  return paths.length === 0 && prefix !== '' ? [prefix] : paths;
}

/** A policy in one JSON file (the CLI's `--config`, `doctor --policy`, tests); a missing file is no policy. */
export function readPolicyFile(file: string): DiscoveredPolicy {
  const source: PolicySource = { kind: 'file', label: file };
  const read = readConfigJson(file);
  switch (read.kind) {
    case 'missing':
      return NO_POLICY;
    case 'error':
      return { value: undefined, sources: [source], origins: {}, problems: [{ source: 'policy', ...read.issue }] };
    case 'ok':
      return { value: read.value, sources: [source], origins: Object.fromEntries(valuePaths(read.value).map((path) => [path, source])), problems: [] };
  }
}

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

// --------------------------------------------------------------- layers ---

export interface ConfigSources {
  /** The machine's admin policy as discovered (`discoverPolicy` in policy-sources.ts); wins over `policyFile`. */
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

type SettingsLayer = z.infer<typeof SettingsPatch>;

function applySettings(base: Settings, patch: SettingsLayer | undefined, skip: ReadonlySet<string> = new Set()): Settings {
  if (patch === undefined) return base;
  const next: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || skip.has(key)) continue;
    next[key] = key === 'alerts' ? { ...base.alerts, ...(value as Partial<Settings['alerts']>) } : value;
  }
  return Settings.parse(next);
}

function mergePatches(a: SettingsLayer, b: SettingsLayer): SettingsLayer {
  const alerts = a.alerts === undefined && b.alerts === undefined ? undefined : { ...a.alerts, ...b.alerts };
  return { ...a, ...b, ...(alerts === undefined ? {} : { alerts }) };
}

function isLoopback(apiUrl: string): boolean {
  let host: string;
  try {
    host = new URL(apiUrl).hostname;
  } catch {
    return false;
  }
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
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

/**
 * Applies a change from the Settings screen to the user file (only the keys
 * the user changed are stored, atomically). Refuses keys the policy locks.
 *
 * Returns `current` with the patch applied: pass the loaded `config.settings`
 * to get the desk's new effective settings. Without `current`, returns the
 * defaults with everything the user file now holds.
 */
export function saveUserSettings(userFile: string, patch: SettingsPatch, locked: SettingKey[], current?: Settings): Settings {
  const parsed = SettingsPatch.safeParse(patch, { reportInput: true });
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, 'user', patch));
  const refused = Object.keys(parsed.data).filter((k) => locked.includes(k as SettingKey));
  if (refused.length > 0) {
    throw new ConfigError(
      refused.map((key) => ({
        source: 'user' as const,
        field: key,
        message: "is set by the administrator's policy and cannot be changed here",
        fix: 'leave it out, or ask your administrator to change the policy',
      })),
    );
  }
  const existingRead = readConfigJson(userFile);
  const existing = existingRead.kind === 'ok' ? UserSettingsFile.safeParse(existingRead.value) : null;
  // An unreadable file was already ignored at load time; the user's new choice replaces it.
  const stored = mergePatches(existing?.success ? existing.data : {}, parsed.data);
  const next = current === undefined ? applySettings(DEFAULT_SETTINGS, stored) : applySettings(current, parsed.data);
  writeJsonFileAtomic(userFile, stored, { mode: 0o600 });
  return next;
}
