import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { DEFAULT_SETTINGS, Settings } from '../../../shared/settings';
import { PolicyFile } from '../policy/schema';
import type { ConfigIssue, ConfigSource } from './issues';
import { DeskConfigOverrides, UpdatePolicy } from './schema';

/**
 * What zod reports, as `ConfigIssue`s: each with the field, a message in the
 * admin's words and the fix for that field; a misspelt key with the known key
 * it most likely meant.
 */

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

export function zodIssues(error: z.ZodError, source: ConfigSource, input: unknown, file?: string): ConfigIssue[] {
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
