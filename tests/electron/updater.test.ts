/**
 * The updater adapter (src/main/electron/updater.ts) and its wiring in the
 * composition root, against the fake `electron` and a stand-in for
 * electron-updater that records whether it was loaded at all: a desk whose
 * policy or installation rules updates out never loads it. The real
 * electron-updater is tests/integration/core/updater.test.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'electron-updater';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, ipcChannel, type DeskEvent } from '../../src/shared/bridge';
import type { UpdateStatus } from '../../src/shared/desk-state';
import { memoryLogger } from '../../src/main/core/log';
import { unwrapEnvelope } from '../../src/shared/bridge-unwrap';
import { createUpdaterEngine, detectInstallKind, updaterLog, type InstallProbe, type UpdaterModule } from '../../src/main/electron/updater';
import { dashboard, fake, resetFakeElectron } from '../helpers/fake-electron';

/** A stand-in for one of electron-updater's updater classes: records what it is asked. */
class RecordingUpdater extends EventEmitter {
  static instances: RecordingUpdater[] = [];
  autoDownload = true;
  autoInstallOnAppQuit = false;
  allowPrerelease = false;
  allowDowngrade = false;
  disableWebInstaller = false;
  logger: Logger | null = null;
  feed: unknown = null;
  readonly calls: string[] = [];
  constructor(readonly kind: string) {
    super();
    RecordingUpdater.instances.push(this);
  }
  setFeedURL(options: unknown): void {
    this.feed = options;
  }
  async checkForUpdates(): Promise<unknown> {
    this.calls.push('checkForUpdates');
    this.emit('update-available', { version: '1.5.0' });
    return { isUpdateAvailable: true };
  }
  downloadUpdate(): Promise<unknown> {
    this.calls.push('downloadUpdate');
    // In the background, as electron-updater does: after the check has answered.
    setTimeout(() => {
      this.emit('download-progress', { percent: 50, bytesPerSecond: 1000, transferred: 500, total: 1000 });
      this.emit('update-downloaded', { version: '1.5.0' });
    }, 20);
    return Promise.resolve(['/cache/ClinicDesk-1.5.0.AppImage']);
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.calls.push(`quitAndInstall(${String(isSilent)}, ${String(isForceRunAfter)})`);
  }
}

const recordingModule = (): UpdaterModule => ({
  NsisUpdater: class extends RecordingUpdater {
    constructor() {
      super('nsis');
    }
  },
  MacUpdater: class extends RecordingUpdater {
    constructor() {
      super('mac');
    }
  },
  AppImageUpdater: class extends RecordingUpdater {
    constructor() {
      super('appimage');
    }
  },
});

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());
vi.mock('electron-updater', () => {
  loads.count++;
  return recordingModule();
});

beforeEach(() => {
  RecordingUpdater.instances = [];
});

const { startDesktop } = await import('../../src/main/index');
type Desktop = NonNullable<Awaited<ReturnType<typeof startDesktop>>>;

describe('in the desktop app', () => {
  let dir: string;
  const started: Desktop[] = [];

  beforeEach(() => {
    resetFakeElectron();
    dir = mkdtempSync(join(tmpdir(), 'clinic-desk-updates-'));
    fake.app.paths = { userData: join(dir, 'userData'), logs: join(dir, 'logs') };
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Clinic Desk</title>');
  });

  afterEach(async () => {
    for (const d of started.splice(0)) await d.shutdown();
    fake.app.isPackaged = false;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(updates: Record<string, unknown>, env: Record<string, string> = {}): Promise<Desktop> {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ updates }));
    const desktop = await startDesktop({
      argv: ['electron', '.'],
      env,
      platform: 'linux',
      policyFile: join(dir, 'policy.json'),
      rendererDir: join(dir, 'renderer'),
      preloadPath: '/app/out/preload/index.cjs',
      demo: null,
      timings: { alertGroupMs: 20, networkPollMs: 60_000 },
    });
    if (!desktop) throw new Error('the desktop did not start');
    started.push(desktop);
    return desktop;
  }

  const call = async (method: string) => unwrapEnvelope(method, await fake.ipcMain.invoke(ipcChannel(method as never), { contents: dashboard().webContents }, undefined));
  const URL = 'https://updates.clinic.example.org/clinic-desk';

  // These run first in this file: nothing has imported electron-updater yet.
  it('a development build: off, electron-updater never loaded, checks refused over IPC', async () => {
    const desktop = await start({ url: URL });
    expect(await desktop.desk.getUpdateStatus()).toMatchObject({ state: 'off', reason: expect.stringContaining('development build') });
    await expect(call('checkForUpdates')).rejects.toThrow(/Updates are off/);
    await expect(call('installUpdate')).rejects.toThrow(/No update is ready/);
    expect(loads.count).toBe(0);
  });

  it('a packaged Linux build that is not an AppImage: off', async () => {
    fake.app.isPackaged = true;
    const desktop = await start({ url: URL });
    expect(await desktop.desk.getUpdateStatus()).toMatchObject({ state: 'off', reason: expect.stringContaining('only the AppImage') });
    expect(loads.count).toBe(0);
  });

  it('a packaged AppImage with the policy url: the feed from the policy, status events to the page, install when the user agrees', async () => {
    fake.app.isPackaged = true;
    const desktop = await start({ url: URL, channel: 'beta' }, { APPIMAGE: join(dir, 'ClinicDesk.AppImage') });
    expect(await call('getUpdateStatus')).toMatchObject({ state: 'idle', channel: 'beta', currentVersion: '0.1.0-test' });
    expect(loads.count).toBe(0);

    const ready = new Promise<void>((resolve) => desktop.desk.on((e) => e.kind === 'update' && e.status.state === 'ready' && resolve()));
    expect(await call('checkForUpdates')).toMatchObject({ state: 'available', version: '1.5.0' });
    await ready;
    const updater = RecordingUpdater.instances[0];
    expect(loads.count).toBe(1);
    expect(updater?.kind).toBe('appimage');
    expect(updater?.feed).toEqual({ provider: 'generic', url: `${URL}/`, channel: 'beta' });
    expect(updater).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: true, allowPrerelease: true });

    const sent = dashboard().webContents.sentOn(IPC_EVENT_CHANNEL) as DeskEvent[];
    const states = sent.flatMap((e) => (e.kind === 'update' ? [e.status.state] : []));
    expect(states).toEqual(['checking', 'available', 'downloading', 'ready']);
    expect((sent.at(-1) as { status: UpdateStatus }).status).toMatchObject({ state: 'ready', version: '1.5.0', installAt: null });

    await call('installUpdate');
    expect(updater?.calls).toEqual(['checkForUpdates', 'downloadUpdate', 'quitAndInstall(true, true)']);
    // Close-to-tray no longer holds the window: the app can quit into the installer.
    expect(dashboard().close()).toBe(true);
  });
});

describe('createUpdaterEngine', () => {
  it.each([
    ['win32', 'nsis'],
    ['darwin', 'mac'],
    ['linux', 'appimage'],
  ] as const)('on %s creates the %s updater, its log in ours, and configures nothing itself', async (platform, kind) => {
    const logger = memoryLogger();
    const engine = await createUpdaterEngine({ platform, logger, load: async () => recordingModule() });
    const updater = RecordingUpdater.instances[0];
    expect(RecordingUpdater.instances).toHaveLength(1);
    expect(engine).toBe(updater);
    expect(updater?.kind).toBe(kind);
    expect(updater?.feed).toBeNull();
    updater?.logger?.info('Checking for update');
    expect(logger.records).toEqual([expect.objectContaining({ level: 'info', message: 'electron-updater', fields: { message: 'Checking for update' } })]);
  });

  it('by default takes the classes from electron-updater, imported on first use', async () => {
    await createUpdaterEngine({ platform: 'linux', logger: memoryLogger() });
    expect(loads.count).toBe(1);
    expect(RecordingUpdater.instances.map((u) => u.kind)).toEqual(['appimage']);
  });
});

describe('updaterLog', () => {
  it('keeps the stack of an error, bounded, and maps each level', () => {
    const logger = memoryLogger();
    const log = updaterLog(logger);
    const error = new Error('sha512 checksum mismatch');
    log.error(error);
    log.warn('x'.repeat(5000));
    log.debug?.('cache dir');
    expect(logger.records.map((r) => r.level)).toEqual(['error', 'warn', 'debug']);
    expect(logger.records[0]?.fields['message']).toMatch(/^Error: sha512 checksum mismatch\n\s+at /);
    expect(String(logger.records[1]?.fields['message'])).toHaveLength(2000);
  });
});

describe('detectInstallKind', () => {
  const probe = (over: Partial<InstallProbe>): InstallProbe => ({
    platform: 'linux',
    env: {},
    execPath: '/opt/Clinic Desk/clinic-desk',
    resourcesPath: '/opt/Clinic Desk/resources',
    listDir: () => [],
    readText: () => {
      throw new Error('ENOENT');
    },
    ...over,
  });

  it('Windows: the NSIS install (its uninstaller next to the exe), the MSI (none), portable, store', () => {
    const nsis = probe({ platform: 'win32', execPath: 'C:\\Program Files\\Clinic Desk\\Clinic Desk.exe', listDir: () => ['Clinic Desk.exe', 'Uninstall Clinic Desk.exe', 'resources'] });
    expect(detectInstallKind(nsis)).toBe('installer');
    expect(detectInstallKind({ ...nsis, listDir: () => ['Clinic Desk.exe', 'resources'] })).toBe('managed');
    expect(detectInstallKind({ ...nsis, env: { PORTABLE_EXECUTABLE_FILE: 'D:\\ClinicDesk.exe' } })).toBe('portable');
    expect(detectInstallKind({ ...nsis, windowsStore: true })).toBe('store');
    expect(detectInstallKind({ ...nsis, listDir: () => { throw new Error('EACCES'); } })).toBe('managed');
  });

  it('macOS: the app, or the Mac App Store build', () => {
    expect(detectInstallKind(probe({ platform: 'darwin' }))).toBe('installer');
    expect(detectInstallKind(probe({ platform: 'darwin', mas: true }))).toBe('store');
  });

  it('Linux: AppImage, deb/rpm/pacman (electron-builder\'s package-type file), snap/flatpak, anything else', () => {
    expect(detectInstallKind(probe({ env: { APPIMAGE: '/home/u/ClinicDesk.AppImage' } }))).toBe('appimage');
    for (const type of ['deb', 'rpm', 'pacman']) {
      expect(detectInstallKind(probe({ readText: (file) => (file === join('/opt/Clinic Desk/resources', 'package-type') ? `${type}\n` : '') }))).toBe('managed');
    }
    expect(detectInstallKind(probe({ env: { SNAP: '/snap/clinic-desk/1' } }))).toBe('store');
    expect(detectInstallKind(probe({ env: { FLATPAK_ID: 'org.clinicdesk.desk' } }))).toBe('store');
    expect(detectInstallKind(probe({}))).toBe('unknown');
    expect(detectInstallKind(probe({ resourcesPath: undefined }))).toBe('unknown');
  });
});

