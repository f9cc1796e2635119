import type { ConfigIssue } from './issues';
import { ApiUrl, HOST_NAME, type TransportConfig } from './schema';

/**
 * The environment layer of the configuration (load.ts). It speaks the back
 * end's own `.env` names, so the `.env` of the clinic's Laravel app can be
 * handed to the desk as it is:
 *
 * | variable | meaning |
 * |---|---|
 * | `CLINIC_DESK_API_URL` | the clinic's Laravel app, e.g. `https://clinic.example.org` |
 * | `BROADCAST_DRIVER` (or Laravel 11's `BROADCAST_CONNECTION`) | `pusher`, `reverb`, `log`/`null` (no WebSocket: REST polling) |
 * | `PUSHER_APP_KEY`, `PUSHER_APP_CLUSTER` (or `VITE_PUSHER_…`) | Pusher Channels |
 * | `PUSHER_HOST`, `PUSHER_PORT`, `PUSHER_SCHEME` (or `VITE_PUSHER_…`) | a self-hosted Pusher-protocol server (Soketi) behind the pusher driver |
 * | `REVERB_APP_KEY`, `REVERB_HOST`, `REVERB_PORT`, `REVERB_SCHEME` (or `VITE_REVERB_…`) | Laravel Reverb |
 */

export interface EnvLayer {
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

export function envLayer(env: Record<string, string | undefined>, lower: TransportConfig, issues: ConfigIssue[], warnings: string[]): EnvLayer {
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
