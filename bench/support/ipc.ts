/**
 * Request/response over a forked child's IPC channel, so a benchmark can keep
 * the socket server (the clinic's "other machine") and baseline clients in
 * their own processes: nothing they do lands on the desk's event loop.
 *
 * Times that cross processes are `hr()` readings: CLOCK_MONOTONIC, the same
 * clock in every process on the machine (Linux), in milliseconds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Monotonic milliseconds, comparable across processes on the same machine. */
export function hr(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

type Handler = (...args: never[]) => unknown;
export type Handlers = Record<string, Handler>;

interface Request {
  id: number;
  method: string;
  args: unknown[];
}
type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Child side: answers the parent's calls with these handlers until told to exit; `close` runs first. */
export function serve(handlers: Handlers, close: () => Promise<void> = () => Promise.resolve()): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('serve(): not started with an IPC channel (use Remote.start)');
  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    const exit = () => process.exit(0);
    // Bounded: a stuck close must not keep the child (and its ports) alive.
    setTimeout(exit, 2000).unref();
    close().then(exit, exit);
  };
  process.on('message', (raw: unknown) => {
    const req = raw as Request;
    if (req.method === '__exit') {
      leave();
      return;
    }
    const handler = handlers[req.method] as ((...args: unknown[]) => unknown) | undefined;
    void (async () => {
      let res: Response;
      try {
        if (!handler) throw new Error(`no method ${req.method}`);
        res = { id: req.id, ok: true, value: await handler(...req.args) };
      } catch (error) {
        res = { id: req.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      }
      send(res);
    })();
  });
  // Parent gone (crashed benchmark): do not linger holding ports.
  process.on('disconnect', leave);
}

type Api<H extends Handlers> = { [K in keyof H]: (...args: Parameters<H[K]>) => Promise<Awaited<ReturnType<H[K]>>> };

/** Parent side: a forked `bin/run-ts.mjs <script>` and typed calls into its handlers. */
export class Remote<H extends Handlers> {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  readonly call: Api<H>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw: unknown) => {
      const res = raw as Response;
      const waiter = this.pending.get(res.id);
      if (!waiter) return;
      this.pending.delete(res.id);
      if (res.ok) waiter.resolve(res.value);
      else waiter.reject(new Error(`${name}: ${res.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
    this.call = new Proxy({} as Api<H>, {
      get: (_t, method: string) => (...args: unknown[]) => this.invoke(method, args),
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static start<H extends Handlers>(name: string, script: string, options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): Remote<H> {
    const child = fork(path.join(ROOT, 'bin', 'run-ts.mjs'), [script], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: options.execArgv ?? [],
      env: { ...process.env, ...options.env },
    });
    return new Remote<H>(name, child);
  }

  private invoke(method: string, args: unknown[]): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, method, args } satisfies Request);
    });
  }

  /** Asks the child to leave, then kills it (by its own pid) if it has not within `ms`. */
  async stop(ms = 3000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send({ id: 0, method: '__exit', args: [] } satisfies Request);
    } catch {
      // channel already closed
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    await gone;
    clearTimeout(timer);
  }
}
