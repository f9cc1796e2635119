import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { API_DIALECTS } from '../../../src/main/demo/dialects';
import { DemoServerInfo } from '../../../src/main/demo/info';
import { signIn } from '../../helpers/staff-desk';

const BIN = fileURLToPath(new URL('../../../bin/clinic-desk.mjs', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function launch(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, 'demo-server', ...args], { stdio: 'pipe' });
  children.push(child);
  return child;
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('demo-server printed nothing')), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`demo-server exited early with ${code}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('clinic-desk demo-server', () => {
  it('prints one JSON line with its URLs, users and zone, serves them, and stops cleanly on SIGTERM with a client connected', async () => {
    const child = launch(['--port', '0', '--seed', '42', '--rate', '0', '--time-zone', 'Asia/Kathmandu']);
    const done = exited(child);
    const info = DemoServerInfo.parse(JSON.parse(await firstLine(child)));
    expect(info.seed).toBe(42);
    // --time-zone: the clinic's zone, in the line and in the user answer (clinic.timezone in the default dialect).
    expect(info.timeZone).toBe('Asia/Kathmandu');
    const me = await fetch(`${info.apiUrl}/api/login`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'reception1@northside.clinic.test', password: 'password' }),
    });
    expect(((await me.json()) as { user: { clinic: { timezone: string } } }).user.clinic.timezone).toBe('Asia/Kathmandu');
    expect(info.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.users.map((u) => u.role)).toEqual(expect.arrayContaining(['admin', 'reception', 'doctor']));
    expect(info.users.filter((u) => u.role === 'doctor').every((u) => u.doctorId !== undefined)).toBe(true);

    const reception = info.users.find((u) => u.role === 'reception');
    if (!reception) throw new Error('no reception user');
    const { user } = await signIn(info, reception.email);
    expect(user.id).toBe(reception.id);

    const client = new PusherJs(info.appKey, {
      cluster: 'mt1',
      wsHost: info.wsHost,
      wsPort: info.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
    });
    await new Promise<void>((resolve) => client.connection.bind('connected', () => resolve()));
    const closedByServer = new Promise<void>((resolve) => client.connection.bind('state_change', (s: { current: string }) => s.current !== 'connected' && resolve()));

    child.kill('SIGTERM');
    const { code } = await done;
    client.disconnect();
    expect(code).toBe(0);
    await closedByServer;
  });

  it('runs the same clinic for the same seed', async () => {
    const a = launch(['--port', '0', '--seed', '5', '--rate', '0']);
    const infoA = DemoServerInfo.parse(JSON.parse(await firstLine(a)));
    const b = launch(['--port', '0', '--seed', '5', '--rate', '0']);
    const infoB = DemoServerInfo.parse(JSON.parse(await firstLine(b)));
    expect(infoB.users).toEqual(infoA.users);
    expect(infoB.apiUrl).not.toBe(infoA.apiUrl);
    const doneA = exited(a);
    const doneB = exited(b);
    a.kill('SIGINT');
    b.kill('SIGINT');
    const resultA = await doneA;
    expect(resultA.code, resultA.stderr).toBe(0);
    const resultB = await doneB;
    expect(resultB.code, `${resultB.signal} ${resultB.stderr}`).toBe(0);
  });

  it('speaks the REST dialect --api-dialect names and says so in its line; an unknown name exits 2 with the names', async () => {
    const child = launch(['--port', '0', '--rate', '0', '--api-dialect', 'minimal']);
    const done = exited(child);
    const bad = launch(['--api-dialect', 'klingon']);
    const refused = exited(bad);
    const info = DemoServerInfo.parse(JSON.parse(await firstLine(child)));
    expect(info.apiDialect).toBe('minimal');
    const res = await fetch(`${info.apiUrl}/api/clinic/members`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(404);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);

    const { code, stderr } = await refused;
    expect(code).toBe(2);
    expect(stderr).toContain(`--api-dialect: unknown dialect "klingon"; one of: ${API_DIALECTS.join(', ')}`);
  });

  it('refuses invalid options with the flag named and exit code 2', async () => {
    const bad = exited(launch(['--port', 'eighty']));
    const remote = exited(launch(['--host', '10.0.0.5']));
    const zone = exited(launch(['--time-zone', 'Mars/Olympus']));
    const { code, stderr } = await bad;
    expect(code).toBe(2);
    expect(stderr).toContain('--port');

    const refused = await remote;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('loopback');

    const unknownZone = await zone;
    expect(unknownZone.code).toBe(2);
    expect(unknownZone.stderr).toContain('--time-zone: unknown time zone "Mars/Olympus"');
  });
});
