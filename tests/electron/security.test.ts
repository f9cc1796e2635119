/**
 * Electron's security checklist, item by item, as the adapters apply it:
 * web preferences, the CSP, permissions, downloads, navigation, new windows,
 * webviews and the one way out to the browser (`shell.openExternal`).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../src/main/core/log';
import { isAppUrl } from '../../src/main/electron/app-protocol';
import { contentSecurityPolicy } from '../../src/main/electron/app-csp';
import { GRANTED_PERMISSIONS, guardAllWebContents, hardenSession, linkOpener, secureWebPreferences } from '../../src/main/electron/security';
import { fake, FakeBrowserWindow, fakeEvent, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const APP = new URL('app://desk/');
const isOurs = (url: string) => isAppUrl(url, APP);
let logger: ReturnType<typeof memoryLogger>;

beforeEach(() => {
  resetFakeElectron();
  logger = memoryLogger();
});

function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp.split(';').map((d): [string, string[]] => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('web preferences', () => {
  it('isolate and sandbox the renderer, with no Node, no insecure content, no experimental or Blink features, no webview', () => {
    const prefs = secureWebPreferences('/app/preload.cjs', false);
    expect(prefs).toEqual({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });
});

describe('Content-Security-Policy', () => {
  it('allows only the app itself: no network, no inline or eval script, no frames, no plugins', () => {
    const d = directives(contentSecurityPolicy());
    expect(d['default-src']).toEqual(["'none'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['style-src']).toEqual(["'self'"]);
    expect(d['connect-src']).toEqual(["'none'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(d['form-action']).toEqual(["'none'"]);
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('in development lets the page reach the Vite dev server for hot reload, and nothing else', () => {
    const d = directives(contentSecurityPolicy(new URL('http://localhost:5173/')));
    expect(d['connect-src']).toEqual(["'self'", 'ws://localhost:5173']);
    expect(d['script-src']).toEqual(["'self'"]);
  });

  it('is added as a header to every response of the session', () => {
    hardenSession(fake.session.defaultSession as never, { isAppUrl: isOurs, csp: 'default-src none', logger });
    expect(fake.session.defaultSession.headersFor('http://localhost:5173/', { 'Content-Type': ['text/html'] })).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': ['default-src none'],
    });
  });
});

describe('session permissions', () => {
  beforeEach(() => hardenSession(fake.session.defaultSession as never, { isAppUrl: isOurs, csp: "default-src 'none'", logger }));

  it.each(['media', 'geolocation', 'notifications', 'midi', 'pointerLock', 'fullscreen', 'openExternal', 'display-capture', 'clipboard-read', 'idle-detection', 'unknown'])(
    'deny %s, and log it',
    async (permission) => {
      expect(await fake.session.defaultSession.requestPermission(permission, 'app://desk/')).toBe(false);
      expect(fake.session.defaultSession.permissionCheckHandler?.({}, permission, 'app://desk', {})).toBe(false);
      expect(logger.records.at(-1)).toMatchObject({ message: 'permission request denied', fields: { permission } });
    },
  );

  it('grant clipboard writing to the app only', async () => {
    expect([...GRANTED_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
    expect(await fake.session.defaultSession.requestPermission('clipboard-sanitized-write', 'app://desk/')).toBe(true);
    expect(await fake.session.defaultSession.requestPermission('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(fake.session.defaultSession.permissionCheckHandler?.({}, 'clipboard-sanitized-write', 'https://evil.example', {})).toBe(false);
  });

  it('deny devices (USB, HID, serial) and block downloads', () => {
    expect(fake.session.defaultSession.devicePermissionHandler?.({ deviceType: 'usb' })).toBe(false);
    const event = fakeEvent();
    fake.session.defaultSession.emit('will-download', event, { getURL: () => 'https://evil.example/x.exe' });
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('navigation, new windows and webviews', () => {
  let opened: string[];
  beforeEach(() => {
    opened = [];
    guardAllWebContents({ isAppUrl: isOurs, openLink: (url) => opened.push(url), logger });
  });

  it('every web contents the app creates is guarded before it loads', () => {
    const win = new FakeBrowserWindow({});
    expect(win.webContents.windowOpenHandler).not.toBeNull();
    expect(win.webContents.listenerCount('will-navigate')).toBe(1);
  });

  it('deny navigating away; a link is handed to the link policy instead', () => {
    const win = new FakeBrowserWindow({});
    expect(win.webContents.navigate('https://clinic.example.org/appointments/3')).toBe(true);
    expect(win.webContents.navigate('app://desk/index.html')).toBe(false);
    expect(win.webContents.navigate('file:///etc/passwd', 'will-frame-navigate')).toBe(true);
    expect(win.webContents.navigate('https://evil.example/', 'will-redirect')).toBe(true);
    expect(opened).toEqual(['https://clinic.example.org/appointments/3']);
  });

  it('deny every window.open, handing the URL to the link policy', () => {
    const win = new FakeBrowserWindow({});
    expect(win.webContents.windowOpenHandler?.({ url: 'https://clinic.example.org/x' })).toEqual({ action: 'deny' });
    expect(win.webContents.windowOpenHandler?.({ url: 'app://desk/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://clinic.example.org/x', 'app://desk/']);
  });

  it('deny attaching a webview', () => {
    const win = new FakeBrowserWindow({});
    const event = fakeEvent();
    win.webContents.emit('will-attach-webview', event, {}, {});
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('opening links (shell.openExternal)', () => {
  const inApp: unknown[] = [];
  const open = linkOpener({
    apiUrl: () => 'https://clinic.example.org',
    allowedHosts: () => ['clinic.example.org', 'files.clinic.example.org'],
    openInApp: (target) => inApp.push(target),
    logger: memoryLogger(),
  });

  it('opens http(s) links on the clinic hosts in the browser', async () => {
    expect(await open('https://clinic.example.org/invoices/9')).toBe(true);
    expect(await open('https://files.clinic.example.org/report.pdf')).toBe(true);
    expect(fake.shell.opened).toEqual(['https://clinic.example.org/invoices/9', 'https://files.clinic.example.org/report.pdf']);
  });

  it.each(['https://evil.example/', 'http://clinic.example.org.evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://clinic.example.org/share', 'https://user:pw@clinic.example.org/', 'ms-settings:'])(
    'refuses %s',
    async (url) => {
      expect(await open(url)).toBe(false);
      expect(fake.shell.opened).toEqual([]);
    },
  );

  it("opens the desk's own screens inside the app", async () => {
    inApp.length = 0;
    expect(await open('clinicdesk://consultations/5')).toBe(true);
    expect(await open('https://clinic.example.org/appointments/12')).toBe(true);
    expect(inApp).toEqual([{ screen: 'consultations', consultationId: 5 }, { screen: 'board', appointmentId: 12 }]);
    expect(fake.shell.opened).toEqual([]);
  });

  it('opens nothing while no clinic is configured', async () => {
    const none = linkOpener({ apiUrl: () => null, allowedHosts: () => [], openInApp: () => undefined, logger: memoryLogger() });
    expect(await none('https://clinic.example.org/')).toBe(false);
    expect(fake.shell.opened).toEqual([]);
  });
});
