import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { NotificationPayload } from '../../../src/shared/payloads';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account, startTestClinic, subscribed } from '../../helpers/demo';

const BIN = fileURLToPath(new URL('../../../bin/clinic-desk.mjs', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = Record<string, unknown> & { kind: string };

/** `clinic-desk watch` as a child process, its stdout read as JSON lines. */
function watch(c: DemoClinic, email: string, cache: string): { child: ChildProcessWithoutNullStreams; next: (match: (l: Line) => boolean, ms?: number) => Promise<Line>; lines: Line[] } {
  const a = account(c, email);
  const child = spawn(process.execPath, [BIN, 'watch', '--api-url', c.info.apiUrl, '--email', a.email, '--password', a.password, '--key', c.info.appKey, '--ws-host', c.info.wsHost, '--ws-port', String(c.info.wsPort), '--cache', cache], { stdio: 'pipe' });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines: Line[] = [];
  const waiters = new Set<(l: Line) => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line; // every stdout line must be JSON
    lines.push(line);
    for (const w of [...waiters]) w(line);
  });
  const next = (match: (l: Line) => boolean, ms = 10_000) =>
    new Promise<Line>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`watch printed no matching line; got ${JSON.stringify(lines.map((l) => l.kind))}`)), ms);
      const w = (l: Line) => {
        if (!match(l)) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve(l);
      };
      waiters.add(w);
    });
  return { child, next, lines };
}


describe('clinic-desk watch', () => {
  it('prints state, sync, validated events and rejected payloads as JSON lines, keeps the cache, stops on SIGTERM', async () => {
    const c = await startTestClinic();
    cleanups.push(() => c.close());
    const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cache = join(dir, 'watch.sqlite');
    const me = account(c, 'reception1@northside.clinic.test');
    const w = watch(c, me.email, cache);

    await w.next((l) => l.kind === 'session' && l.status === 'signed-in');
    await w.next((l) => l.kind === 'state' && l.state === 'live');
    await w.next((l) => l.kind === 'sync' && l.ok === true);
    await subscribed(c, channels.notifications(me.id).fullName);

    const { notification } = await c.backend.notify({ user_id: me.id, type: 'lab_result', title: 'Results in', message: 'Ready', action_url: null });
    const event = await w.next((l) => l.kind === 'event' && l.event === 'general-notification');
    expect(event.channel).toBe(channels.notifications(me.id).fullName);
    expect(NotificationPayload.parse(event.payload).id).toBe(notification.id);
    expect(typeof event.receivedAt).toBe('string');

    await c.backend.rawBroadcast('general-notification', [channels.notifications(me.id).fullName], '{"id":"x"}');
    const rejected = await w.next((l) => l.kind === 'rejected');
    expect(rejected).toMatchObject({ channel: channels.notifications(me.id).fullName, event: 'general-notification', count: 1 });
    expect(String(rejected.reason)).not.toBe('');
    // The same again: the line carries its group's count in the desk's rejection log, as Diagnostics shows it.
    await c.backend.rawBroadcast('general-notification', [channels.notifications(me.id).fullName], '{"id":"x"}');
    expect(await w.next((l) => l.kind === 'rejected' && l.count === 2)).toMatchObject({ reason: rejected.reason });

    const exit = new Promise<number | null>((resolve) => w.child.once('exit', (code) => resolve(code)));
    w.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(cache)).toBe(true);
    expect(w.lines.every((l) => ['session', 'state', 'sync', 'event', 'rejected', 'presence'].includes(l.kind))).toBe(true);
  });

  it('exits 1 with the reason when sign-in fails, and 2 for missing options', async () => {
    const c = await startTestClinic();
    cleanups.push(() => c.close());
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'watch', ...args], { env: { PATH: process.env.PATH ?? '' } });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const wrong = await run(['--api-url', c.info.apiUrl, '--email', 'reception1@northside.clinic.test', '--password', 'wrong', '--polling']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/invalid-credentials/);
    const missing = await run(['--email', 'a@b.test', '--password', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--api-url/);
  });
});
