import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { protocol } from 'electron';

/**
 * The dashboard is served from `app://desk/`, not `file://`: a `file://` page
 * may read any local file the user can, and every `file://` URL shares one
 * origin. A privileged standard+secure scheme gives the app a real origin of
 * its own (so `'self'` in the CSP and the IPC sender check mean something), and
 * this handler serves only the built renderer folder.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

/**
 * `standard`: relative URLs and a real origin; `secure`: treated like https.
 * `supportFetchAPI`: the page's own module scripts are loaded with CORS-mode
 * fetches (Vite emits `<script type="module" crossorigin>`); the CSP's
 * `connect-src 'none'` still forbids the page any fetch() of its own.
 * `corsEnabled` stays off: it would let other origins read app:// responses.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false } as const;

/** Must run before the app is ready: Chromium fixes scheme privileges at start. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

export function serveRenderer(rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, rendererRequestHandler(rendererDir, csp));
}

/** Is `url` a page of ours: the app's origin (or, in development, the dev server's)? */
export function isAppUrl(url: string | undefined | null, appBase: URL): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === appBase.protocol && u.host === appBase.host;
  } catch {
    return false;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export function rendererRequestHandler(rendererDir: string, csp: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  const headers = (type: string) => ({
    'Content-Type': type,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  const refuse = (status: number, text: string) => new Response(text, { status, headers: headers('text/plain; charset=utf-8') });

  const inside = (file: string, base: string) => {
    const rel = relative(base, file);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };

  const load = async (file: string): Promise<Buffer | null> => {
    try {
      // A symlink inside the folder must not lead out of it.
      if (!inside(await realpath(file), await realpath(root))) return null;
      return await readFile(file);
    } catch {
      return null;
    }
  };

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let url: URL;
    let path: string;
    try {
      url = new URL(request.url);
      path = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400, 'bad request');
    }
    if (url.host !== APP_HOST) return refuse(404, 'not found');
    if (path.includes('\0')) return refuse(400, 'bad request');
    const file = resolve(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!inside(file, root)) return refuse(403, 'forbidden');
    let body = await load(file);
    let type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // A path without an extension is a route of the single-page app: its page is index.html.
    if (body === null && extname(file) === '') {
      body = await load(join(root, 'index.html'));
      type = CONTENT_TYPES['.html'] ?? 'text/html';
    }
    if (body === null) return refuse(404, 'not found');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: headers(type) });
  };
}
