/**
 * `clinic-desk doctor --policy FILE`: an admin checks a policy before rolling
 * it out (no server needed), and the desk's own checks report a policy that
 * was not applied. The command runs as a real process, as admins run it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeskConfig } from '../../../src/main/core/config/schema';
import { runDoctor } from '../../../src/main/core/doctor/doctor';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { TempDirs } from '../../helpers/core';
import { runCli } from '../../helpers/cli';
import { account, startTestClinic } from '../../helpers/demo';

const RECEPTION = 'reception1@northside.clinic.test';
const temp = new TempDirs();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  temp.cleanup();
});

async function clinic(): Promise<DemoClinic> {
  const c = await startTestClinic();
  cleanups.push(() => c.close());
  return c;
}

const VALID = {
  $schema: '../policy.schema.json',
  apiUrl: 'https://clinic.example.org/',
  transport: { kind: 'reverb', key: 'app-key', host: 'ws.clinic.example.org', port: 443 },
  allowedLinkHosts: ['clinic.example.org'],
  cacheRetentionDays: 14,
  settings: { startAtLogin: true, alerts: { flashUrgent: true }, theme: 'dark' },
  defaultSettings: { theme: 'light', pollingIntervalSec: 60 },
  updates: { url: 'https://updates.clinic.example.org/clinic-desk', channel: 'beta', force: true },
};

describe('clinic-desk doctor --policy FILE', () => {
  it('a valid policy: exit 0, with what it sets, locks, starts with and leaves to the user', async () => {
    const file = temp.file('policy.json', VALID);
    const { code, stdout, stderr } = await runCli(['doctor', '--policy', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `✓ Policy ${file} is valid.`,
      '  Sets (users cannot change it):',
      '    apiUrl              https://clinic.example.org',
      '    transport           a self-hosted Pusher-protocol server (Reverb, Soketi) at wss://ws.clinic.example.org:443, key app-key',
      '    allowedLinkHosts    clinic.example.org',
      '    cacheRetentionDays  14 days',
      '    updates             from https://updates.clinic.example.org/clinic-desk, channel beta, checked every 4 h, installed at once (forced)',
      '  Locks in Settings:',
      '    alerts        notifications on, appointments on, consultations on, messages on, flashUrgent on',
      '    startAtLogin  on',
      '    theme         dark',
      '  Starting values (users may change them):',
      '    pollingIntervalSec  60',
      '  Left to the user: dndUntil, hideMessageText, silenceWhenFocused, pollingIntervalSec, reconcileIntervalSec, startMinimised, closeToTray',
      '  ! defaultSettings.theme has no effect: settings.theme locks it (dark)',
      '',
    ]);
  });

  it('an invalid policy: exit 1, every problem with its field and fix', async () => {
    const file = temp.file('policy.json', {
      apiUrl: 'clinic.example.org',
      transport: { kind: 'reverb', key: 'k', host: 'ws.example.org', port: 'eighty' },
      closeToTray: false,
      settings: { alerts: { flashUrgnt: true } },
      updates: { checkIntervalHours: 0 },
    });
    const { code, stdout } = await runCli(['doctor', '--policy', file]);
    expect(code).toBe(1);
    expect(stdout).toContain(`✗ Policy ${file} is not valid: Clinic Desk would ignore all of it and run on its defaults.`);
    expect(stdout).toContain('  ✗ apiUrl must be an http:// or https:// URL, e.g. https://clinic.example.org\n    Fix: use the clinic\'s web address');
    expect(stdout).toContain('  ✗ transport.port must be a number (got "eighty")\n    Fix: use the port your Reverb server listens on, e.g. 8080');
    expect(stdout).toContain('  ✗ closeToTray is not a known option\n    Fix: move it into "settings" (to set and lock it) or "defaultSettings" (as a starting value)');
    expect(stdout).toContain('  ✗ settings.alerts.flashUrgnt is not a known option\n    Fix: remove "flashUrgnt" (did you mean "flashUrgent"?)');
    expect(stdout).toContain('  ✗ updates.checkIntervalHours must be at least 1\n    Fix: use a whole number of hours from 1 to 168');
    expect(stdout).toMatch(/\n5 problems\.\n$/);
  });

  it('a JSON syntax error, a missing file, and JSON output', async () => {
    const broken = temp.file('policy.json', '{\n  "apiUrl": "https://clinic.example.org",\n}\n');
    const syntax = await runCli(['doctor', '--policy', broken]);
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toMatch(/is not valid JSON: .* at line 3, column 1\n {4}Fix: correct the JSON at line 3 of policy\.json/);

    const missing = await runCli(['doctor', '--policy', '/nonexistent/policy.json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('✗ Policy /nonexistent/policy.json does not exist.\n');

    const json = await runCli(['doctor', '--policy', temp.file('policy.json', { cacheRetentionDays: 0 }), '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { valid: boolean; problems: Array<{ field: string; fix: string }> };
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ field: 'cacheRetentionDays', fix: 'use a whole number of days from 1 to 3650 (default 30)' })]);
  });

  it('bad usage exits 2', async () => {
    const file = temp.file('policy.json', {});
    const both = await runCli(['doctor', '--policy', file, '--config', file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--policy and --config both name the policy layer/);
    expect((await runCli(['doctor', '--policy'])).code).toBe(2);
    const help = await runCli(['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--policy FILE        check FILE as an admin policy');
  });

  it('with connection options: the checklist runs with the policy applied (its server, the flags\' account)', async () => {
    const c = await clinic();
    const a = account(c, RECEPTION);
    const file = temp.file('policy.json', {
      apiUrl: c.info.apiUrl,
      transport: { kind: 'reverb', key: c.info.appKey, host: c.info.wsHost, port: c.info.wsPort, scheme: 'http' },
      settings: { startAtLogin: true },
    });
    const ok = await runCli(['doctor', '--policy', file, '--email', a.email, '--password', a.password, '--timeout', '3000']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✓ Policy .* is valid\.\n/);
    expect(ok.stdout).toContain('✓ Sign-in: Signed in as');
    expect(ok.stdout).toContain('All checks passed.');

    // An invalid policy stops before any check: the desk would not use it.
    const bad = temp.file('policy.json', { apiUrl: c.info.apiUrl, cacheRetentionDays: -1 });
    const refused = await runCli(['doctor', '--policy', bad, '--email', a.email, '--password', a.password]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('✗ cacheRetentionDays must be at least 1');
    expect(refused.stdout).not.toContain('Clinic API');
  });

  it('--config FILE (the CLI\'s own configuration) must be valid too: nobody would see it ignored', async () => {
    const file = temp.file('config.json', { apiUrl: 'https://clinic.example.org', transport: { kind: 'pusher', key: 'k' } });
    const { code, stdout } = await runCli(['doctor', '--config', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ Configuration\n {2}Invalid configuration:\n {4}- admin policy \(.*config\.json\): transport\.cluster is required/);
  });
});

describe('the desk\'s own checks report the policy', () => {
  const config = DeskConfig.parse({ apiUrl: null, transport: { kind: 'polling' }, settings: DEFAULT_SETTINGS });

  it('a policy that was not applied fails the first check, with every field and fix', async () => {
    const report = await runDoctor({
      config,
      credentials: null,
      policy: {
        sources: ['/etc/clinic-desk/policy.json'],
        problems: [
          { source: 'policy', field: 'transport.port', message: 'must be a number (got "eighty")', fix: 'use the port your Reverb server listens on, e.g. 8080', file: '/etc/clinic-desk/policy.json' },
          { source: 'policy', field: 'theem', message: 'is not a known option', fix: 'remove "theem"', file: '/etc/clinic-desk/policy.json' },
        ],
      },
    });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.id, c.ok])).toEqual([
      ['policy', false],
      ['config', false],
    ]);
    expect(report.checks[0]).toEqual({
      id: 'policy',
      title: 'Admin policy',
      ok: false,
      detail: 'Not applied (/etc/clinic-desk/policy.json): Clinic Desk runs on its defaults. transport.port must be a number (got "eighty"); theem is not a known option.',
      fix: 'transport.port: use the port your Reverb server listens on, e.g. 8080; theem: remove "theem". Check the corrected file with clinic-desk doctor --policy FILE before rolling it out.',
    });
  });

  it('an applied policy passes, naming its sources; no policy adds no check', async () => {
    const applied = await runDoctor({ config, credentials: null, policy: { sources: ['C:\\ProgramData\\ClinicDesk\\policy.json', 'registry HKLM\\Software\\Policies\\ClinicDesk'], problems: [] } });
    expect(applied.checks[0]).toMatchObject({ id: 'policy', ok: true, detail: 'Applied (C:\\ProgramData\\ClinicDesk\\policy.json, registry HKLM\\Software\\Policies\\ClinicDesk).' });
    const none = await runDoctor({ config, credentials: null, policy: { sources: [], problems: [] } });
    expect(none.checks.map((c) => c.id)).toEqual(['config']);
  });
});
