/**
 * The diagnostics report staff copy for support (Help → Copy diagnostics): it
 * names the server and the socket transport, and nothing that must not leave
 * the desk: no Pusher app secret, no sign-in token or password, no user name,
 * password or query typed into the server address. It carries the desk's one
 * connection timeline and its one log of refused payloads, the very ones the
 * Diagnostics screen reads.
 */
import { describe, expect, it } from 'vitest';
import type { DeskEvent } from '../../../src/shared/bridge';
import { channels } from '../../../src/shared/channels';
import type { Diagnostics } from '../../../src/shared/desk-state';
import type { DemoPort } from '../../../src/main/core/desk/desk-service';
import type { TransportConfig } from '../../../src/main/core/config/schema';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account, startTestClinic } from '../../helpers/demo';
import { createDesk, signInLive, type TestDesk } from '../../helpers/desk';
import { closeAfterEach } from '../../helpers/close-after-each';

const RECEPTION = 'reception1@northside.clinic.test';

const open = closeAfterEach();

async function clinicAndDesk(options: Parameters<typeof createDesk>[1] = {}): Promise<{ c: DemoClinic; d: TestDesk }> {
  const c = await startTestClinic();
  open.push(c);
  const d = createDesk(c, options);
  open.push(d);
  return { c, d };
}

function password(c: DemoClinic, email: string): string {
  const account = c.info.users.find((u) => u.email === email);
  if (!account) throw new Error(`no demo account ${email}`);
  return account.password;
}

/** The desk says Live again after `from` (an index into its events). */
function liveAgain(d: TestDesk, from: number): Promise<unknown> {
  return d.waitFor('connection', (e) => e.connection.status === 'live', 8000, from);
}

async function reported(d: TestDesk): Promise<Pick<Diagnostics, 'timeline' | 'rejected'>> {
  return JSON.parse((await d.desk.diagnosticsReport()).text) as Diagnostics;
}

async function report(d: TestDesk): Promise<{ text: string; config: { apiUrl: string | null; transport: Record<string, unknown> } }> {
  const { text } = await d.desk.diagnosticsReport();
  return { text, config: (JSON.parse(text) as { config: { apiUrl: string | null; transport: Record<string, unknown> } }).config };
}

describe('the diagnostics report', () => {
  it('shows the transport by its public fields only: a Pusher app secret riding along on the object does not leave', async () => {
    let clinic: DemoClinic | null = null;
    // A host whose transport object carries more than the contract's fields (here the demo's app secret, as a spread of its info would).
    const demo: DemoPort = {
      accounts: () => [],
      start: () => {
        if (!clinic) throw new Error('no clinic');
        const { appKey, appSecret, wsHost, wsPort } = clinic.info;
        const transport = { kind: 'reverb', key: appKey, host: wsHost, port: wsPort, scheme: 'http', appSecret, secret: appSecret } as TransportConfig;
        return Promise.resolve({ apiUrl: clinic.info.apiUrl, transport, email: RECEPTION, password: password(clinic, RECEPTION) });
      },
    };
    const { c, d } = await clinicAndDesk({ demo });
    clinic = c;
    expect((await d.desk.signInDemo({ role: 'reception' })).ok).toBe(true);

    const { text, config } = await report(d);
    expect(config.transport).toEqual({ kind: 'reverb', key: c.info.appKey, host: c.info.wsHost, port: c.info.wsPort, scheme: 'http' });
    expect(c.info.appSecret.length).toBeGreaterThan(0);
    expect(text).not.toContain(c.info.appSecret);
    expect(text).not.toContain(password(c, RECEPTION));
    const stored = await d.tokens.load();
    expect(stored?.token).toBeTruthy();
    expect(text).not.toContain(stored?.token ?? '<no token>');
  });

  it('names the server without a user name, password or query typed into its address', async () => {
    const { c, d } = await clinicAndDesk();
    const url = new URL(c.info.apiUrl);
    url.username = 'frontdesk';
    url.password = 'hunter2-server-pass';
    url.search = '?signature=9f8e7d6c5b4a';
    // The API client talks to origin and path only, so the sign-in works with such an address.
    expect((await d.desk.signIn({ apiUrl: url.href, email: RECEPTION, password: password(c, RECEPTION) })).ok).toBe(true);

    const { text, config } = await report(d);
    expect(config.apiUrl).toBe(c.info.apiUrl.replace(/\/+$/, ''));
    for (const secret of ['hunter2-server-pass', 'frontdesk', '9f8e7d6c5b4a', password(c, RECEPTION)]) expect(text).not.toContain(secret);
  });
});

describe("the desk's one connection timeline and one rejection log", () => {
  it('one timeline of what the connection did, across a reconnect, a sign-out and a new sign-in: Diagnostics and the report read the same', async () => {
    const { c, d } = await clinicAndDesk({ realtime: { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } } });
    await signInLive(d, c, RECEPTION);
    let mark = d.mark();
    await d.desk.reconnect();
    await liveAgain(d, mark);
    await d.desk.signOut();
    mark = d.mark();
    expect((await d.desk.signIn({ apiUrl: c.info.apiUrl, email: RECEPTION, password: password(c, RECEPTION) })).ok).toBe(true);
    await liveAgain(d, mark);

    const { timeline, connection } = await d.desk.getDiagnostics();
    expect(timeline.map((t) => [t.from, t.to])).toEqual([
      ['idle', 'connecting'],
      ['connecting', 'live'],
      ['live', 'reconnecting'],
      ['reconnecting', 'live'],
      ['live', 'idle'],
      ['idle', 'connecting'],
      ['connecting', 'live'],
    ]);
    expect(timeline[2]?.detail).toBe('reconnect: reconnect requested');
    expect(timeline[4]?.detail).toBe('signed out');
    expect(timeline.at(-1)?.at).toBe(connection.since);
    // What the status bar said, change by change: the same entries the connection events announced.
    const announced = d.events.flatMap((e: DeskEvent) => (e.kind === 'connection' ? [e.connection.status] : [])).filter((s, i, all) => s !== all[i - 1]);
    expect(announced).toEqual(['connecting', 'live', 'reconnecting', 'live', 'connecting', 'live']);
    expect((await reported(d)).timeline).toEqual(timeline);
  });

  it('one log of refused payloads, counted once: the events, Diagnostics and the report read it, and a restart of the core keeps it', async () => {
    const { c, d } = await clinicAndDesk({ realtime: { reconnect: { baseDelayMs: 50, maxDelayMs: 300 } } });
    await signInLive(d, c, RECEPTION);
    const me = account(c, RECEPTION);
    const channel = channels.notifications(me.id).fullName;
    /** Three refused payloads, then a good one: frames arrive in order, so once it is here the three were handled. */
    const refuseThree = async (title: string) => {
      for (let i = 0; i < 3; i++) await c.backend.rawBroadcast('general-notification', [channel], 'not json at all {');
      const fence = await c.backend.notify({ user_id: me.id, type: 'system', title, message: 'ok', action_url: null });
      await d.waitFor('notification.upserted', (e) => e.notification.id === fence.notification.id);
    };
    const counts = () => d.events.flatMap((e) => (e.kind === 'rejected' && e.channel === channel ? [e.count] : []));

    await refuseThree('after the first three');
    expect(counts()).toEqual([1, 2, 3]);
    const group = { channel, event: 'general-notification', reason: 'not JSON' };
    const first = await d.desk.getDiagnostics();
    expect(first.rejected).toEqual([{ ...group, count: 3, lastAt: expect.any(String) as unknown }]);
    expect(first.channels.find((ch) => ch.name === channel)?.rejectedCount).toBe(3);
    expect((await reported(d)).rejected).toEqual(first.rejected);

    // An internal error: the session is built again (a new socket and Realtime); the desk's log goes on.
    const mark = d.mark();
    expect(await d.desk.restartCore('uncaughtException: TypeError')).toBe(true);
    await liveAgain(d, mark);
    await refuseThree('after the restart');
    expect(counts()).toEqual([1, 2, 3, 4, 5, 6]);
    const after = await d.desk.getDiagnostics();
    expect(after.rejected).toEqual([{ ...group, count: 6, lastAt: expect.any(String) as unknown }]);
    // The channel table counts this session's subscription.
    expect(after.channels.find((ch) => ch.name === channel)?.rejectedCount).toBe(3);
    expect((await reported(d)).rejected).toEqual(after.rejected);
    expect(after.timeline.find((t) => t.to === 'idle')?.detail).toBe('restarting after an internal error (uncaughtException: TypeError)');

    // Signed out: a reason may quote a payload, so the next person at this desk does not read them.
    await d.desk.signOut();
    expect((await d.desk.getDiagnostics()).rejected).toEqual([]);
    expect((await reported(d)).rejected).toEqual([]);
  });
});
