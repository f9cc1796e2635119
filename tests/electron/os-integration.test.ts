/**
 * What the desk does with the operating system: waking up forces a
 * reconnect, network changes too; single instance and `clinicdesk://` links;
 * settings applied to the OS (login item, theme); the Help menu's support
 * actions. The log file: app-log.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { memoryLogger } from '../../src/main/core/log';
import { appMenuTemplate, helpActions } from '../../src/main/electron/app-menu';
import { policyFilePath, userFiles } from '../../src/main/electron/app-paths';
import { claimSingleInstance, findDeepLink, launchLink, parseDeepLink, registerLinkScheme, type DeepLinkHandlers } from '../../src/main/electron/deep-links';
import { reconnectOnWake, watchNetwork } from '../../src/main/electron/power';
import { settingsFilePort } from '../../src/main/core/config/settings-file';
import { applyOsSettings } from '../../src/main/electron/os-settings';
import { fake, FakeMenu, fakeEvent, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

beforeEach(() => resetFakeElectron());
afterEach(() => vi.useRealTimers());

describe('waking up', () => {
  it('resume and unlock force one reconnect; a later wake-up another', () => {
    let t = 0;
    const reasons: string[] = [];
    const stop = reconnectOnWake({ reconnect: (r) => reasons.push(r), logger: memoryLogger(), now: () => t });
    fake.powerMonitor.emit('resume');
    t = 500;
    fake.powerMonitor.emit('unlock-screen');
    expect(reasons).toEqual(['resume']);
    t = 60_000;
    fake.powerMonitor.emit('unlock-screen');
    expect(reasons).toEqual(['resume', 'unlock-screen']);
    stop();
    fake.powerMonitor.emit('resume');
    expect(reasons).toHaveLength(2);
  });

  it('a network change that leaves us online forces a reconnect; going offline does not', () => {
    vi.useFakeTimers();
    let signature = 'online|192.168.1.20';
    const changes: string[] = [];
    const stop = watchNetwork({ onChange: (r) => changes.push(r), logger: memoryLogger(), probe: () => signature, intervalMs: 1000 });
    vi.advanceTimersByTime(3000);
    expect(changes).toEqual([]);
    signature = 'offline|';
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual([]);
    signature = 'online|10.0.0.7';
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual(['network changed']);
    stop();
  });
});

describe('clinicdesk:// links and the single instance', () => {
  it.each([
    ['clinicdesk://appointments/42', { screen: 'board', appointmentId: 42 }],
    ['clinicdesk://consultations/7/', { screen: 'consultations', consultationId: 7 }],
    ['clinicdesk://messages/3', { screen: 'conversations', conversationId: 3 }],
    ['clinicdesk://settings', { screen: 'settings' }],
    ['CLINICDESK://notifications/5', { screen: 'notifications', notificationId: 5 }],
  ])('%s opens %j', (link, target) => {
    expect(parseDeepLink(link)).toEqual(target);
  });

  it.each(['clinicdesk://admin/delete-all', 'https://clinic.example.org/appointments/42', 'clinicdesk:', 'javascript:alert(1)', `clinicdesk://appointments/${'1'.repeat(3000)}`, 'clinicdesk://appointments/1234567890123456'])(
    'refuses %s',
    (link) => {
      expect(parseDeepLink(link)).toBeNull();
    },
  );

  it('finds the link among the switches Chromium adds', () => {
    expect(findDeepLink(['C:\\ClinicDesk.exe', '--allow-file-access-from-files', 'clinicdesk://appointments/42'])).toBe('clinicdesk://appointments/42');
    expect(findDeepLink(['/usr/bin/clinic-desk'])).toBeNull();
  });

  const handlers = () => {
    const log: unknown[] = [];
    const h: DeepLinkHandlers = { focus: () => log.push('focus'), open: (target) => log.push(target), refused: (link) => log.push(`refused ${link}`) };
    return { h, log };
  };

  it('a second launch focuses the running desk and opens its link', () => {
    const { h, log } = handlers();
    expect(claimSingleInstance(h)).toBe(true);
    fake.app.emit('second-instance', fakeEvent(), ['ClinicDesk.exe', 'clinicdesk://appointments/42'], 'C:\\');
    fake.app.emit('second-instance', fakeEvent(), ['ClinicDesk.exe'], 'C:\\');
    fake.app.emit('second-instance', fakeEvent(), ['ClinicDesk.exe', 'clinicdesk://nowhere'], 'C:\\');
    expect(log).toEqual(['focus', { screen: 'board', appointmentId: 42 }, 'focus', 'focus', 'refused clinicdesk://nowhere']);
  });

  it('macOS open-url is taken over from the OS and opens the item', () => {
    const { h, log } = handlers();
    claimSingleInstance(h);
    const event = fakeEvent();
    fake.app.emit('open-url', event, 'clinicdesk://consultations/7');
    expect(event.defaultPrevented).toBe(true);
    expect(log).toEqual(['focus', { screen: 'consultations', consultationId: 7 }]);
  });

  it('without the lock, nothing is registered (this launch quits)', () => {
    fake.app.gotLock = false;
    const { h } = handlers();
    expect(claimSingleInstance(h)).toBe(false);
    expect(fake.app.listenerCount('second-instance')).toBe(0);
  });

  it('the launch link is opened too', () => {
    const { h, log } = handlers();
    launchLink(['clinic-desk', 'clinicdesk://presence'], h);
    expect(log).toEqual([{ screen: 'presence' }]);
  });

  it('registers the scheme; a development run passes the app path', () => {
    registerLinkScheme(false, ['/opt/Clinic Desk/clinic-desk']);
    registerLinkScheme(true, ['/usr/lib/electron', '.']);
    expect(fake.app.protocolClients[0]).toEqual({ scheme: 'clinicdesk' });
    expect(fake.app.protocolClients[1]).toMatchObject({ scheme: 'clinicdesk', path: process.execPath, args: [process.cwd()] });
  });
});

describe('settings and the OS', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinic-desk-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('changes persist in the user layer; keys the policy sets are refused', () => {
    const file = join(dir, 'settings.json');
    const port = settingsFilePort({ config: { settings: { ...DEFAULT_SETTINGS, startAtLogin: true } } as never, locked: ['startAtLogin'] }, file);
    expect(port.update({ closeToTray: false }).values.closeToTray).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ closeToTray: false });
    expect(() => port.update({ startAtLogin: false })).toThrow(/set by the administrator/);
    expect(port.view()).toMatchObject({ values: { startAtLogin: true, closeToTray: false }, locked: ['startAtLogin'] });
  });

  it('start at login is registered for the installed app only, and theme follows the setting', () => {
    applyOsSettings({ ...DEFAULT_SETTINGS, startAtLogin: true, theme: 'dark' }, { packaged: false, logger: memoryLogger() });
    expect(fake.app.loginItemCalls).toEqual([]);
    expect(fake.nativeTheme.themeSource).toBe('dark');
    applyOsSettings({ ...DEFAULT_SETTINGS, startAtLogin: true }, { packaged: true, logger: memoryLogger() });
    applyOsSettings({ ...DEFAULT_SETTINGS, startAtLogin: true }, { packaged: true, logger: memoryLogger() });
    expect(fake.app.loginItemCalls).toEqual([{ openAtLogin: true }]);
    applyOsSettings({ ...DEFAULT_SETTINGS, startAtLogin: false }, { packaged: true, logger: memoryLogger() });
    expect(fake.app.loginItem.openAtLogin).toBe(false);
  });

  it('policy file per OS; user files in userData', () => {
    expect(policyFilePath('win32', { ProgramData: 'D:\\ProgramData' })).toMatch(/^D:\\ProgramData[\\/]ClinicDesk[\\/]policy\.json$/);
    expect(policyFilePath('darwin', {})).toBe('/Library/Application Support/ClinicDesk/policy.json');
    expect(policyFilePath('linux', {})).toBe('/etc/clinic-desk/policy.json');
    expect(userFiles('/home/u/.config/Clinic Desk', '/home/u/.config/Clinic Desk/logs')).toMatchObject({ settings: '/home/u/.config/Clinic Desk/settings.json', cacheDir: '/home/u/.config/Clinic Desk/cache' });
  });
});

describe('Help: logs and diagnostics', () => {
  it('opens the logs folder and copies the diagnostics report', async () => {
    const help = helpActions({ logsDir: '/logs', diagnosticsReport: async () => ({ text: '{"appVersion":"0.1.0"}' }), logger: memoryLogger() });
    const menu = new FakeMenu(appMenuTemplate('linux', false, help) as never);
    menu.click('open-logs');
    expect(fake.shell.openedPaths).toEqual(['/logs']);
    await help.copyDiagnosticsNow();
    expect(fake.clipboard.text).toBe('{"appVersion":"0.1.0"}');
    expect(menu.all().some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(new FakeMenu(appMenuTemplate('darwin', true, help) as never).all().map((i) => i.role)).toEqual(expect.arrayContaining(['appMenu', 'toggleDevTools', 'editMenu']));
  });
});
