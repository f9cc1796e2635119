/**
 * The desktop app's last resort (src/main/index.ts + core/last-resort.ts),
 * against the fake `electron` module with the real core and the embedded demo
 * clinic: an uncaught exception or unhandled rejection in the main process is
 * logged without its contents, listed in the diagnostics report, and the
 * desk core restarts and goes live again instead of the app dying; the third
 * within a minute stops the core, tells the user and leaves the app running.
 * Faults are emitted on a stand-in for `process` (`faultSource`), so the test
 * runner's own handlers never see them.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcChannel, type DeskEvent } from '../../src/shared/bridge';
import type { DeskSnapshot } from '../../src/shared/desk-state';
import { CRASH_LOOP_MESSAGE } from '../../src/main/core/last-resort';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import { silentLogger } from '../../src/main/demo/logger';
import { fixedClock } from '../helpers/demo';
import { dashboard, fake, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const { startDesktop } = await import('../../src/main/index');
type Desktop = NonNullable<Awaited<ReturnType<typeof startDesktop>>>;

let dir: string;
let demo: EmbeddedDemo;
let faults: EventEmitter;
const started: Desktop[] = [];

beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-last-resort-'));
  fake.app.paths = { userData: join(dir, 'userData'), logs: join(dir, 'logs') };
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Clinic Desk</title>');
  demo = embeddedDemo({ seed: 42, now: fixedClock, logger: silentLogger, scenario: { autoStart: false } });
  faults = new EventEmitter();
});

afterEach(async () => {
  for (const d of started.splice(0)) await d.shutdown();
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<Desktop> {
  const desktop = await startDesktop({
    argv: ['electron', '.'],
    env: {},
    platform: 'linux',
    policyFile: join(dir, 'policy.json'),
    rendererDir: join(dir, 'renderer'),
    preloadPath: '/app/out/preload/index.cjs',
    now: fixedClock,
    demo,
    timings: { alertGroupMs: 20, networkPollMs: 60_000 },
    faultSource: faults,
  });
  if (!desktop) throw new Error('the desktop did not start');
  started.push(desktop);
  return desktop;
}

function waitForEvent<K extends DeskEvent['kind']>(desktop: Desktop, kind: K, match: (e: Extract<DeskEvent, { kind: K }>) => boolean = () => true, ms = 5000) {
  return new Promise<Extract<DeskEvent, { kind: K }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${kind}`));
    }, ms);
    const off = desktop.desk.on((e) => {
      if (e.kind !== kind || !match(e as Extract<DeskEvent, { kind: K }>)) return;
      clearTimeout(timer);
      off();
      resolve(e as Extract<DeskEvent, { kind: K }>);
    });
  });
}

const call = (method: string, input?: unknown) => fake.ipcMain.invoke(ipcChannel(method as never), { contents: dashboard().webContents }, input);
const SECRET = 'Bearer 1|s3cr3t-t0k3n';
const PATIENT = 'Jane Roe, potassium 6.1';

describe('the last resort of the main process', () => {
  it('restarts the desk core after a fault, lists it in the report, and stops the core (not the app) on a crash loop', async () => {
    const desktop = await start();
    expect(faults.listenerCount('uncaughtException')).toBe(1);
    expect(faults.listenerCount('unhandledRejection')).toBe(1);
    const live = waitForEvent(desktop, 'connection', (e) => e.connection.status === 'live');
    const signedIn = (await call('signInDemo', { role: 'doctor' })) as { ok: true; user: { id: number } };
    expect(signedIn.ok).toBe(true);
    await live;

    // An uncaught exception in the main process: the core goes down and comes back live.
    const down = waitForEvent(desktop, 'connection', (e) => e.connection.status !== 'live');
    const backLive = down.then(() => waitForEvent(desktop, 'connection', (e) => e.connection.status === 'live'));
    faults.emit('uncaughtException', new TypeError(`Cannot read properties of undefined (reading 'id') in "${PATIENT}" for "${SECRET}"`));
    await backLive;
    const arrived = waitForEvent(desktop, 'notification.upserted', (e) => e.isNew && e.notification.title === 'After the restart');
    await demo.clinic!.backend.notify({ user_id: signedIn.user.id, type: 'info', title: 'After the restart', message: '', action_url: null });
    await arrived;
    expect(((await call('getSnapshot')) as DeskSnapshot).session.status).toBe('signed-in');

    const report = JSON.parse(((await call('diagnosticsReport')) as { text: string }).text) as { faults: Array<Record<string, unknown>>; socketFrames: unknown };
    expect(report.faults).toEqual([expect.objectContaining({ kind: 'uncaughtException', error: 'TypeError', action: 'restarted', message: 'Cannot read properties of undefined (reading …) in … for …' })]);
    expect(report.socketFrames).toMatchObject({ screened: expect.any(Number), refused: expect.any(Number) });

    // An unhandled rejection, then another exception within the minute: a crash loop.
    faults.emit('unhandledRejection', new Error(`sync failed for "${PATIENT}"`));
    const stopped = waitForEvent(desktop, 'session', (e) => e.session.status === 'signed-out');
    faults.emit('uncaughtException', new RangeError('Maximum call stack size exceeded'));
    const session = (await stopped).session;
    expect(session).toEqual({ status: 'signed-out', reason: CRASH_LOOP_MESSAGE });
    await vi.waitFor(() => expect(fake.dialog.messageBoxes.map((b) => b.message)).toContain('Clinic Desk stopped its connection after repeated internal errors.'));
    expect(fake.app.exitCode).toBeNull();
    expect(fake.app.quitCalls).toBe(0);
    // The app still answers its window.
    expect(((await call('getSnapshot')) as DeskSnapshot).session).toEqual({ status: 'signed-out', reason: CRASH_LOOP_MESSAGE });

    const log = readFileSync(join(dir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/"message":"internal error caught \(uncaughtException\); restarting the core"/);
    expect(log).toMatch(/"message":"crash loop: the core is not restarted again"/);
    expect(log).not.toContain('s3cr3t');
    expect(log).not.toContain('Jane Roe');
  });

  it('quitting removes the handlers', async () => {
    const desktop = await start();
    await desktop.shutdown();
    expect(faults.listenerCount('uncaughtException')).toBe(0);
    expect(faults.listenerCount('unhandledRejection')).toBe(0);
  });
});
