/**
 * The UpdateService over a fake electron-updater and a fake clock: what it
 * asks of the updater, when, and what the renderer is told. The real
 * electron-updater against a real feed is tests/integration/core/updater.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UpdateStatus } from '../../../src/shared/desk-state';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { DeskConfig, UpdatePolicy } from '../../../src/main/core/config/schema';
import { DeskService, fixedSettings } from '../../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../../src/main/core/log';
import { decideUpdates, type UpdateDecision } from '../../../src/main/core/updates/policy';
import { UpdateService, type EngineProgress, type UpdateTimers, type UpdaterEngine } from '../../../src/main/core/updates/updates';

const URL = 'https://updates.clinic.example.org/clinic-desk';
const HOUR = 3_600_000;
const START = Date.parse('2026-11-26T08:00:00.000Z');

/** Timers that run only when the test moves the clock. */
class FakeTimers implements UpdateTimers {
  private t = START;
  private nextId = 1;
  private readonly queue: Array<{ id: number; at: number; run: () => void }> = [];

  now = (): number => this.t;
  setTimeout = (run: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.queue.push({ id, at: this.t + ms, run });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    const i = this.queue.findIndex((q) => q.id === handle);
    if (i >= 0) this.queue.splice(i, 1);
  };
  get pending(): number {
    return this.queue.length;
  }
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const due = this.queue[0];
      if (!due || due.at > until) break;
      this.queue.shift();
      this.t = due.at;
      due.run();
      await settle();
    }
    this.t = until;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

type Answer = { available: string } | { notAvailable: string } | { fails: string };

/** Plays electron-updater: events first, then the promise, and failures reported twice (event and rejection). */
class FakeEngine extends EventEmitter implements UpdaterEngine {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  allowPrerelease = false;
  allowDowngrade = false;
  disableWebInstaller = false;
  feed: { provider: 'generic'; url: string; channel: string } | null = null;
  checks = 0;
  downloads: string[] = [];
  installs: Array<[boolean | undefined, boolean | undefined]> = [];
  answers: Answer[] = [];
  private download: { version: string; resolve: () => void; reject: (e: Error) => void } | null = null;
  private offered: string | null = null;

  setFeedURL(options: { provider: 'generic'; url: string; channel: string }): void {
    this.feed = options;
  }
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    const answer = this.answers.shift() ?? { notAvailable: '1.4.2' };
    await Promise.resolve();
    if ('fails' in answer) {
      const error = new Error(`${answer.fails}\n    at HttpExecutor.handleResponse (httpExecutor.js:1:1)`);
      this.emit('error', error);
      throw error;
    }
    if ('available' in answer) {
      this.offered = answer.available;
      this.emit('update-available', { version: answer.available });
      return { isUpdateAvailable: true };
    }
    this.emit('update-not-available', { version: answer.notAvailable });
    return { isUpdateAvailable: false };
  }
  downloadUpdate(): Promise<unknown> {
    const version = this.offered ?? 'none';
    this.downloads.push(version);
    return new Promise((resolve, reject) => {
      this.download = { version, resolve: () => resolve([`/cache/${version}`]), reject };
    });
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
  progress(percent: number, total = 100_000_000): void {
    const p: EngineProgress = { percent, total, transferred: (total * percent) / 100, bytesPerSecond: 2_000_000 };
    this.emit('download-progress', { ...p, delta: 1000 });
  }
  finish(): void {
    const d = this.download;
    if (!d) throw new Error('no download running');
    this.emit('update-downloaded', { version: d.version, downloadedFile: `/cache/${d.version}` });
    d.resolve();
    this.download = null;
  }
  failDownload(message: string): void {
    const d = this.download;
    if (!d) throw new Error('no download running');
    const error = new Error(message);
    this.emit('error', error);
    d.reject(error);
    this.download = null;
  }
}

function decision(policy: unknown, currentVersion = '1.4.2'): UpdateDecision {
  return decideUpdates(UpdatePolicy.parse(policy), { currentVersion, packaged: true, platform: 'win32', install: 'installer' });
}

function setup(policy: unknown = { url: URL }, extra: { failCreate?: number } = {}) {
  const timers = new FakeTimers();
  const engine = new FakeEngine();
  const logger = memoryLogger();
  const statuses: UpdateStatus[] = [];
  let created = 0;
  let failCreate = extra.failCreate ?? 0;
  const order: string[] = [];
  const service = new UpdateService({
    decision: decision(policy),
    currentVersion: '1.4.2',
    engine: async () => {
      created++;
      if (failCreate-- > 0) throw new Error('Cannot find module electron-updater');
      return engine;
    },
    timers,
    logger,
    beforeInstall: () => order.push('beforeInstall'),
  });
  const origInstall = engine.quitAndInstall.bind(engine);
  engine.quitAndInstall = (a, b) => {
    order.push('quitAndInstall');
    origInstall(a, b);
  };
  service.onStatus((s) => statuses.push(UpdateStatus.parse(s)));
  return { timers, engine, logger, statuses, service, order, created: () => created };
}

const states = (statuses: UpdateStatus[]) => statuses.map((s) => s.state);

describe('off', () => {
  it('never creates or calls the updater, schedules nothing, and refuses checks and installs', async () => {
    const t = setup({});
    t.service.start();
    expect(t.timers.pending).toBe(0);
    await t.timers.advance(30 * 24 * HOUR);
    expect(t.created()).toBe(0);
    expect(t.engine.checks).toBe(0);
    expect(t.service.status()).toMatchObject({ state: 'off', reason: expect.stringContaining('updates.url'), channel: null, currentVersion: '1.4.2' });
    await expect(t.service.checkNow()).rejects.toThrow(/Updates are off: no update server/);
    expect(() => t.service.installNow()).toThrow('No update is ready to install.');
    expect(t.created()).toBe(0);
    expect(t.statuses).toEqual([]);
    expect(t.logger.records).toContainEqual(expect.objectContaining({ message: 'updates off' }));
  });

  it('the same when pinned to the running version', async () => {
    const t = setup({ url: URL, pinVersion: '1.4.2' });
    t.service.start();
    await t.timers.advance(7 * 24 * HOUR);
    expect(t.created()).toBe(0);
    expect(t.service.status()).toMatchObject({ state: 'off', pinnedVersion: '1.4.2' });
  });
});

describe('checking', () => {
  it('first checks 30 s after start, sets up the updater once, then checks every interval', async () => {
    const t = setup({ url: URL, checkIntervalHours: 2 });
    t.service.start();
    expect(t.service.status()).toMatchObject({ state: 'idle', lastCheckedAt: null, channel: 'stable', feedUrl: `${URL}/`, nextCheckAt: '2026-11-26T08:00:30.000Z' });
    await t.timers.advance(29_999);
    expect(t.created()).toBe(0);
    await t.timers.advance(1);
    expect(t.created()).toBe(1);
    expect(t.engine.feed).toEqual({ provider: 'generic', url: `${URL}/`, channel: 'latest' });
    expect(t.engine).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: true, allowDowngrade: false, allowPrerelease: false, disableWebInstaller: true });
    expect(t.engine.checks).toBe(1);
    expect(t.service.status()).toMatchObject({ state: 'idle', lastCheckedAt: '2026-11-26T08:00:30.000Z', nextCheckAt: '2026-11-26T10:00:30.000Z' });
    await t.timers.advance(2 * HOUR - 1);
    expect(t.engine.checks).toBe(1);
    await t.timers.advance(1);
    expect(t.engine.checks).toBe(2);
    await t.timers.advance(4 * HOUR);
    expect(t.engine.checks).toBe(4);
    expect(t.created()).toBe(1);
    expect(states(t.statuses)).toEqual(['checking', 'idle', 'checking', 'idle', 'checking', 'idle', 'checking', 'idle']);
  });

  it('the beta channel reads beta.yml and allows pre-releases', async () => {
    const t = setup({ url: URL, channel: 'beta' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.engine.feed).toEqual({ provider: 'generic', url: `${URL}/`, channel: 'beta' });
    expect(t.engine).toMatchObject({ allowPrerelease: true, allowDowngrade: false });
    expect(t.service.status().channel).toBe('beta');
  });

  it('a pin reads the pinned folder and may downgrade', async () => {
    const t = setup({ url: URL, pinVersion: '1.3.0' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.engine.feed).toEqual({ provider: 'generic', url: `${URL}/1.3.0/`, channel: 'latest' });
    expect(t.engine.allowDowngrade).toBe(true);
  });

  it('checkNow checks at once and answers with where the check led', async () => {
    const t = setup();
    t.service.start();
    t.engine.answers.push({ available: '1.5.0' });
    const status = await t.service.checkNow();
    expect(status).toMatchObject({ state: 'available', version: '1.5.0' });
    expect(t.engine.checks).toBe(1);
    // While the download runs, asking again starts nothing new.
    expect(await t.service.checkNow()).toMatchObject({ state: 'available' });
    expect(t.engine.checks).toBe(1);
    expect(t.engine.downloads).toEqual(['1.5.0']);
  });
});

describe('downloading', () => {
  it('downloads an accepted version in the background, shows progress, then is ready to install on quit', async () => {
    const t = setup();
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.engine.downloads).toEqual(['1.5.0']);
    expect(t.service.status()).toMatchObject({ state: 'available', version: '1.5.0' });
    t.engine.progress(12.5);
    t.engine.progress(42);
    expect(t.service.status()).toMatchObject({ state: 'downloading', version: '1.5.0', percent: 42, transferred: 42_000_000, total: 100_000_000, bytesPerSecond: 2_000_000 });
    t.engine.finish();
    await settle();
    expect(t.service.status()).toMatchObject({ state: 'ready', version: '1.5.0', installAt: null });
    expect(states(t.statuses)).toEqual(['checking', 'available', 'downloading', 'downloading', 'ready']);
    // Installs on quit (electron-updater's quit handler); no further checks meanwhile, nothing installed yet.
    expect(t.engine.autoInstallOnAppQuit).toBe(true);
    await t.timers.advance(24 * HOUR);
    expect(t.engine.checks).toBe(1);
    expect(t.engine.installs).toEqual([]);
  });

  it('ignores a version the policy refuses, logging why, and checks again later', async () => {
    const t = setup({ url: URL, pinVersion: '1.3.0' });
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.engine.downloads).toEqual([]);
    expect(t.service.status()).toMatchObject({ state: 'idle', lastCheckedAt: '2026-11-26T08:00:30.000Z' });
    expect(t.logger.records).toContainEqual(expect.objectContaining({ level: 'warn', message: 'update ignored', fields: { version: '1.5.0', rule: 'the administrator pins version 1.3.0' } }));
    t.engine.answers.push({ available: '1.3.0' });
    await t.timers.advance(4 * HOUR);
    expect(t.engine.downloads).toEqual(['1.3.0']);
  });

  it('does not take a pre-release on the stable channel even if the feed offers one', async () => {
    const t = setup({ url: URL });
    t.engine.answers.push({ available: '1.5.0-beta.1' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.engine.downloads).toEqual([]);
  });
});

describe('failures', () => {
  it('a failed check shows a quiet error, counted once, retried after 1, 2, 4 min, then back to the interval', async () => {
    const t = setup();
    t.engine.answers.push({ fails: 'HttpError: 404 Not Found' }, { fails: 'net::ERR_CONNECTION_REFUSED' }, { fails: 'still down' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.service.status()).toMatchObject({ state: 'error', during: 'check', version: null, message: 'HttpError: 404 Not Found', retryAt: '2026-11-26T08:01:30.000Z', nextCheckAt: '2026-11-26T08:01:30.000Z' });
    expect(t.logger.records.filter((r) => r.message === 'update check failed')).toHaveLength(1);
    await t.timers.advance(60_000);
    expect(t.engine.checks).toBe(2);
    expect(t.service.status()).toMatchObject({ state: 'error', retryAt: '2026-11-26T08:03:30.000Z' });
    await t.timers.advance(120_000);
    expect(t.engine.checks).toBe(3);
    expect(t.service.status()).toMatchObject({ state: 'error', retryAt: '2026-11-26T08:07:30.000Z' });
    await t.timers.advance(240_000);
    expect(t.engine.checks).toBe(4);
    expect(t.service.status()).toMatchObject({ state: 'idle', lastCheckedAt: '2026-11-26T08:07:30.000Z' });
    await t.timers.advance(4 * HOUR - 1);
    expect(t.engine.checks).toBe(4);
    await t.timers.advance(1);
    expect(t.engine.checks).toBe(5);
  });

  it('retries never wait longer than the check interval', async () => {
    const t = setup({ url: URL, checkIntervalHours: 1 });
    t.engine.answers.push(...Array.from({ length: 12 }, () => ({ fails: 'down' })));
    t.service.start();
    await t.timers.advance(30_000 + (1 + 2 + 4 + 8 + 16 + 32) * 60_000);
    expect(t.engine.checks).toBe(7);
    const retryAt = t.service.status().state === 'error' ? Date.parse((t.service.status() as { retryAt: string }).retryAt) : 0;
    expect(retryAt - t.timers.now()).toBe(HOUR);
  });

  it('a failed download (a checksum mismatch) is an error with its version, then tried again', async () => {
    const t = setup();
    t.engine.answers.push({ available: '1.5.0' }, { available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    t.engine.progress(100);
    t.engine.failDownload('sha512 checksum mismatch, expected abc, got def');
    await settle();
    expect(t.service.status()).toMatchObject({ state: 'error', during: 'download', version: '1.5.0', message: 'sha512 checksum mismatch, expected abc, got def' });
    expect(t.logger.records.filter((r) => r.message === 'update download failed')).toHaveLength(1);
    expect(() => t.service.installNow()).toThrow('No update is ready');
    await t.timers.advance(60_000);
    expect(t.engine.downloads).toEqual(['1.5.0', '1.5.0']);
    t.engine.finish();
    await settle();
    expect(t.service.status().state).toBe('ready');
  });

  it('an updater that cannot be loaded is an error, and loading is tried again', async () => {
    const t = setup({ url: URL }, { failCreate: 1 });
    t.service.start();
    await t.timers.advance(30_000);
    expect(t.service.status()).toMatchObject({ state: 'error', message: 'Cannot find module electron-updater' });
    await t.timers.advance(60_000);
    expect(t.created()).toBe(2);
    expect(t.engine.checks).toBe(1);
  });
});

describe('installing', () => {
  it('is refused unless an update is ready; when ready, quits and installs silently and starts again', async () => {
    const t = setup();
    expect(() => t.service.installNow()).toThrow('No update is ready to install.');
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    expect(() => t.service.installNow()).toThrow('No update is ready to install.');
    t.engine.progress(50);
    expect(() => t.service.installNow()).toThrow('No update is ready to install.');
    t.engine.finish();
    await settle();
    t.service.installNow();
    expect(t.engine.installs).toEqual([[true, true]]);
    expect(t.order).toEqual(['beforeInstall', 'quitAndInstall']);
    expect(t.logger.records).toContainEqual(expect.objectContaining({ message: 'installing update', fields: { version: '1.5.0', by: 'user' } }));
  });

  it('forced: a 60 s countdown, then quitAndInstall; the user may restart sooner, not later', async () => {
    const t = setup({ url: URL, force: true });
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    t.engine.finish();
    await settle();
    expect(t.service.status()).toMatchObject({ state: 'ready', version: '1.5.0', forced: true, installAt: '2026-11-26T08:01:30.000Z' });
    await t.timers.advance(59_999);
    expect(t.engine.installs).toEqual([]);
    await t.timers.advance(1);
    expect(t.engine.installs).toEqual([[true, true]]);
    expect(t.order).toEqual(['beforeInstall', 'quitAndInstall']);
    expect(t.logger.records).toContainEqual(expect.objectContaining({ message: 'installing update', fields: { version: '1.5.0', by: 'policy' } }));
  });

  it('an installer that fails to start is an error of the install, retried with a growing wait even though the download succeeds again', async () => {
    const t = setup({ url: URL, force: true });
    t.engine.quitAndInstall = () => t.engine.emit('error', new Error('EACCES: permission denied, rename'));
    t.engine.answers.push({ available: '1.5.0' }, { available: '1.5.0' }, { available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    t.engine.finish();
    await settle();
    await t.timers.advance(60_000);
    expect(t.service.status()).toMatchObject({ state: 'error', during: 'install', version: '1.5.0', message: 'EACCES: permission denied, rename' });
    const retries: number[] = [];
    for (let round = 0; round < 2; round++) {
      const status = t.service.status();
      retries.push(status.state === 'error' && status.retryAt !== null ? Date.parse(status.retryAt) - t.timers.now() : -1);
      await t.timers.advance(retries.at(-1) ?? 0);
      t.engine.finish();
      await settle();
      await t.timers.advance(60_000);
    }
    expect(retries).toEqual([60_000, 120_000]);
    expect(t.logger.records.filter((r) => r.message === 'update install failed')).toHaveLength(3);
  });

  it('forced, restarted by the user first: installs once', async () => {
    const t = setup({ url: URL, force: true });
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    t.engine.finish();
    await settle();
    await t.timers.advance(10_000);
    t.service.installNow();
    await t.timers.advance(120_000);
    expect(t.engine.installs).toHaveLength(1);
  });

  it('stop() ends the checks and a pending forced install (the app is quitting anyway)', async () => {
    const t = setup({ url: URL, force: true });
    t.engine.answers.push({ available: '1.5.0' });
    t.service.start();
    await t.timers.advance(30_000);
    t.engine.finish();
    await settle();
    t.service.stop();
    await t.timers.advance(24 * HOUR);
    expect(t.engine.installs).toEqual([]);
    expect(t.engine.checks).toBe(1);
    expect(t.timers.pending).toBe(0);
  });
});

describe('through the desk service (the bridge methods)', () => {
  const config = DeskConfig.parse({ apiUrl: null, transport: { kind: 'polling' }, settings: DEFAULT_SETTINGS });
  const deskWith = (updates?: UpdateService) =>
    new DeskService({ config, settings: fixedSettings(config.settings, []), cacheDir: '/nonexistent', host: 'electron', appVersion: '1.4.2', ...(updates ? { updates } : {}) });

  it('getUpdateStatus, checkForUpdates and installUpdate go to the updater; its status changes become update events', async () => {
    const t = setup();
    const desk = deskWith(t.service);
    const events: unknown[] = [];
    desk.on((e) => events.push(e));
    t.service.start();
    expect(await desk.getUpdateStatus()).toMatchObject({ state: 'idle' });
    await expect(desk.installUpdate()).rejects.toThrow('No update is ready to install.');
    t.engine.answers.push({ available: '1.5.0' });
    expect(await desk.checkForUpdates()).toMatchObject({ state: 'available', version: '1.5.0' });
    t.engine.finish();
    await settle();
    expect(events.at(-1)).toEqual({ kind: 'update', status: expect.objectContaining({ state: 'ready', version: '1.5.0' }) });
    expect(await desk.installUpdate()).toBeUndefined();
    expect(t.engine.installs).toHaveLength(1);
    expect(JSON.parse((await desk.diagnosticsReport()).text)).toMatchObject({ updates: { state: 'ready', version: '1.5.0' } });
    await desk.close();
  });

  it('without an updater (the preview host, the CLI): off, checks refused', async () => {
    const desk = deskWith();
    expect(UpdateStatus.parse(await desk.getUpdateStatus())).toMatchObject({ state: 'off', reason: expect.stringContaining('this host does not install updates'), currentVersion: '1.4.2' });
    await expect(desk.checkForUpdates()).rejects.toThrow(/Updates are off/);
    await expect(desk.installUpdate()).rejects.toThrow('No update is ready to install.');
  });
});
