/**
 * One desk start in a fresh Node process, for bench/start.bench.ts: from the
 * process's start to the cached board ready in the core, as the desk restores
 * it at start with a saved token, without waiting for the network.
 *
 * Only `node:` modules are imported statically; the core is imported here,
 * timed. Then: `loadConfig` (a user settings file, the server and socket from
 * the environment, as a configured desk), a DeskService, and the session
 * started the way `resume()` starts it once the server has confirmed the
 * token (`startSession`: open the SQLite cache, restore every part from its
 * snapshot, then connect in the background). The network is not waited for:
 * the server is a closed port. Ready = `getSnapshot()` holds the cached board.
 * Prints one JSON line of `hr()` readings (CLOCK_MONOTONIC ms) on stdout.
 */
import { performance } from 'node:perf_hooks';

const hr = (): number => Number(process.hrtime.bigint()) / 1e6;
/** When this process started, on the shared clock (performance.now() counts from process start). */
const processStart = hr() - performance.now();
const scriptStart = hr();

const input = JSON.parse(process.env['CLINIC_DESK_START_PROBE'] ?? '{}') as { cacheFile: string; userFile: string; user: unknown; day: string };

const coreModule = await import('../../src/main/core/desk/desk-service');
const loadModule = await import('../../src/main/core/config/load');
const domain = await import('../../src/shared/domain');
const imported = hr();

const loaded = loadModule.loadConfig({ userFile: input.userFile, env: { CLINIC_DESK_API_URL: 'http://127.0.0.1:9', REVERB_APP_KEY: 'start-bench', REVERB_HOST: '127.0.0.1', REVERB_PORT: '9', REVERB_SCHEME: 'http' } });
const config = loaded.config;
const configured = hr();

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const desk = new coreModule.DeskService({
  config,
  settings: coreModule.fixedSettings(config.settings, []),
  host: 'node',
  appVersion: 'bench',
  logger: quiet,
  tokens: coreModule.memoryTokenStore(),
  cacheDir: '/nonexistent',
  cacheFile: input.cacheFile,
});
const user = domain.User.parse(input.user);
/** What `resume()` does after `api.user()` answered (private: reached the way a test would). */
const internals = desk as unknown as { apiClient(apiUrl: string): unknown; startSession(api: unknown, user: unknown, apiUrl: string, transport: unknown, demo: boolean): void };
const api = internals.apiClient(config.apiUrl ?? '');
internals.startSession(api, user, config.apiUrl ?? '', config.transport, false);
const started = hr();
const snapshot = await desk.getSnapshot();
const ready = hr();
const unread = snapshot.unreadNotifications;
const firstPage = await desk.listNotifications({ limit: 50, unreadOnly: false });
const firstPageAt = hr();

process.stdout.write(
  `${JSON.stringify({
    processStart,
    scriptStart,
    imported,
    configured,
    started,
    ready,
    firstPageAt,
    board: snapshot.board === null ? null : { date: snapshot.board.date, appointments: snapshot.board.appointments.length, stale: snapshot.board.stale },
    day: input.day,
    unread,
    firstPageItems: firstPage.items.length,
    rss: process.memoryUsage().rss,
  })}\n`,
);
// Exits without closing: the run's copy of the cache file is thrown away.
process.exit(0);
