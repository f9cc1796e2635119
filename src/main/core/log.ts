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

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One JSON object per line; stdout stays free for command output. */
export function jsonLinesLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): Logger {
  const at = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
