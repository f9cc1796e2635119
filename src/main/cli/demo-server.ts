import { z } from 'zod';
import { commandArgs } from './command-args';
import { API_DIALECTS, apiDialectUsageLines, unknownApiDialect } from '../demo/dialects/names';
import { stderrLogger } from '../demo/logger';
import { TIME_ZONE_USAGE, unknownTimeZone } from '../demo/time-zone-arg';
import { isTimeZone } from '../../shared/clinic-time';

/**
 * `clinic-desk demo-server`: the demo clinic as a process. Prints exactly one
 * JSON line on stdout (its URLs, app credentials and demo users; see README
 * "demo-server output"), logs JSON lines on stderr, and stops cleanly on
 * SIGINT/SIGTERM.
 */

const DIALECT_LINES = apiDialectUsageLines(23);

const USAGE = `usage: clinic-desk demo-server [options]

  --port N           REST API port (default 8000; 0 = any free port)
  --ws-port N        Pusher-protocol WebSocket port (default 6001, or any free port with --port 0)
  --host ADDR        loopback address to listen on (default 127.0.0.1)
  --seed N           the clinic and its day are generated from this seed (default 42)
  --rate N           scenario happenings per minute (default 20; 0 = a quiet clinic)
  --event-naming S   broadcast-as (default: 'general-notification') or class-name ('App\\Events\\...')
  --api-dialect NAME the REST answers of another clinic's Laravel app (default: default):
${DIALECT_LINES}
  --time-zone NAME   ${TIME_ZONE_USAGE}
  --quiet            log warnings only
  --help             this text
`;

const Port = z.coerce.number().int().min(0).max(65535);
const OPTIONS = {
  port: { type: 'string' },
  'ws-port': { type: 'string' },
  host: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  'event-naming': { type: 'string' },
  'api-dialect': { type: 'string' },
  'time-zone': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

const Args = z.object({
  port: Port.default(8000),
  'ws-port': Port.optional(),
  host: z
    .string()
    .regex(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1)$/, 'the demo clinic listens on loopback only (127.x.x.x, localhost or ::1)')
    .default('127.0.0.1'),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(42),
  rate: z.coerce.number().min(0).max(6000).default(20),
  'event-naming': z.enum(['broadcast-as', 'class-name']).default('broadcast-as'),
  'api-dialect': z.enum(API_DIALECTS, { error: (issue) => unknownApiDialect(issue.input) }).default('default'),
  'time-zone': z.string().refine(isTimeZone, { error: (issue) => unknownTimeZone(issue.input) }).optional(),
  quiet: z.boolean().default(false),
});

export async function run(argv: string[]): Promise<number> {
  const parsed = commandArgs('demo-server', argv, OPTIONS, Args, USAGE);
  if (!parsed.ok) return parsed.exitCode;
  const args = parsed.args;
  const logger = stderrLogger(args.quiet ? 'warn' : 'info');
  const wsPort = args['ws-port'] ?? (args.port === 0 ? 0 : 6001);

  let clinic;
  try {
    // Loaded only now: `--help` and a usage error answer without the clinic's module graph.
    const { startDemoClinic } = await import('../demo/demo-clinic');
    clinic = await startDemoClinic({
      seed: args.seed,
      host: args.host,
      apiPort: args.port,
      wsPort,
      eventNaming: args['event-naming'],
      apiDialect: args['api-dialect'],
      ...(args['time-zone'] === undefined ? {} : { timeZone: args['time-zone'] }),
      logger,
      scenario: { ratePerMinute: Math.max(args.rate, 0.01), autoStart: args.rate > 0 },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (a port is in use: pick others with --port/--ws-port, or 0 for any free port)' : '';
    process.stderr.write(`clinic-desk demo-server: could not start: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    return 1;
  }
  const demo = clinic;
  // Handlers go in before the line is printed: whoever reads the line may signal at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info('stopping demo clinic', { signal });
      demo.close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.warn('demo clinic did not stop cleanly', { error: String(error) });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`${JSON.stringify(clinic.info)}\n`);
  return stopped;
}
