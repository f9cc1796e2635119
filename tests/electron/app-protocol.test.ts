/**
 * The app:// protocol: the dashboard is served from the built renderer folder
 * only, with the CSP as a header on every response, and the scheme is
 * registered as privileged (standard, secure) before the app is ready.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_SCHEME_PRIVILEGES, APP_URL, isAppUrl, registerAppScheme, rendererRequestHandler } from '../../src/main/electron/app-protocol';
import { fake, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const CSP = "default-src 'none'; script-src 'self'";
let dir: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-protocol-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>desk</title>');
  writeFileSync(join(dir, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'renderer', 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'patient records');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'renderer', 'assets', 'link.txt'));
  handler = rendererRequestHandler(join(dir, 'renderer'), CSP);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('app:// requests', () => {
  it('serve the page and its assets with their types and the CSP header', async () => {
    const page = await get(APP_URL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>desk</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await get('app://desk/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(CSP);
    expect((await get('app://desk/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serve the page for app routes, and 404 (with the CSP) for missing files', async () => {
    expect(await (await get('app://desk/board')).text()).toContain('<title>desk</title>');
    const missing = await get('app://desk/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
  });

  it.each([
    // The URL parser already resolves an encoded ".." segment: this asks for /secret.txt in the folder.
    ['app://desk/%2e%2e/secret.txt', 404],
    ['app://desk/..%2fsecret.txt', 403],
    ['app://desk/assets/..%2f..%2fsecret.txt', 403],
    ['app://desk/assets/link.txt', 404],
    ['app://desk/%00', 400],
    ['app://desk/%E0%A4%A', 400],
    ['app://elsewhere/index.html', 404],
  ])('refuse %s outside the renderer folder (%i)', async (url, status) => {
    const response = await get(url);
    expect(response.status).toBe(status);
    expect(await response.text()).not.toContain('patient records');
  });

  it('answer only GET and HEAD', async () => {
    expect((await get(APP_URL, 'POST')).status).toBe(405);
    const head = await get(APP_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('the scheme', () => {
  it('is registered as standard and secure, and not readable cross-origin (corsEnabled off)', () => {
    resetFakeElectron();
    registerAppScheme();
    expect(fake.protocol.privileged).toEqual([{ scheme: 'app', privileges: { ...APP_SCHEME_PRIVILEGES } }]);
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, corsEnabled: false });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
  });

  it('gives the app its own origin for the sender and permission checks', () => {
    const base = new URL(APP_URL);
    expect(isAppUrl('app://desk/index.html#/board', base)).toBe(true);
    for (const url of ['app://desk.evil/', 'file:///app://desk/', 'https://desk/', '', 'not a url', null]) expect(isAppUrl(url, base)).toBe(false);
  });
});
