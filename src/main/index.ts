// The composition root of the desktop app: the one place that knows every part. The core
// (src/main/core) is plain Node; the adapters in src/main/electron give it the operating
// system: the window, the tray, alerts, secrets, power events, links. Only this file,
// src/main/electron/ and src/preload/ import `electron`.
import { join } from 'node:path';
import { app, dialog, nativeImage, session } from 'electron';
import type { DeskEvent } from '../shared/bridge';
import type { OpenTarget } from '../shared/desk-state';
import { ConfigError, formatIssue, type ConfigIssue } from './core/config/issues';
import { loadConfig, type LoadedConfig } from './core/config/load';
import { readPolicyFile } from './core/policy/read';
import { DeskService } from './core/desk/desk-service';
import { createHostAdapter } from './core/desk/host-adapter';
import { CRASH_LOOP_MESSAGE, LastResort, type FaultSource } from './core/desk/last-resort';
import type { Logger } from './core/log';
import type { CliIo } from './cli/dispatch';
import { packagedCliArgs, runPackagedCli } from './cli/packaged';
import { settingsFilePort } from './core/config/settings-file';
import { discoverPolicy } from './core/policy/sources';
import { decideUpdates } from './core/updates/policy';
import { UpdateService } from './core/updates/updates';
import { embeddedDemo, type EmbeddedDemo } from './demo/demo-port';
import { takeApiDialectArg } from './demo/dialects/names';
import { takeTimeZoneArg } from './demo/time-zone-arg';
import type { AlertClick } from './electron/alerts';
import { installAppMenu, helpActions } from './electron/app-menu';
import { desktopPlatform, userFiles, type DesktopPlatform } from './electron/app-paths';
import { createAppLog } from './electron/app-log';
import { APP_URL, isAppUrl, registerAppScheme, serveRenderer } from './electron/app-protocol';
import { desktopChecks } from './electron/checks';
import { contentSecurityPolicy } from './electron/app-csp';
import { claimSingleInstance, launchLink, registerLinkScheme, type DeepLinkHandlers } from './electron/deep-links';
import { EventBroadcaster, registerBridge } from './electron/ipc';
import { Notifier } from './electron/notifier';
import { reconnectOnWake, watchNetwork } from './electron/power';
import { safeStorageTokenStore } from './electron/secrets';
import { guardAllWebContents, hardenSession, linkOpener } from './electron/security';
import { applyOsSettings } from './electron/os-settings';
import { drawAppIcon } from './electron/tray-icon';
import { dndUntil } from './electron/tray-menu';
import { TrayController } from './electron/tray';
import { createUpdaterEngine, detectInstallKind } from './electron/updater';
import { DashboardWindows } from './electron/windows';

/** Windows groups toasts and taskbar entries by this id; the installer (electron-builder `appId`) uses the same. */
export const APP_USER_MODEL_ID = 'org.clinicdesk.desk';

export interface DesktopOptions {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Instead of the OS's policy location (tests). */
  policyFile?: string;
  rendererDir?: string;
  preloadPath?: string;
  now?: () => number;
  /** The demo clinic offered when no clinic is configured; default: the embedded one. */
  demo?: EmbeddedDemo | null;
  /** Shorter waits for tests. */
  timings?: { alertGroupMs?: number; networkPollMs?: number };
  /** Where uncaught exceptions and unhandled rejections come from; default `process` (tests hand in a stand-in). */
  faultSource?: FaultSource;
}

export interface Desktop {
  desk: DeskService;
  windows: DashboardWindows;
  tray: TrayController;
  notifier: Notifier;
  logger: Logger;
  platform: DesktopPlatform;
  /** Resolves once the stored session was resumed (true) or found missing or expired (false). */
  resumed: Promise<boolean>;
  /** Shows the dashboard at this screen. */
  openInApp(target: OpenTarget): void;
  shutdown(): Promise<void>;
}

/** Starts the desktop app; null when another instance runs (it was handed our link) or the config is unusable. */
export async function startDesktop(options: DesktopOptions = {}): Promise<Desktop | null> {
  const platform = desktopPlatform(options.platform ?? process.platform);
  const env = options.env ?? process.env;
  const argv = options.argv ?? process.argv;
  const now = options.now ?? Date.now;

  // Before ready: scheme privileges and the renderer sandbox are fixed when Chromium starts.
  registerAppScheme();
  app.enableSandbox();

  // Links that arrive before the desk is up are kept and opened once it is.
  let desktop: Desktop | null = null;
  const early: OpenTarget[] = [];
  const refusedLinks: string[] = [];
  const links: DeepLinkHandlers = {
    focus: () => desktop?.windows.show(),
    open: (target) => (desktop ? desktop.openInApp(target) : early.push(target)),
    refused: (link) => (desktop ? desktop.logger.warn('refused a clinicdesk link', { link: link.slice(0, 200) }) : refusedLinks.push(link)),
  };
  if (!claimSingleInstance(links)) {
    app.quit();
    return null;
  }
  launchLink(argv, links);

  await app.whenReady();

  const files = userFiles(app.getPath('userData'), app.getPath('logs'));
  const devServerUrl = app.isPackaged ? undefined : env.ELECTRON_RENDERER_URL;
  // electron-log, in the folder Help → Open Logs Folder opens; under `electron-vite dev` also on the terminal.
  const logger = createAppLog({ dir: files.logsDir, now, console: devServerUrl !== undefined && devServerUrl !== '' });
  logger.info('Clinic Desk starting', { version: app.getVersion(), platform, packaged: app.isPackaged });
  for (const link of refusedLinks) logger.warn('refused a clinicdesk link', { link: link.slice(0, 200) });

  // The machine's policy: its file, and the registry (Windows) or managed preferences (macOS).
  const policy = options.policyFile !== undefined ? readPolicyFile(options.policyFile) : discoverPolicy({ platform, env });
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ policy, userFile: files.settings, env, machinePolicy: true });
  } catch (error) {
    // Only the environment can stop the start: an invalid policy is reported and not applied.
    const message = error instanceof ConfigError ? error.message : String(error);
    logger.error('configuration invalid', { message });
    dialog.showErrorBox('Clinic Desk cannot start', message);
    app.exit(1);
    return null;
  }
  for (const warning of loaded.warnings) logger.warn(warning);
  if (loaded.policySources.length > 0) logger.info('admin policy', { sources: loaded.policySources, applied: loaded.policyProblems.length === 0 });
  const { config, policyProblems } = loaded;
  if (policyProblems.length > 0) {
    // Once the window is up (and not in its way): the desk works meanwhile, on its defaults.
    setImmediate(() => tellPolicyNotApplied(policyProblems));
  }
  function tellPolicyNotApplied(problems: ConfigIssue[]): void {
    const win = desktop?.windows.mainWindow;
    const box = {
      type: 'warning' as const,
      title: 'Clinic Desk',
      message: "Your organisation's policy could not be applied.",
      detail: `Clinic Desk uses its defaults until your administrator corrects the policy (Settings shows this too):\n\n${problems.map(formatIssue).join('\n\n')}`,
      buttons: ['OK'],
    };
    (win ? dialog.showMessageBox(win, box) : dialog.showMessageBox(box)).catch((error: unknown) =>
      logger.warn('telling the user about the policy failed', { error: String(error) }),
    );
  }

  // ── security: the app's origin, its CSP, the session's permissions, navigation ──
  const devServer = devServerUrl ? new URL(devServerUrl) : null;
  const appBase = devServer ?? new URL(APP_URL);
  const isOurs = (url: string) => isAppUrl(url, appBase);
  const csp = contentSecurityPolicy(devServer);
  serveRenderer(options.rendererDir ?? join(import.meta.dirname, '../renderer'), csp);
  hardenSession(session.defaultSession, { isAppUrl: isOurs, csp, logger });
  let signedIn: { apiUrl: string; demo: boolean } | null = null;
  const openLink = linkOpener({
    apiUrl: () => signedIn?.apiUrl ?? config.apiUrl,
    allowedHosts: () => config.allowedLinkHosts,
    openInApp: (target) => openInApp(target),
    logger,
  });
  guardAllWebContents({
    isAppUrl: isOurs,
    openLink: (url) => void openLink(url).catch((error: unknown) => logger.warn('opening a link failed', { error: String(error) })),
    logger,
  });

  // ── the core ──
  const settings = settingsFilePort(loaded, files.settings);
  const tokens = safeStorageTokenStore({
    file: files.session,
    platform,
    allowInsecure: config.allowInsecureTokenStorage,
    logger,
    onNotPersisted: (reason) => tellTokenNotKept(reason),
  });
  // "Try the demo clinic" is offered only to a desk that has no clinic configured; `--api-dialect=NAME`
  // (`clinic-desk start --api-dialect NAME`) makes it answer as another clinic's Laravel app does.
  const demoDialect = takeApiDialectArg(argv);
  if (!demoDialect.ok) logger.warn(`demo clinic: ${demoDialect.message}; it speaks the default dialect`);
  const apiDialect = demoDialect.ok ? demoDialect.dialect : undefined;
  // `--time-zone=NAME` (`clinic-desk start --time-zone NAME`): the demo clinic's zone, else this computer's.
  const demoZone = takeTimeZoneArg(argv);
  if (!demoZone.ok) logger.warn(`demo clinic: ${demoZone.message}; it uses this computer's zone`);
  const demoTimeZone = demoZone.ok ? demoZone.timeZone : undefined;
  // Only the small port: the clinic itself (servers, world, the `pusher` SDK, `ws`) is a separate
  // chunk that embeddedDemo imports on the first "Try the demo clinic" (tests/build/main-bundle.test.ts).
  const demo =
    options.demo !== undefined
      ? options.demo
      : config.apiUrl === null
        ? embeddedDemo({ apiDialect, ...(demoTimeZone === undefined ? {} : { timeZone: demoTimeZone }), logger: { info: () => undefined, warn: (m, f) => logger.warn(`demo clinic: ${m}`, f) } })
        : null;
  // Decided once from the policy; when off, electron-updater is never even loaded.
  const osPlatform = options.platform ?? process.platform;
  const updates = new UpdateService({
    decision: decideUpdates(config.updates, {
      currentVersion: app.getVersion(),
      packaged: app.isPackaged,
      platform: osPlatform,
      install: detectInstallKind({
        platform: osPlatform,
        env,
        execPath: process.execPath,
        resourcesPath: process.resourcesPath,
        windowsStore: process.windowsStore === true,
        mas: process.mas === true,
      }),
    }),
    currentVersion: app.getVersion(),
    engine: () => createUpdaterEngine({ platform: osPlatform, logger }),
    logger,
    // A close-to-tray window would otherwise keep the app from quitting into the installer.
    beforeInstall: () => windows.setQuitting(),
  });
  // The last resort: an internal error anywhere in this process (the app itself) restarts the
  // desk core instead of ending the app; a crash loop stops the core and tells the user.
  const lastResort: LastResort = new LastResort({
    logger,
    now,
    ...(options.faultSource ? { source: options.faultSource } : {}),
    restart: (reason): Promise<boolean> => desk.restartCore(reason),
    onCrashLoop: async () => {
      await desk.stopCore(CRASH_LOOP_MESSAGE);
      const win = windows.mainWindow;
      const box = { type: 'error' as const, title: 'Clinic Desk', message: 'Clinic Desk stopped its connection after repeated internal errors.', detail: CRASH_LOOP_MESSAGE, buttons: ['OK'] };
      (win ? dialog.showMessageBox(win, box) : dialog.showMessageBox(box)).catch(failed('telling the user about the crash loop'));
    },
  });
  const desk: DeskService = new DeskService({
    config,
    settings,
    cacheDir: files.cacheDir,
    host: 'electron',
    appVersion: app.getVersion(),
    now,
    logger,
    // The window's own lines (its errors), rate-limited by the desk, marked `renderer` in the log.
    rendererLogger: logger.scope('renderer'),
    tokens,
    ...(demo ? { demo } : {}),
    openExternal: async (url) => void (await openLink(url)),
    runChecks: desktopChecks({ config, tokens, demo, session: () => signedIn, policy: { sources: loaded.policySources, problems: policyProblems } }),
    updates,
    serverLocked: loaded.lockedFields.includes('apiUrl'),
    faults: () => lastResort.faults(),
  });
  updates.start();

  // ── windows, bridge, alerts, tray ──
  const appIcon = nativeImage.createFromBuffer(drawAppIcon(256).png());
  const windows = new DashboardWindows({
    url: devServer?.href ?? APP_URL,
    preload: options.preloadPath ?? join(import.meta.dirname, '../preload/index.cjs'),
    devTools: !app.isPackaged,
    stateFile: files.windowState,
    icon: appIcon,
    closeToTray: () => settings.view().values.closeToTray,
    logger,
    notify: (message) => notifier.notice(message),
    onCreated: () => void tray.refresh(),
    now,
  });
  const senders = { contents: () => windows.contents(), isAppUrl: isOurs };
  const adapter = createHostAdapter(desk, logger);
  const broadcaster = new EventBroadcaster(senders, adapter);
  registerBridge({ adapter, senders, logger, onSubscribe: (contents) => broadcaster.subscribed(contents) });

  function openInApp(target: OpenTarget): void {
    windows.show();
    broadcaster.open(target);
  }
  const failed = (what: string) => (error: unknown) => logger.warn(`${what} failed`, { error: String(error) });
  const openNotification = (id: number, hasLink: boolean) => {
    windows.show();
    desk.openNotification({ id }).catch(failed('opening a notification'));
    // Without a link there is nothing to follow: show it in the list.
    if (!hasLink) openInApp({ screen: 'notifications', notificationId: id });
  };
  const onAlertClick = (click: AlertClick) => (click.kind === 'notification' ? openNotification(click.id, click.hasLink) : openInApp(click.target));
  // From the tray or an alert's button, without the window: a refusal (already called, the patient left) is told in an alert.
  const callIn = (appointmentId: number) => {
    desk.staffAction({ kind: 'call-in', appointmentId }).catch((error: unknown) => {
      failed('call-in')(error);
      notifier.notice(`Could not call the patient in: ${error instanceof Error ? error.message : String(error)}`);
    });
  };

  const notifier = new Notifier({
    settings: () => settings.view().values,
    windowFocused: () => windows.isFocused(),
    mainWindow: () => windows.mainWindow,
    onClick: onAlertClick,
    onCallIn: callIn,
    platform,
    logger,
    now,
    icon: appIcon,
    ...(options.timings?.alertGroupMs === undefined ? {} : { groupWindowMs: options.timings.alertGroupMs }),
  });
  const tray = new TrayController({
    desk,
    settings: () => settings.view(),
    platform,
    mainWindow: () => windows.mainWindow,
    now,
    logger,
    actions: {
      openDashboard: () => windows.show(),
      openNotification: (id) => openNotification(id, true),
      callIn,
      markAllRead: () => void desk.markAllNotificationsRead().catch(failed('mark all read')),
      setDnd: (choice) => void desk.updateSettings({ dndUntil: dndUntil(choice, now(), tray.current.zone) }).catch(failed('Do Not Disturb')),
      reconnect: () => void desk.reconnect(),
      signOut: () => void desk.signOut().catch(failed('sign out')),
      quit: () => app.quit(),
    },
  });

  desk.on((event: DeskEvent) => {
    if (event.kind === 'session') signedIn = event.session.status === 'signed-in' ? { apiUrl: event.session.apiUrl, demo: event.session.demo } : null;
    if (event.kind === 'open') openInApp(event.target);
    else broadcaster.send(event);
    notifier.onEvent(event);
    tray.onEvent(event);
    if (event.kind === 'settings') applyOsSettings(event.settings.values, { packaged: app.isPackaged, logger });
  });

  function tellTokenNotKept(reason: string): void {
    const win = windows.mainWindow;
    const box = {
      type: 'warning' as const,
      title: 'Clinic Desk',
      message: 'Clinic Desk cannot remember your sign-in on this computer.',
      detail: `Because ${reason}, your sign-in is kept only until Clinic Desk quits: you will be asked to sign in again next time. Your administrator can set up a keyring or allow storing it unencrypted (allowInsecureTokenStorage).`,
      buttons: ['OK'],
    };
    (win ? dialog.showMessageBox(win, box) : dialog.showMessageBox(box)).catch(failed('telling the user about token storage'));
  }

  // ── the operating system: wake-ups, links, menu, login item ──
  const reconnect = () => void desk.reconnect();
  const stopWake = reconnectOnWake({ reconnect, logger, now });
  const stopNetwork = watchNetwork({ onChange: reconnect, logger, ...(options.timings?.networkPollMs === undefined ? {} : { intervalMs: options.timings.networkPollMs }) });
  if (!registerLinkScheme(process.defaultApp === true, argv)) logger.warn('could not register the clinicdesk:// link scheme');
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  installAppMenu(platform, !app.isPackaged, helpActions({ logsDir: files.logsDir, diagnosticsReport: () => desk.diagnosticsReport(), logger }));
  applyOsSettings(settings.view().values, { packaged: app.isPackaged, logger });

  const stopLastResort = lastResort.install();
  tray.start();
  windows.create(!settings.view().values.startMinimised);
  app.on('activate', () => windows.show());
  app.on('window-all-closed', () => {
    // With close-to-tray the window hides instead of closing; macOS apps stay in the dock.
    if (platform !== 'darwin' && !settings.view().values.closeToTray) app.quit();
  });

  let stopped: Promise<void> | null = null;
  const shutdown = () =>
    (stopped ??= (async () => {
      stopWake();
      stopNetwork();
      updates.stop();
      notifier.dispose();
      tray.destroy();
      await desk.close();
      await demo?.close();
      logger.info('Clinic Desk stopped');
      stopLastResort();
      logger.close();
    })());
  let done = false;
  app.on('before-quit', (event) => {
    windows.setQuitting();
    if (done) return;
    // Close the session and its cache cleanly first, then quit for real.
    event.preventDefault();
    void shutdown().finally(() => {
      done = true;
      app.quit();
    });
  });

  const resumed = desk.resume().catch((error: unknown) => {
    logger.error('resuming the session failed', { error: String(error) });
    return false;
  });
  desktop = { desk, windows, tray, notifier, logger, platform, resumed, openInApp, shutdown };
  for (const target of early.splice(0)) openInApp(target);
  void tray.refresh();
  return desktop;
}

/**
 * The app binary as the `clinic-desk` command line (`"Clinic Desk.exe" doctor`, or a wrapper's
 * `cli.js doctor` while the runAsNode fuse keeps Electron from running it as Node): runs the
 * command, prints, and exits with its code. Nothing of the desk starts: no window, no tray, no
 * log file, no single-instance lock (a running desk is left alone).
 */
export async function runCommandLine(args: readonly string[], io?: CliIo): Promise<number> {
  // No Dock icon for a command on macOS, and no GPU process for a window that never opens.
  app.dock?.hide();
  app.disableHardwareAcceleration();
  let code: number;
  try {
    code = await runPackagedCli(args, io, () => app.getVersion());
  } catch (error) {
    process.stderr.write(`clinic-desk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    code = 1;
  }
  // app.exit does not wait for a pipe to drain.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  app.exit(code);
  return code;
}

// Electron runs this file as the app's entry; under plain Node (tests) it only exports startDesktop.
if (process.versions.electron !== undefined) {
  const commandLine = packagedCliArgs(process.argv, { defaultApp: process.defaultApp === true });
  if (commandLine !== null) {
    void runCommandLine(commandLine);
  } else {
    startDesktop().catch((error: unknown) => {
      process.stderr.write(`Clinic Desk failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      app.exit(1);
    });
  }
}
