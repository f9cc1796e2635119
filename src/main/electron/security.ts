import { app, shell, type Session, type WebContents, type WebPreferences } from 'electron';
import type { OpenTarget } from '../../shared/desk-state';
import { resolveActionUrl } from '../core/session/action-url';
import type { Logger } from '../core/log';

/**
 * Electron's security checklist, where it is decided: the renderer's web
 * preferences, the session's permission and download policy, and what happens
 * when a page tries to leave the app (navigate, open a window, open a link).
 * The renderer is treated as untrusted: it can ask, the main process decides.
 */

/** Every window of the app gets exactly these; nothing loosens them per window. */
export function secureWebPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
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
    devTools,
  };
}

/**
 * The only permission the dashboard may use: writing to the clipboard (copy a
 * diagnostics report, a phone number). No camera, microphone, location,
 * notifications (the main process shows those), USB, HID, serial or downloads.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export interface SessionPolicy {
  isAppUrl: (url: string) => boolean;
  csp: string;
  logger: Logger;
}

export function hardenSession(ses: Session, policy: SessionPolicy): void {
  const allowed = (permission: string, url: string) => GRANTED_PERMISSIONS.has(permission) && policy.isAppUrl(url);
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const ok = allowed(permission, details.requestingUrl);
    if (!ok) policy.logger.warn('permission request denied', { permission, url: details.requestingUrl });
    callback(ok);
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event, item) => {
    policy.logger.warn('download blocked', { url: item.getURL() });
    event.preventDefault();
  });
  // The app:// handler sends the CSP itself; this covers everything else (the dev server, error pages).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy.csp] } });
  });
}

export interface NavigationPolicy {
  isAppUrl: (url: string) => boolean;
  /** A link the page tried to follow: opened (in the app or the browser) only if the link policy allows. */
  openLink: (url: string) => void;
  logger: Logger;
}

/** Applied to every web contents the app creates, before it loads anything. */
export function guardAllWebContents(policy: NavigationPolicy): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, policy));
}

export function guardWebContents(contents: WebContents, policy: NavigationPolicy): void {
  contents.setWindowOpenHandler((details) => {
    policy.logger.info('new window denied', { url: details.url });
    policy.openLink(details.url);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string, follow: boolean) => {
    if (policy.isAppUrl(url)) return;
    event.preventDefault();
    policy.logger.info('navigation denied', { url });
    if (follow) policy.openLink(url);
  };
  contents.on('will-navigate', (event) => stayInApp(event, event.url, true));
  contents.on('will-frame-navigate', (event) => stayInApp(event, event.url, false));
  contents.on('will-redirect', (event) => stayInApp(event, event.url, false));
  contents.on('will-attach-webview', (event) => {
    policy.logger.warn('webview denied');
    event.preventDefault();
  });
}

export interface LinkPolicy {
  /** The clinic the desk is signed in to (or configured for); null: no link leaves the app. */
  apiUrl: () => string | null;
  allowedHosts: () => readonly string[];
  openInApp: (target: OpenTarget) => void;
  logger: Logger;
}

/**
 * The one way out of the app to the browser: `shell.openExternal`, only for
 * http(s) URLs on the clinic's own hosts (`resolveActionUrl` decides); links
 * to the desk's own screens (`clinicdesk://`, or clinic paths it knows) open
 * inside the app. Returns whether the link was opened.
 */
export function linkOpener(policy: LinkPolicy): (url: string) => Promise<boolean> {
  return async (url) => {
    const apiUrl = policy.apiUrl();
    const resolved = apiUrl === null ? ({ kind: 'refused', reason: 'no clinic is configured' } as const) : resolveActionUrl(url, apiUrl, policy.allowedHosts());
    switch (resolved.kind) {
      case 'screen':
        policy.openInApp(resolved.target);
        return true;
      case 'external':
        await shell.openExternal(resolved.url);
        return true;
      case 'refused':
        policy.logger.warn('refused to open a link', { url: url.slice(0, 300), reason: resolved.reason });
        return false;
    }
  };
}
