import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { electronPreviewArgs } from '../../../src/main/cli/start';
import { API_DIALECTS, takeApiDialectArg } from '../../../src/main/demo/dialects/names';
import { SignInResult } from '../../../src/shared/bridge';
import { DeskSnapshot } from '../../../src/shared/desk-state';
import { FEATURES } from '../../../src/shared/features';
import { SettingsView } from '../../../src/shared/settings';
import { runCli } from '../../helpers/cli';
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
    expect(snapshot.ok && DeskSnapshot.safeParse(snapshot.value).success).toBe(true);
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
    const view = SettingsView.parse(answer.ok ? answer.value : null);
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

describe('--api-dialect NAME: the demo clinic answers as another clinic\'s Laravel app does', () => {
  const UNKNOWN = `--api-dialect: unknown dialect "klingon"; one of: ${API_DIALECTS.join(', ')}`;

  it('preview --api-dialect minimal: signed in to the demo, every list feature is "not offered"', async () => {
    const base = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-cli-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const child = spawn(process.execPath, [BIN, 'preview', '--renderer', fakeRenderer(base), '--api-dialect', 'minimal'], {
      env: { ...process.env, XDG_CACHE_HOME: join(base, 'cache'), CLINIC_DESK_API_URL: '', BROADCAST_DRIVER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    const url = await firstLine(child);
    const cookie = sessionCookie((await get(url)).headers);
    const client = await connectBridge({ origin: new URL(url).origin, port: Number(new URL(url).port) }, { cookie });
    const live = client.waitForEvent('connection', (e) => e.connection.status === 'live');
    const signIn = await client.call('signInDemo', { role: 'doctor' });
    expect(signIn.ok && SignInResult.parse(signIn.value).ok).toBe(true);
    await live;
    const snapshot = await client.call('getSnapshot');
    await client.close();
    const { features, connection } = DeskSnapshot.parse(snapshot.ok ? snapshot.value : null);
    expect(Object.fromEntries(features.map((f) => [f.feature, f.state]))).toEqual(Object.fromEntries(FEATURES.map((f) => [f, 'not-offered'])));
    expect([...connection.limitedFeatures].sort()).toEqual([...FEATURES].sort());

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('preview and start refuse an unknown or missing name with exit code 2 and the names, and say the flag in --help', async () => {
    const [preview, start, startEquals, startMissing, previewHelp, startHelp] = await Promise.all([
      runCli(['preview', '--api-dialect', 'klingon']),
      runCli(['start', '--api-dialect', 'klingon']),
      runCli(['start', '--api-dialect=klingon']),
      runCli(['start', '--api-dialect']),
      runCli(['preview', '--help']),
      runCli(['start', '--help']),
    ]);
    expect(preview.code).toBe(2);
    expect(preview.stderr).toContain(UNKNOWN);
    expect(preview.stdout).toBe('');
    for (const refused of [start, startEquals]) {
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(UNKNOWN);
      expect(refused.stdout).toBe('');
    }
    expect(startMissing.code).toBe(2);
    expect(startMissing.stderr).toContain(`--api-dialect needs a name; one of: ${API_DIALECTS.join(', ')}`);
    for (const help of [previewHelp, startHelp]) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--api-dialect NAME');
      for (const name of API_DIALECTS) expect(help.stdout).toMatch(new RegExp(`^ +${name} +\\S`, 'm'));
    }
  });

  it('start: --api-dialect is read from its own options (before --) and handed to the desktop app after --; the rest goes on as it was', () => {
    expect(takeApiDialectArg(['--api-dialect', 'cursor', '--skipBuild'])).toEqual({ ok: true, dialect: 'cursor', rest: ['--skipBuild'] });
    expect(takeApiDialectArg(['--noSandbox', '--api-dialect=nested'])).toEqual({ ok: true, dialect: 'nested', rest: ['--noSandbox'] });
    expect(takeApiDialectArg(['--port', '0'])).toEqual({ ok: true, dialect: undefined, rest: ['--port', '0'] });
    expect(takeApiDialectArg(['--', '--api-dialect=klingon'])).toEqual({ ok: true, dialect: undefined, rest: ['--', '--api-dialect=klingon'] });
    expect(takeApiDialectArg(['--api-dialect', '--skipBuild'])).toMatchObject({ ok: false });

    expect(electronPreviewArgs(['--skipBuild'], 'minimal')).toEqual(['--skipBuild', '--', '--api-dialect=minimal']);
    expect(electronPreviewArgs(['--', '--inspect'], 'paginate')).toEqual(['--', '--inspect', '--api-dialect=paginate']);
    expect(electronPreviewArgs(['--skipBuild'], undefined)).toEqual(['--skipBuild']);
    // What the desktop app then finds in its own argv (electron-vite puts the args after -- on Electron's command line).
    expect(takeApiDialectArg(['/usr/bin/electron', '.', '--api-dialect=minimal'])).toMatchObject({ ok: true, dialect: 'minimal' });
  });
});
