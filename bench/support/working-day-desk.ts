/**
 * The desk's process of the working-day benchmark (bench/working-day.bench.ts):
 * one whole desk core (`DeskService`, support/desk.ts) signed in as a
 * receptionist, and, when asked, the browser preview host (src/main/preview)
 * serving the built renderer over its loopback bridge to the same core, as
 * `clinic-desk preview` runs it. Started with `--expose-gc` by
 * `Remote.start(..., { execArgv: ['--expose-gc'] })`, so `heap()` measures
 * after real full collections. It counts what the desk announced, per kind.
 */
import v8 from 'node:v8';
import type { DemoServerInfo } from '../../src/main/demo/info';
import { rendererDir } from '../../src/main/preview/build-renderer';
import { startPreviewHost, type PreviewHost } from '../../src/main/preview/server';
import { createBenchDesk, signInLive, type BenchDesk } from './desk';
import { ROOT, hr, serve } from './ipc';
import { sleep, until } from './report';
import { zeroCounts } from './working-day-clinic';

let bench: BenchDesk | null = null;
let host: PreviewHost | null = null;
const announced = zeroCounts();
const wire: Record<string, number> = {};
const presence = { joined: 0, left: 0, replaced: 0 };
/** Changes of the status the desk shows, with their hr() time. */
const statuses: Array<{ at: number; status: string }> = [];
let lastStatus = '';
let duplicateNotifications = 0;
/**
 * One bit per notification id announced live, allocated once (ids of the demo
 * store stay far below this): a Set would grow with the day in the very heap
 * being measured. Outside the range an id is not checked here (the cache
 * check still covers it).
 */
const SEEN_IDS = 1 << 23;
const seenNotifications = new Uint8Array(SEEN_IDS >> 3);
function seen(id: number): boolean {
  if (id < 0 || id >= SEEN_IDS) return false;
  const bit = 1 << (id & 7);
  const was = ((seenNotifications[id >> 3] ?? 0) & bit) !== 0;
  seenNotifications[id >> 3] = (seenNotifications[id >> 3] ?? 0) | bit;
  return was;
}

function need(): BenchDesk {
  if (!bench) throw new Error('desk not started');
  return bench;
}

export interface HeapReading {
  at: number;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** v8.getHeapStatistics(): malloced memory and the number of native contexts (a leaked context shows there). */
  mallocedMemory: number;
  nativeContexts: number;
  detachedContexts: number;
}

const handlers = {
  /** Signs in (live, subscribed, caught up); with `preview`, starts the preview host on this desk and returns its link. */
  async start(info: DemoServerInfo, email: string, options: { preview: boolean }) {
    const d = createBenchDesk(info);
    bench = d;
    d.desk.onWire((e) => {
      wire[e.key] = (wire[e.key] ?? 0) + 1;
    });
    d.on((e, at) => {
      switch (e.kind) {
        case 'connection':
          if (e.connection.status !== lastStatus) {
            lastStatus = e.connection.status;
            statuses.push({ at, status: lastStatus });
          }
          break;
        case 'notification.upserted':
          if (e.isNew) {
            announced.notification++;
            // The live path says which id; a catch-up batch only how many (its ids are checked in the cache).
            if (seen(e.notification.id)) duplicateNotifications++;
          }
          break;
        case 'notifications.synced':
          announced.notification += e.inserted;
          break;
        case 'appointment.updated':
          announced.appointment++;
          break;
        case 'consultation.updated':
          announced.consultation++;
          break;
        case 'message.created':
          if (e.clientId === null) announced.message++;
          break;
        case 'typing':
          announced.typing++;
          break;
        case 'presence.joined':
          presence.joined++;
          break;
        case 'presence.left':
          presence.left++;
          break;
        case 'presence.replaced':
          presence.replaced++;
          break;
        default:
          break;
      }
    });
    const started = hr();
    const ready = await signInLive(d, info, email, 60_000);
    if (options.preview) host = await startPreviewHost({ rendererDir: rendererDir(ROOT), desk: d.desk, logger: d.logger });
    return { url: host?.url ?? null, signInMs: ready.readyAt - started };
  },

  /** What the desk announced so far, per kind; `wire`: validated by its realtime layer, per event key and channel. */
  counts() {
    return { announced: { ...announced }, wire: { ...wire }, presence: { ...presence }, duplicateNotifications };
  },

  /** Three full collections 50 ms apart, then the process's memory. */
  async heap(): Promise<HeapReading> {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('the desk process was not started with --expose-gc');
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(50);
    }
    const m = process.memoryUsage();
    const h = v8.getHeapStatistics();
    return { at: hr(), heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, mallocedMemory: h.malloced_memory, nativeContexts: h.number_of_native_contexts, detachedContexts: h.number_of_detached_contexts };
  },

  /** Writes a heap snapshot (for finding what grows); returns its path. */
  snapshot(file: string) {
    return v8.writeHeapSnapshot(file);
  },

  /**
   * The first time the desk said Live after having left Live since `since`
   * (an hr() reading: the socket server's stop); rejects after `ms`.
   */
  async liveAfter(since: number, ms: number): Promise<{ leftAt: number; liveAt: number }> {
    let found: { leftAt: number; liveAt: number } | null = null;
    await until(() => {
      const left = statuses.find((s) => s.at >= since && s.status !== 'live');
      const live = left ? statuses.find((s) => s.at > left.at && s.status === 'live') : undefined;
      if (left && live) found = { leftAt: left.at, liveAt: live.at };
      return found !== null;
    }, ms, 'the desk to be Live again', 5);
    if (!found) throw new Error('unreachable');
    return found;
  },

  /** Notifications in the cache, the status, and who the desk sees online. */
  async state() {
    const d = need();
    const diagnostics = await d.desk.getDiagnostics();
    const snapshot = await d.desk.getSnapshot();
    return {
      cachedNotifications: diagnostics.cache.notifications,
      status: snapshot.connection.status,
      online: snapshot.presence.members.map((m) => m.id).sort((a, b) => a - b),
      warnings: d.logger.warnings.length,
      errors: d.logger.warnings.filter((w) => w.level === 'error').map((w) => w.message).slice(0, 5),
    };
  },
};

export type WorkingDayDeskHandlers = typeof handlers;

serve(handlers, async () => {
  await host?.close();
  await bench?.close();
});
