import { symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PREVIEW_BRIDGE_PATH } from '../../../src/shared/wire-bridge';
import { contentSecurityPolicy, SESSION_COOKIE } from '../../../src/main/preview/security';
import { RefusedUpgrade, connectBridge, get, sessionCookie, startPreviewHarness, type PreviewHarness } from '../../helpers/preview';

/**
 * The preview host's HTTP side and its gate: the one-time token, the session
 * cookie, Host and Origin checks, the static files (and nothing else), and
 * the security headers.
 */

const harnesses: PreviewHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function preview(): Promise<PreviewHarness> {
  const h = await startPreviewHarness();
  harnesses.push(h);
  return h;
}

async function refusedStatus(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RefusedUpgrade) return error.status;
    throw error;
  }
  throw new Error('the bridge accepted the connection');
}

describe('preview host: the one-time link', () => {
  it('prints a loopback URL with a token; the token buys an HttpOnly, SameSite=Strict session cookie once', async () => {
    const { host } = await preview();
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{43}$`));

    const first = await get(host.url);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`));

    // Spent: the same link again, without the cookie, is refused and sets nothing.
    const again = await get(host.url);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body).toContain('already used');

    // The browser that used it may reload the link: it is sent home, no new session.
    const reload = await get(host.url, { headers: { Cookie: sessionCookie(first.headers) } });
    expect(reload.status).toBe(303);
    expect(reload.headers['set-cookie']).toBeUndefined();

    // The cookie opens the page.
    const page = await get(`${host.origin}/`, { headers: { Cookie: sessionCookie(first.headers) } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Clinic Desk</title>');
  });

  it('refuses an unknown token', async () => {
    const { host } = await preview();
    const res = await get(`${host.origin}/?token=not-a-token`);
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('each new link is its own one-time token (another browser context)', async () => {
    const h = await preview();
    const a = await h.browserSession();
    const b = await h.browserSession();
    expect(a).not.toBe(b);
    for (const cookie of [a, b]) expect((await get(`${h.host.origin}/`, { headers: { Cookie: cookie } })).status).toBe(200);
  });
});

describe('preview host: without a session', () => {
  it('answers 401 with a plain explanation for the page, 401 for assets', async () => {
    const { host } = await preview();
    const page = await get(`${host.origin}/`);
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Open the link the preview printed');
    expect(page.body).not.toContain('<script');
    expect((await get(`${host.origin}/assets/app.js`)).status).toBe(401);
    expect((await get(`${host.origin}/index.html`)).status).toBe(401);
  });

  it('refuses a made-up or stale session cookie', async () => {
    const { host } = await preview();
    const res = await get(`${host.origin}/`, { headers: { Cookie: `${SESSION_COOKIE}=forged; other=1` } });
    expect(res.status).toBe(401);
  });

  it('refuses the bridge without a cookie (401) and with a forged one', async () => {
    const { host } = await preview();
    expect(await refusedStatus(connectBridge(host))).toBe(401);
    expect(await refusedStatus(connectBridge(host, { cookie: `${SESSION_COOKIE}=forged` }))).toBe(401);
  });
});

describe('preview host: Origin and Host', () => {
  it('refuses a bridge connection from another origin, or with no Origin at all, even with the cookie', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    expect(await refusedStatus(connectBridge(h.host, { cookie, origin: 'http://evil.example' }))).toBe(403);
    expect(await refusedStatus(connectBridge(h.host, { cookie, origin: `http://localhost:${h.host.port}` }))).toBe(403);
    expect(await refusedStatus(connectBridge(h.host, { cookie, origin: null }))).toBe(403);
    // The right origin is accepted.
    const ok = await connectBridge(h.host, { cookie });
    await ok.close();
    expect(h.logger.records.filter((r) => r.message === 'preview bridge connection refused').map((r) => r.fields.reason)).toEqual([
      'wrong or missing Origin',
      'wrong or missing Origin',
      'wrong or missing Origin',
    ]);
  });

  it('refuses any other WebSocket path', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    expect(await refusedStatus(connectBridge(h.host, { cookie, path: `${PREVIEW_BRIDGE_PATH}/x` }))).toBe(404);
  });

  it('refuses a request whose Host is not the host itself (DNS rebinding)', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    const res = await get(`${h.host.origin}/`, { headers: { Cookie: cookie, Host: `rebind.example:${h.host.port}` } });
    expect(res.status).toBe(421);
    const link = await get(h.host.newLink(), { headers: { Host: `rebind.example:${h.host.port}` } });
    expect(link.status).toBe(421);
    expect(link.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a request that says it comes from another site, and anything but GET/HEAD', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    expect((await get(`${h.host.origin}/`, { headers: { Cookie: cookie, Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await get(`${h.host.origin}/`, { headers: { Cookie: cookie }, method: 'POST' })).status).toBe(405);
    const head = await get(`${h.host.origin}/assets/app.js`, { headers: { Cookie: cookie }, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('preview host: files', () => {
  it('serves only files under the renderer folder: traversal, dot-files, directories and symlinks out are refused', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    symlinkSync(join(dirname(h.rendererDir), 'secret.txt'), join(h.rendererDir, 'assets', 'link.txt'));
    const status = async (rawPath: string) => (await get(`${h.host.origin}/`, { headers: { Cookie: cookie }, rawPath })).status;
    expect(await status('/../secret.txt')).toBe(404);
    expect(await status('/assets/../../secret.txt')).toBe(404);
    expect(await status('/%2e%2e/secret.txt')).toBe(404);
    expect(await status('/assets/..%2f..%2fsecret.txt')).toBe(404);
    expect(await status('/..%5csecret.txt')).toBe(400);
    expect(await status('/%00')).toBe(400);
    expect(await status('/%E0%A4%A')).toBe(400);
    expect(await status('/.env')).toBe(404);
    expect(await status('/assets')).toBe(404);
    expect(await status('/assets/')).toBe(404);
    expect(await status('/assets/link.txt')).toBe(404);
    expect(await status('/nope.js')).toBe(404);
    const secret = await get(`${h.host.origin}/`, { headers: { Cookie: cookie }, rawPath: '/../secret.txt' });
    expect(secret.body).not.toContain('not for the browser');
  });

  it('sends correct content types', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    const type = async (path: string) => (await get(`${h.host.origin}${path}`, { headers: { Cookie: cookie } })).headers['content-type'];
    expect(await type('/')).toBe('text/html; charset=utf-8');
    expect(await type('/index.html')).toBe('text/html; charset=utf-8');
    expect(await type('/assets/app.js')).toBe('text/javascript; charset=utf-8');
    expect(await type('/assets/app.css')).toBe('text/css; charset=utf-8');
    expect(await type('/assets/logo.svg')).toBe('image/svg+xml');
  });

  it('puts the strict CSP and the other security headers on every answer', async () => {
    const h = await preview();
    const cookie = await h.browserSession();
    const csp = contentSecurityPolicy(`127.0.0.1:${h.host.port}`);
    expect(csp).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${h.host.port}; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    for (const res of [
      await get(`${h.host.origin}/`, { headers: { Cookie: cookie } }),
      await get(`${h.host.origin}/assets/app.js`, { headers: { Cookie: cookie } }),
      await get(`${h.host.origin}/`),
      await get(`${h.host.origin}/missing`, { headers: { Cookie: cookie } }),
      await get(h.host.newLink()),
    ]) {
      expect(res.headers['content-security-policy']).toBe(csp);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('refuses to listen anywhere but loopback', async () => {
    const { startPreviewHost } = await import('../../../src/main/preview/server');
    const h = await preview();
    await expect(startPreviewHost({ rendererDir: h.rendererDir, desk: h.desk, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
