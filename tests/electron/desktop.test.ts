/**
 * The composition root (src/main/index.ts) run against the fake `electron`
 * module, with the real core and the embedded demo clinic on loopback: what the
 * app registers before and after ready, the window it opens, the bridge, and a
 * doctor's day in the tray (a notification arrives, alerts, is clicked, the
 * page reloads and still shows the current state).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHOD_NAMES, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL, ipcChannel, type DeskEvent } from '../../src/shared/bridge';
import type { DeskSnapshot } from '../../src/shared/desk-state';
import { CRASH_LOOP_MESSAGE } from '../../src/main/core/desk/last-resort';
import { unwrapEnvelope } from '../../src/shared/bridge-unwrap';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { fixedClock } from '../helpers/demo';
import { dashboard, fake, fakeEvent, FakeNotification, resetFakeElectron, tray } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const { startDesktop } = await import('../../src/main/index');
type Desktop = NonNullable<Awaited<ReturnType<typeof startDesktop>>>;

let dir: string;
let demo: EmbeddedDemo;
const started: Desktop[] = [];

beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-desktop-'));
  fake.app.paths = { userData: join(dir, 'userData'), logs: join(dir, 'logs') };
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Clinic Desk</title>');
  demo = embeddedDemo({ seed: 42, now: fixedClock, logger: quietDemoLogger, scenario: { autoStart: false } });
});

afterEach(async () => {
  for (const d of started.splice(0)) await d.shutdown();
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startDesktop>[0] = {}): Promise<Desktop> {
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
    ...options,
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

/** The page in the dashboard calls the bridge (its answer unwrapped as the renderer does). */
const call = async (method: string, input?: unknown) => unwrapEnvelope(method, await fake.ipcMain.invoke(ipcChannel(method as never), { contents: dashboard().webContents }, input));

describe('before the app is ready', () => {
  it('registers app:// as a privileged standard+secure scheme, enables the sandbox and takes the single-instance lock', async () => {
    await start();
    const ready = fake.calls.indexOf('app.ready');
    expect(fake.calls.indexOf('protocol.registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0);
    expect(fake.calls.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(ready);
    expect(fake.calls.indexOf('app.enableSandbox')).toBeLessThan(ready);
    expect(fake.calls.indexOf('app.requestSingleInstanceLock')).toBeLessThan(ready);
    expect(fake.protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(fake.app.sandboxEnabled).toBe(true);
  });

  it('a second launch quits at once and opens nothing (the running desk is handed its arguments)', async () => {
    fake.app.gotLock = false;
    const desktop = await startDesktop({ argv: ['electron', '.', 'clinicdesk://appointments/42'], env: {}, platform: 'linux', policyFile: join(dir, 'policy.json'), demo });
    expect(desktop).toBeNull();
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });
});

describe('the dashboard window', () => {
  it('is created with the secure web preferences and loads the app from app://desk/', async () => {
    await start();
    const win = dashboard();
    expect(win.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      preload: '/app/out/preload/index.cjs',
    });
    expect(win.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(win.webContents.getURL()).toBe('app://desk/');
    expect(fake.calls.some((c) => c.startsWith('BrowserWindow.loadURL file:'))).toBe(false);
    // Served by the app:// handler with the CSP as a header.
    const page = await fake.protocol.fetch('app://desk/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'none'");
  });

  it('stays in the tray when the user started minimised, and shows on "Open Clinic Desk"', async () => {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ settings: { startMinimised: true } }));
    await start();
    dashboard().emit('ready-to-show');
    expect(dashboard().isVisible()).toBe(false);
    tray().menu?.click('open');
    expect(dashboard().isVisible()).toBe(true);
    expect(dashboard().isFocused()).toBe(true);
  });

  it('an invalid admin policy does not stop the start: none of it applies, the user is told the field and the fix', async () => {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ apiUrl: 'ftp://clinic', closeToTary: true, settings: { startMinimised: true } }));
    const desktop = await start();
    expect(fake.app.exitCode).not.toBe(1);
    expect(fake.dialog.errorBoxes).toEqual([]);
    // The locked startMinimised of the invalid policy is not applied: the window shows.
    dashboard().emit('ready-to-show');
    expect(dashboard().isVisible()).toBe(true);
    const view = (await call('getSettings')) as { locked: string[]; managed?: { sources: string[]; problems: string[] } };
    expect(view.locked).toEqual([]);
    expect(view.managed?.sources).toEqual([join(dir, 'policy.json')]);
    expect(view.managed?.problems.join('\n')).toMatch(/closeToTary is not a known option/);
    expect(view.managed?.problems.join('\n')).toMatch(/apiUrl must be an http:\/\/ or https:\/\/ URL/);
    // A warning once the window is up, on the window.
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.dialog.messageBoxes).toHaveLength(1);
    expect(fake.dialog.messageBoxes[0]).toMatchObject({ type: 'warning', message: "Your organisation's policy could not be applied." });
    expect(String(fake.dialog.messageBoxes[0]?.detail)).toMatch(/closeToTary is not a known option\. Fix: move it into "settings" \(to set and lock it\) or "defaultSettings" \(as a starting value\), spelt "closeToTray"/);
    const log = readFileSync(join(dir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/administrator's policy .* was not applied/);
    // Diagnostics → Run checks says it too, first.
    const report = await desktop.desk.runChecks();
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ id: 'policy', ok: false, detail: expect.stringMatching(/^Not applied \(.*policy\.json\): Clinic Desk runs on its defaults\. .*closeToTary is not a known option/) });
    expect(report.checks[0]?.fix).toMatch(/apiUrl: use the clinic's web address/);
  });

  it('a valid admin policy: the Settings view names its source and locks what it sets', async () => {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ settings: { startAtLogin: true, alerts: { flashUrgent: true } }, defaultSettings: { theme: 'dark' } }));
    await start();
    const view = (await call('getSettings')) as { values: { theme: string; startAtLogin: boolean }; locked: string[]; managed?: { sources: string[]; problems: string[] } };
    expect(view.locked.sort()).toEqual(['alerts', 'startAtLogin']);
    expect(view.values).toMatchObject({ theme: 'dark', startAtLogin: true });
    expect(view.managed).toEqual({ sources: [join(dir, 'policy.json')], problems: [] });
    const report = (await call('runChecks')) as { checks: Array<{ id: string; ok: boolean; detail: string }> };
    expect(report.checks[0]).toEqual(expect.objectContaining({ id: 'policy', ok: true, detail: `Applied (${join(dir, 'policy.json')}).` }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.dialog.messageBoxes.map((b) => b.message)).not.toContain("Your organisation's policy could not be applied.");
  });

  it("the policy's server holds against the environment: the sign-in screen shows it locked", async () => {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ apiUrl: 'https://clinic.example.org' }));
    await start({ env: { CLINIC_DESK_API_URL: 'https://elsewhere.example.org' } });
    expect(await call('getServerPreset')).toEqual({ apiUrl: 'https://clinic.example.org', locked: true });
  });
});

describe('the bridge', () => {
  it('has one handler per bridge method, and answers the dashboard only', async () => {
    await start();
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(BRIDGE_METHOD_NAMES.map(ipcChannel).sort());
    const snapshot = (await call('getSnapshot')) as DeskSnapshot;
    expect(snapshot.session).toEqual({ status: 'signed-out', reason: null });

    const other = new fake.BrowserWindow({});
    void other.loadURL('app://desk/');
    await expect(fake.ipcMain.invoke(ipcChannel('getSnapshot'), { contents: other.webContents })).resolves.toMatchObject({ ok: false, error: { kind: 'refused' } });
    const sub = dashboard().webContents.mainFrame.child('app://desk/frame.html');
    await expect(fake.ipcMain.invoke(ipcChannel('getSnapshot'), { contents: dashboard().webContents, frame: sub })).resolves.toMatchObject({ ok: false, error: { kind: 'refused' } });
    await expect(call('loadBoard', { date: 'tomorrow' })).rejects.toThrow(/^Invalid input for loadBoard/);
    const log = readFileSync(join(dir, 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/"message":"IPC refused".*"reason":"not a dashboard window"/);
    expect(log).toMatch(/"message":"IPC refused".*"reason":"not the main frame"/);
    expect(log).toMatch(/"message":"bridge input rejected".*"method":"loadBoard"/);
  });

  it("the window's errors reach main.log with the renderer scope, bounded; electron-log opens no IPC channel of its own", async () => {
    await start();
    // Only the bridge's channels: electron-log's own (`__ELECTRON_LOG__`) is never registered.
    expect([...fake.ipcMain.handlers.keys()].every((channel) => channel.startsWith('clinic:'))).toBe(true);
    expect(fake.ipcMain.eventNames()).toEqual([IPC_SUBSCRIBE_CHANNEL]);
    expect(await call('log', { level: 'error', message: "TypeError: Cannot read properties of undefined (reading 'id')", source: 'vue', error: 'TypeError', info: 'render function', component: 'AppointmentCard', sneaky: 'dropped' })).toBeUndefined();
    await expect(call('log', { level: 'error', message: 'x'.repeat(5000) })).rejects.toThrow(/^Invalid input for log/);
    await expect(call('log', { level: 'fatal', message: 'made-up level' })).rejects.toThrow(/^Invalid input for log/);
    const other = new fake.BrowserWindow({});
    void other.loadURL('app://desk/');
    await expect(fake.ipcMain.invoke(ipcChannel('log'), { contents: other.webContents }, { level: 'error', message: 'from elsewhere' })).resolves.toMatchObject({ ok: false, error: { kind: 'refused' } });
    for (let i = 0; i < 40; i++) await call('log', { level: 'warn', message: `flood ${i}`, source: 'window' });

    const lines = readFileSync(join(dir, 'logs', 'main.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const fromWindow = lines.filter((l) => l.scope === 'renderer');
    expect(fromWindow[0]).toEqual({
      level: 'error',
      time: new Date(fixedClock()).toISOString(),
      scope: 'renderer',
      message: "TypeError: Cannot read properties of undefined (reading 'id')",
      source: 'vue',
      error: 'TypeError',
      info: 'render function',
      component: 'AppointmentCard',
    });
    expect(fromWindow.map((l) => l.message)).not.toContain('from elsewhere');
    // Rate-limited: 30 a minute, the first included; the flood's rest is not written.
    expect(fromWindow).toHaveLength(30);
    expect(lines.filter((l) => l.scope === undefined).map((l) => l.message)).toContain('Clinic Desk starting');
  });

  it('a clinicdesk:// link from a second launch shows the window and opens the item in the page', async () => {
    await start();
    const page = dashboard().webContents;
    fake.ipcMain.sendFrom(IPC_SUBSCRIBE_CHANNEL, { contents: page });
    fake.app.emit('second-instance', fakeEvent(), ['ClinicDesk.exe', '--flag', 'clinicdesk://appointments/42'], '/');
    expect(dashboard().isVisible()).toBe(true);
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toContainEqual({ kind: 'open', target: { screen: 'board', appointmentId: 42 } });
  });

  it('a link the app was launched with waits until the page listens', async () => {
    await start({ argv: ['ClinicDesk', 'clinicdesk://consultations/7'] });
    const page = dashboard().webContents;
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toEqual([]);
    fake.ipcMain.sendFrom(IPC_SUBSCRIBE_CHANNEL, { contents: page });
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toEqual([{ kind: 'open', target: { screen: 'consultations', consultationId: 7 } }]);
  });
});

describe("a doctor's day, from the tray", () => {
  it('a new notification reaches the page, the tray and an alert; clicking it opens and reads it; a reload gets the current state', async () => {
    const desktop = await start();
    const page = dashboard().webContents;
    fake.ipcMain.sendFrom(IPC_SUBSCRIBE_CHANNEL, { contents: page });
    const live = waitForEvent(desktop, 'connection', (e) => e.connection.status === 'live');
    const signedIn = (await call('signInDemo', { role: 'doctor' })) as { ok: true; user: { id: number } };
    expect(signedIn.ok).toBe(true);
    // Live means subscribed and caught up: the first catch-up's alerts have all been raised.
    await live;
    // They are another test's business.
    desktop.notifier.flush();
    FakeNotification.instances.length = 0;
    const before = ((await call('getSnapshot')) as DeskSnapshot).unreadNotifications;

    const arrived = waitForEvent(desktop, 'notification.upserted', (e) => e.isNew);
    const { notification } = await demo.clinic!.backend.notify({ user_id: signedIn.user.id, type: 'urgent', title: 'Lab result for Jane Roe', message: 'Potassium 6.1', action_url: null });
    await arrived;
    await vi.waitFor(() => expect(FakeNotification.instances.length).toBe(1));

    // The page heard it, the tray shows it, the OS alert hides the text (the default).
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toContainEqual(expect.objectContaining({ kind: 'notification.upserted', notification: expect.objectContaining({ id: notification.id }) }));
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toContainEqual({ kind: 'notifications.unread', unread: before + 1 });
    await vi.waitFor(() => expect(tray().tooltip).toContain(`${before + 1} unread`));
    expect(tray().menu?.byId(`notification-${notification.id}`).label).toBe('Lab result for Jane Roe');
    const alert = FakeNotification.instances[0]!;
    expect(alert.title).toBe('New notification');
    expect(alert.body).toBe('');

    // Clicking it shows the window, marks it read and opens it in the list (it has no link).
    dashboard().hide();
    const read = waitForEvent(desktop, 'notifications.unread', (e) => e.unread === before);
    alert.click();
    await read;
    expect(dashboard().isVisible()).toBe(true);
    expect(page.sentOn(IPC_EVENT_CHANNEL)).toContainEqual({ kind: 'open', target: { screen: 'notifications', notificationId: notification.id } });

    // The renderer crashes: the window reloads, says so, and the new page gets today's state.
    page.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(page.reloads).toBe(1);
    expect(FakeNotification.instances.at(-1)?.body).toMatch(/was reloaded/);
    const secondArrived = waitForEvent(desktop, 'notification.upserted', (e) => e.isNew && e.notification.title === 'Room 3 is free');
    await demo.clinic!.backend.notify({ user_id: signedIn.user.id, type: 'info', title: 'Room 3 is free', message: '', action_url: null });
    await secondArrived;
    const snapshot = (await call('getSnapshot')) as DeskSnapshot;
    expect(snapshot.unreadNotifications).toBe(before + 1);
    expect(snapshot.board?.appointments.length).toBeGreaterThan(0);
    expect(snapshot.session.status).toBe('signed-in');
  });

  it('waking from sleep forces a reconnect', async () => {
    const desktop = await start();
    const reconnect = vi.spyOn(desktop.desk, 'reconnect');
    fake.powerMonitor.emit('resume');
    fake.powerMonitor.emit('unlock-screen');
    expect(reconnect).toHaveBeenCalledTimes(1);
  });

  it('without a secure store the token is not written and the user is told', async () => {
    fake.safeStorage.available = false;
    const desktop = await start();
    const signedIn = (await call('signInDemo', { role: 'reception' })) as { ok: boolean };
    expect(signedIn.ok).toBe(true);
    await vi.waitFor(() => expect(fake.dialog.messageBoxes).toHaveLength(1));
    expect(fake.dialog.messageBoxes[0]?.message).toMatch(/cannot remember your sign-in/);
    expect(() => readFileSync(join(dir, 'userData', 'session.json'))).toThrow();
    await desktop.desk.signOut();
  });

  it('quitting closes the desk before the app exits', async () => {
    const desktop = await start();
    const close = vi.spyOn(desktop.desk, 'close');
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(2));
    expect(close).toHaveBeenCalledTimes(1);
    expect(tray().destroyed).toBe(true);
  });
});

/**
 * The last resort (core/last-resort.ts): an uncaught exception or unhandled
 * rejection in the main process is logged without its contents, listed in the
 * diagnostics report, and the desk core restarts and goes live again instead
 * of the app dying; the third within a minute stops the core, tells the user
 * and leaves the app running.
 */
const SECRET = 'Bearer 1|s3cr3t-t0k3n';
const PATIENT = 'Jane Roe, potassium 6.1';

describe('the last resort of the main process', () => {
  // Faults are emitted on a stand-in for `process`, so the test runner's own handlers never see them.
  let faults: EventEmitter;
  beforeEach(() => {
    faults = new EventEmitter();
  });

  it('restarts the desk core after a fault, lists it in the report, and stops the core (not the app) on a crash loop', async () => {
    const desktop = await start({ faultSource: faults });
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
    const desktop = await start({ faultSource: faults });
    await desktop.shutdown();
    expect(faults.listenerCount('uncaughtException')).toBe(0);
    expect(faults.listenerCount('unhandledRejection')).toBe(0);
  });
});
