import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { dashboardCsp } from '../web/dashboard-csp';

/**
 * The preview host's gatekeeping: who may load the dashboard and open the
 * bridge. The host drives a signed-in desk (patient data, the user's actions),
 * so a web page the user happens to visit, or another local user, must not
 * reach it. The rules:
 *
 * - a one-time token in the printed URL buys a random session cookie
 *   (HttpOnly, SameSite=Strict) and is spent;
 * - every page, asset and WebSocket needs that cookie;
 * - the `Host` header must be the host's own (no DNS rebinding), and the
 *   WebSocket's `Origin` must be the host's own origin (no cross-site socket);
 * - responses carry the Electron app's Content-Security-Policy as a header.
 */

export const SESSION_COOKIE = 'clinic_desk_preview';

/** The Electron app's CSP, with the bridge's socket allowed explicitly. */
export function contentSecurityPolicy(authority: string): string {
  return dashboardCsp({ connect: [`ws://${authority}`] });
}

export function securityHeaders(authority: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(authority),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // The token page and the dashboard must never be served from a cache.
    'Cache-Control': 'no-store',
  };
}

const randomSecret = () => randomBytes(32).toString('base64url');

/** One-time tokens and the sessions they bought. Lives as long as the host. */
export class AccessControl {
  private readonly tokens = new Set<string>();
  private readonly sessions = new Set<string>();

  /** A new one-time token (each printed link works once). */
  issueToken(): string {
    const token = randomSecret();
    this.tokens.add(token);
    return token;
  }

  /** Spends `token`; returns the new session id, or null when the token is unknown or spent. */
  redeem(token: string): string | null {
    if (!this.tokens.delete(token)) return null;
    const session = randomSecret();
    this.sessions.add(session);
    return session;
  }

  hasSession(request: IncomingMessage): boolean {
    return cookieValues(request.headers.cookie, SESSION_COOKIE).some((value) => this.sessions.has(value));
  }

  static cookieFor(session: string): string {
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

/** Every value of cookie `name` in a `Cookie` header (a browser may send duplicates). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/**
 * `Host` must name this server exactly as printed (`127.0.0.1:port`): a page
 * on another name that resolves to loopback (DNS rebinding) is refused.
 */
export function hostAllowed(request: IncomingMessage, authority: string): boolean {
  return (request.headers.host ?? '').toLowerCase() === authority.toLowerCase();
}

/** A request that says where it comes from must come from this origin. */
export function originAllowed(request: IncomingMessage, origin: string, required: boolean): boolean {
  const header = request.headers.origin;
  if (header === undefined) return !required;
  return header.toLowerCase() === origin.toLowerCase();
}
