import type { OpenTarget } from '../../../shared/desk-state';

/**
 * Where a notification's `action_url` (or a `clinicdesk://` link) leads: one
 * of the desk's own screens, the clinic's web site in the browser, or nowhere.
 * Only http(s) links on the clinic's own hosts ever leave the app: a payload
 * cannot send staff to an arbitrary site.
 */
export type ResolvedLink = { kind: 'screen'; target: OpenTarget } | { kind: 'external'; url: string } | { kind: 'refused'; reason: string };

const ROUTES: ReadonlyArray<[RegExp, (id: number | undefined) => OpenTarget]> = [
  [/^\/?appointments(?:\/(\d+))?\/?$/, (id) => (id === undefined ? { screen: 'board' } : { screen: 'board', appointmentId: id })],
  [/^\/?consultations(?:\/(\d+))?\/?$/, (id) => (id === undefined ? { screen: 'consultations' } : { screen: 'consultations', consultationId: id })],
  [/^\/?(?:conversations|messages)(?:\/(\d+))?\/?$/, (id) => (id === undefined ? { screen: 'conversations' } : { screen: 'conversations', conversationId: id })],
  [/^\/?notifications(?:\/(\d+))?\/?$/, (id) => (id === undefined ? { screen: 'notifications' } : { screen: 'notifications', notificationId: id })],
  [/^\/?presence\/?$/, () => ({ screen: 'presence' })],
  [/^\/?diagnostics\/?$/, () => ({ screen: 'diagnostics' })],
  [/^\/?settings\/?$/, () => ({ screen: 'settings' })],
];

export function screenFor(path: string): OpenTarget | null {
  for (const [pattern, make] of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    const digits = m[1];
    if (digits !== undefined && digits.length > 15) return null;
    return make(digits === undefined ? undefined : Number(digits));
  }
  return null;
}

export function resolveActionUrl(link: string, apiUrl: string, allowedHosts: readonly string[]): ResolvedLink {
  const trimmed = link.trim();
  if (trimmed === '') return { kind: 'refused', reason: 'empty link' };
  let url: URL;
  try {
    url = new URL(trimmed, apiUrl);
  } catch {
    return { kind: 'refused', reason: 'not a valid URL' };
  }
  if (url.protocol === 'clinicdesk:') {
    const target = screenFor(`${url.host}${url.pathname}`);
    return target ? { kind: 'screen', target } : { kind: 'refused', reason: `no such screen: ${url.host}${url.pathname}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'refused', reason: `${url.protocol} links are not opened` };
  const clinicHost = new URL(apiUrl).host;
  const hosts = new Set([clinicHost, ...allowedHosts.map((h) => h.toLowerCase())]);
  if (!hosts.has(url.host.toLowerCase())) return { kind: 'refused', reason: `${url.host} is not the clinic's host` };
  if (url.username !== '' || url.password !== '') return { kind: 'refused', reason: 'links with credentials are not opened' };
  const target = url.host === clinicHost && url.search === '' ? screenFor(url.pathname) : null;
  return target ? { kind: 'screen', target } : { kind: 'external', url: url.href };
}
