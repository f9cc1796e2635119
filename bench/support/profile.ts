/**
 * A V8 CPU profile of this process over a window (node:inspector), summarised
 * as self time per area (a file of the project, a package, a node: module, GC,
 * idle) and per function. Sample times are V8's monotonic clock in µs, the
 * clock `hr()` reads (ipc.ts), so a window of `hr()` readings cuts them.
 */
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { ROOT } from './ipc';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time in the window, ms (idle included). */
  windowMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  areas: Array<{ area: string; ms: number; share: number }>;
  /** Self time per function; a native function or GC names the nearest JavaScript caller (`← caller`). */
  functions: Array<{ fn: string; area: string; ms: number; share: number }>;
  /** Time (self and everything it called) of the nearest frame in the project's own files (src/, bench/), else of the area. */
  byProjectFrame: Array<{ frame: string; ms: number; share: number }>;
}

export interface Profiler {
  stop(): Promise<CpuProfile>;
}

/** Starts the sampling profiler in this process (interval in µs). */
export async function startProfiler(intervalUs = 200): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
      await session.post('Profiler.disable');
      session.disconnect();
      return profile;
    },
  };
}

function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').replace(/\/.*$/, '');
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  if (pkg !== undefined) return pkg;
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

/** Self time per area and per function between two `hr()` readings (ms), shares of the busy time. */
const isProject = (area: string) => area.startsWith('src/') || area.startsWith('bench/');
const frameName = (frame: CallFrame) => frame.functionName || '(anonymous)';

export function summariseProfile(profile: CpuProfile, window: { fromMs?: number; toMs?: number } = {}, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The nearest frame from `id` up (itself included) that `accept` takes. */
  const nearest = (id: number, accept: (frame: CallFrame) => boolean): CallFrame | null => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame && accept(frame)) return frame;
    }
    return null;
  };
  const projectFrames = new Map<string, number>();
  const from = (window.fromMs ?? -Infinity) * 1000;
  const to = (window.toMs ?? Infinity) * 1000;
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; us: number }>();
  let t = profile.startTime;
  let windowUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) continue;
    const id = profile.samples[i] ?? -1;
    const frame = byId.get(id);
    if (!frame) continue;
    // A sample stands for the interval before it.
    windowUs += dt;
    const area = areaOf(frame);
    if (area === '(idle)') {
      idleUs += dt;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + dt);
    // Line numbers are of the transpiled code (tsx), so a function is its name and file.
    let key = `${frameName(frame)} (${area})`;
    if (frame.url === '') {
      const caller = nearest(id, (f) => f.url !== '');
      if (caller) key += ` ← ${frameName(caller)} (${areaOf(caller)})`;
    }
    const f = functions.get(key) ?? { area, us: 0 };
    f.us += dt;
    functions.set(key, f);
    const own = nearest(id, (f) => isProject(areaOf(f)));
    const projectKey = own ? `${frameName(own)} (${areaOf(own)})` : area;
    projectFrames.set(projectKey, (projectFrames.get(projectKey) ?? 0) + dt);
  }
  const busyUs = windowUs - idleUs;
  const share = (us: number) => Math.round((us / Math.max(1, busyUs)) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    windowMs: ms(windowUs),
    busyMs: ms(busyUs),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, ms: ms(us), share: share(us) })),
    functions: [...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([fn, f]) => ({ fn, area: f.area, ms: ms(f.us), share: share(f.us) })),
    byProjectFrame: [...projectFrames]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, us]) => ({ frame, ms: ms(us), share: share(us) })),
  };
}
