/**
 * `clinic-desk preview` as a real process under faults (issue 11): an
 * uncaught exception or unhandled rejection in the host (caused by
 * tests/fixtures/fault-injector.mjs on SIGUSR2) restarts the desk core, which
 * goes live again, and the diagnostics report lists it without its contents;
 * the third within a minute stops the core (the page is told why) while the
 * host keeps answering. A deeply nested bridge frame is refused on the way in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SignInResult } from '../../../src/shared/bridge';
import { DeskSnapshot } from '../../../src/shared/desk-state';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import { CRASH_LOOP_MESSAGE } from '../../../src/main/core/desk/last-resort';
import { connectBridge, fakeRenderer, get, sessionCookie, type BridgeClient } from '../../helpers/preview';

const BIN = fileURLToPath(new URL('../../../bin/clinic-desk.mjs', import.meta.url));
const INJECTOR = pathToFileURL(fileURLToPath(new URL('../../fixtures/fault-injector.mjs', import.meta.url))).href;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL line within 15 s; stderr: ${stderr()}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing; stderr: ${stderr()}`)));
  });
}

async function snapshot(client: BridgeClient): Promise<DeskSnapshot> {
  const answer = await client.call('getSnapshot');
  return DeskSnapshot.parse(answer.ok ? answer.value : null);
}

/** The next `connection` event with `status` after the ones already seen. */
function nextConnection(client: BridgeClient, status: string, ms = 10_000): Promise<void> {
  const seen = client.events.length;
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (client.events.slice(seen).some((e) => e.kind === 'connection' && e.connection.status === status)) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve();
      }
    }, 10);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${status} connection event within ${ms} ms`));
    }, ms);
  });
}

describe('clinic-desk preview under faults (process)', () => {
  it('restarts the desk core after a fault, reports it, and stops the core on a crash loop while the page still answers', async () => {
    const base = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-faults-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', INJECTOR, BIN, 'preview', '--renderer', fakeRenderer(base), '--port', '0'], {
      env: { ...process.env, XDG_CACHE_HOME: join(base, 'cache'), CLINIC_DESK_API_URL: '', BROADCAST_DRIVER: '', FAULT_KINDS: 'throw,reject,throw' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    const url = await firstLine(child, () => stderr);
    const cookie = sessionCookie((await get(url)).headers);
    const client = await connectBridge({ origin: new URL(url).origin, port: Number(new URL(url).port) }, { cookie });
    cleanups.push(() => client.close());

    // A bridge frame nested thousands deep is refused before parsing; the bridge goes on.
    const deep = await client.sendRaw(`{"type":"call","id":1,"method":"getSnapshot","input":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(deep).toEqual({ type: 'result', id: 0, ok: false, error: { kind: 'invalid-input', message: `Malformed frame: nested deeper than ${MAX_JSON_DEPTH} levels.` } });

    const live = client.waitForEvent('connection', (e) => e.connection.status === 'live', 10_000);
    const signIn = await client.call('signInDemo', { role: 'doctor' });
    expect(signIn.ok && SignInResult.parse(signIn.value).ok).toBe(true);
    await live;

    // An uncaught exception: the core goes down and comes back live by itself.
    const backLive = nextConnection(client, 'live');
    child.kill('SIGUSR2');
    await backLive;
    expect((await snapshot(client)).session.status).toBe('signed-in');
    const reportAnswer = await client.call('diagnosticsReport');
    const report = JSON.parse(reportAnswer.ok ? (reportAnswer.value as { text: string }).text : '{}') as { faults?: Array<Record<string, unknown>> };
    expect(report.faults).toEqual([expect.objectContaining({ kind: 'uncaughtException', error: 'TypeError', action: 'restarted', message: 'injected fault with … in it' })]);

    // Two more within the minute: a crash loop; the core stops, the page is told, the host answers.
    const againLive = nextConnection(client, 'live');
    child.kill('SIGUSR2');
    await againLive;
    const stopped = client.waitForEvent('session', (e) => e.session.status === 'signed-out' && e.session.reason === CRASH_LOOP_MESSAGE, 10_000);
    child.kill('SIGUSR2');
    await stopped;
    expect((await snapshot(client)).session).toEqual({ status: 'signed-out', reason: CRASH_LOOP_MESSAGE });
    expect(child.exitCode).toBeNull();
    expect(stderr).toMatch(/repeated internal errors: the desk core is stopped/);
    expect(stderr).not.toContain('s3cr3t');
    expect(stderr).not.toContain('Jane Roe');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
