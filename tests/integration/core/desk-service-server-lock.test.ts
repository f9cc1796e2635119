/**
 * The administrator's preset server (`serverLocked`): the desk reports it,
 * signs in there only (refusing any other address before a single request),
 * and does not resume a stored session for another server.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { memoryTokenStore, type StoredSession } from '../../../src/main/core/desk/desk-service';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account, startTestClinic } from '../../helpers/demo';
import { createDesk, deskConfig, type TestDesk } from '../../helpers/desk';
import { closeAfterEach } from '../../helpers/close-after-each';

const RECEPTION = 'reception1@northside.clinic.test';

const open = closeAfterEach();

async function clinic(): Promise<DemoClinic> {
  const c = await startTestClinic();
  open.push(c);
  return c;
}

/** A loopback address nothing listens on: a request to it fails as unreachable. */
async function closedServer(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** `fetch` that records every URL the desk asks for. */
function countingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    },
  };
}

function lockedDesk(c: DemoClinic, options: Parameters<typeof createDesk>[1] = {}): TestDesk & { urls: string[] } {
  const counting = countingFetch();
  const d = createDesk(c, { config: deskConfig(c, { transport: { kind: 'polling' } }), serverLocked: true, fetch: counting.fetch, ...options });
  open.push(d);
  return Object.assign(d, { urls: counting.urls });
}

describe("the administrator's preset server", () => {
  it('is reported as the configured server, locked', async () => {
    const c = await clinic();
    const d = lockedDesk(c);
    expect(await d.desk.getServerPreset()).toEqual({ apiUrl: c.info.apiUrl, locked: true });
  });

  it('refuses signing in to another server, without sending a single request', async () => {
    const c = await clinic();
    const d = lockedDesk(c);
    const elsewhere = await closedServer();
    const me = account(c, RECEPTION);
    const result = await d.desk.signIn({ apiUrl: elsewhere, email: me.email, password: me.password });
    expect(result).toEqual({ ok: false, error: 'invalid-input', message: `This desk signs in to ${c.info.apiUrl} only (set by your administrator).` });
    expect(d.urls).toEqual([]);
    expect((await d.desk.getSnapshot()).session).toEqual({ status: 'signed-out', reason: null });
    expect(await d.tokens.load()).toBeNull();
    // Another path on the same host is another server too.
    const other = await d.desk.signIn({ apiUrl: `${c.info.apiUrl}/other`, email: me.email, password: me.password });
    expect(other.ok === false && other.error).toBe('invalid-input');
    expect(d.urls).toEqual([]);
  });

  it('signs in to the preset server, the address compared without trailing slashes', async () => {
    const c = await clinic();
    const d = lockedDesk(c);
    const me = account(c, RECEPTION);
    const result = await d.desk.signIn({ apiUrl: `${c.info.apiUrl}//`, email: me.email, password: me.password });
    if (!result.ok) throw new Error(result.message);
    expect(result.user.id).toBe(me.id);
    expect(d.urls.length).toBeGreaterThan(0);
    expect(d.urls.every((u) => u.startsWith(`${c.info.apiUrl}/`))).toBe(true);
    expect(await d.tokens.load()).toMatchObject({ apiUrl: c.info.apiUrl, userId: me.id, demo: false });
    const session = (await d.desk.getSnapshot()).session;
    expect(session.status === 'signed-in' && session.apiUrl).toBe(c.info.apiUrl);
  });

  it('does not resume a stored session for another server: the token is cleared, the reason shown and logged', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const elsewhere = await closedServer();
    const stored: StoredSession = { apiUrl: elsewhere, token: '1|old-server-token', userId: account(c, RECEPTION).id, demo: false };
    await tokens.save(stored);
    const d = lockedDesk(c, { tokens });
    expect(await d.desk.resume()).toBe(false);
    expect(await tokens.load()).toBeNull();
    expect(d.urls).toEqual([]);
    const reason = `Your administrator moved this desk to ${c.info.apiUrl}; please sign in again.`;
    expect((await d.desk.getSnapshot()).session).toEqual({ status: 'signed-out', reason });
    expect(d.events.filter((e) => e.kind === 'session')).toEqual([{ kind: 'session', session: { status: 'signed-out', reason } }]);
    expect(d.logger.records.some((r) => r.level === 'warn' && /not resumed/.test(r.message) && r.fields?.['stored'] === elsewhere)).toBe(true);
  });

  it('resumes a stored session for the preset server', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const first = lockedDesk(c, { tokens });
    const me = account(c, RECEPTION);
    expect((await first.desk.signIn({ apiUrl: c.info.apiUrl, email: me.email, password: me.password })).ok).toBe(true);
    await first.desk.close();
    const second = lockedDesk(c, { tokens });
    expect(await second.desk.resume()).toBe(true);
    expect(await tokens.load()).toMatchObject({ apiUrl: c.info.apiUrl, userId: me.id });
  });

  it('with no server configured, locks nothing', async () => {
    const c = await clinic();
    const d = lockedDesk(c, { config: deskConfig(c, { apiUrl: null, transport: { kind: 'polling' } }) });
    expect(await d.desk.getServerPreset()).toEqual({ apiUrl: null, locked: false });
    const me = account(c, RECEPTION);
    expect((await d.desk.signIn({ apiUrl: c.info.apiUrl, email: me.email, password: me.password })).ok).toBe(true);
  });
});

describe('a desk without a preset server', () => {
  function unlockedDesk(c: DemoClinic, options: Parameters<typeof createDesk>[1] = {}): TestDesk & { urls: string[] } {
    return lockedDesk(c, { serverLocked: false, ...options });
  }

  it('reports the configured server as a suggestion only', async () => {
    const c = await clinic();
    expect(await unlockedDesk(c).desk.getServerPreset()).toEqual({ apiUrl: c.info.apiUrl, locked: false });
    const byDefault = createDesk(c);
    open.push(byDefault);
    expect(await byDefault.desk.getServerPreset()).toEqual({ apiUrl: c.info.apiUrl, locked: false });
  });

  it('signs in to whatever server the user typed', async () => {
    const c = await clinic();
    const d = unlockedDesk(c);
    const elsewhere = await closedServer();
    const me = account(c, RECEPTION);
    const result = await d.desk.signIn({ apiUrl: elsewhere, email: me.email, password: me.password });
    expect(result.ok === false && result.error).toBe('unreachable');
    expect(d.urls.some((u) => u.startsWith(`${elsewhere}/`))).toBe(true);
  });

  it('tries to resume a stored session for another server, keeping its token when that server is down', async () => {
    const c = await clinic();
    const tokens = memoryTokenStore();
    const elsewhere = await closedServer();
    await tokens.save({ apiUrl: elsewhere, token: '1|token', userId: 1, demo: false });
    const d = unlockedDesk(c, { tokens });
    expect(await d.desk.resume()).toBe(false);
    expect(d.urls.some((u) => u.startsWith(`${elsewhere}/`))).toBe(true);
    expect(await tokens.load()).toMatchObject({ apiUrl: elsewhere });
    const session = (await d.desk.getSnapshot()).session;
    expect(session.status === 'signed-out' && session.reason).toMatch(/could not be reached/);
  });
});
