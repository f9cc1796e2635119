/**
 * Counts the event-loop wake-ups of this process and names what caused them,
 * with `async_hooks`:
 *
 * - every callback the loop runs for a timer, an immediate or I/O is entered
 *   through `before`/`after` of its resource (promise reactions are not: they
 *   run inside a callback, and are skipped);
 * - a *callback* is such an entry at nesting depth 0 (a macrotask);
 * - a *wake-up* is a callback that starts more than `gapMs` (1 ms) after the
 *   previous one ended: the loop had gone back to waiting in between. The
 *   callbacks of one wake-up (two timers due at the same millisecond, a
 *   socket's data and the timer it re-arms) count once, as the loop woke once;
 * - the source of a wake-up is its first callback's resource, named by where
 *   it was created (the first stack frame in src/ or a package, taken at
 *   `init`) and, for a timer, its interval ("every 500 ms").
 *
 * Start it before the code under test creates its timers (resources created
 * before have no creation site; they are named by type and callback name).
 * The hooks cost CPU on every callback and promise: measure CPU in a window
 * with them stopped (`stop()`).
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TRACKED = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPCONNECTWRAP', 'PIPEWRAP', 'HTTPINCOMINGMESSAGE', 'HTTPCLIENTREQUEST', 'FSREQCALLBACK', 'FSEVENTWRAP', 'SIGNALWRAP', 'GETADDRINFOREQWRAP', 'WRITEWRAP', 'SHUTDOWNWRAP', 'ZLIB', 'TIMERWRAP', 'TickObject']);

export interface WakeupSource {
  source: string;
  wakeups: number;
  callbacks: number;
}

export interface WakeupCount {
  ms: number;
  wakeups: number;
  callbacks: number;
  perMinute: { wakeups: number; callbacks: number };
  sources: WakeupSource[];
}

interface Counting {
  started: number;
  wakeups: number;
  callbacks: number;
  bySource: Map<string, { wakeups: number; callbacks: number }>;
}

/** Where a resource was created: the first frame in our code or a package, as `file:line (function)`. */
function creationSite(): string | null {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error('site').stack ?? '';
  Error.stackTraceLimit = saved;
  let internal: string | null = null;
  for (const line of stack.split('\n').slice(1)) {
    const m = /at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const [, fn = '', file = '', lineNo = ''] = m;
    if (file.includes('/bench/support/wakeups.ts')) continue;
    if (file.startsWith('node:')) {
      // Node's own code (its bundled undici behind fetch, net, http): the outermost frame names it best.
      if (!GENERIC.some((g) => file.startsWith(g))) internal = `${file}:${lineNo}${fn === '' ? '' : ` (${fn})`}`;
      continue;
    }
    const clean = file.replace(/^file:\/\//, '');
    const nm = clean.lastIndexOf('node_modules/');
    const short = nm === -1 ? path.relative(ROOT, clean) : clean.slice(nm + 'node_modules/'.length);
    return `${short}:${lineNo}${fn === '' ? '' : ` (${fn.replace(/^(?:async |new )/, '')})`}`;
  }
  return internal;
}

/** Node internals that only pass a resource on (timers, hooks, task queues): never the name of a source. */
const GENERIC = ['node:internal/async_hooks', 'node:internal/timers', 'node:timers', 'node:internal/process/task_queues', 'node:async_hooks', 'node:internal/process/'];

function timerNote(resource: unknown): string {
  const t = resource as { _idleTimeout?: number; _repeat?: number | null; _onTimeout?: { name?: string } } | null;
  if (t === null || typeof t !== 'object' || typeof t._idleTimeout !== 'number') return '';
  const every = t._repeat !== null && t._repeat !== undefined ? `every ${t._repeat} ms` : `after ${t._idleTimeout} ms`;
  return ` [timer ${every}]`;
}

export interface WakeupCounter {
  /** Starts a count (the hooks stay on until `stop`). */
  begin(): void;
  /** Ends the count and returns it. */
  end(): WakeupCount;
  /** Turns the hooks off for good. */
  stop(): void;
}

/**
 * Installs the hooks now (names are taken from here on); counting happens
 * between `begin()` and `end()`. `ignore`: path prefixes from the repository
 * root ('bench/') whose resources are the benchmark's own (its end-of-window timer, its IPC channel), not counted.
 */
export function wakeupCounter(ignore: readonly string[] = [], gapMs = 1): WakeupCounter {
  const names = new Map<number, string | null>();
  let depth = 0;
  let lastEnd = 0;
  let counting: Counting | null = null;
  let current: string | null = null;

  const hook = createHook({
    init(asyncId, type, _trigger, resource) {
      if (!TRACKED.has(type)) return;
      const site = creationSite();
      // Resources created by the benchmark's own code are not the desk's.
      if (site !== null && ignore.some((i) => site.startsWith(i))) names.set(asyncId, null);
      else names.set(asyncId, `${type} ${site ?? '(no frame in our code or a package)'}${type === 'Timeout' ? timerNote(resource) : ''}`);
    },
    before(asyncId) {
      depth++;
      if (depth !== 1 || counting === null) return;
      let name = names.get(asyncId);
      if (name === null) return; // the benchmark's own
      if (name === undefined) {
        const resource = executionAsyncResource() as { constructor?: { name?: string }; _onTimeout?: { name?: string } } | null;
        // Promise reactions and unknown kinds: not a wake-up of their own.
        const kind = resource?.constructor?.name ?? 'unknown';
        if (kind === 'PromiseWrap' || kind === 'Promise' || kind === 'Object') return;
        name = `${kind} created before counting${resource?._onTimeout?.name ? ` (${resource._onTimeout.name})` : ''}${timerNote(resource)}`;
      }
      const now = performance.now();
      const entry = counting.bySource.get(name) ?? { wakeups: 0, callbacks: 0 };
      counting.bySource.set(name, entry);
      entry.callbacks++;
      counting.callbacks++;
      if (now - lastEnd > gapMs) {
        entry.wakeups++;
        counting.wakeups++;
      }
      current = name;
    },
    after() {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && current !== null) {
        lastEnd = performance.now();
        current = null;
      }
    },
    destroy(asyncId) {
      names.delete(asyncId);
    },
  });
  hook.enable();

  return {
    begin() {
      counting = { started: performance.now(), wakeups: 0, callbacks: 0, bySource: new Map() };
      lastEnd = 0;
    },
    end() {
      const c = counting;
      counting = null;
      if (c === null) throw new Error('wakeupCounter: end() before begin()');
      const ms = performance.now() - c.started;
      const perMinute = (n: number) => Math.round((n * 60_000 * 10) / ms) / 10;
      const sources = [...c.bySource.entries()].map(([source, v]) => ({ source, ...v })).sort((a, b) => b.wakeups - a.wakeups || b.callbacks - a.callbacks);
      return { ms, wakeups: c.wakeups, callbacks: c.callbacks, perMinute: { wakeups: perMinute(c.wakeups), callbacks: perMinute(c.callbacks) }, sources };
    },
    stop() {
      hook.disable();
      names.clear();
    },
  };
}
