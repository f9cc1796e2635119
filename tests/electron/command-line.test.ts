/**
 * The app binary as the `clinic-desk` command line, against the fake
 * `electron` module: `"Clinic Desk.exe" doctor`, or a wrapper's
 * `ELECTRON_RUN_AS_NODE=1 "Clinic Desk" …/app.asar/out/main/cli.js doctor`
 * while the runAsNode fuse keeps Electron from running it as Node, so the
 * app's own main gets those arguments. The command runs, prints and exits
 * with its code; nothing of the desk starts (no window, no tray, no log file,
 * no single-instance lock). The compiled cli.js run as Node:
 * tests/build/cli-bundle.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { packagedCliArgs } from '../../src/main/cli/packaged';
import { fake, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const { runCommandLine } = await import('../../src/main/index');

let dir: string;
beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-command-line-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('which launches are the command line', () => {
  const packaged = { defaultApp: false };
  it.each([
    [['C:\\Program Files\\Clinic Desk\\Clinic Desk.exe', 'doctor', '--policy', 'p.json'], ['doctor', '--policy', 'p.json']],
    [['/opt/Clinic Desk/clinic-desk', 'watch', '--api-url', 'https://clinic.example.org'], ['watch', '--api-url', 'https://clinic.example.org']],
    [['/Applications/Clinic Desk.app/Contents/MacOS/Clinic Desk', '--version'], ['--version']],
    [['/opt/Clinic Desk/clinic-desk', 'help'], ['help']],
    // A wrapper's arguments when Electron did not run cli.js as Node (the runAsNode fuse is off).
    [['C:\\Users\\a\\AppData\\Local\\Programs\\Clinic Desk\\Clinic Desk.exe', 'C:\\Users\\a\\AppData\\Local\\Programs\\Clinic Desk\\resources\\app.asar\\out\\main\\cli.js', 'doctor'], ['doctor']],
    [['/opt/Clinic Desk/clinic-desk', '/opt/Clinic Desk/resources/app.asar/out/main/cli.js', 'start'], ['start']],
    [['/opt/Clinic Desk/clinic-desk', '/opt/Clinic Desk/resources/app.asar/out/main/cli.js'], []],
  ])('%j → %j', (argv, args) => {
    expect(packagedCliArgs(argv, packaged)).toEqual(args);
  });

  it.each([
    [['/opt/Clinic Desk/clinic-desk']],
    [['/opt/Clinic Desk/clinic-desk', 'clinicdesk://appointments/42']],
    [['/opt/Clinic Desk/clinic-desk', '--no-sandbox']],
    [['/opt/Clinic Desk/clinic-desk', '--no-sandbox', 'doctor']],
    [['/opt/Clinic Desk/clinic-desk', 'start']],
    [['/opt/Clinic Desk/clinic-desk', '/home/u/notes/cli.js', 'doctor']],
  ])('%j is the desk', (argv) => {
    expect(packagedCliArgs(argv, packaged)).toBeNull();
  });

  it('a development run (`electron .`) skips the app folder first', () => {
    expect(packagedCliArgs(['electron', '.', 'doctor', '--help'], { defaultApp: true })).toEqual(['doctor', '--help']);
    expect(packagedCliArgs(['electron', '.'], { defaultApp: true })).toBeNull();
    expect(packagedCliArgs(['electron', '.', 'clinicdesk://board'], { defaultApp: true })).toBeNull();
  });
});

describe('the app running a command', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
  }

  function nothingOfTheDeskStarted(): void {
    expect(fake.calls).not.toContain('app.requestSingleInstanceLock');
    expect(fake.calls).not.toContain('app.whenReady');
    expect(fake.calls).not.toContain('protocol.registerSchemesAsPrivileged');
    expect(fake.BrowserWindow.instances).toEqual([]);
    expect(fake.Tray.instances).toEqual([]);
    expect(fake.ipcMain.handlers.size).toBe(0);
    // Not even a path: no userData, no log folder, no log file.
    expect(fake.app.paths).toEqual({});
  }

  it('--version: prints the app version, exits 0, no Dock icon, no GPU, nothing of the desk', async () => {
    const { out, err, io: streams } = io();
    expect(await runCommandLine(['--version'], streams)).toBe(0);
    expect(out.join('')).toBe('0.1.0-test\n');
    expect(err).toEqual([]);
    expect(fake.app.exitCode).toBe(0);
    expect(fake.app.dock.hidden).toBe(true);
    expect(fake.app.hardwareAcceleration).toBe(false);
    nothingOfTheDeskStarted();
  });

  it('doctor --policy FILE: the report on stdout, its exit code the process exit code', async () => {
    // Kept from the terminal, but written as a stream writes: the callback fires (the app waits for it before exiting).
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((...args: unknown[]) => {
      const done = args.find((a): a is () => void => typeof a === 'function');
      if (done) queueMicrotask(done);
      return true;
    });
    const good = join(dir, 'policy.json');
    writeFileSync(good, JSON.stringify({ apiUrl: 'https://clinic.example.org/', settings: { startAtLogin: true } }));
    expect(await runCommandLine(['doctor', '--policy', good])).toBe(0);
    expect(fake.app.exitCode).toBe(0);
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toContain(`✓ Policy ${good} is valid.`);

    stdout.mockClear();
    const bad = join(dir, 'broken.json');
    writeFileSync(bad, JSON.stringify({ apiUrl: 'ftp://clinic' }));
    expect(await runCommandLine(['doctor', '--policy', bad])).toBe(1);
    expect(fake.app.exitCode).toBe(1);
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(/apiUrl must be an http:\/\/ or https:\/\/ URL/);
    expect(readFileSync(bad, 'utf8')).toBe(JSON.stringify({ apiUrl: 'ftp://clinic' }));
    nothingOfTheDeskStarted();
  });

  it('a command of the checkout, an unknown one, or none: usage on stderr, exit 2', async () => {
    for (const args of [['start'], ['frobnicate'], []]) {
      const { err, io: streams } = io();
      expect(await runCommandLine(args, streams), args.join(' ')).toBe(2);
      expect(err.join(''), args.join(' ')).toContain('usage: clinic-desk <command> [args]');
      expect(fake.app.exitCode).toBe(2);
    }
    nothingOfTheDeskStarted();
  });
});
