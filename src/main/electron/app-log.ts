import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, parse } from 'node:path';
import electronLog from 'electron-log/node.js';
import type { LogFile, LogMessage, NodeLogger } from 'electron-log';
import { maskSecrets, type Logger, type LogLevel } from '../core/log';

/**
 * The desktop app's log, written by electron-log: one JSON object per line in
 * the user's log folder (the folder Help → Open Logs Folder opens), rotated
 * by size so a desk that runs for months keeps a bounded, recent history that
 * support can ask for. The core sees only its `Logger` port; each scope
 * (`renderer` for the window's own lines) is one more `Logger` over the same
 * file. Writes are synchronous (electron-log's default): the volume is low,
 * and a line written just before a crash is the one that matters.
 *
 * `electron-log/node`, not `electron-log/main`: the main entry registers its
 * own IPC channel (`__ELECTRON_LOG__`, any frame may write any line) as soon
 * as it is loaded, and sends main-process lines to every window in
 * development. The window's lines come through the bridge's `log` method
 * instead, checked by the host adapter like every other call
 * (docs/architecture.md, "Libraries, and why").
 */

export interface AppLogOptions {
  dir: string;
  /** `main` gives main.log, main.1.log, ... */
  name?: string;
  /** Rotate when the current file has grown past this (electron-log's `maxSize`). */
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
  minLevel?: LogLevel;
  now?: () => number;
  /** Also print each line on the terminal (`electron-vite dev`). */
  console?: boolean;
}

export interface AppLog extends Logger {
  readonly file: string;
  /** The same log, each line marked with `scope` (`renderer`: the window's lines). */
  scope(name: string): Logger;
  /** Later lines are dropped: requests still unwinding after quit have nothing to tell the user. */
  close(): void;
}

export const LOG_MAX_BYTES = 1024 * 1024;
export const LOG_KEEP = 3;

/** What a line carries from the adapter to electron-log's transports (its only `data` item). */
interface LogRecord {
  readonly level: LogLevel;
  readonly time: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

function isRecord(value: unknown): value is LogRecord {
  return typeof value === 'object' && value !== null && 'time' in value && 'message' in value && 'fields' in value;
}

/** electron-log's `format`: the record as one JSON object, `scope` after the time. */
function jsonLine({ data, message }: { data: unknown[]; message: LogMessage }): string[] {
  const record = data[0];
  if (isRecord(record)) {
    const scope = message.scope ? { scope: message.scope } : {};
    return [safeJson({ level: record.level, time: record.time, ...scope, message: record.message, ...record.fields })];
  }
  // Anything written to electron-log other than through this adapter.
  return [safeJson({ level: message.level, time: message.date.toISOString(), ...(message.scope ? { scope: message.scope } : {}), message: data.map(String).join(' ') })];
}

function safeJson(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (error) {
    return JSON.stringify({ level: value.level, time: value.time, message: value.message, unloggable: String(error) });
  }
}

/**
 * Rotation: main.log becomes main.1.log, main.1.log main.2.log, ..., and
 * main.{keep}.log is deleted. If a rename fails (Windows: another program
 * holds the file open), electron-log's own fallback: keep the file's last
 * quarter and go on writing to it.
 */
export function rotateKeeping(keep: number, maxBytes: number): (file: LogFile) => void {
  return (file) => {
    const { dir, name, ext } = parse(file.path);
    const generation = (n: number) => join(dir, `${name}.${n}${ext}`);
    try {
      rmSync(generation(keep), { force: true });
      for (let n = keep - 1; n >= 1; n--) if (existsSync(generation(n))) renameSync(generation(n), generation(n + 1));
      renameSync(file.path, generation(1));
    } catch {
      const crop = (file as LogFile & { crop?: (bytes: number) => void }).crop;
      if (typeof crop === 'function') crop.call(file, Math.min(Math.round(maxBytes / 4), 256 * 1024));
      else file.clear();
    }
  };
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let instances = 0;

export function createAppLog(options: AppLogOptions): AppLog {
  const name = options.name ?? 'main';
  const maxBytes = options.maxBytes ?? LOG_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? LOG_KEEP);
  const minLevel = options.minLevel ?? 'info';
  const now = options.now ?? Date.now;
  const file = join(options.dir, `${name}.log`);

  // A logger of its own (not electron-log's default instance), configured here and nowhere else.
  const log: NodeLogger = electronLog.create({ logId: `clinic-desk-${(instances += 1)}` });
  log.transports.file.setAppName('clinic-desk');
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.level = minLevel;
  log.transports.file.maxSize = maxBytes;
  log.transports.file.archiveLogFn = rotateKeeping(keep, maxBytes);
  log.transports.file.format = jsonLine;
  log.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  log.transports.console.level = options.console === true ? minLevel : false;
  log.transports.console.format = jsonLine;
  // Never anywhere but the file (and the terminal in development): not to the windows, not to a server.
  if (log.transports.ipc) log.transports.ipc.level = false;
  log.transports.remote.level = false;

  let closed = false;
  const scoped = (scope: string | null): Logger => {
    const target = scope === null ? log : log.scope(scope);
    const at = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
      if (closed || ORDER[level] < ORDER[minLevel]) return;
      const record: LogRecord = { level, time: new Date(now()).toISOString(), message, fields: maskSecrets(fields) };
      target[level](record);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };

  return {
    ...scoped(null),
    file,
    scope: (scope) => scoped(scope),
    close: () => void (closed = true),
  };
}
