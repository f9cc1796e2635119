import { z } from 'zod';
import { Settings, SettingsPatch } from '../../../shared/settings';
import { TimeZoneName } from '../../../shared/clinic-time';
import { ApiProfile } from '../api/profile';

/**
 * The zod schemas of the configuration: its fields (the server, the transport,
 * link hosts, updates, the clinic), the effective `DeskConfig`, the user's
 * settings file and the explicit overrides. The admin policy file's schema,
 * made of the same fields, is `PolicyFile` in policy/schema.ts.
 */

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

/** `localhost`, `127.x.x.x` or `[::1]`: a server on this machine. */
export function isLoopback(apiUrl: string): boolean {
  let host: string;
  try {
    host = new URL(apiUrl).hostname;
  } catch {
    return false;
  }
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

export const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/i;
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
export const LinkHost = z
  .string()
  .trim()
  .toLowerCase()
  .max(260)
  .regex(/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/, 'must be a host name, optionally with :port, e.g. clinic.example.org');

export const CacheRetentionDays = z.number().int().min(1).max(3650);
const RequestTimeoutMs = z.number().int().min(100).max(600_000);

export const DEFAULT_CACHE_RETENTION_DAYS = 30;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

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
