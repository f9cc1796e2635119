import type { Unsubscribe } from '../../../shared/bridge';
import type { UpdateStatus } from '../../../shared/desk-state';
import { DeskRefusal } from '../desk/refusal';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import type { UpdateDecision, UpdatesOn } from './policy';

/**
 * The desk's updater as a state machine over electron-updater, without
 * Electron: the adapter (src/main/electron/updater.ts) hands in the real
 * updater, tests a fake one or the real one with a plain-Node app adapter.
 *
 * It checks some time after start and then every `intervalMs`, downloads an
 * accepted version in the background, and installs it on quit, when the user
 * agrees, or, when the policy forces it, after a short countdown. It never
 * touches the engine when the decision is `off`: not even to create it, so an
 * 'off' desk makes no update request and does not load electron-updater.
 *
 * Verification is electron-updater's: every download's sha512 against the
 * channel file, and on Windows and macOS the code signature of the new
 * version. Nothing here turns either off.
 */

/** The part of electron-updater's `AppUpdater` the service drives. */
export interface UpdaterEngine {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  disableWebInstaller: boolean;
  setFeedURL(options: { provider: 'generic'; url: string; channel: string }): void;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded', listener: (info: EngineUpdateInfo) => void): unknown;
  on(event: 'download-progress', listener: (progress: EngineProgress) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface EngineUpdateInfo {
  version: string;
}

export interface EngineProgress {
  percent: number;
  bytesPerSecond: number;
  transferred: number;
  total: number;
}

/** What the desk service (and so the bridge) needs of the updater. */
export interface UpdatesPort {
  status(): UpdateStatus;
  /** Checks now and answers with the state the check led to; refused when updates are off. */
  checkNow(): Promise<UpdateStatus>;
  /** Quits and installs; refused unless an update is ready. */
  installNow(): void;
  onStatus(listener: (status: UpdateStatus) => void): Unsubscribe;
}

/** Hosts without an updater (the browser preview, the CLI): always off. */
export function noUpdates(currentVersion: string, reason: string): UpdatesPort {
  const status: UpdateStatus = { state: 'off', reason, currentVersion, channel: null, pinnedVersion: null, forced: false, lastCheckedAt: null, feedUrl: null, nextCheckAt: null };
  return {
    status: () => status,
    checkNow: () => Promise.reject(new DeskRefusal(`Updates are off: ${reason}.`)),
    installNow: () => {
      throw new DeskRefusal('No update is ready to install.');
    },
    onStatus: () => () => undefined,
  };
}

export interface UpdateTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: UpdateTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface UpdateServiceOptions {
  decision: UpdateDecision;
  currentVersion: string;
  /** Creates the engine at the first check (never when off). */
  engine: () => Promise<UpdaterEngine>;
  timers?: UpdateTimers;
  logger?: Logger;
  /** The first check waits this long after start, so start-up is not slowed. Default 30 s. */
  firstCheckDelayMs?: number;
  /** How long a forced update warns before it installs. Default 60 s. */
  forcedInstallDelayMs?: number;
  /** The first retry after a failure; later ones double, up to `intervalMs`. Default 1 min. */
  retryBaseMs?: number;
  /** Runs right before quitAndInstall (so a close-to-tray window lets the app quit). */
  beforeInstall?: () => void;
}

type Step = Extract<UpdateStatus, { state: 'error' }>['during'];
type Facts = Pick<UpdateStatus, 'currentVersion' | 'channel' | 'pinnedVersion' | 'forced' | 'lastCheckedAt' | 'feedUrl' | 'nextCheckAt'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A state without the facts every status carries. */
type Phase = DistributiveOmit<Exclude<UpdateStatus, { state: 'off' }>, keyof Facts>;

export class UpdateService implements UpdatesPort {
  private readonly timers: UpdateTimers;
  private readonly logger: Logger;
  private readonly listeners = new Set<(status: UpdateStatus) => void>();
  private current: UpdateStatus;
  private lastCheckedAt: string | null = null;
  private engine: UpdaterEngine | null = null;
  private creating: Promise<UpdaterEngine> | null = null;
  private checking: Promise<void> | null = null;
  private nextCheck: unknown = null;
  private nextCheckAt: string | null = null;
  private installTimer: unknown = null;
  /** Failures in a row, per step; an install that failed keeps its count until the app restarts. */
  private readonly failures: Record<Step, number> = { check: 0, download: 0, install: 0 };
  private installing: string | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly options: UpdateServiceOptions) {
    this.timers = options.timers ?? realTimers;
    this.logger = options.logger ?? silentLogger;
    const d = options.decision;
    this.current =
      d.kind === 'off'
        ? { state: 'off', reason: d.reason, currentVersion: options.currentVersion, channel: null, pinnedVersion: d.pinnedVersion, forced: d.forced, lastCheckedAt: null, feedUrl: null, nextCheckAt: null }
        : { state: 'idle', ...this.facts(d) };
  }

  status(): UpdateStatus {
    return this.current;
  }

  onStatus(listener: (status: UpdateStatus) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const d = this.options.decision;
    if (d.kind === 'off') {
      this.logger.info('updates off', { reason: d.reason });
      return;
    }
    this.logger.info('updates on', {
      feed: d.feedUrl,
      channel: d.feedChannel,
      pinnedVersion: d.pinnedVersion,
      install: d.install,
      intervalHours: d.intervalMs / 3_600_000,
    });
    this.schedule(this.options.firstCheckDelayMs ?? 30_000);
    // Before the first check nothing has happened worth an event; status() shows when it is due.
    this.current = { ...this.current, ...this.facts(d) };
  }

  /** Stops checking (app quit). A ready update still installs on quit: that is electron-updater's quit handler. */
  stop(): void {
    this.stopped = true;
    this.clear();
    if (this.installTimer !== null) this.timers.clearTimeout(this.installTimer);
    this.installTimer = null;
  }

  async checkNow(): Promise<UpdateStatus> {
    const d = this.options.decision;
    if (d.kind === 'off') throw new DeskRefusal(`Updates are off: ${d.reason}.`);
    if (this.stopped) throw new DeskRefusal('Clinic Desk is quitting.');
    // A download in progress or waiting is the answer already.
    if (this.current.state === 'available' || this.current.state === 'downloading' || this.current.state === 'ready') return this.current;
    await this.check(d);
    return this.current;
  }

  installNow(): void {
    const state = this.current;
    if (state.state !== 'ready' || !this.engine) throw new DeskRefusal('No update is ready to install.');
    this.logger.info('installing update', { version: state.version, by: state.installAt === null ? 'user' : 'policy' });
    // Not stop(): should the installer fail to start, the error is reported and retried like any other.
    this.clear();
    if (this.installTimer !== null) this.timers.clearTimeout(this.installTimer);
    this.installTimer = null;
    this.options.beforeInstall?.();
    this.installing = state.version;
    // Silent, then start again: the user sees Clinic Desk restart, not an installer.
    this.engine.quitAndInstall(true, true);
  }

  // ── the cycle ──

  private schedule(ms: number): void {
    this.clear();
    if (this.stopped) return;
    this.nextCheckAt = new Date(this.timers.now() + ms).toISOString();
    this.nextCheck = this.timers.setTimeout(() => {
      this.nextCheck = null;
      this.nextCheckAt = null;
      const d = this.options.decision;
      if (d.kind === 'check') void this.check(d);
    }, ms);
  }

  private clear(): void {
    if (this.nextCheck !== null) this.timers.clearTimeout(this.nextCheck);
    this.nextCheck = null;
    this.nextCheckAt = null;
  }

  private check(d: UpdatesOn): Promise<void> {
    this.checking ??= this.runCheck(d).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async runCheck(d: UpdatesOn): Promise<void> {
    this.clear();
    this.set({ state: 'checking' });
    try {
      const engine = await this.engineFor(d);
      if (this.stopped) return;
      // The events below move the state on; a check the engine declines (null) ends here.
      const result = await engine.checkForUpdates();
      if (result === null && this.current.state === 'checking') {
        this.logger.warn('update check skipped by electron-updater (not an installed build?)');
        this.schedule(d.intervalMs);
        this.set({ state: 'idle' });
      }
    } catch (error) {
      this.fail(error, 'check', null);
    }
  }

  private engineFor(d: UpdatesOn): Promise<UpdaterEngine> {
    if (this.engine) return Promise.resolve(this.engine);
    this.creating ??= this.options.engine().then(
      (engine) => {
        this.configure(engine, d);
        this.engine = engine;
        return engine;
      },
      (error: unknown) => {
        this.creating = null;
        throw error;
      },
    );
    return this.creating;
  }

  private configure(engine: UpdaterEngine, d: UpdatesOn): void {
    // The channel goes in the feed options, not the updater's `channel` setter, which would also allow downgrades.
    engine.setFeedURL({ provider: 'generic', url: d.feedUrl, channel: d.feedChannel });
    engine.allowPrerelease = d.allowPrerelease;
    engine.allowDowngrade = d.allowDowngrade;
    // Downloads start here, after `accept`: electron-updater's own auto-download would fetch a version the policy refuses.
    engine.autoDownload = false;
    // Only accepted, verified downloads exist, so installing one on quit is what "Later" means.
    engine.autoInstallOnAppQuit = true;
    // Refuses NSIS web-installer packages, whose payload is checked by hash only, never by signature.
    engine.disableWebInstaller = true;
    engine.on('update-available', (info) => this.onAvailable(engine, d, info.version));
    engine.on('update-not-available', (info) => this.onNotAvailable(d, info.version));
    engine.on('download-progress', (p) => this.onProgress(p));
    engine.on('update-downloaded', (info) => this.onDownloaded(d, info.version));
    engine.on('error', (error) => this.failedStep(error));
  }

  private onAvailable(engine: UpdaterEngine, d: UpdatesOn, version: string): void {
    if (this.stopped) return;
    this.answered();
    if (!d.accept(version)) {
      this.logger.warn('update ignored', { version, rule: d.acceptRule });
      this.schedule(d.intervalMs);
      this.set({ state: 'idle' });
      return;
    }
    if (this.downloadingVersion() === version || this.current.state === 'ready') return;
    this.logger.info('update available, downloading', { version });
    this.set({ state: 'available', version });
    engine.downloadUpdate().catch((error: unknown) => this.fail(error, 'download', version));
  }

  private onNotAvailable(d: UpdatesOn, latest: string): void {
    if (this.stopped) return;
    this.answered();
    this.logger.info('no update', { latest, running: this.options.currentVersion });
    this.schedule(d.intervalMs);
    this.set({ state: 'idle' });
  }

  private onProgress(p: EngineProgress): void {
    const version = this.downloadingVersion();
    if (this.stopped || version === null) return;
    const total = Math.max(0, p.total);
    const transferred = Math.min(Math.max(0, p.transferred), total || Number.POSITIVE_INFINITY);
    const percent = Math.min(100, Math.max(0, Number.isFinite(p.percent) ? p.percent : 0));
    this.set({ state: 'downloading', version, percent, bytesPerSecond: Math.max(0, p.bytesPerSecond), transferred, total });
  }

  private onDownloaded(d: UpdatesOn, version: string): void {
    if (this.stopped) return;
    if (!d.accept(version)) {
      // Cannot happen through this service (only accepted versions are downloaded); refuse to offer it anyway.
      this.fail(new Error(`downloaded version ${version} is not one the policy accepts`), 'download', version);
      return;
    }
    this.failures.download = 0;
    this.clear();
    const forced = d.install === 'forced';
    const installAt = forced ? this.timers.now() + (this.options.forcedInstallDelayMs ?? 60_000) : null;
    this.logger.info('update ready', { version, install: forced ? 'forced' : 'on quit or when the user agrees' });
    this.set({ state: 'ready', version, installAt: installAt === null ? null : new Date(installAt).toISOString() });
    if (installAt !== null) {
      this.installTimer = this.timers.setTimeout(() => {
        this.installTimer = null;
        if (this.current.state === 'ready') this.installNow();
      }, installAt - this.timers.now());
    }
  }

  /** An `error` event: which step it ended, from the state it arrived in. */
  private failedStep(error: Error): void {
    if (this.installing !== null) return this.fail(error, 'install', this.installing);
    const downloading = this.downloadingVersion();
    if (downloading !== null) return this.fail(error, 'download', downloading);
    if (this.current.state === 'ready') return this.fail(error, 'install', this.current.version);
    this.fail(error, 'check', null);
  }

  /**
   * electron-updater reports a failure twice (the `error` event and the
   * rejected promise): the first one counts.
   */
  private fail(error: unknown, step: Step, version: string | null): void {
    if (this.stopped || this.current.state === 'error') return;
    const d = this.options.decision;
    if (d.kind === 'off') return;
    this.installing = null;
    const failures = ++this.failures[step];
    const delay = Math.min((this.options.retryBaseMs ?? 60_000) * 2 ** (failures - 1), d.intervalMs);
    const message = shortMessage(error);
    this.logger.warn(`update ${step} failed`, { version, error: message, retryInMs: delay });
    this.schedule(delay);
    this.set({ state: 'error', during: step, version, message, retryAt: new Date(this.timers.now() + delay).toISOString() });
  }

  private answered(): void {
    this.failures.check = 0;
    this.lastCheckedAt = new Date(this.timers.now()).toISOString();
  }

  private downloadingVersion(): string | null {
    return this.current.state === 'available' || this.current.state === 'downloading' ? this.current.version : null;
  }

  private facts(d: UpdatesOn): Facts {
    return {
      currentVersion: this.options.currentVersion,
      channel: d.channel,
      pinnedVersion: d.pinnedVersion,
      forced: d.forced,
      lastCheckedAt: this.lastCheckedAt,
      feedUrl: d.feedUrl,
      nextCheckAt: this.nextCheckAt,
    };
  }

  private set(phase: Phase): void {
    const d = this.options.decision;
    if (d.kind === 'off') return;
    this.current = { ...phase, ...this.facts(d) };
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current);
      } catch (error) {
        this.logger.error('update status listener threw', { error: String(error) });
      }
    }
  }
}

/** electron-updater's messages carry stacks and whole responses: the first line, shortened. */
function shortMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return (line === '' ? 'unknown error' : line).slice(0, 300);
}
