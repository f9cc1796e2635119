/**
 * `clinic-desk watch` as a real process under faults (issue 11, "nothing
 * crashes the process"): a peer's depth-bomb whisper is refused and the
 * process lives on; an uncaught exception and an unhandled rejection (caused
 * by tests/fixtures/fault-injector.mjs on SIGUSR2, as a bug would) are
 * reported as `fault` lines and the desk core restarts and goes live again;
 * the third fault within a minute is a crash loop: reported, exit code 1.
 * Neither the token- nor the patient-shaped text in the errors reaches the log.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { account, startTestClinic, subscribed } from '../../helpers/demo';
import { openStaffDesk } from '../../helpers/staff-desk';

const BIN = fileURLToPath(new URL('../../../bin/clinic-desk.mjs', import.meta.url));
const INJECTOR = pathToFileURL(fileURLToPath(new URL('../../fixtures/fault-injector.mjs', import.meta.url))).href;
const RECEPTION = 'reception1@northside.clinic.test';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = Record<string, unknown> & { kind: string };

interface Watch {
  child: ChildProcessWithoutNullStreams;
  lines: Line[];
  stderr: () => string;
  /** The first line at or after index `since` that matches. */
  next(match: (l: Line) => boolean, since?: number, ms?: number): Promise<Line & { index: number }>;
  exit: Promise<number | null>;
}

function watch(c: DemoClinic, cache: string): Watch {
  const a = account(c, RECEPTION);
  const child = spawn(
    process.execPath,
    ['--import', INJECTOR, BIN, 'watch', '--api-url', c.info.apiUrl, '--email', a.email, '--password', a.password, '--key', c.info.appKey, '--ws-host', c.info.wsHost, '--ws-port', String(c.info.wsPort), '--cache', cache],
    { stdio: 'pipe', env: { PATH: process.env.PATH ?? '', FAULT_KINDS: 'throw,reject,throw' } },
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (text) => {
    lines.push(JSON.parse(text) as Line);
    for (const w of [...waiters]) w();
  });
  const next: Watch['next'] = (match, since = 0, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`watch printed no matching line after #${since}; got ${JSON.stringify(lines.map((l) => l.kind))}; stderr: ${err.slice(-2000)}`));
      }, ms);
      const check = () => {
        const index = lines.findIndex((l, i) => i >= since && match(l));
        if (index === -1) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve({ ...(lines[index] as Line), index });
      };
      waiters.add(check);
      check();
      void exit.then(() => setTimeout(check, 50));
    });
  return { child, lines, stderr: () => err, next, exit };
}


describe('clinic-desk watch under faults', () => {
  it('survives a depth bomb, restarts its core after a fault, and stops on a crash loop with exit code 1', async () => {
    const c = await startTestClinic();
    cleanups.push(() => c.close());
    const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-watch-faults-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const me = account(c, RECEPTION);
    const w = watch(c, join(dir, 'watch.sqlite'));
    await w.next((l) => l.kind === 'state' && l.state === 'live');
    await w.next((l) => l.kind === 'sync' && l.ok === true);

    // A colleague on a shared conversation whispers 4,500 nested arrays (9 KB).
    const conversation = c.store.conversationsWhere((row) => row.participant_ids.includes(me.id))[0];
    if (!conversation) throw new Error('no conversation for the receptionist');
    const peerUser = c.info.users.find((u) => u.id !== me.id && conversation.participant_ids.includes(u.id));
    if (!peerUser) throw new Error('no colleague in the conversation');
    const channel = channels.conversation(conversation.id).fullName;
    await subscribed(c, channel);
    const peer = await openStaffDesk(c.info, peerUser.email);
    cleanups.push(() => peer.close());
    const sub = peer.echo.private(`conversation.${conversation.id}`);
    await new Promise<void>((resolve) => sub.subscribed(() => resolve()));
    sub.whisper('typing', `${'['.repeat(4_500)}${']'.repeat(4_500)}` as unknown as Record<string, unknown>);
    const refused = await w.next((l) => l.kind === 'rejected' && l.channel === channel);
    expect(refused).toMatchObject({ event: 'client-typing', reason: `data nested deeper than ${MAX_JSON_DEPTH} levels` });
    const first = await c.backend.notify({ user_id: me.id, type: 'info', title: 'After the bomb', message: '', action_url: null });
    await w.next((l) => l.kind === 'event' && (l.payload as { id?: number }).id === first.notification.id);
    expect(w.child.exitCode).toBeNull();

    // An uncaught exception: one fault line, then the core comes back and events flow again.
    w.child.kill('SIGUSR2');
    const fault1 = await w.next((l) => l.kind === 'fault');
    expect(fault1).toMatchObject({ fault: 'uncaughtException', error: 'TypeError', action: 'restarted', message: 'injected fault with … in it' });
    await w.next((l) => l.kind === 'session' && l.status === 'signed-in', fault1.index);
    await w.next((l) => l.kind === 'state' && l.state === 'live', fault1.index);
    await subscribed(c, channels.notifications(me.id).fullName);
    const second = await c.backend.notify({ user_id: me.id, type: 'info', title: 'After the restart', message: '', action_url: null });
    await w.next((l) => l.kind === 'event' && (l.payload as { id?: number }).id === second.notification.id, fault1.index);

    // An unhandled rejection: the same.
    w.child.kill('SIGUSR2');
    const fault2 = await w.next((l) => l.kind === 'fault', fault1.index + 1);
    expect(fault2).toMatchObject({ fault: 'unhandledRejection', error: 'Error', action: 'restarted' });
    await w.next((l) => l.kind === 'state' && l.state === 'live', fault2.index);

    // The third within a minute: a crash loop, reported, and the command ends with 1.
    w.child.kill('SIGUSR2');
    const fault3 = await w.next((l) => l.kind === 'fault', fault2.index + 1);
    expect(fault3).toMatchObject({ fault: 'uncaughtException', action: 'crash-loop' });
    await w.next((l) => l.kind === 'crash-loop' && l.faults === 3, fault3.index);
    expect(await w.exit).toBe(1);
    expect(w.stderr()).toMatch(/repeated internal errors/);
    const everything = `${w.stderr()}\n${JSON.stringify(w.lines)}`;
    expect(everything).not.toContain('s3cr3t');
    expect(everything).not.toContain('Jane Roe');
  });
});
