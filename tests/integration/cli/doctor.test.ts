import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher, { type Options as PusherOptions } from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { DeskConfig, type TransportConfig } from '../../../src/main/core/config/schema';
import { memoryTokenStore } from '../../../src/main/core/desk/desk-service';
import { runDoctor } from '../../../src/main/core/doctor/doctor';
import { deskEchoFactory, type EchoFactory } from '../../../src/main/core/realtime/echo-instance';
import { desktopChecks } from '../../../src/main/electron/checks';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { runCli } from '../../helpers/cli';
import { account, startTestClinic } from '../../helpers/demo';
import { createDesk } from '../../helpers/desk';

const RECEPTION = 'reception1@northside.clinic.test';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function clinic(): Promise<DemoClinic> {
  const c = await startTestClinic();
  cleanups.push(() => c.close());
  return c;
}

function config(c: DemoClinic, transport?: Partial<Extract<TransportConfig, { kind: 'reverb' }>>, apiUrl = c.info.apiUrl): DeskConfig {
  return DeskConfig.parse({
    apiUrl,
    transport: { kind: 'reverb', key: c.info.appKey, host: c.info.wsHost, port: c.info.wsPort, scheme: 'http', ...transport },
    settings: DEFAULT_SETTINGS,
  });
}

const creds = (c: DemoClinic, password?: string) => {
  const a = account(c, RECEPTION);
  return { email: a.email, password: password ?? a.password };
};

function failed(report: Awaited<ReturnType<typeof runDoctor>>) {
  return report.checks.filter((check) => !check.ok);
}

describe('clinic-desk doctor (the seed\'s troubleshooting checklist)', () => {
  it('passes every check against a working clinic, including a presence round trip', async () => {
    const c = await clinic();
    const report = await runDoctor({ config: config(c), credentials: creds(c), timeoutMs: 3000 });
    expect(report.checks.map((check) => [check.id, check.ok])).toEqual([
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
    expect(report.checks.filter((check) => check.warning)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("a doctor on a clinic whose channel rules refuse colleagues' schedules: passes, with a note on those columns", async () => {
    const c = await clinic();
    const doctor = account(c, 'doctor1@northside.clinic.test');
    const report = await runDoctor({ config: config(c), credentials: { email: doctor.email, password: doctor.password }, timeoutMs: 3000 });
    expect(failed(report)).toEqual([]);
    const channels = report.checks.find((check) => check.id === 'channels');
    expect(channels).toMatchObject({ ok: true, warning: true });
    expect(channels?.detail).toMatch(/Colleagues' schedules refused \(403\): private-appointments\.doctor\.\d+, private-appointments\.doctor\.\d+/);
    expect(channels?.detail).toContain(`private-appointments.doctor.${doctor.doctorId}`);
    expect(channels?.fix).toMatch(/routes\/channels\.php/);
    // A refused channel of their own is still a failure.
    c.api.injectFault({ path: /broadcasting\/auth/, status: 403, times: 100 });
    const refused = await runDoctor({ config: config(c), credentials: { email: doctor.email, password: doctor.password }, timeoutMs: 3000 });
    expect(failed(refused).map((check) => check.id)).toEqual(['channels']);
  });

  it('"WebSocket not connecting": an unknown app key → verify the Pusher credentials', async () => {
    const c = await clinic();
    const report = await runDoctor({ config: config(c, { key: 'not-our-key' }), credentials: creds(c), timeoutMs: 3000 });
    const [problem] = failed(report);
    expect(problem?.id).toBe('websocket');
    expect(problem?.detail).toContain('4001');
    expect(problem?.fix).toMatch(/Verify the Pusher app credentials/);
  });

  it('"WebSocket not connecting": the socket server is down → check host/port, or BROADCAST_DRIVER=log meanwhile', async () => {
    const c = await clinic();
    await c.stopRealtime();
    const report = await runDoctor({ config: config(c), credentials: creds(c), timeoutMs: 1500 });
    const [problem] = failed(report);
    expect(problem?.id).toBe('websocket');
    expect(problem?.fix).toMatch(/REVERB_HOST/);
    expect(problem?.fix).toMatch(/BROADCAST_DRIVER=log/);
  });

  it('"Notifications not appearing": channels refused by the auth endpoint → verify user authentication', async () => {
    const c = await clinic();
    c.api.injectFault({ path: /^\/broadcasting\/auth$/, status: 403, times: 1000 });
    const report = await runDoctor({ config: config(c), credentials: creds(c), timeoutMs: 3000 });
    const [problem] = failed(report);
    expect(problem?.id).toBe('channels');
    expect(problem?.detail).toContain('403');
    expect(problem?.fix).toMatch(/Verify user authentication: broadcast channels are private/);
  });

  it('"High latency": a slow round trip says what to look at', async () => {
    const c = await clinic();
    const report = await runDoctor({ config: config(c), credentials: creds(c), timeoutMs: 3000, latencyWarnMs: -1 });
    const [problem] = failed(report);
    expect(problem?.id).toBe('round-trip');
    expect(problem?.fix).toMatch(/High latency/);
  });

  it('wrong password, unreachable API and a server that is not a clinic each get their own advice', async () => {
    const c = await clinic();
    const wrong = await runDoctor({ config: config(c), credentials: creds(c, 'nope'), timeoutMs: 3000 });
    expect(failed(wrong)[0]).toMatchObject({ id: 'sign-in', fix: expect.stringMatching(/email and password/) as unknown });

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const unreachable = await runDoctor({ config: config(c, {}, `http://127.0.0.1:${deadPort}`), credentials: creds(c), timeoutMs: 1000 });
    expect(failed(unreachable)[0]).toMatchObject({ id: 'api', fix: expect.stringMatching(/API URL/) as unknown });

    const html: Server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Welcome to nginx</html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => html.close(() => r())));
    const notClinic = await runDoctor({ config: config(c, {}, `http://127.0.0.1:${(html.address() as AddressInfo).port}`), credentials: creds(c), timeoutMs: 1000 });
    expect(failed(notClinic)[0]).toMatchObject({ id: 'api', detail: expect.stringMatching(/not like a clinic/) as unknown });
  });

  it('as a command: exit 0 when all pass, 1 with the fix printed when one fails, config errors named', async () => {
    const c = await clinic();
    const a = account(c, RECEPTION);
    const base = ['doctor', '--api-url', c.info.apiUrl, '--email', a.email, '--password', a.password, '--key', c.info.appKey, '--ws-host', c.info.wsHost, '--ws-port', String(c.info.wsPort), '--timeout', '3000'];
    const ok = await runCli(base, {});
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('All checks passed.');

    const bad = await runCli([...base.slice(0, 7), '--key', 'wrong-key', ...base.slice(9)], {});
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ WebSocket/);
    expect(bad.stdout).toMatch(/Fix: Verify the Pusher app credentials/);

    // Seed symptom: "Check .env has VITE_PUSHER_APP_KEY set".
    const noKey = await runCli(['doctor', '--api-url', c.info.apiUrl], { PUSHER_APP_CLUSTER: 'mt1' });
    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toMatch(/PUSHER_APP_KEY/);
  });
});

describe("doctor connects the desk's way", () => {
  it('builds its connection with the Echo factory it is given: the socket it reports is that one, and the server saw it join the desk\'s channels', async () => {
    const c = await clinic();
    const sockets: string[] = [];
    const transports: unknown[] = [];
    const desks = deskEchoFactory();
    const echo: EchoFactory = (transport, authorizer) => {
      transports.push(transport);
      const instance = desks(transport, authorizer);
      instance.pusher.connection.bind('connected', () => sockets.push(instance.pusher.connection.socket_id));
      return instance;
    };
    const joined: Array<{ socketId: string; channel: string }> = [];
    cleanups.push(c.realtime!.on('subscribed', (e) => joined.push(e)));

    const report = await runDoctor({ config: config(c), credentials: creds(c), timeoutMs: 3000, echo });
    expect(report.ok).toBe(true);
    expect(transports).toEqual([config(c).transport]);
    expect(sockets).toHaveLength(1);
    expect(report.checks.find((check) => check.id === 'websocket')?.detail).toContain(`(socket ${sockets[0]})`);
    const me = account(c, RECEPTION);
    expect(joined.filter((e) => e.socketId === sockets[0]).map((e) => e.channel)).toEqual(
      expect.arrayContaining([channels.notifications(me.id).fullName, channels.presenceClinic(me.clinicId).fullName]),
    );
  });

  it("a fault in the desk's Echo path shows in its checks: a desk whose connection uses the wrong key fails the WebSocket check, though its configuration is right", async () => {
    const c = await clinic();
    // The fault: the desk's own Pusher class connects with another key than the configured one.
    class WrongKeyPusher extends Pusher {
      constructor(_key: string, options: PusherOptions) {
        super('not-our-key', options);
      }
    }
    const tokens = memoryTokenStore();
    const d = createDesk(c, {
      tokens,
      realtime: { echo: deskEchoFactory(WrongKeyPusher), reconnect: { baseDelayMs: 200, maxDelayMs: 1000 } },
      runChecks: desktopChecks({ config: config(c), tokens, demo: null, session: () => ({ apiUrl: c.info.apiUrl, demo: false }) }),
    });
    cleanups.push(() => d.close());
    expect((await d.desk.signIn({ apiUrl: c.info.apiUrl, ...creds(c) })).ok).toBe(true);
    // The desk itself cannot connect: the socket server does not know the key its Echo path sends.
    await d.waitFor('connection', (e) => e.connection.detail?.includes('4001') === true, 5000);

    const report = await d.desk.runChecks();
    const [problem] = failed(report);
    expect(problem?.id).toBe('websocket');
    expect(problem?.detail).toContain('4001');
    expect(problem?.fix).toMatch(/Verify the Pusher app credentials/);
    // Control: the same configuration and token, connected some other way than the desk's, would have passed.
    const stored = await tokens.load();
    const elsewhere = await runDoctor({ config: config(c), credentials: { token: stored?.token ?? '' }, timeoutMs: 3000 });
    expect(failed(elsewhere)).toEqual([]);
  });
});
