import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commandArgs } from './command-args';
import { ConfigError } from '../core/config/issues';
import type { DeskService } from '../core/desk/desk-service';
import { CRASH_LOOP_MESSAGE, LastResort } from '../core/desk/last-resort';
import { jsonLinesLogger } from '../core/log';
import { embeddedDemo } from '../demo/demo-port';
import { API_DIALECTS, apiDialectUsageLines, unknownApiDialect } from '../demo/dialects/names';
import { stderrLogger } from '../demo/logger';
import { TIME_ZONE_USAGE, unknownTimeZone } from '../demo/time-zone-arg';
import { isTimeZone } from '../../shared/clinic-time';
import { ensureRendererBuilt, rendererDir } from '../preview/build-renderer';
import { createPreviewDesk } from '../preview/preview-desk';
import { startPreviewHost } from '../preview/server';
import { defaultCacheDir } from './watch';

/**
 * `clinic-desk preview` (`npm run preview:web`): the dashboard in a browser.
 * Builds the renderer when it is missing or stale, runs the core and the demo
 * clinic in this process, serves the dashboard on 127.0.0.1, and prints
 * exactly one line on stdout: the one-time URL. Logs go to stderr as JSON
 * lines. Stops cleanly on SIGINT/SIGTERM (exit code 0).
 */

const USAGE = `usage: clinic-desk preview [options]

Serves the Clinic Desk dashboard on http://127.0.0.1 for a browser, with the
desk core and the demo clinic ("Try the demo clinic") running in this process.
Prints one line on stdout: the URL to open. It carries a one-time token: the
first browser that opens it gets the desk; the link does not work twice.

  --port N        port of the page (default 0: any free port)
  --seed N        the demo clinic and its day (default 42)
  --api-dialect NAME
                  the REST answers of the demo clinic, as another clinic's Laravel
                  app gives them (default: default):
${apiDialectUsageLines(18)}
  --time-zone NAME
                  ${TIME_ZONE_USAGE}
  --no-build      serve out/renderer as it is (do not rebuild a stale renderer)
  --renderer DIR  serve this built renderer folder instead (implies --no-build)
  --policy FILE   show the desk as an admin policy file would make it (locked
                  settings, starting values; an invalid policy shows its problems
                  in Settings, as on a desk). Check one with: clinic-desk doctor --policy FILE
  --verbose       log at info level on stderr (default: warnings only)
  --help          this text

Configuration (for signing in to a real clinic) comes from the environment,
as for the app (CLINIC_DESK_API_URL, REVERB_*, PUSHER_*, BROADCAST_DRIVER).
Settings changed in the page are kept in
$XDG_CACHE_HOME/clinic-desk/preview/settings.json (~/.cache/... by default).
`;

const OPTIONS = {
  port: { type: 'string' },
  seed: { type: 'string' },
  'api-dialect': { type: 'string' },
  'time-zone': { type: 'string' },
  'no-build': { type: 'boolean' },
  renderer: { type: 'string' },
  policy: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const Args = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(42),
  'api-dialect': z.enum(API_DIALECTS, { error: (issue) => unknownApiDialect(issue.input) }).default('default'),
  'time-zone': z.string().refine(isTimeZone, { error: (issue) => unknownTimeZone(issue.input) }).optional(),
  'no-build': z.boolean().default(false),
  renderer: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  verbose: z.boolean().default(false),
});

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export async function run(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const parsed = commandArgs('preview', argv, OPTIONS, Args, USAGE);
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  const policyFile = args.policy === undefined ? undefined : resolve(args.policy);
  if (policyFile !== undefined && !existsSync(policyFile)) {
    process.stderr.write(`clinic-desk preview: --policy ${args.policy}: no such file\n`);
    return 2;
  }
  const level = args.verbose ? 'info' : 'warn';
  const logger = jsonLinesLogger((line) => process.stderr.write(line), level);

  let dir: string;
  if (args.renderer !== undefined) {
    dir = resolve(args.renderer);
  } else if (args['no-build']) {
    dir = rendererDir(ROOT);
  } else {
    try {
      const build = await ensureRendererBuilt(ROOT, { logLevel: args.verbose ? 'info' : 'warn' });
      dir = build.dir;
      if (build.built) logger.info('renderer built', { dir });
    } catch (error) {
      process.stderr.write(`clinic-desk preview: the renderer did not build: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }

  const cacheDir = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-'));
  const demo = embeddedDemo({
    seed: args.seed,
    apiDialect: args['api-dialect'],
    ...(args['time-zone'] === undefined ? {} : { timeZone: args['time-zone'] }),
    logger: stderrLogger(level),
  });
  // The last resort: an internal error in this process restarts the desk core instead of ending
  // the preview; a crash loop stops the core (the page then shows why) and the host keeps serving.
  let core: DeskService | null = null;
  const lastResort = new LastResort({
    logger,
    restart: async (reason) => (core === null ? false : core.restartCore(reason)),
    onCrashLoop: async () => {
      await core?.stopCore(CRASH_LOOP_MESSAGE);
      process.stderr.write('clinic-desk preview: repeated internal errors: the desk core is stopped (see the log above); the page still answers\n');
    },
  });
  let preview;
  try {
    preview = createPreviewDesk({
      env,
      settingsFile: join(defaultCacheDir(env), 'preview', 'settings.json'),
      cacheDir,
      demo,
      logger,
      ...(policyFile === undefined ? {} : { policyFile }),
      appVersion: env.npm_package_version ?? '0.1.0',
      onOpenExternal: (url) => process.stderr.write(`clinic-desk preview: the desk opens ${url} (open it in your browser)\n`),
      faults: () => lastResort.faults(),
    });
  } catch (error) {
    rmSync(cacheDir, { recursive: true, force: true });
    if (error instanceof ConfigError) {
      process.stderr.write(`clinic-desk preview: invalid configuration\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { desk } = preview;
  core = desk;

  let host;
  try {
    host = await startPreviewHost({ rendererDir: dir, desk, port: args.port, logger });
  } catch (error) {
    await desk.close();
    rmSync(cacheDir, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (the port is in use: pick another with --port, or 0 for any free port)' : code === 'ENOENT' ? ' (no built renderer: run without --no-build)' : '';
    process.stderr.write(`clinic-desk preview: could not start: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    return 1;
  }
  const running = host;
  const stopLastResort = lastResort.install();

  // Handlers go in before the line is printed: whoever reads it may signal at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info('stopping the preview', { signal });
      (async () => {
        try {
          await running.close();
          await desk.close();
          await demo.close();
        } finally {
          stopLastResort();
          rmSync(cacheDir, { recursive: true, force: true });
        }
      })().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error('the preview did not stop cleanly', { error: String(error) });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`${running.url}\n`);
  if (process.stderr.isTTY) process.stderr.write('Open the link above in a browser (it works once). Ctrl-C stops the preview.\n');
  return stopped;
}
