import type { Logger } from '../log';

/**
 * The last resort of every host (the Electron main process, the preview
 * host, `clinic-desk watch`): an `uncaughtException` or `unhandledRejection`
 * anywhere in the process is logged (its kind, the error's class and where
 * it was thrown; never the message's quoted contents, which may be a
 * payload), recorded for the diagnostics report, and answered by restarting
 * the desk's core service (its session: socket, sync, cache handle) instead
 * of letting the process die. In Electron that process is the app itself.
 *
 * A fault that comes back at once is not fixed by restarting: past
 * `maxFaults` faults within `windowMs` (default 3 in a minute) the handler
 * stops restarting, calls `onCrashLoop` once (the host stops the core and
 * tells the user or its supervisor), and from then on only records.
 */

export type FaultKind = 'uncaughtException' | 'unhandledRejection';

export interface FaultRecord {
  at: string;
  kind: FaultKind;
  /** The error's class and code: "RangeError", "TypeError", "Error (EPIPE)". */
  error: string;
  /** The message with quoted parts and long runs removed; at most 160 characters. */
  message: string;
  /** The innermost stack frames ("at fn (file:line:col)"), at most four. */
  where: string[];
  /** What the handler did about it. */
  action: 'restarted' | 'restart-failed' | 'restart-pending' | 'crash-loop' | 'recorded';
}

/** What the handler listens on: `process`, or a stand-in in tests. */
export interface FaultSource {
  on(event: FaultKind, listener: (error: unknown) => void): unknown;
  off(event: FaultKind, listener: (error: unknown) => void): unknown;
}

export interface LastResortOptions {
  logger: Logger;
  /** Restarts the core service; a rejection is recorded as `restart-failed`. */
  restart: (reason: string) => Promise<unknown>;
  /** Called once, when faults come faster than the loop limit allows. */
  onCrashLoop: (faults: readonly FaultRecord[]) => void | Promise<void>;
  /** Told about every fault after it is recorded (the CLI prints it). */
  onFault?: (fault: FaultRecord) => void;
  now?: () => number;
  /** Default: 3 faults within 60 s is a crash loop. */
  loop?: { maxFaults: number; windowMs: number };
  /** Default: `process`. */
  source?: FaultSource;
}

/** What the user is told (the sign-in screen's reason) after a crash loop stopped the core. */
export const CRASH_LOOP_MESSAGE =
  'Clinic Desk stopped its connection after repeated internal errors (logged, and listed in the diagnostics report). Sign in to try again; if it happens again, send the report to your administrator.';

/** Recorded faults kept for the diagnostics report. */
const KEPT = 20;
const MESSAGE_MAX = 160;

/**
 * An error's message without what may be data: quoted parts (JSON.parse and
 * zod quote the input) and long unbroken runs (a token, a base64 blob) are
 * replaced, and the rest clipped.
 */
export function scrubMessage(message: string): string {
  const scrubbed = message
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '…')
    .replace(/\S{41,}/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return scrubbed.length <= MESSAGE_MAX ? scrubbed : `${scrubbed.slice(0, MESSAGE_MAX - 1)}…`;
}

/** A fault's description as log fields (`detail`, not `message`: the logger's own field). */
function logFields(error: unknown): Record<string, unknown> {
  const { error: name, message, where } = describe(error);
  return { error: name, detail: message, where };
}

function describe(error: unknown): Pick<FaultRecord, 'error' | 'message' | 'where'> {
  if (!(error instanceof Error)) {
    // A rejection with a plain value: its type only, the value may be anything.
    return { error: error === null ? 'null' : typeof error, message: '', where: [] };
  }
  const code = (error as { code?: unknown }).code;
  const name = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `${error.name} (${code})` : error.name;
  const where = (error.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, 4)
    .map((line) => (line.length <= 200 ? line : `${line.slice(0, 199)}…`));
  return { error: name.slice(0, 80), message: scrubMessage(error.message), where };
}

export class LastResort {
  private readonly now: () => number;
  private readonly loop: { maxFaults: number; windowMs: number };
  private readonly source: FaultSource;
  private readonly recent: number[] = [];
  private readonly kept: FaultRecord[] = [];
  private restarting = false;
  private crashLoop = false;
  private afterLoop = 0;
  private installed = false;
  private readonly onException = (error: unknown) => this.handle('uncaughtException', error);
  private readonly onRejection = (error: unknown) => this.handle('unhandledRejection', error);

  constructor(private readonly options: LastResortOptions) {
    this.now = options.now ?? Date.now;
    this.loop = options.loop ?? { maxFaults: 3, windowMs: 60_000 };
    this.source = options.source ?? process;
  }

  /** Listens for faults; returns the function that stops listening. */
  install(): () => void {
    if (!this.installed) {
      this.installed = true;
      this.source.on('uncaughtException', this.onException);
      this.source.on('unhandledRejection', this.onRejection);
    }
    return () => this.uninstall();
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    this.source.off('uncaughtException', this.onException);
    this.source.off('unhandledRejection', this.onRejection);
  }

  /** The last faults, oldest first (for the diagnostics report). */
  faults(): FaultRecord[] {
    return this.kept.map((f) => ({ ...f, where: [...f.where] }));
  }

  /** True once a crash loop was detected: nothing is restarted any more. */
  get gaveUp(): boolean {
    return this.crashLoop;
  }

  /** One fault. Never throws: it runs where a throw would end the process. */
  handle(kind: FaultKind, error: unknown): void {
    try {
      this.record(kind, error);
    } catch {
      // Describing the error failed (a hostile getter): nothing safer to do than go on.
    }
  }

  private record(kind: FaultKind, error: unknown): void {
    const at = this.now();
    this.recent.push(at);
    while (this.recent.length > 0 && (this.recent[0] ?? at) <= at - this.loop.windowMs) this.recent.shift();
    let action: FaultRecord['action'];
    if (this.crashLoop) action = 'recorded';
    else if (this.recent.length >= this.loop.maxFaults) action = 'crash-loop';
    else if (this.restarting) action = 'restart-pending';
    else action = 'restarted';
    const fault: FaultRecord = { at: new Date(at).toISOString(), kind, ...describe(error), action };
    this.kept.push(fault);
    if (this.kept.length > KEPT) this.kept.shift();
    // After a crash loop a fault may repeat without end: logged the 1st, 10th, 100th... time.
    if (action === 'recorded' && !Number.isInteger(Math.log10(++this.afterLoop))) return;
    this.log(`internal error caught (${kind}); ${ACTION_WORDS[action]}`, {
      kind,
      error: fault.error,
      detail: fault.message,
      where: fault.where,
      faultsInWindow: this.recent.length,
    });
    try {
      this.options.onFault?.(fault);
    } catch {
      // A failing observer changes nothing below.
    }
    if (action === 'crash-loop') {
      this.crashLoop = true;
      this.log('crash loop: the core is not restarted again', { faults: this.recent.length, windowMs: this.loop.windowMs });
      void Promise.resolve()
        .then(() => this.options.onCrashLoop(this.faults()))
        .catch((failure: unknown) => this.log('stopping after a crash loop failed', logFields(failure)));
      return;
    }
    if (action === 'restarted') this.restart(kind, fault);
  }

  /** Errors only; a logger that throws (a full disk) must not stop the restart. */
  private log(message: string, fields: Record<string, unknown>): void {
    try {
      this.options.logger.error(message, fields);
    } catch {
      // Nothing safer to do than go on.
    }
  }

  private restart(kind: FaultKind, fault: FaultRecord): void {
    this.restarting = true;
    const { logger } = this.options;
    // Off the failing stack: the restart runs on a fresh turn of the event loop.
    setImmediate(() => {
      Promise.resolve()
        .then(() => this.options.restart(`${kind}: ${fault.error}`))
        .then(
          () => logger.info('core restarted after an internal error', { kind }),
          (failure: unknown) => {
            fault.action = 'restart-failed';
            this.log('restarting the core failed', logFields(failure));
          },
        )
        .finally(() => {
          this.restarting = false;
        });
    });
  }
}

const ACTION_WORDS: Record<FaultRecord['action'], string> = {
  restarted: 'restarting the core',
  'restart-pending': 'a restart is already under way',
  'restart-failed': 'restarting the core failed',
  'crash-loop': 'too many in a row: stopping the core',
  recorded: 'the core is stopped after a crash loop',
};
