import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/config/issues';
import { DeskService, fixedSettings, memoryTokenStore } from '../core/desk/desk-service';
import { LastResort } from '../core/desk/last-resort';
import { jsonLinesLogger } from '../core/log';
import { DESK_FLAGS_USAGE, UsageError, parseDeskArgs } from './desk-args';
import { appVersion } from './version';

/**
 * `clinic-desk watch`: the seed's "monitor the channel" step for admins and
 * scripts. Signs in, keeps the cache, and prints one JSON line per happening
 * on stdout (README: "watch output"); logs go to stderr.
 */

const USAGE = `usage: clinic-desk watch [options]

Connects like a desk would and prints every validated event, state change,
rejected payload and catch-up as one JSON line on stdout. Stops on Ctrl-C.

${DESK_FLAGS_USAGE}  --verbose            log at info level on stderr (default: warnings only)
  --help               this text
`;

export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'clinic-desk');
}

export async function run(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let args;
  try {
    args = parseDeskArgs(argv, env, { verbose: { type: 'boolean' } });
  } catch (error) {
    return usageFailure(error);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { config, locked } = args.loaded;
  if (!config.apiUrl) return usageFailure(new UsageError('no API URL: pass --api-url or set CLINIC_DESK_API_URL'));
  if (!args.credentials) return usageFailure(new UsageError('no credentials: pass --email and --password, or --token'));

  const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const logger = jsonLinesLogger((line) => process.stderr.write(line), args.extra.verbose === true ? 'info' : 'warn');
  for (const warning of args.loaded.warnings) logger.warn(warning);
  const tokens = memoryTokenStore();
  const desk = new DeskService({
    config,
    settings: fixedSettings(config.settings, locked),
    cacheDir: defaultCacheDir(env),
    ...(args.cacheFile === null ? {} : { cacheFile: args.cacheFile }),
    host: 'node',
    appVersion: appVersion(),
    logger,
    tokens,
  });

  let lastStatus: string | null = null;
  desk.on((e) => {
    switch (e.kind) {
      case 'connection':
        if (e.connection.status === lastStatus) return;
        lastStatus = e.connection.status;
        print({ kind: 'state', state: e.connection.status, since: e.connection.since, detail: e.connection.detail, socketId: e.connection.socketId });
        return;
      case 'rejected':
        // As the desk's rejection log recorded it: `count` is its group's, the number Diagnostics shows.
        print({ kind: 'rejected', channel: e.channel, event: e.event, reason: e.reason, at: e.at, count: e.count });
        return;
      case 'sync':
        print({ ...e, kind: 'sync' });
        return;
      case 'session':
        print({ kind: 'session', status: e.session.status, ...(e.session.status === 'signed-in' ? { userId: e.session.user.id, role: e.session.user.role } : {}), ...(e.session.status === 'signed-out' ? { reason: e.session.reason } : {}) });
        return;
      case 'presence.joined':
        print({ kind: 'presence', change: 'joined', member: e.member });
        return;
      case 'presence.left':
        print({ kind: 'presence', change: 'left', memberId: e.memberId, at: e.at });
        return;
      default:
        return;
    }
  });
  desk.onWire((e) => print({ kind: 'event', channel: e.channel, event: e.wireEvent, payload: e.payload, receivedAt: e.receivedAt }));

  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => {
    let done = false;
    finish = (code) => {
      if (done) return;
      done = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      desk.close().then(() => resolve(code), () => resolve(1));
    };
    const stop = () => finish(0);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

  // The last resort: an internal error restarts the desk core (one `fault` line, then the usual
  // session and state lines); a crash loop is reported and ends the command with exit code 1.
  const lastResort = new LastResort({
    logger,
    restart: (reason) => desk.restartCore(reason),
    onFault: (fault) => print({ kind: 'fault', fault: fault.kind, at: fault.at, error: fault.error, message: fault.message, where: fault.where, action: fault.action }),
    onCrashLoop: (faults) => {
      print({ kind: 'crash-loop', faults: faults.length, at: new Date().toISOString() });
      process.stderr.write('clinic-desk watch: repeated internal errors (see the fault lines); stopping\n');
      finish(1);
    },
  });
  const stopLastResort = lastResort.install();
  void stopped.finally(stopLastResort);

  if ('token' in args.credentials) {
    await tokens.save({ apiUrl: config.apiUrl, token: args.credentials.token, userId: 0, demo: false });
    if (!(await desk.resume())) {
      process.stderr.write('clinic-desk watch: the token was refused or the server could not be reached\n');
      finish(1);
      return stopped;
    }
  } else {
    const result = await desk.signIn({ apiUrl: config.apiUrl, ...args.credentials });
    if (!result.ok) {
      process.stderr.write(`clinic-desk watch: sign-in failed (${result.error}): ${result.message}\n`);
      finish(1);
      return stopped;
    }
  }
  return stopped;
}

function usageFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`clinic-desk watch: invalid configuration\n${error.message}\n`);
    return 2;
  }
  process.stderr.write(`clinic-desk watch: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  return 2;
}
