/**
 * One desk start in a fresh Node process, for bench/start.bench.ts: from the
 * process's start to the cached board ready in the core, as the desk restores
 * it at start with a saved token, without waiting for the network.
 *
 * Only `node:` modules are imported statically; the core is imported here,
 * timed. Then: `loadConfig` (a user settings file, the server and socket from
 * the environment, as a configured desk), a DeskService with a saved token,
 * and `resume()`: open the SQLite cache, read who it belongs to, restore every
 * part from its snapshot, then connect and confirm the token in the
 * background. The network is not waited for: the server is a closed port.
 * Ready = `getSnapshot()` holds the cached board.
 * Prints one JSON line of `hr()` readings (CLOCK_MONOTONIC ms) on stdout.
 */
import { performance } from 'node:perf_hooks';

const hr = (): number => Number(process.hrtime.bigint()) / 1e6;
/** When this process started, on the shared clock (performance.now() counts from process start). */
const processStart = hr() - performance.now();
const scriptStart = hr();

const input = JSON.parse(process.env['CLINIC_DESK_START_PROBE'] ?? '{}') as { cacheFile: string; userFile: string; user: { id: number }; apiUrl: string; day: string };

const coreModule = await import('../../src/main/core/desk/desk-service');
const loadModule = await import('../../src/main/core/config/load');
const imported = hr();

const loaded = loadModule.loadConfig({ userFile: input.userFile, env: { CLINIC_DESK_API_URL: input.apiUrl, REVERB_APP_KEY: 'start-bench', REVERB_HOST: '127.0.0.1', REVERB_PORT: '9', REVERB_SCHEME: 'http' } });
const config = loaded.config;
const configured = hr();

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const tokens = coreModule.memoryTokenStore();
await tokens.save({ apiUrl: input.apiUrl, token: '1|start-bench', userId: input.user.id, demo: false });
const desk = new coreModule.DeskService({
  config,
  settings: coreModule.fixedSettings(config.settings, []),
  host: 'node',
  appVersion: 'bench',
  logger: quiet,
  tokens,
  cacheDir: '/nonexistent',
  cacheFile: input.cacheFile,
});
if (!(await desk.resume())) throw new Error('the desk did not resume');
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
