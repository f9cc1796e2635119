/**
 * The installed app's command line as electron-vite compiles it: out/main/cli.js
 * (src/main/cli-entry.ts), run as the wrappers in resources/bin run it, by the
 * app binary with ELECTRON_RUN_AS_NODE=1. Electron run as Node is Node, so
 * plain Node stands in for it here (the Electron binary cannot be had on this
 * machine). `--version`, usage, `doctor --policy FILE`, `doctor` and `watch`
 * against a demo clinic started by the test: all from the compiled bundle,
 * without tsx or the sources. Packaged into app.asar with only the
 * production dependencies, and reached through the shipped wrapper:
 * package-smoke.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../build/dist';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import { runProgram } from '../helpers/cli';
import { account, startTestClinic } from '../helpers/demo';
import { mainBuild, type MainBuild } from '../helpers/main-build';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const RECEPTION = 'reception1@northside.clinic.test';

let build: MainBuild;
let cliJs: string;
let scratch: string;
beforeAll(() => {
  build = mainBuild();
  cliJs = join(build.mainDir, 'cli.js');
  scratch = mkdtempSync(join(tmpdir(), 'clinic-desk-cli-bundle-'));
}, 60_000);
afterAll(() => {
  build.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `clinic-desk <args>` as the wrappers run it: the app binary as Node (here Node itself) on cli.js. */
const cli = (args: string[]) => runProgram(process.execPath, [cliJs, ...args], { ELECTRON_RUN_AS_NODE: '1' });

async function clinic(): Promise<DemoClinic> {
  const c = await startTestClinic();
  cleanups.push(() => c.close());
  return c;
}

function connection(c: DemoClinic): string[] {
  const a = account(c, RECEPTION);
  return ['--api-url', c.info.apiUrl, '--email', a.email, '--password', a.password, '--key', c.info.appKey, '--ws-host', c.info.wsHost, '--ws-port', String(c.info.wsPort)];
}

describe('out/main/cli.js, run as Node', () => {
  it('--version prints the version of package.json', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect((await cli(['-v'])).stdout).toBe(`${VERSION}\n`);
  });

  it("answers doctor and watch; start, preview and demo-server are a checkout's, said so", async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}doctor {2}/m);
    expect(help.stdout).toMatch(/^ {2}watch {3}/m);
    expect(help.stdout).not.toMatch(/^ {2}(start|preview|demo-server)\b/m);
    expect(help.stdout).toContain('start, preview and demo-server are for a checkout of the sources (npx clinic-desk).');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: clinic-desk <command> [args]');
    for (const name of ['start', 'preview', 'demo-server']) {
      const run = await cli([name]);
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toContain(`clinic-desk: '${name}' is part of the command line of a Clinic Desk checkout (npx clinic-desk), not of the installed app`);
    }
    expect((await cli(['frobnicate'])).stderr).toContain("clinic-desk: unknown command 'frobnicate'");
    expect((await cli(['doctor', '--help'])).stdout).toContain('usage: clinic-desk doctor [options]');
  });

  it('doctor --policy FILE: 0 for a valid policy with what it sets, 1 with the field and the fix for a broken one', async () => {
    const valid = join(scratch, 'valid.json');
    writeFileSync(valid, JSON.stringify({ apiUrl: 'https://clinic.example.org/', settings: { startAtLogin: true } }));
    const ok = await cli(['doctor', '--policy', valid]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`✓ Policy ${valid} is valid.`);
    expect(ok.stdout).toMatch(/apiUrl +https:\/\/clinic\.example\.org/);

    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, JSON.stringify({ apiUrl: 'ftp://clinic', closeToTary: true }));
    const bad = await cli(['doctor', '--policy', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/closeToTary is not a known option/);
    expect(bad.stdout).toMatch(/apiUrl must be an http:\/\/ or https:\/\/ URL/);
  });

  it('doctor against a clinic: exit 0 when every check passes, 1 with the fix when one fails', async () => {
    const c = await clinic();
    const ok = await cli(['doctor', ...connection(c), '--timeout', '3000']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✓ Sign-in: /m);
    expect(ok.stdout).toMatch(/^✓ WebSocket: /m);
    expect(ok.stdout).toContain('All checks passed.');

    const args = connection(c);
    args[args.indexOf('--key') + 1] = 'wrong-key';
    const bad = await cli(['doctor', ...args, '--timeout', '3000']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ WebSocket/);
    expect(bad.stdout).toMatch(/Fix: Verify the Pusher app credentials/);
  });

  it('watch against a clinic: signs in, goes live, keeps its SQLite cache, stops on SIGTERM with 0', async () => {
    const c = await clinic();
    const cache = join(scratch, 'watch.sqlite');
    const child = spawn(process.execPath, [cliJs, 'watch', ...connection(c), '--cache', cache], { env: { PATH: process.env.PATH ?? '', ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: Array<Record<string, unknown>> = [];
    const live = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch did not go live: ${JSON.stringify(lines)} ${stderr}`)), 15_000);
      createInterface({ input: child.stdout }).on('line', (text) => {
        lines.push(JSON.parse(text) as Record<string, unknown>);
        if (lines.some((l) => l.kind === 'state' && l.state === 'live') && lines.some((l) => l.kind === 'sync' && l.ok === true)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await live;
    expect(lines).toContainEqual(expect.objectContaining({ kind: 'session', status: 'signed-in', role: 'reception' }));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(readFileSync(cache).subarray(0, 15).toString()).toBe('SQLite format 3');
  }, 30_000);
});
