import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../core/config/issues';
import { loadConfig, type LoadedConfig } from '../core/config/load';
import type { PartialDeskConfigInput } from '../core/config/schema';

/**
 * The flags `watch` and `doctor` share: where the clinic is, how to sign in,
 * and where to keep the cache. Flags win over the environment, which wins
 * over `--config FILE` (same shape as the admin policy file).
 */

export const DESK_FLAGS_USAGE = `  --api-url URL        the clinic's Laravel app (env CLINIC_DESK_API_URL)
  --email E --password P   a staff account (env CLINIC_DESK_EMAIL / CLINIC_DESK_PASSWORD)
  --token T            a Sanctum token instead of email and password (env CLINIC_DESK_TOKEN)
  --key K              the Pusher/Reverb app key (env PUSHER_APP_KEY or REVERB_APP_KEY)
  --cluster C          Pusher Channels cluster (env PUSHER_APP_CLUSTER)
  --ws-host H --ws-port N --ws-scheme http|https [--ws-path P]
                       a self-hosted Pusher-protocol server (env REVERB_HOST/REVERB_PORT/REVERB_SCHEME)
  --polling            no WebSocket: poll the API (env BROADCAST_DRIVER=log)
  --config FILE        a JSON file shaped like the admin policy file
  --cache FILE         the SQLite cache file (default: a per-user file in the user cache folder)
`;

export const DESK_FLAG_OPTIONS = {
  'api-url': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  token: { type: 'string' },
  key: { type: 'string' },
  cluster: { type: 'string' },
  'ws-host': { type: 'string' },
  'ws-port': { type: 'string' },
  'ws-scheme': { type: 'string' },
  'ws-path': { type: 'string' },
  polling: { type: 'boolean' },
  config: { type: 'string' },
  cache: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export interface DeskArgs {
  loaded: LoadedConfig;
  credentials: { email: string; password: string } | { token: string } | null;
  cacheFile: string | null;
  help: boolean;
  /** Command-specific flags, parsed but not interpreted here. */
  extra: Record<string, string | boolean | undefined>;
}

export class UsageError extends Error {}

const Port = z.coerce.number().int().min(1).max(65535);

export function parseDeskArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  extraOptions: Record<string, { type: 'string' | 'boolean' }> = {},
  /** A policy file named by the command itself (`doctor --policy`), used when `--config` is not given. */
  layers: { policyFile?: string } = {},
): DeskArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: { ...DESK_FLAG_OPTIONS, ...extraOptions }, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const overrides: PartialDeskConfigInput = {};
  const apiUrl = str('api-url');
  if (apiUrl !== undefined) overrides.apiUrl = apiUrl;
  const key = str('key');
  if (values.polling === true) overrides.transport = { kind: 'polling' };
  else if (str('ws-host') !== undefined) {
    const port = Port.safeParse(str('ws-port') ?? '');
    if (!port.success) throw new UsageError('--ws-port must be a port number (1-65535) when --ws-host is given');
    const scheme = str('ws-scheme') ?? 'http';
    if (scheme !== 'http' && scheme !== 'https') throw new UsageError('--ws-scheme must be http or https');
    if (key === undefined) throw new UsageError('--ws-host needs --key (the app key of the socket server)');
    const path = str('ws-path');
    overrides.transport = { kind: 'reverb', key, host: str('ws-host') ?? '', port: port.data, scheme, ...(path === undefined ? {} : { path }) };
  } else if (str('cluster') !== undefined || key !== undefined) {
    const cluster = str('cluster');
    if (key === undefined || cluster === undefined) throw new UsageError('Pusher Channels needs both --key and --cluster (or use --ws-host for a self-hosted server)');
    overrides.transport = { kind: 'pusher', key, cluster };
  }

  let loaded: LoadedConfig;
  try {
    const configFile = str('config') ?? layers.policyFile;
    loaded = loadConfig({ ...(configFile === undefined ? {} : { policyFile: configFile }), env, overrides });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  // A file named on the command line must be right: the desktop app runs on its defaults
  // instead, but here nobody would see that the file was ignored.
  if (loaded.policyProblems.length > 0) throw new ConfigError(loaded.policyProblems);

  const token = str('token') ?? env.CLINIC_DESK_TOKEN;
  const email = str('email') ?? env.CLINIC_DESK_EMAIL;
  const password = str('password') ?? env.CLINIC_DESK_PASSWORD;
  if ((email === undefined) !== (password === undefined)) throw new UsageError('--email and --password go together');
  const credentials = token !== undefined && token !== '' ? { token } : email !== undefined && password !== undefined ? { email, password } : null;

  return { loaded, credentials, cacheFile: str('cache') ?? null, help: values.help === true, extra: values };
}
