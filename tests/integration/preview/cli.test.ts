import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskSnapshot } from '../../../src/shared/desk-state';
import { SettingsView } from '../../../src/shared/settings';
import { connectBridge, fakeRenderer, get, sessionCookie } from '../../helpers/preview';

/** `clinic-desk preview` as a process: one URL line on stdout, a working host, a clean stop. */

const BIN = fileURLToPath(new URL('../../../bin/clinic-desk.mjs', import.meta.url));
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL line within 15 s; stderr: ${err}`)), 15_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing; stderr: ${err}`)));
  });
}

describe('clinic-desk preview (process)', () => {
  it('prints exactly the one-time URL, serves the page and the bridge, and stops on SIGTERM with code 0', async () => {
    const base = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-cli-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const renderer = fakeRenderer(base);
    const child = spawn(process.execPath, [BIN, 'preview', '--renderer', renderer, '--port', '0'], {
      env: { ...process.env, XDG_CACHE_HOME: join(base, 'cache'), CLINIC_DESK_API_URL: '', BROADCAST_DRIVER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    const url = await firstLine(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);

    const redeemed = await get(url);
    expect(redeemed.status).toBe(303);
    const cookie = sessionCookie(redeemed.headers);
    const origin = new URL(url).origin;
    expect((await get(`${origin}/`, { headers: { Cookie: cookie } })).status).toBe(200);
    const client = await connectBridge({ origin, port: Number(new URL(url).port) }, { cookie });
    const snapshot = await client.call('getSnapshot');
    expect(snapshot.ok && DeskSnapshot.safeParse(snapshot.output).success).toBe(true);
    await client.close();

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--policy FILE: the desk runs under that admin policy', async () => {
    const base = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-cli-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const policy = join(base, 'policy.json');
    writeFileSync(policy, JSON.stringify({ settings: { startAtLogin: true } }));
    const child = spawn(process.execPath, [BIN, 'preview', '--renderer', fakeRenderer(base), '--policy', policy], {
      env: { ...process.env, XDG_CACHE_HOME: join(base, 'cache'), CLINIC_DESK_API_URL: '', BROADCAST_DRIVER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    const url = await firstLine(child);
    const cookie = sessionCookie((await get(url)).headers);
    const client = await connectBridge({ origin: new URL(url).origin, port: Number(new URL(url).port) }, { cookie });
    const answer = await client.call('getSettings');
    await client.close();
    const view = SettingsView.parse(answer.ok ? answer.output : null);
    expect(view.locked).toEqual(['startAtLogin']);
    expect(view.values.startAtLogin).toBe(true);
    expect(view.managed).toEqual({ sources: [policy], problems: [] });
  });

  it('--policy with a missing file is refused with exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'preview', '--policy', '/nonexistent/clinic-desk/policy.json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--policy /nonexistent/clinic-desk/policy.json: no such file');
  });

  it('refuses bad options with exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'preview', '--port', 'nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port');
  });
});
