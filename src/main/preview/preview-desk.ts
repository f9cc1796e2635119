import type { DemoAccount } from '../../shared/bridge';
import type { CheckReport } from '../../shared/desk-state';
import { loadConfig, type LoadedConfig } from '../core/config/load';
import type { DeskConfig, TransportConfig } from '../core/config/schema';
import { DeskService, memoryTokenStore, type DemoPort } from '../core/desk/desk-service';
import type { FaultRecord } from '../core/desk/last-resort';
import { runDoctor } from '../core/doctor/doctor';
import { silentLogger, type Logger } from '../core/log';
import { settingsFilePort } from '../core/config/settings-file';
import type { UpdatesPort } from '../core/updates/updates';

/**
 * The desk the preview host runs: the same `DeskService` as the app, with
 * what the preview host hands in instead of Electron's adapters.
 *
 * - Settings: a JSON file written through `saveUserSettings` (the Settings
 *   screen works, policy locks apply).
 * - Tokens: memory only; a preview session ends with the process.
 * - Links: a browser page cannot ask the host to open the user's browser
 *   reliably (the host may run headless or over SSH). The core still decides
 *   which links may open (only the clinic's hosts); for those the host calls
 *   `onOpenExternal` (the CLI prints the link on stderr) and the page is told
 *   `opened: true`. A refused link is `opened: false` with the core's reason.
 * - Checks (`runChecks`): the `doctor` engine against the signed-in
 *   session's clinic, over the desk's own Echo path; for the demo clinic with
 *   the demo account's password, otherwise without credentials (the sign-in
 *   step then says so).
 */

export interface PreviewDeskOptions {
  /** Environment for `loadConfig` (the back end's `.env` names); `{}` in tests. */
  env: Record<string, string | undefined>;
  /** The Settings screen's file. */
  settingsFile: string;
  /** Where the SQLite caches go. */
  cacheDir: string;
  /** "Try the demo clinic" (usually `embeddedDemo()`). */
  demo?: DemoPort;
  policyFile?: string;
  logger?: Logger;
  appVersion?: string;
  now?: () => number;
  onOpenExternal?: (url: string) => void;
  /** Per-step time-out of `runChecks`. */
  checksTimeoutMs?: number;
  /** An updater for the desk (end-to-end tests); without one, updates are off as on any host but the app. */
  updates?: UpdatesPort;
  /** The host's last-resort handler's record, for the diagnostics report (see `installPreviewLastResort`). */
  faults?: () => readonly FaultRecord[];
  /** Overrides the reconciliation interval setting (end-to-end tests that cannot wait its 15 s minimum). */
  reconcileIntervalMs?: () => number;
}

export interface PreviewDesk {
  desk: DeskService;
  loaded: LoadedConfig;
}

type DemoStart = Awaited<ReturnType<DemoPort['start']>>;

/** Remembers where the demo clinic is and which account signed in, for `runChecks`. */
function rememberingDemo(demo: DemoPort): DemoPort & { last(): DemoStart | null } {
  let last: DemoStart | null = null;
  return {
    accounts: (): DemoAccount[] => demo.accounts(),
    async start(role) {
      last = await demo.start(role);
      return last;
    },
    last: () => last,
  };
}

export function createPreviewDesk(options: PreviewDeskOptions): PreviewDesk {
  const logger = options.logger ?? silentLogger;
  const loaded = loadConfig({
    env: options.env,
    userFile: options.settingsFile,
    ...(options.policyFile === undefined ? {} : { policyFile: options.policyFile }),
    machinePolicy: true,
  });
  for (const warning of loaded.warnings) logger.warn(warning);
  const serverLocked = loaded.lockedFields.includes('apiUrl');
  // As on the desktop: a desk the administrator has pointed at its clinic offers no demo clinic.
  const demo = options.demo && !serverLocked ? rememberingDemo(options.demo) : undefined;
  const now = options.now ?? Date.now;

  const desk: DeskService = new DeskService({
    config: loaded.config,
    serverLocked,
    settings: settingsFilePort(loaded, options.settingsFile),
    cacheDir: options.cacheDir,
    host: 'preview',
    appVersion: options.appVersion ?? '0.1.0',
    now,
    logger,
    tokens: memoryTokenStore(),
    ...(demo ? { demo } : {}),
    ...(options.updates ? { updates: options.updates } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.reconcileIntervalMs ? { reconcileIntervalMs: options.reconcileIntervalMs } : {}),
    openExternal: async (url) => {
      logger.info('link to open in the browser', { url });
      options.onOpenExternal?.(url);
    },
    runChecks: async ({ echo }): Promise<CheckReport> => {
      const { session } = await desk.getSnapshot();
      const timeoutMs = options.checksTimeoutMs ?? 8000;
      if (session.status !== 'signed-in') return runDoctor({ config: loaded.config, credentials: null, timeoutMs, now, echo });
      const started = session.demo ? demo?.last() : null;
      if (started) {
        return runDoctor({
          config: withClinic(loaded.config, started.apiUrl, started.transport),
          credentials: { email: started.email, password: started.password },
          timeoutMs,
          now,
          echo,
        });
      }
      return runDoctor({ config: withClinic(loaded.config, session.apiUrl, loaded.config.transport), credentials: null, timeoutMs, now, echo });
    },
  });
  return { desk, loaded };
}

function withClinic(config: DeskConfig, apiUrl: string, transport: TransportConfig): DeskConfig {
  return { ...config, apiUrl, transport, allowedLinkHosts: [new URL(apiUrl).host, ...config.allowedLinkHosts] };
}
