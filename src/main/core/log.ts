/**
 * The core's logger port. The Electron host writes it to a rotating file, the
 * CLI to stderr as JSON lines, tests keep it in memory to assert on what was
 * logged (a dropped payload must be logged with its reason).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
  at: number;
}

const noop = () => undefined;
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Keeps every record; for tests. */
export function memoryLogger(now: () => number = Date.now): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    records.push({ level, message, fields, at: now() });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

// Field names whose values never reach the log, whatever a caller passes.
const SECRET_FIELD = /token|password|secret|authorization|cookie/i;
const MAX_DEPTH = 8;

/** Fields as they may be logged: values under a secret-looking name replaced, errors as their message, nested objects and arrays too. */
export function maskSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  return maskObject(fields, 0);
}

function maskObject(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_FIELD.test(key) ? '***' : maskValue(value, depth + 1);
  return out;
}

function maskValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) return value.message;
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  return maskObject(value as Record<string, unknown>, depth);
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One JSON object per line, secrets masked as in the app's log; stdout stays free for command output. */
export function jsonLinesLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): Logger {
  const at = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...maskSecrets(fields) })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
