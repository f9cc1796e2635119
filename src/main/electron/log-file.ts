import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, LogLevel } from '../core/log';

/**
 * The desktop app's log: JSON lines in the user's log folder, rotated by size
 * so a desk that runs for months keeps a bounded, recent history that support
 * can ask for ("Open logs folder"). Writes are synchronous: the volume is low,
 * and a line written just before a crash is the one that matters.
 */

export interface FileLoggerOptions {
  dir: string;
  /** `main` gives main.log, main.1.log, ... */
  name?: string;
  /** Rotate when the current file would grow past this. */
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
  minLevel?: LogLevel;
  now?: () => number;
  /** Also write each line here (stderr in development). */
  mirror?: (line: string) => void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// Field names whose values never reach the log, whatever a caller passes.
const SECRET_FIELD = /token|password|secret|authorization|cookie/i;

export function maskSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(key)) out[key] = '***';
    else if (value instanceof Error) out[key] = value.message;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = maskSecrets(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

export interface FileLogger extends Logger {
  readonly file: string;
  /** Later lines are dropped: requests still unwinding after quit have nothing to tell the user. */
  close(): void;
}

export function rotatingFileLogger(options: FileLoggerOptions): FileLogger {
  const name = options.name ?? 'main';
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const keep = options.keep ?? 3;
  const minLevel = options.minLevel ?? 'info';
  const now = options.now ?? Date.now;
  const file = join(options.dir, `${name}.log`);
  const rotated = (n: number) => join(options.dir, `${name}.${n}.log`);
  let size = -1;
  let broken = false;
  let closed = false;

  const rotate = () => {
    rmSync(rotated(keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(rotated(n), rotated(n + 1));
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(file, rotated(1));
    size = 0;
  };

  const write = (line: string) => {
    if (size < 0) {
      mkdirSync(options.dir, { recursive: true });
      try {
        size = statSync(file).size;
      } catch {
        size = 0;
      }
    }
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > maxBytes) rotate();
    appendFileSync(file, line);
    size += bytes;
  };

  const at = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (closed || ORDER[level] < ORDER[minLevel]) return;
    const line = `${JSON.stringify({ level, time: new Date(now()).toISOString(), message, ...maskSecrets(fields) })}\n`;
    options.mirror?.(line);
    if (broken) return;
    try {
      write(line);
    } catch (error) {
      // A full disk or a locked file must not take the desk down; say so once where someone may see it.
      broken = true;
      process.stderr.write(`clinic-desk: cannot write the log file ${file}: ${String(error)}\n`);
    }
  };
  return {
    file,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    close: () => void (closed = true),
  };
}
