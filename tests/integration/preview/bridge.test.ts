import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BRIDGE_METHODS, DemoAccount, SignInResult, type DeskEvent } from '../../../src/shared/bridge';
import { DeskSnapshot } from '../../../src/shared/desk-state';
import type { WireResult } from '../../../src/shared/wire-bridge';
import { memoryLogger } from '../../../src/main/core/log';
import { BridgeHub, type BridgeDesk } from '../../../src/main/preview/bridge-socket';
import { connectBridge, startPreviewHarness, type BridgeClient, type PreviewHarness } from '../../helpers/preview';

/**
 * `ClinicBridge` over the preview host's WebSocket, with a real `ws` client
 * speaking the wire format against a real DeskService and the demo clinic.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function preview(): Promise<PreviewHarness> {
  const h = await startPreviewHarness();
  cleanups.push(() => h.close());
  return h;
}

async function page(h: PreviewHarness): Promise<BridgeClient> {
  const client = await connectBridge(h.host, { cookie: await h.browserSession() });
  cleanups.push(() => client.close());
  return client;
}

function ok(result: WireResult): unknown {
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

function failure(result: WireResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error.message;
}

async function signedInReception(h: PreviewHarness): Promise<BridgeClient> {
  const client = await page(h);
  const signIn = SignInResult.parse(ok(await client.call('signInDemo', { role: 'reception' })));
  expect(signIn.ok).toBe(true);
  await client.waitForEvent('connection', (e) => e.connection.status === 'live');
  return client;
}

describe('preview bridge: calls', () => {
  it('getSnapshot, listDemoAccounts, then signInDemo as reception: the desk goes live and events flow to the page', async () => {
    const h = await preview();
    const client = await page(h);

    const before = DeskSnapshot.parse(ok(await client.call('getSnapshot')));
    expect(before.session).toEqual({ status: 'signed-out', reason: null });

    const accounts = DemoAccount.array().parse(ok(await client.call('listDemoAccounts')));
    expect(accounts.map((a) => a.role)).toEqual(['reception', 'doctor', 'admin']);

    const signIn = SignInResult.parse(ok(await client.call('signInDemo', { role: 'reception' })));
    if (!signIn.ok) throw new Error(signIn.message);
    expect(signIn.user.role).toBe('reception');

    await client.waitForEvent('session', (e) => e.session.status === 'signed-in');
    await client.waitForEvent('connection', (e) => e.connection.status === 'live');
    const after = DeskSnapshot.parse(ok(await client.call('getSnapshot')));
    expect(after.session.status).toBe('signed-in');

    // A notification the back end broadcasts reaches the page as a desk event.
    const clinic = h.demo.clinic!;
    const { notification } = await clinic.backend.notify({ user_id: signIn.user.id, type: 'info', title: 'Preview check', message: 'Over the bridge', action_url: null });
    const upserted = await client.waitForEvent('notification.upserted', (e) => e.notification.id === notification.id);
    expect(upserted.notification.title).toBe('Preview check');
    await client.waitForEvent('notifications.unread', (e) => e.unread > 0);
  });

  it('answers with the output validated by the method schema (defaults filled in)', async () => {
    const h = await preview();
    const client = await signedInReception(h);
    const list = ok(await client.call('listNotifications', {}));
    expect(BRIDGE_METHODS.listNotifications.output.safeParse(list).success).toBe(true);
    // A method with no answer (`z.undefined()`): ok, and no output.
    const reconnect = await client.call('reconnect');
    expect(reconnect).toEqual({ type: 'result', id: reconnect.id, ok: true });
  });

  it('every connected page (several tabs) receives every desk event', async () => {
    const h = await preview();
    const a = await signedInReception(h);
    const b = await page(h);
    expect(h.host.connections).toBe(2);
    const user = DeskSnapshot.parse(ok(await b.call('getSnapshot'))).session;
    if (user.status !== 'signed-in') throw new Error('not signed in');
    const { notification } = await h.demo.clinic!.backend.notify({ user_id: user.user.id, type: 'info', title: 'Both tabs', message: 'x', action_url: null });
    for (const tab of [a, b]) await tab.waitForEvent('notification.upserted', (e) => e.notification.id === notification.id);
  });
});

describe('preview bridge: bad input is data', () => {
  it('refuses invalid input with an error result; the connection stays usable', async () => {
    const h = await preview();
    const client = await page(h);
    expect(failure(await client.call('signInDemo', { role: 'patient' }))).toMatch(/^Invalid input for signInDemo/);
    expect(failure(await client.call('signIn', { apiUrl: 'javascript:alert(1)', email: 'x', password: '' }))).toMatch(/^Invalid input for signIn/);
    expect(failure(await client.call('loadBoard', { date: '2026-13-45' }))).toMatch(/^Invalid input for loadBoard/);
    expect(failure(await client.call('getSnapshot', { unexpected: true }))).toMatch(/^Invalid input for getSnapshot/);
    // The desk's own refusals come back as errors too.
    // The same envelope, kind and message as the Electron host answers (tests/electron/ipc-envelope.test.ts).
    expect(await client.call('loadBoard', { date: '2026-11-26' })).toMatchObject({ ok: false, error: { kind: 'unavailable', message: 'Not signed in.' } });
    expect(DeskSnapshot.safeParse(ok(await client.call('getSnapshot'))).success).toBe(true);
  });

  it('refuses malformed frames (not JSON, wrong shape, unknown method, binary) without closing', async () => {
    const h = await preview();
    const client = await page(h);
    expect(failure(await client.sendRaw('{not json'))).toBe('Malformed frame: not JSON.');
    expect(failure(await client.sendRaw('null'))).toMatch(/^Malformed call/);
    expect(failure(await client.sendRaw(JSON.stringify({ type: 'call', id: 7, method: 'constructor' }), 7))).toBe('Unknown method: constructor.');
    expect(failure(await client.sendRaw(JSON.stringify({ type: 'call', id: 8, method: '__proto__' }), 8))).toBe('Unknown method: __proto__.');
    expect(failure(await client.sendRaw(JSON.stringify({ type: 'call', id: -1, method: 'getSnapshot' })))).toMatch(/^Malformed call/);
    expect(failure(await client.sendRaw(JSON.stringify({ type: 'result', id: 9, ok: true }), 9))).toMatch(/^Malformed call/);
    expect(failure(await client.sendRaw(Buffer.from([1, 2, 3])))).toBe('The bridge takes JSON text frames only.');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(DeskSnapshot.safeParse(ok(await client.call('getSnapshot'))).success).toBe(true);
  });

  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const h = await preview();
    const big = await page(h);
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.socket.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const other = await page(h);
    expect(DeskSnapshot.safeParse(ok(await other.call('getSnapshot'))).success).toBe(true);
  });

  it('never sends an answer the output schema refuses (a desk bug stays on the host, logged)', async () => {
    const logger = memoryLogger();
    const broken = { getSnapshot: async () => ({ session: 'garbage' }), on: () => () => undefined } as unknown as BridgeDesk;
    const hub = new BridgeHub(broken, logger);
    const result = await hub.handle(JSON.stringify({ type: 'call', id: 3, method: 'getSnapshot' }));
    expect(result).toEqual({ type: 'result', id: 3, ok: false, error: { kind: 'internal', message: 'The desk gave an invalid answer to getSnapshot.' } });
    expect(logger.records.some((r) => r.level === 'error' && r.fields.method === 'getSnapshot')).toBe(true);
    await hub.close();
  });

  it('drops (and logs) a desk event that does not match the contract instead of sending it', async () => {
    const logger = memoryLogger();
    let emit: (e: DeskEvent) => void = () => undefined;
    const desk = { on: (l: (e: DeskEvent) => void) => ((emit = l), () => undefined) } as unknown as BridgeDesk;
    const hub = new BridgeHub(desk, logger);
    // A fake page socket that records what it is sent.
    const sent: string[] = [];
    const fake = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (t: string) => sent.push(t), on: () => fake, once: () => fake } as unknown as Parameters<BridgeHub['attach']>[0];
    hub.attach(fake);
    emit(JSON.parse('{"kind":"notifications.unread","unread":-1}') as DeskEvent);
    emit({ kind: 'notifications.unread', unread: 2 });
    expect(sent.map((t) => JSON.parse(t) as unknown)).toEqual([{ type: 'event', event: { kind: 'notifications.unread', unread: 2 } }]);
    expect(logger.records.some((r) => r.message === 'the desk emitted an invalid event; not sent')).toBe(true);
  });
});

describe('preview bridge: host adapters', () => {
  it('openExternal: opens (reports opened) only links the core allows, and hands them to the host', async () => {
    const h = await preview();
    const client = await signedInReception(h);
    const apiUrl = h.demo.clinic!.info.apiUrl;
    expect(ok(await client.call('openExternal', { url: 'https://evil.example/phish' }))).toEqual({ opened: false, reason: 'evil.example is not the clinic\'s host' });
    expect(ok(await client.call('openExternal', { url: `${apiUrl}/billing?x=1` }))).toEqual({ opened: true, reason: null });
    expect(h.opened).toEqual([`${apiUrl}/billing?x=1`]);
  });

  it('updateSettings writes the settings file and tells every page', async () => {
    const h = await preview();
    const client = await page(h);
    const view = ok(await client.call('updateSettings', { pollingIntervalSec: 45 })) as { values: { pollingIntervalSec: number } };
    expect(view.values.pollingIntervalSec).toBe(45);
    await client.waitForEvent('settings', (e) => e.settings.values.pollingIntervalSec === 45);
    expect(JSON.parse(readFileSync(h.settingsFile, 'utf8'))).toEqual({ pollingIntervalSec: 45 });
  });

  it('runChecks runs the doctor against the signed-in demo clinic', async () => {
    const h = await preview();
    const client = await signedInReception(h);
    const report = BRIDGE_METHODS.runChecks.output.parse(ok(await client.call('runChecks')));
    expect(report.checks.map((c) => [c.id, c.ok])).toEqual([
      ['config', true],
      ['api', true],
      ['sign-in', true],
      ['time-zone', true],
      ['feature-notifications', true],
      ['feature-board', true],
      ['feature-consultations', true],
      ['feature-conversations', true],
      ['feature-members', true],
      ['websocket', true],
      ['channels', true],
      ['round-trip', true],
    ]);
    // The demo clinic serves every feature: nothing to note.
    expect(report.checks.filter((c) => c.warning)).toEqual([]);
  });

  it('closing the host says goodbye to the pages (1001)', async () => {
    const h = await startPreviewHarness();
    const client = await connectBridge(h.host, { cookie: await h.browserSession() });
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    await h.close();
    expect(await closed).toBe(1001);
  });
});
