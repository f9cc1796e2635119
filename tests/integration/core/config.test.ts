/**
 * The layered configuration: defaults < admin policy < user settings <
 * environment < overrides, with real files in temp folders and the
 * environment passed as an object (process.env is never touched).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, formatIssue, type ConfigIssue } from '../../../src/main/core/config/issues';
import { loadConfig, type ConfigSources } from '../../../src/main/core/config/load';
import { DeskConfig, TransportConfig } from '../../../src/main/core/config/schema';
import { saveUserSettings } from '../../../src/main/core/config/settings-file';
import { PolicyFile } from '../../../src/main/core/policy/schema';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { TempDirs } from '../../helpers/core';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** The ConfigError's issues (fails the test when loading succeeds or throws something else). */
function issuesOf(sources: ConfigSources): ConfigIssue[] {
  try {
    loadConfig(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

/**
 * The problems of an invalid policy: loading goes on (no throw) without any of
 * the policy, and a warning says so.
 */
function policyProblemsOf(sources: ConfigSources): ConfigIssue[] {
  const loaded = loadConfig(sources);
  expect(loaded.policyProblems.length).toBeGreaterThan(0);
  expect(loaded.locked).toEqual([]);
  expect(loaded.lockedFields).toEqual([]);
  expect(loaded.warnings.join('\n')).toMatch(/administrator's policy .* was not applied, Clinic Desk runs on its defaults/);
  return loaded.policyProblems;
}

describe('defaults', () => {
  it('with no sources: not configured, polling, default settings', () => {
    const { config, locked, lockedFields, warnings } = loadConfig({});
    expect(config).toEqual({
      apiUrl: null,
      transport: { kind: 'polling' },
      settings: DEFAULT_SETTINGS,
      cacheRetentionDays: 30,
      requestTimeoutMs: 10_000,
      allowedLinkHosts: [],
      allowInsecureTokenStorage: false,
      updates: {},
    });
    expect(locked).toEqual([]);
    expect(lockedFields).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('missing policy and user files are no layers, not errors', () => {
    const dir = temp.make();
    const { config, warnings } = loadConfig({ policyFile: join(dir, 'policy.json'), userFile: join(dir, 'settings.json'), env: {} });
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toEqual([]);
  });

  it('DeskConfig fills its defaults, allowedLinkHosts from the API host', () => {
    const config = DeskConfig.parse({ apiUrl: 'https://Clinic.Example.org:8443/', transport: { kind: 'polling' }, settings: DEFAULT_SETTINGS });
    expect(config.apiUrl).toBe('https://clinic.example.org:8443');
    expect(config.allowedLinkHosts).toEqual(['clinic.example.org:8443']);
    expect(config.cacheRetentionDays).toBe(30);
    expect(config.requestTimeoutMs).toBe(10_000);
    expect(config.allowInsecureTokenStorage).toBe(false);
  });
});

describe('layers', () => {
  it('applies policy < user < env < overrides, keeping locked settings as the policy sets them', () => {
    const policyFile = temp.file('policy.json', {
      apiUrl: 'https://policy.clinic.example.org',
      transport: { kind: 'pusher', key: 'policy-key', cluster: 'eu' },
      settings: { theme: 'dark', alerts: { flashUrgent: true } },
      cacheRetentionDays: 7,
      allowInsecureTokenStorage: true,
    });
    const userFile = temp.file('settings.json', { theme: 'light', pollingIntervalSec: 60, hideMessageText: false });
    const { config, locked, lockedFields, warnings } = loadConfig({
      policyFile,
      userFile,
      env: { REVERB_APP_KEY: 'reverb-key', REVERB_HOST: 'ws.clinic.example.org', REVERB_PORT: '8080', REVERB_SCHEME: 'https' },
      overrides: { requestTimeoutMs: 2_500, cacheRetentionDays: 14 },
    });
    expect(config.apiUrl).toBe('https://policy.clinic.example.org');
    expect(config.transport).toEqual({ kind: 'reverb', key: 'reverb-key', host: 'ws.clinic.example.org', port: 8080, scheme: 'https' });
    expect(config.settings).toEqual({
      ...DEFAULT_SETTINGS,
      theme: 'dark', // locked by the policy: the user's "light" is not used
      alerts: { ...DEFAULT_SETTINGS.alerts, flashUrgent: true },
      pollingIntervalSec: 60,
      hideMessageText: false,
    });
    expect(config.cacheRetentionDays).toBe(14);
    expect(config.requestTimeoutMs).toBe(2_500);
    expect(config.allowInsecureTokenStorage).toBe(true);
    expect(config.allowedLinkHosts).toEqual(['policy.clinic.example.org']);
    expect(locked.sort()).toEqual(['alerts', 'theme']);
    expect(lockedFields.sort()).toEqual(['allowInsecureTokenStorage', 'apiUrl', 'cacheRetentionDays', 'settings.alerts', 'settings.theme', 'transport']);
    expect(warnings.join('\n')).toMatch(/policy sets theme.*not used/);
    expect(warnings.join('\n')).toMatch(/override the administrator's transport/);
  });

  it('environment overrides the policy apiUrl with a warning; overrides beat the environment', () => {
    const policyFile = temp.file('policy.json', { apiUrl: 'https://a.example.org' });
    const env = { CLINIC_DESK_API_URL: 'https://b.example.org/' };
    const fromEnv = loadConfig({ policyFile, env });
    expect(fromEnv.config.apiUrl).toBe('https://b.example.org');
    expect(fromEnv.lockedFields).toEqual(['apiUrl']);
    expect(fromEnv.warnings).toContain("CLINIC_DESK_API_URL overrides the administrator's apiUrl");
    const fromOverrides = loadConfig({ policyFile, env, overrides: { apiUrl: 'https://c.example.org', transport: { kind: 'polling' } } });
    expect(fromOverrides.config.apiUrl).toBe('https://c.example.org');
    expect(fromOverrides.config.allowedLinkHosts).toEqual(['c.example.org']);
  });

  it('a machine policy keeps its server and transport against the environment unless it allows overrides', () => {
    const policy = { apiUrl: 'https://a.example.org', transport: { kind: 'pusher', key: 'k', cluster: 'eu' } };
    const env = { CLINIC_DESK_API_URL: 'https://b.example.org/', REVERB_APP_KEY: 'r', REVERB_HOST: 'ws.b.example.org', REVERB_PORT: '443' };
    const held = loadConfig({ policyFile: temp.file('policy.json', policy), env, machinePolicy: true });
    expect(held.config.apiUrl).toBe('https://a.example.org');
    expect(held.config.transport).toEqual({ kind: 'pusher', key: 'k', cluster: 'eu' });
    expect(held.warnings).toContain("CLINIC_DESK_API_URL is ignored: the administrator's policy sets apiUrl (allowEnvironmentOverrides is not true)");
    expect(held.warnings.join('\n')).toMatch(/broadcasting settings are ignored/);

    const allowed = loadConfig({ policyFile: temp.file('allowing.json', { ...policy, allowEnvironmentOverrides: true }), env, machinePolicy: true });
    expect(allowed.config.apiUrl).toBe('https://b.example.org');
    expect(allowed.config.transport).toMatchObject({ kind: 'reverb', host: 'ws.b.example.org' });

    // What the policy leaves unset, the environment still sets.
    const partial = loadConfig({ policyFile: temp.file('partial.json', { settings: { theme: 'dark' } }), env, machinePolicy: true });
    expect(partial.config.apiUrl).toBe('https://b.example.org');
    expect(partial.config.transport).toMatchObject({ kind: 'reverb' });
  });

  it('normalises the API URL (lower-case host, no trailing slash, path kept) and warns about plain http off loopback', () => {
    const sub = loadConfig({ env: { CLINIC_DESK_API_URL: '  https://CLINIC.example.org/backend/  ' } });
    expect(sub.config.apiUrl).toBe('https://clinic.example.org/backend');
    expect(sub.warnings).toEqual([]);
    const plain = loadConfig({ env: { CLINIC_DESK_API_URL: 'http://clinic.example.org' } });
    expect(plain.warnings.join('\n')).toMatch(/not https/);
    expect(loadConfig({ env: { CLINIC_DESK_API_URL: 'http://127.0.0.1:8000/' } }).warnings).toEqual([]);
  });

  it('takes allowedLinkHosts from the policy instead of the API host', () => {
    const policyFile = temp.file('policy.json', { allowedLinkHosts: ['Clinic.Example.org', 'portal.example.org:8443'] });
    const { config } = loadConfig({ policyFile, env: { CLINIC_DESK_API_URL: 'https://api.example.org' } });
    expect(config.allowedLinkHosts).toEqual(['clinic.example.org', 'portal.example.org:8443']);
  });

  it('reads a policy saved with a UTF-8 byte-order mark (Windows Notepad) and allows $schema', () => {
    const policyFile = temp.file('policy.json', `\uFEFF${JSON.stringify({ $schema: './policy.schema.json', settings: { closeToTray: false } })}`);
    const { config, locked } = loadConfig({ policyFile });
    expect(config.settings.closeToTray).toBe(false);
    expect(locked).toEqual(['closeToTray']);
  });
});

describe('environment: transports', () => {
  it('REVERB_* → reverb (scheme and port default as Echo does)', () => {
    expect(loadConfig({ env: { REVERB_APP_KEY: 'k', REVERB_HOST: 'ws.example.org' } }).config.transport).toEqual({
      kind: 'reverb',
      key: 'k',
      host: 'ws.example.org',
      port: 443,
      scheme: 'https',
    });
    expect(loadConfig({ env: { REVERB_APP_KEY: 'k', REVERB_HOST: '127.0.0.1', REVERB_SCHEME: 'HTTP' } }).config.transport).toMatchObject({ port: 80, scheme: 'http' });
  });

  it('PUSHER_* → pusher, also from the seed\'s VITE_PUSHER_* names', () => {
    expect(loadConfig({ env: { PUSHER_APP_KEY: 'abc', PUSHER_APP_CLUSTER: 'mt1' } }).config.transport).toEqual({ kind: 'pusher', key: 'abc', cluster: 'mt1' });
    expect(loadConfig({ env: { VITE_PUSHER_APP_KEY: 'vite', VITE_PUSHER_APP_CLUSTER: 'ap2' } }).config.transport).toEqual({ kind: 'pusher', key: 'vite', cluster: 'ap2' });
  });

  it('reads a Laravel .env as loaded by tools that do not expand or unquote: "${PUSHER_APP_KEY}", quotes, empty values', () => {
    const env = {
      BROADCAST_DRIVER: 'pusher',
      PUSHER_APP_ID: '',
      PUSHER_APP_KEY: '',
      PUSHER_APP_CLUSTER: '"eu"',
      VITE_PUSHER_APP_KEY: 'fromvite',
      VITE_PUSHER_APP_CLUSTER: '${PUSHER_APP_CLUSTER}',
      REVERB_APP_KEY: '',
    };
    expect(loadConfig({ env }).config.transport).toEqual({ kind: 'pusher', key: 'fromvite', cluster: 'eu' });
  });

  it('BROADCAST_DRIVER=log (or null) → polling, even with Pusher keys present', () => {
    for (const driver of ['log', 'null', 'LOG']) {
      expect(loadConfig({ env: { BROADCAST_DRIVER: driver, PUSHER_APP_KEY: 'abc', PUSHER_APP_CLUSTER: 'mt1' } }).config.transport).toEqual({ kind: 'polling' });
    }
    // Laravel 11 renamed it BROADCAST_CONNECTION.
    const policyFile = temp.file('policy.json', { transport: { kind: 'pusher', key: 'k', cluster: 'eu' } });
    expect(loadConfig({ policyFile, env: { BROADCAST_CONNECTION: 'log' } }).config.transport).toEqual({ kind: 'polling' });
  });

  it('BROADCAST_DRIVER picks between REVERB_* and PUSHER_*; without it Reverb wins with a warning', () => {
    const env = { REVERB_APP_KEY: 'r', REVERB_HOST: 'ws.example.org', REVERB_PORT: '8080', PUSHER_APP_KEY: 'p', PUSHER_APP_CLUSTER: 'eu' };
    expect(loadConfig({ env: { ...env, BROADCAST_DRIVER: 'pusher' } }).config.transport.kind).toBe('pusher');
    expect(loadConfig({ env: { ...env, BROADCAST_DRIVER: 'reverb' } }).config.transport.kind).toBe('reverb');
    const neither = loadConfig({ env });
    expect(neither.config.transport.kind).toBe('reverb');
    expect(neither.warnings.join('\n')).toMatch(/both REVERB_\* and PUSHER_\*/);
  });

  it('nothing in the environment keeps the lower layers\' transport', () => {
    const policyFile = temp.file('policy.json', { transport: { kind: 'reverb', key: 'k', host: 'ws.example.org', port: 6001, scheme: 'http', path: '/ws' } });
    expect(loadConfig({ policyFile, env: { PATH: '/usr/bin' } }).config.transport).toEqual({
      kind: 'reverb',
      key: 'k',
      host: 'ws.example.org',
      port: 6001,
      scheme: 'http',
      path: '/ws',
    });
  });

  it('completes a partial environment from the policy transport of the same kind', () => {
    const policyFile = temp.file('policy.json', { transport: { kind: 'pusher', key: 'old', cluster: 'eu' } });
    expect(loadConfig({ policyFile, env: { PUSHER_APP_KEY: 'new' } }).config.transport).toEqual({ kind: 'pusher', key: 'new', cluster: 'eu' });
    const reverbPolicy = temp.file('policy.json', { transport: { kind: 'reverb', key: 'k', host: 'ws.example.org', port: 8080, scheme: 'https' } });
    expect(loadConfig({ policyFile: reverbPolicy, env: { REVERB_PORT: '9090' } }).config.transport).toMatchObject({ host: 'ws.example.org', port: 9090 });
  });

  it('the pusher driver pointed at a self-hosted server (Soketi: PUSHER_HOST/PORT/SCHEME) → a Pusher-protocol host', () => {
    const env = { BROADCAST_DRIVER: 'pusher', PUSHER_APP_KEY: 'app-key', PUSHER_HOST: 'soketi.internal', PUSHER_PORT: '6001', PUSHER_SCHEME: 'http' };
    expect(loadConfig({ env }).config.transport).toEqual({ kind: 'reverb', key: 'app-key', host: 'soketi.internal', port: 6001, scheme: 'http' });
    // Laravel's own default host is Pusher's API: still Pusher Channels.
    expect(loadConfig({ env: { PUSHER_APP_KEY: 'k', PUSHER_APP_CLUSTER: 'mt1', PUSHER_HOST: 'api-mt1.pusher.com' } }).config.transport.kind).toBe('pusher');
  });

  it('BROADCAST_DRIVER=redis warns that the desk still needs a socket server and polls without one', () => {
    const { config, warnings } = loadConfig({ env: { BROADCAST_DRIVER: 'redis' } });
    expect(config.transport).toEqual({ kind: 'polling' });
    expect(warnings.join('\n')).toMatch(/redis.*Pusher-protocol server/);
  });
});

describe('invalid configuration names the field and the fix', () => {
  it('REVERB_PORT=abc', () => {
    const issues = issuesOf({ env: { REVERB_APP_KEY: 'k', REVERB_HOST: 'ws.example.org', REVERB_PORT: 'abc' } });
    expect(issues).toEqual([
      {
        source: 'env',
        field: 'REVERB_PORT',
        message: 'must be a port number (1–65535)',
        fix: 'set REVERB_PORT to the port your Reverb server listens on, e.g. 8080',
      },
    ]);
    expect(issuesOf({ env: { REVERB_APP_KEY: 'k', REVERB_HOST: 'h', REVERB_PORT: '70000' } })[0]?.field).toBe('REVERB_PORT');
  });

  it('PUSHER_APP_KEY without a cluster', () => {
    const issues = issuesOf({ env: { PUSHER_APP_KEY: 'abc' } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ source: 'env', field: 'PUSHER_APP_CLUSTER', fix: 'set PUSHER_APP_CLUSTER (e.g. mt1, eu, ap2 — see your Pusher dashboard)' });
    expect(issues[0]?.message).toMatch(/not set/);
  });

  it('the other Reverb and Pusher variables', () => {
    const reverb = issuesOf({ env: { REVERB_PORT: '8080', REVERB_SCHEME: 'wss' } });
    expect(reverb.map((i) => i.field).sort()).toEqual(['REVERB_APP_KEY', 'REVERB_HOST', 'REVERB_SCHEME']);
    expect(reverb.find((i) => i.field === 'REVERB_SCHEME')?.fix).toBe('set REVERB_SCHEME to https (TLS) or http');
    const host = issuesOf({ env: { REVERB_APP_KEY: 'k', REVERB_HOST: 'https://ws.example.org/app' } });
    expect(host[0]).toMatchObject({ field: 'REVERB_HOST', message: expect.stringMatching(/without scheme/) });
    expect(issuesOf({ env: { BROADCAST_DRIVER: 'pusher' } }).map((i) => i.field).sort()).toEqual(['PUSHER_APP_CLUSTER', 'PUSHER_APP_KEY']);
    expect(issuesOf({ env: { PUSHER_APP_KEY: 'k', PUSHER_APP_CLUSTER: 'Europe West' } })[0]?.field).toBe('PUSHER_APP_CLUSTER');
  });

  it('an unknown BROADCAST_DRIVER', () => {
    expect(issuesOf({ env: { BROADCAST_DRIVER: 'ably' } })).toEqual([
      {
        source: 'env',
        field: 'BROADCAST_DRIVER',
        message: 'is "ably", a broadcaster the desk cannot connect to',
        fix: 'set BROADCAST_DRIVER to pusher, reverb, or log (no WebSocket: the desk polls the REST API)',
      },
    ]);
  });

  it('an API URL that is not http(s), from any layer', () => {
    const env = issuesOf({ env: { CLINIC_DESK_API_URL: 'ftp://clinic.example.org' } });
    expect(env).toEqual([
      {
        source: 'env',
        field: 'CLINIC_DESK_API_URL',
        message: 'must be an http:// or https:// URL (got ftp://)',
        fix: "set CLINIC_DESK_API_URL to your clinic's address, e.g. https://clinic.example.org",
      },
    ]);
    const policyFile = temp.file('policy.json', { apiUrl: 'clinic.example.org' });
    const policy = policyProblemsOf({ policyFile });
    expect(policy).toHaveLength(1);
    expect(policy[0]).toMatchObject({ source: 'policy', field: 'apiUrl', file: policyFile, message: expect.stringMatching(/http:\/\/ or https:\/\//) });
    expect(policy[0]?.fix).toMatch(/https:\/\/clinic\.example\.org/);
    const overrides = issuesOf({ overrides: { apiUrl: 'https://clinic.example.org/?x=1' } });
    expect(overrides[0]).toMatchObject({ source: 'overrides', field: 'apiUrl', message: expect.stringMatching(/query string/) });
  });

  it('unknown keys in the policy file (strict), with a "did you mean"', () => {
    const policyFile = temp.file('policy.json', { apiURL: 'https://clinic.example.org', settings: { theem: 'dark' }, transport: { kind: 'pusher', key: 'k', cluster: 'eu', host: 'x' } });
    const issues = policyProblemsOf({ policyFile });
    const byField = Object.fromEntries(issues.map((i) => [i.field, i]));
    expect(Object.keys(byField).sort()).toEqual(['apiURL', 'settings.theem', 'transport.host']);
    expect(byField.apiURL).toMatchObject({ source: 'policy', message: 'is not a known option', file: policyFile });
    expect(byField.apiURL?.fix).toMatch(/^remove "apiURL" \(did you mean "apiUrl"\?\)/);
    expect(byField['settings.theem']?.fix).toMatch(/did you mean "theme"/);
    expect(byField['transport.host']?.fix).toMatch(/known options here: kind, key, cluster/);
  });

  it('wrong values in the policy: each field with its fix', () => {
    const policyFile = temp.file('policy.json', {
      transport: { kind: 'reverb', key: 'k', host: 'ws.example.org', port: 'abc' },
      cacheRetentionDays: 0,
      settings: { theme: 'purple', pollingIntervalSec: 1 },
    });
    const issues = policyProblemsOf({ policyFile });
    const byField = Object.fromEntries(issues.map((i) => [i.field, i]));
    expect(Object.keys(byField).sort()).toEqual(['cacheRetentionDays', 'settings.pollingIntervalSec', 'settings.theme', 'transport.port']);
    expect(byField['transport.port']).toMatchObject({ message: 'must be a number (got "abc")', fix: 'use the port your Reverb server listens on, e.g. 8080' });
    expect(byField.cacheRetentionDays).toMatchObject({ message: 'must be at least 1', fix: expect.stringMatching(/1 to 3650/) });
    expect(byField['settings.theme']?.fix).toBe('use "system", "light" or "dark"');
    expect(byField['settings.pollingIntervalSec']?.fix).toMatch(/5 to 3600/);
    expect(policyProblemsOf({ policyFile: temp.file('policy.json', { transport: { kind: 'soketi' } }) })[0]).toMatchObject({
      field: 'transport.kind',
      message: 'must be "pusher", "reverb" or "polling"',
    });
  });

  it('a JSON syntax error in the policy names the file, line and column', () => {
    const policyFile = temp.file('policy.json', '{\n  "apiUrl": "https://clinic.example.org",\n  "cacheRetentionDays": 30,\n}\n');
    const [issue, ...rest] = policyProblemsOf({ policyFile });
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ source: 'policy', field: policyFile, file: policyFile });
    expect(issue?.message).toMatch(/^is not valid JSON: .* at line 4, column 1$/);
    expect(issue?.fix).toMatch(/line 4 of policy\.json/);
    // V8 gives no position for some errors; jsonc-parser finds it, at the word that is wrong, and says what was due there.
    const typo = policyProblemsOf({ policyFile: temp.file('policy.json', '{\n  "allowInsecureTokenStorage": tru\n}') })[0];
    expect(typo?.message).toBe(
      'is not valid JSON: expected a value (a "string", a number, true, false, null, an object or a list), found \'tru\' at line 2, column 32',
    );
    expect(policyProblemsOf({ policyFile: temp.file('policy.json', '') })[0]?.message).toBe('is empty');
    expect(policyProblemsOf({ policyFile: temp.file('policy.json', '[1, 2]') })[0]).toMatchObject({ field: '(top level)', message: 'must be an object (got a list)' });
  });

  it('an unreadable policy path is an error with a fix', () => {
    const dir = temp.make();
    expect(policyProblemsOf({ policyFile: dir })[0]).toMatchObject({ source: 'policy', field: dir, message: 'cannot be read (EISDIR)', fix: expect.stringMatching(/not a folder/) });
  });

  it('collects every problem of the environment and the overrides in one error, with a readable message', () => {
    const policyFile = temp.file('policy.json', { cacheRetentionDays: 99_999 });
    let error: unknown;
    try {
      loadConfig({ policyFile, env: { REVERB_APP_KEY: 'k', REVERB_HOST: 'ws.example.org', REVERB_PORT: 'abc' }, overrides: { requestTimeoutMs: -1 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    // The policy's problem is not fatal (it is reported in policyProblems when loading succeeds).
    expect(configError.issues.map((i) => `${i.source}:${i.field}`)).toEqual(['env:REVERB_PORT', 'overrides:requestTimeoutMs']);
    expect(configError.message).toContain('Invalid configuration (2 problems)');
    expect(configError.message).toContain('environment: REVERB_PORT must be a port number (1–65535). Fix: set REVERB_PORT to the port your Reverb server listens on, e.g. 8080');
    const policyOnly = loadConfig({ policyFile });
    expect(policyOnly.policyProblems.map(formatIssue)).toEqual([
      `admin policy (${policyFile}): cacheRetentionDays must be at most 3650. Fix: use a whole number of days from 1 to 3650 (default 30)`,
    ]);
  });
});

describe('an invalid user file does not stop the app', () => {
  it('a syntax error: the layer is dropped with a warning naming the file and line', () => {
    const userFile = temp.file('settings.json', '{ "theme": "dark", }');
    const { config, warnings } = loadConfig({ userFile });
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(userFile);
    expect(warnings[0]).toMatch(/line 1/);
  });

  it('a wrong value or unknown key: the whole layer is dropped, the warning names the field', () => {
    const userFile = temp.file('settings.json', { theme: 'dark', pollingIntervalSec: 'often' });
    const { config, warnings } = loadConfig({ userFile });
    expect(config.settings.theme).toBe('system');
    expect(warnings.join('\n')).toMatch(/pollingIntervalSec must be a number/);
    const unknown = loadConfig({ userFile: temp.file('settings.json', { fontSize: 14 }) });
    expect(unknown.warnings.join('\n')).toMatch(/fontSize is not a known option/);
  });
});

describe('saveUserSettings', () => {
  it('stores only what the user changed, merging successive patches, and loadConfig reads it back', () => {
    const userFile = join(temp.make(), 'nested', 'folder', 'settings.json');
    const first = saveUserSettings(userFile, { theme: 'dark', alerts: { messages: false } }, []);
    expect(first).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', alerts: { ...DEFAULT_SETTINGS.alerts, messages: false } });
    const second = saveUserSettings(userFile, { alerts: { appointments: false }, dndUntil: '2026-11-26T18:00:00Z' }, []);
    expect(second.alerts).toEqual({ ...DEFAULT_SETTINGS.alerts, messages: false, appointments: false });
    expect(second.theme).toBe('dark');
    expect(JSON.parse(readFileSync(userFile, 'utf8'))).toEqual({ theme: 'dark', alerts: { messages: false, appointments: false }, dndUntil: '2026-11-26T18:00:00Z' });
    expect(loadConfig({ userFile }).config.settings).toEqual(second);
    // Atomic: nothing but the file is left in its folder.
    expect(readdirSync(join(userFile, '..'))).toEqual(['settings.json']);
  });

  it('returns the effective settings when given the current ones (policy values included)', () => {
    const policyFile = temp.file('policy.json', { settings: { theme: 'dark' } });
    const userFile = join(temp.make(), 'settings.json');
    const loaded = loadConfig({ policyFile, userFile });
    const next = saveUserSettings(userFile, { pollingIntervalSec: 120 }, loaded.locked, loaded.config.settings);
    expect(next).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', pollingIntervalSec: 120 });
    expect(loadConfig({ policyFile, userFile }).config.settings).toEqual(next);
  });

  it('refuses locked keys and invalid values with a ConfigError, leaving the file as it was', () => {
    const userFile = join(temp.make(), 'settings.json');
    saveUserSettings(userFile, { theme: 'light' }, []);
    const before = readFileSync(userFile, 'utf8');
    let error: unknown;
    try {
      saveUserSettings(userFile, { theme: 'dark', startAtLogin: true }, ['theme']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { source: 'user', field: 'theme', message: "is set by the administrator's policy and cannot be changed here", fix: 'leave it out, or ask your administrator to change the policy' },
    ]);
    expect(() => saveUserSettings(userFile, { pollingIntervalSec: 1 }, [])).toThrow(ConfigError);
    expect(() => saveUserSettings(userFile, { colour: 'red' } as never, [])).toThrow(/colour is not a known option/);
    expect(readFileSync(userFile, 'utf8')).toBe(before);
  });

  it('replaces a corrupt user file', () => {
    const userFile = temp.file('settings.json', '{ not json');
    saveUserSettings(userFile, { closeToTray: false }, []);
    expect(JSON.parse(readFileSync(userFile, 'utf8'))).toEqual({ closeToTray: false });
    expect(loadConfig({ userFile }).warnings).toEqual([]);
  });

  it('does not leave a temp file behind when the write fails', () => {
    const dir = temp.make();
    // A non-empty folder where the file should be: the final rename fails.
    const blocked = join(dir, 'settings.json');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'keep'), '');
    expect(() => saveUserSettings(blocked, { theme: 'dark' }, [])).toThrow();
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});

describe('schemas', () => {
  it('PolicyFile converts to a JSON Schema (for the admin guide) and rejects unknown keys', () => {
    const schema = z.toJSONSchema(PolicyFile, { io: 'input' });
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['apiUrl', 'transport', 'settings', 'cacheRetentionDays', 'allowedLinkHosts', 'allowInsecureTokenStorage']));
    expect(PolicyFile.safeParse({ extra: 1 }).success).toBe(false);
  });

  it('TransportConfig: the three kinds, strict', () => {
    expect(TransportConfig.parse({ kind: 'reverb', key: 'k', host: 'ws.example.org', port: 8080 })).toEqual({ kind: 'reverb', key: 'k', host: 'ws.example.org', port: 8080, scheme: 'https' });
    expect(TransportConfig.safeParse({ kind: 'reverb', key: 'k', host: 'ws.example.org', port: 8080, path: 'ws' }).success).toBe(false);
    expect(TransportConfig.safeParse({ kind: 'polling', key: 'k' }).success).toBe(false);
    expect(TransportConfig.safeParse({ kind: 'pusher', key: 'k', cluster: 'mt1' }).success).toBe(true);
  });
});
