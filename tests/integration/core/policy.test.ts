/**
 * The machine's admin policy: found per platform (paths, the registry and
 * plutil injected, so Windows and macOS run here too), merged in precedence
 * order, layered under and over the user's settings, locking what it sets,
 * and, when any of it is invalid, applied not at all.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../../src/main/core/config/issues';
import { loadConfig } from '../../../src/main/core/config/load';
import { saveUserSettings } from '../../../src/main/core/config/settings-file';
import type { DiscoveredPolicy } from '../../../src/main/core/policy/read';
import { validatePolicy } from '../../../src/main/core/policy/validate';
import { discoverPolicy, parseRegQuery, policyFilePath, type RunProgram } from '../../../src/main/core/policy/sources';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { TempDirs } from '../../helpers/core';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const KEY = 'HKLM\\Software\\Policies\\ClinicDesk';
const REG_EXE = 'C:\\Windows\\System32\\reg.exe';

/** `reg query HKLM\Software\Policies\ClinicDesk /s` as Windows prints it: CRLF, key lines, values indented by four spaces. */
function regOutput(keys: Record<string, Array<[name: string, type: string, data: string]>>): string {
  // The queried key is always listed first, with or without values.
  const all: Record<string, Array<[name: string, type: string, data: string]>> = { '': [], ...keys };
  const blocks = Object.entries(all).map(([sub, values]) => {
    const head = `HKEY_LOCAL_MACHINE\\Software\\Policies\\ClinicDesk${sub === '' ? '' : `\\${sub}`}`;
    return [head, ...values.map(([name, type, data]) => `    ${name}    ${type}    ${data}`)].join('\r\n');
  });
  return `\r\n${blocks.join('\r\n\r\n')}\r\n\r\n`;
}

/** A `reg` that answers from `output`, recording how it was called. */
function fakeReg(output: string | Error): { run: RunProgram; calls: Array<{ file: string; args: readonly string[] }> } {
  const calls: Array<{ file: string; args: readonly string[] }> = [];
  return {
    calls,
    run: (file, args) => {
      calls.push({ file, args });
      if (output instanceof Error) throw output;
      return output;
    },
  };
}

/** How execFileSync fails: an Error with the exit status and stderr. */
function exitError(status: number, stderr: string): Error {
  return Object.assign(new Error(`Command failed: reg query\n${stderr}`), { status, stderr });
}

const MISSING_KEY = exitError(1, 'ERROR: The system was unable to find the specified registry key or value.\r\n');

/**
 * `plutil -convert json -o - FILE` over real files: plutil reads JSON plists as
 * well as XML ones, so the test's plists are JSON and the fake prints them.
 */
function fakePlutil(): { run: RunProgram; calls: Array<{ file: string; args: readonly string[] }> } {
  const calls: Array<{ file: string; args: readonly string[] }> = [];
  return {
    calls,
    run: (file, args) => {
      calls.push({ file, args });
      expect(args.slice(0, 4)).toEqual(['-convert', 'json', '-o', '-']);
      return readFileSync(args[4] ?? '', 'utf8');
    },
  };
}

describe('where the policy is, per platform', () => {
  it('the JSON file of each OS', () => {
    expect(policyFilePath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\ClinicDesk\\policy.json');
    expect(policyFilePath('win32', {})).toBe('C:\\ProgramData\\ClinicDesk\\policy.json');
    expect(policyFilePath('darwin', {})).toBe('/Library/Application Support/ClinicDesk/policy.json');
    expect(policyFilePath('linux', {})).toBe('/etc/clinic-desk/policy.json');
  });

  it('Linux: the file only; a missing file is no policy', () => {
    const file = temp.file('policy.json', { apiUrl: 'https://clinic.example.org' });
    const found = discoverPolicy({ platform: 'linux', file, run: () => expect.unreachable('no program runs on Linux') });
    expect(found.sources).toEqual([{ kind: 'file', label: file }]);
    expect(found.value).toEqual({ apiUrl: 'https://clinic.example.org' });
    expect(found.problems).toEqual([]);

    const none = discoverPolicy({ platform: 'linux', file: join(temp.make(), 'policy.json') });
    expect(none).toEqual({ value: undefined, sources: [], origins: {}, problems: [] });
    const loaded = loadConfig({ policy: none });
    expect(loaded.policySources).toEqual([]);
    expect(loaded.policyProblems).toEqual([]);
  });

  it('Windows: the registry key read with reg.exe from System32, its values over the file\'s one by one', () => {
    const file = temp.file('policy.json', {
      apiUrl: 'https://file.clinic.example.org',
      cacheRetentionDays: 30,
      transport: { kind: 'reverb', key: 'file-key', host: 'ws.clinic.example.org', port: 443 },
      settings: { theme: 'dark', alerts: { messages: false } },
    });
    const reg = fakeReg(
      regOutput({
        '': [
          ['ApiUrl', 'REG_SZ', 'https://registry.clinic.example.org'],
          ['allowedLinkHosts', 'REG_MULTI_SZ', 'clinic.example.org\\0portal.example.org:8443'],
          ['allowInsecureTokenStorage', 'REG_DWORD', '0x1'],
        ],
        transport: [['port', 'REG_DWORD', '0x1f90']],
        settings: [['startAtLogin', 'REG_DWORD', '0x1'], ['pollingIntervalSec', 'REG_DWORD', '0x3c']],
        'settings\\alerts': [['flashUrgent', 'REG_DWORD', '0x1'], ['messages', 'REG_DWORD', '0x1']],
        updates: [['url', 'REG_EXPAND_SZ', 'https://%UPDATE_HOST%/clinic-desk'], ['force', 'REG_DWORD', '0x0']],
      }),
    );
    const found = discoverPolicy({ platform: 'win32', file, env: { SystemRoot: 'C:\\Windows', UPDATE_HOST: 'updates.example.org' }, run: reg.run });
    expect(reg.calls).toEqual([{ file: REG_EXE, args: ['query', KEY, '/s'] }]);
    expect(found.sources.map((s) => s.label)).toEqual([file, `registry ${KEY}`]);
    expect(found.problems).toEqual([]);
    expect(found.value).toEqual({
      apiUrl: 'https://registry.clinic.example.org',
      cacheRetentionDays: 30,
      allowedLinkHosts: ['clinic.example.org', 'portal.example.org:8443'],
      allowInsecureTokenStorage: true,
      transport: { kind: 'reverb', key: 'file-key', host: 'ws.clinic.example.org', port: 8080 },
      settings: { theme: 'dark', startAtLogin: true, pollingIntervalSec: 60, alerts: { messages: true, flashUrgent: true } },
      updates: { url: 'https://updates.example.org/clinic-desk', force: false },
    });
    expect(found.origins).toMatchObject({ apiUrl: { kind: 'registry' }, cacheRetentionDays: { kind: 'file' }, 'transport.port': { kind: 'registry' }, 'transport.key': { kind: 'file' } });

    const loaded = loadConfig({ policy: found });
    expect(loaded.policyProblems).toEqual([]);
    expect(loaded.policySources).toEqual([file, `registry ${KEY}`]);
    expect(loaded.config.apiUrl).toBe('https://registry.clinic.example.org');
    expect(loaded.config.transport).toEqual({ kind: 'reverb', key: 'file-key', host: 'ws.clinic.example.org', port: 8080, scheme: 'https' });
    expect(loaded.config.settings).toMatchObject({ theme: 'dark', startAtLogin: true, pollingIntervalSec: 60, alerts: { ...DEFAULT_SETTINGS.alerts, flashUrgent: true } });
    expect(loaded.config.updates).toEqual({ url: 'https://updates.example.org/clinic-desk', force: false });
    expect(loaded.locked.sort()).toEqual(['alerts', 'pollingIntervalSec', 'startAtLogin', 'theme']);
  });

  it('Windows: 0/1 become false/true only where the policy expects true/false', () => {
    const reg = fakeReg(
      regOutput({
        '': [['cacheRetentionDays', 'REG_DWORD', '0x1'], ['allowInsecureTokenStorage', 'REG_DWORD', '0x0']],
        settings: [['hideMessageText', 'REG_DWORD', '0x0'], ['closeToTray', 'REG_DWORD', '0x1']],
        'defaultSettings\\alerts': [['notifications', 'REG_DWORD', '0x0']],
        updates: [['enabled', 'REG_DWORD', '0x1'], ['checkIntervalHours', 'REG_DWORD', '0x1']],
      }),
    );
    const found = discoverPolicy({ platform: 'win32', file: join(temp.make(), 'policy.json'), run: reg.run });
    expect(found.value).toEqual({
      cacheRetentionDays: 1,
      allowInsecureTokenStorage: false,
      settings: { hideMessageText: false, closeToTray: true },
      defaultSettings: { alerts: { notifications: false } },
      updates: { enabled: true, checkIntervalHours: 1 },
    });
    // Only the registry: the missing file is no source.
    expect(found.sources.map((s) => s.kind)).toEqual(['registry']);
  });

  it('Windows: a missing key is no policy; a key that cannot be read is a problem', () => {
    const file = temp.file('policy.json', { apiUrl: 'https://clinic.example.org' });
    const missing = discoverPolicy({ platform: 'win32', file, run: fakeReg(MISSING_KEY).run });
    expect(missing.sources.map((s) => s.label)).toEqual([file]);
    expect(missing.problems).toEqual([]);
    expect(loadConfig({ policy: missing }).config.apiUrl).toBe('https://clinic.example.org');

    const denied = discoverPolicy({ platform: 'win32', file, run: fakeReg(exitError(1, 'ERROR: Access is denied.')).run });
    expect(denied.problems).toEqual([
      expect.objectContaining({ source: 'policy', field: KEY, file: `registry ${KEY}`, message: 'cannot be read (ERROR: Access is denied.)' }),
    ]);
    // Half a policy is not applied: not even the file's apiUrl.
    const loaded = loadConfig({ policy: denied });
    expect(loaded.config.apiUrl).toBeNull();
    expect(loaded.policySources).toEqual([file, `registry ${KEY}`]);
  });

  it('Windows: a value of the wrong registry type names the value, the source and the type to use', () => {
    const file = temp.file('policy.json', { apiUrl: 'https://clinic.example.org' });
    const reg = fakeReg(
      regOutput({
        '': [['allowedLinkHosts', 'REG_SZ', 'clinic.example.org'], ['blob', 'REG_BINARY', '00FF']],
        transport: [['kind', 'REG_SZ', 'reverb'], ['key', 'REG_SZ', 'k'], ['host', 'REG_SZ', 'ws.example.org'], ['port', 'REG_SZ', '8080']],
        settings: [['startAtLogin', 'REG_DWORD', '0x2']],
      }),
    );
    const loaded = loadConfig({ policy: discoverPolicy({ platform: 'win32', file, run: reg.run }) });
    const byField = Object.fromEntries(loaded.policyProblems.map((p) => [p.field, p]));
    expect(Object.keys(byField).sort()).toEqual(['allowedLinkHosts', 'blob', 'settings.startAtLogin', 'transport.port']);
    expect(byField.blob).toMatchObject({ file: `registry ${KEY}`, message: 'is a REG_BINARY value, which Clinic Desk does not read' });
    expect(byField['transport.port']).toMatchObject({
      file: `registry ${KEY}`,
      message: 'must be a number (got "8080")',
      fix: 'use the port your Reverb server listens on, e.g. 8080; in the registry, make it a REG_DWORD value',
    });
    expect(byField.allowedLinkHosts?.fix).toMatch(/REG_MULTI_SZ/);
    expect(byField['settings.startAtLogin']).toMatchObject({ message: 'must be a boolean (got 2)', fix: expect.stringMatching(/REG_DWORD value of 1 \(true\) or 0 \(false\)/) });
    expect(formatIssue(byField['transport.port']!)).toMatch(/^admin policy \(registry HKLM\\Software\\Policies\\ClinicDesk\): transport\.port must be a number/);
    // Nothing of it applies, neither the file's valid apiUrl.
    expect(loaded.config.apiUrl).toBeNull();
    expect(loaded.config.transport).toEqual({ kind: 'polling' });
  });

  it('Windows: a value and a subkey of the same name is a problem, once', () => {
    const reg = fakeReg(regOutput({ '': [['settings', 'REG_SZ', 'locked']], settings: [['theme', 'REG_SZ', 'dark'], ['closeToTray', 'REG_DWORD', '0x0']] }));
    const found = discoverPolicy({ platform: 'win32', file: join(temp.make(), 'policy.json'), run: reg.run });
    expect(found.problems).toEqual([
      expect.objectContaining({ field: 'settings', file: `registry ${KEY}`, message: 'is both a value and a subkey', fix: expect.stringMatching(/a subkey "settings" for an object/) }),
    ]);
    expect(loadConfig({ policy: found }).policyProblems.map((p) => p.field)).toContain('settings');
  });

  it('Windows: a registry transport of another kind replaces the file\'s whole', () => {
    const file = temp.file('policy.json', { transport: { kind: 'pusher', key: 'file-key', cluster: 'eu' } });
    const reg = fakeReg(regOutput({ transport: [['kind', 'REG_SZ', 'polling']] }));
    const found = discoverPolicy({ platform: 'win32', file, run: reg.run });
    expect(found.value).toEqual({ transport: { kind: 'polling' } });
    expect(loadConfig({ policy: found }).config.transport).toEqual({ kind: 'polling' });
  });

  it('parses reg query output: names with spaces, empty strings, the default value, other keys', () => {
    const output = [
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClinicDesk',
      '    (Default)    REG_SZ    (value not set)',
      '    with space    REG_SZ    a  b',
      '    empty    REG_SZ    ',
      '    list    REG_MULTI_SZ    ',
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClinicDesk\\settings\\alerts',
      '    messages    REG_DWORD    0x0',
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClinicDeskOther',
      '    apiUrl    REG_SZ    https://not.ours.example.org',
      '',
    ].join('\r\n');
    expect(parseRegQuery(output, KEY)).toEqual([
      { path: [], name: '(Default)', type: 'REG_SZ', data: '(value not set)' },
      { path: [], name: 'with space', type: 'REG_SZ', data: 'a  b' },
      { path: [], name: 'empty', type: 'REG_SZ', data: '' },
      { path: [], name: 'list', type: 'REG_MULTI_SZ', data: '' },
      { path: ['settings', 'alerts'], name: 'messages', type: 'REG_DWORD', data: '0x0' },
    ]);
    // Subkeys only (the queried key without values), in the hive's long name or not.
    const subkeysOnly = '\r\nHKEY_LOCAL_MACHINE\\Software\\Policies\\ClinicDesk\\transport\r\n    port    REG_DWORD    0x50\r\n';
    expect(parseRegQuery(subkeysOnly, KEY)).toEqual([{ path: ['transport'], name: 'port', type: 'REG_DWORD', data: '0x50' }]);
    expect(parseRegQuery(subkeysOnly, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\POLICIES\\CLINICDESK')).toHaveLength(1);
  });

  it('macOS: managed preferences over the file, the user\'s over the computer\'s', () => {
    const file = temp.file('policy.json', { apiUrl: 'https://file.clinic.example.org', cacheRetentionDays: 10, settings: { theme: 'dark' } });
    const dir = temp.make();
    mkdirSync(join(dir, 'rita'));
    const machine = join(dir, 'org.clinicdesk.desk.plist');
    const user = join(dir, 'rita', 'org.clinicdesk.desk.plist');
    writeFileSync(machine, JSON.stringify({ apiUrl: 'https://mdm.clinic.example.org', settings: { startAtLogin: 1 }, allowedLinkHosts: ['clinic.example.org'] }));
    writeFileSync(user, JSON.stringify({ settings: { theme: 'light' }, cacheRetentionDays: 5 }));
    const plutil = fakePlutil();
    const found = discoverPolicy({ platform: 'darwin', file, managedPreferencesDir: dir, userName: 'rita', run: plutil.run });
    expect(plutil.calls.map((c) => [c.file, c.args.at(-1)])).toEqual([
      ['/usr/bin/plutil', machine],
      ['/usr/bin/plutil', user],
    ]);
    expect(found.sources.map((s) => s.label)).toEqual([file, `managed preferences ${machine}`, `managed preferences ${user}`]);
    expect(found.value).toEqual({
      apiUrl: 'https://mdm.clinic.example.org',
      cacheRetentionDays: 5,
      allowedLinkHosts: ['clinic.example.org'],
      settings: { theme: 'light', startAtLogin: true },
    });
    const loaded = loadConfig({ policy: found });
    expect(loaded.policyProblems).toEqual([]);
    expect(loaded.config).toMatchObject({ apiUrl: 'https://mdm.clinic.example.org', cacheRetentionDays: 5, allowedLinkHosts: ['clinic.example.org'] });
    expect(loaded.config.settings).toMatchObject({ theme: 'light', startAtLogin: true });
  });

  it('macOS: no managed preferences is the file alone; a plist plutil cannot read is a problem', () => {
    const file = temp.file('policy.json', { apiUrl: 'https://clinic.example.org' });
    const dir = temp.make();
    const alone = discoverPolicy({ platform: 'darwin', file, managedPreferencesDir: dir, userName: 'rita', run: () => expect.unreachable('no plist to read') });
    expect(alone.sources.map((s) => s.label)).toEqual([file]);

    const plist = join(dir, 'org.clinicdesk.desk.plist');
    writeFileSync(plist, '<plist><dict><key>when</key><date>2026-01-01T00:00:00Z</date></dict></plist>');
    const broken = discoverPolicy({
      platform: 'darwin',
      file,
      managedPreferencesDir: dir,
      userName: 'rita',
      run: () => {
        throw exitError(1, `${plist}: invalid object in plist for destination format`);
      },
    });
    expect(broken.problems).toEqual([expect.objectContaining({ field: plist, file: `managed preferences ${plist}`, message: expect.stringMatching(/^cannot be read \(.*invalid object/) })]);
    expect(loadConfig({ policy: broken }).config.apiUrl).toBeNull();
  });

  it('macOS: a wrong type in a profile says how to write it there', () => {
    const dir = temp.make();
    writeFileSync(join(dir, 'org.clinicdesk.desk.plist'), JSON.stringify({ cacheRetentionDays: '30' }));
    const found = discoverPolicy({ platform: 'darwin', file: join(dir, 'none.json'), managedPreferencesDir: dir, userName: 'rita', run: fakePlutil().run });
    const check = validatePolicy(found);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problems[0]?.fix).toMatch(/in the profile, make it an <integer>$/);
  });
});

describe('layering and locking', () => {
  const policy = (value: unknown): DiscoveredPolicy => ({ value, sources: [{ kind: 'file', label: 'policy.json' }], origins: {}, problems: [] });

  it('built-in < policy defaultSettings < user file < policy settings (locked)', () => {
    const found = policy({
      defaultSettings: { theme: 'dark', pollingIntervalSec: 60, closeToTray: false, alerts: { messages: false } },
      settings: { startAtLogin: true, closeToTray: true },
    });
    const fresh = loadConfig({ policy: found });
    expect(fresh.config.settings).toEqual({
      ...DEFAULT_SETTINGS,
      theme: 'dark',
      pollingIntervalSec: 60,
      startAtLogin: true,
      closeToTray: true, // locked wins over the starting value
      alerts: { ...DEFAULT_SETTINGS.alerts, messages: false },
    });
    // Starting values are not locked, and not "fields the policy sets".
    expect(fresh.locked.sort()).toEqual(['closeToTray', 'startAtLogin']);
    expect(fresh.lockedFields.sort()).toEqual(['settings.closeToTray', 'settings.startAtLogin']);

    const userFile = temp.file('settings.json', { theme: 'light', alerts: { messages: true }, startAtLogin: false });
    const chosen = loadConfig({ policy: found, userFile });
    expect(chosen.config.settings).toMatchObject({ theme: 'light', pollingIntervalSec: 60, startAtLogin: true, alerts: { messages: true } });
    expect(chosen.warnings.join('\n')).toMatch(/policy sets startAtLogin; the user settings for them are not used/);
  });

  it('the user may change a starting value but not a locked one', () => {
    const found = policy({ defaultSettings: { theme: 'dark' }, settings: { startAtLogin: true, alerts: { flashUrgent: true } } });
    const userFile = join(temp.make(), 'settings.json');
    const loaded = loadConfig({ policy: found, userFile });
    expect(saveUserSettings(userFile, { theme: 'light' }, loaded.locked, loaded.config.settings).theme).toBe('light');
    expect(() => saveUserSettings(userFile, { startAtLogin: false }, loaded.locked, loaded.config.settings)).toThrow(ConfigError);
    expect(() => saveUserSettings(userFile, { alerts: { messages: false } }, loaded.locked, loaded.config.settings)).toThrow(/alerts is set by the administrator's policy/);
    expect(loadConfig({ policy: found, userFile }).config.settings).toMatchObject({ theme: 'light', startAtLogin: true });
  });

  it('an invalid policy applies not at all: a valid apiUrl next to an invalid port is not used', () => {
    const file = temp.file('policy.json', {
      apiUrl: 'https://clinic.example.org',
      transport: { kind: 'reverb', key: 'k', host: 'ws.clinic.example.org', port: 'eighty' },
      settings: { startAtLogin: true },
      defaultSettings: { theme: 'dark' },
      allowInsecureTokenStorage: true,
      updates: { url: 'https://updates.clinic.example.org' },
    });
    const userFile = temp.file('settings.json', { pollingIntervalSec: 120 });
    const loaded = loadConfig({ policy: discoverPolicy({ platform: 'linux', file }), userFile });
    expect(loaded.policyProblems).toEqual([
      {
        source: 'policy',
        field: 'transport.port',
        file,
        message: 'must be a number (got "eighty")',
        fix: 'use the port your Reverb server listens on, e.g. 8080',
      },
    ]);
    expect(loaded.policySources).toEqual([file]);
    expect(loaded.config).toEqual({
      apiUrl: null,
      transport: { kind: 'polling' },
      settings: { ...DEFAULT_SETTINGS, pollingIntervalSec: 120 }, // the user's own choices still apply
      cacheRetentionDays: 30,
      requestTimeoutMs: 10_000,
      allowedLinkHosts: [],
      allowInsecureTokenStorage: false,
      updates: {},
    });
    expect(loaded.locked).toEqual([]);
    expect(loaded.warnings).toEqual([
      `the administrator's policy (${file}) was not applied, Clinic Desk runs on its defaults: admin policy (${file}): transport.port must be a number (got "eighty"). Fix: use the port your Reverb server listens on, e.g. 8080`,
    ]);
  });

  it('a misspelt alert type or update option is an error, not a silently missing lock', () => {
    const check = validatePolicy(policy({ settings: { alerts: { flashUrgnt: true } }, defaultSettings: { alerts: { mesages: false } }, updates: { chanel: 'beta' } }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const byField = Object.fromEntries(check.problems.map((p) => [p.field, p.fix]));
    expect(byField['settings.alerts.flashUrgnt']).toMatch(/did you mean "flashUrgent"/);
    expect(byField['defaultSettings.alerts.mesages']).toMatch(/did you mean "messages"/);
    expect(byField['updates.chanel']).toMatch(/did you mean "channel"/);
  });

  it('update options get their own fixes', () => {
    const check = validatePolicy(policy({ updates: { url: 'ftp://updates', pinVersion: 'v1.2', checkIntervalHours: 0 } }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const byField = Object.fromEntries(check.problems.map((p) => [p.field, p.fix]));
    expect(byField['updates.url']).toMatch(/https:\/\/ address of the folder/);
    expect(byField['updates.pinVersion']).toMatch(/no "v" in front/);
    expect(byField['updates.checkIntervalHours']).toMatch(/1 to 168/);
  });

  it('updates come over https; plain http only from this machine', () => {
    const plain = validatePolicy(policy({ updates: { url: 'http://updates.clinic.example.org/desk' } }));
    expect(plain.ok).toBe(false);
    if (plain.ok) return;
    expect(plain.problems.map((p) => [p.field, p.message])).toEqual([['updates.url', 'must be an https:// URL (plain http is allowed only for localhost)']]);
    for (const url of ['https://updates.clinic.example.org/desk', 'http://127.0.0.1:8080/desk', 'http://localhost/desk']) {
      expect(validatePolicy(policy({ updates: { url } })).ok, url).toBe(true);
    }
  });
});

describe('names that are not options', () => {
  it('"__proto__" and "constructor" are unknown options of their source, not a prototype', () => {
    const file = temp.file('policy.json', '{ "constructor": 1, "__proto__": { "apiUrl": "https://evil.example.org" } }');
    // Computed keys: a literal `__proto__:` would set the prototype rather than a key.
    const reg = fakeReg(regOutput({ '': [['toString', 'REG_SZ', 'x']], ['__proto__']: [['polluted', 'REG_DWORD', '0x1']] }));
    const found = discoverPolicy({ platform: 'win32', file, run: reg.run });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const loaded = loadConfig({ policy: found });
    const where = Object.fromEntries(loaded.policyProblems.map((p) => [p.field, p.file]));
    expect(where).toEqual({ constructor: file, ['__proto__']: `${file} and registry ${KEY}`, toString: `registry ${KEY}` });
    expect(loaded.config.apiUrl).toBeNull();
  });
});
