import { resolve } from 'node:path';
import { app } from 'electron';
import type { OpenTarget } from '../../shared/desk-state';
import { screenFor } from '../core/session/action-url';

/**
 * `clinicdesk://appointments/42` opens appointment 42 in the desk. The link
 * arrives as an argument of a new launch (Windows, Linux), which the single-
 * instance lock hands to the running desk, or as an `open-url` event (macOS).
 * Only the desk's own screens can be reached this way: nothing in a link is
 * executed, fetched or opened outside the app.
 */

export const DEEP_LINK_SCHEME = 'clinicdesk';
const MAX_LINK = 2048;

export function parseDeepLink(link: string): OpenTarget | null {
  if (link.length > MAX_LINK) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  return screenFor(`${url.host}${url.pathname}`);
}

/** The first `clinicdesk:` argument of a command line (Chromium may add switches around it). */
export function findDeepLink(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}

export interface DeepLinkHandlers {
  /** Someone launched the app again: bring the desk to the front. */
  focus: () => void;
  open: (target: OpenTarget, link: string) => void;
  refused: (link: string) => void;
}

function deliver(link: string | null, handlers: DeepLinkHandlers): void {
  if (link === null) return;
  const target = parseDeepLink(link);
  if (target) handlers.open(target, link);
  else handlers.refused(link);
}

/**
 * Takes the single-instance lock; false means another desk is running (it has
 * been handed our arguments) and this process should quit.
 */
export function claimSingleInstance(handlers: DeepLinkHandlers): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', (_event, argv) => {
    handlers.focus();
    deliver(findDeepLink(argv), handlers);
  });
  // macOS delivers links as events, possibly before the app is ready.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handlers.focus();
    deliver(url, handlers);
  });
  return true;
}

/** The link this process was launched with, if any (Windows, Linux). */
export function launchLink(argv: readonly string[], handlers: DeepLinkHandlers): void {
  deliver(findDeepLink(argv), handlers);
}

/**
 * Makes the OS send `clinicdesk://` links to this app. A development run
 * (`electron .`) registers the Electron binary with the app's path, or the
 * link would start a bare Electron.
 */
export function registerLinkScheme(defaultApp: boolean, argv: readonly string[]): boolean {
  const entry = argv[1];
  if (defaultApp && entry !== undefined) return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(entry)]);
  return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
}
