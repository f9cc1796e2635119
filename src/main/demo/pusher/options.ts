/**
 * Options of the demo Pusher server, validated once at start so that a typo in
 * a scenario file fails loudly instead of producing a server that never pings.
 */
import { z } from 'zod';
import { quietPusherLogger, type PusherLogger } from './events';

export interface PusherAppConfig {
  id: string;
  key: string;
  secret: string;
}

export interface PusherServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  apps: PusherAppConfig[];
  /** Silence after which the server pings a client, and the value announced in connection_established. Default 120. */
  activityTimeoutSec?: number;
  /** How long the server waits for any frame after its ping before closing with 4201. Default 30. */
  pongTimeoutSec?: number;
  /** Largest WebSocket frame and HTTP event `data` accepted, in bytes. Default 10240 (Pusher's limit). */
  maxMessageBytes?: number;
  /** Most channels one HTTP event may target. Default 100 (Pusher's limit). */
  maxChannelsPerEvent?: number;
  /** Most events in one batch_events request. Default 10 (Pusher's limit). */
  maxBatchEvents?: number;
  /** Client events one connection may send per second before 4301. Default 10 (Pusher's limit). */
  clientEventsPerSecond?: number;
  /** Clock for HTTP auth_timestamp checks only (activity timers use real time). Default Date.now. */
  now?: () => number;
  logger?: PusherLogger;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  apps: PusherAppConfig[];
  activityTimeoutSec: number;
  pongTimeoutSec: number;
  maxMessageBytes: number;
  maxChannelsPerEvent: number;
  maxBatchEvents: number;
  clientEventsPerSecond: number;
  now: () => number;
  logger: PusherLogger;
}

const NonEmpty = z.string().min(1);
const AppConfig = z.object({ id: NonEmpty, key: NonEmpty, secret: NonEmpty });

const Validated = z
  .object({
    host: NonEmpty.default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(0),
    apps: z.array(AppConfig).min(1),
    // Fractions are allowed so that tests can use sub-second timeouts.
    activityTimeoutSec: z.number().positive().default(120),
    pongTimeoutSec: z.number().positive().default(30),
    maxMessageBytes: z.number().int().positive().default(10_240),
    maxChannelsPerEvent: z.number().int().positive().default(100),
    maxBatchEvents: z.number().int().positive().default(10),
    clientEventsPerSecond: z.number().int().positive().default(10),
  })
  .superRefine((value, ctx) => {
    const seen = { id: new Set<string>(), key: new Set<string>() };
    for (const app of value.apps) {
      if (seen.id.has(app.id)) ctx.addIssue({ code: 'custom', message: `duplicate app id ${app.id}`, path: ['apps'] });
      if (seen.key.has(app.key)) ctx.addIssue({ code: 'custom', message: `duplicate app key ${app.key}`, path: ['apps'] });
      seen.id.add(app.id);
      seen.key.add(app.key);
    }
  });

export function resolveOptions(options: PusherServerOptions): ResolvedOptions {
  const { now, logger, ...plain } = options;
  const parsed = Validated.safeParse(plain);
  if (!parsed.success) throw new TypeError(`invalid Pusher server options: ${z.prettifyError(parsed.error)}`);
  return { ...parsed.data, now: now ?? Date.now, logger: logger ?? quietPusherLogger };
}
