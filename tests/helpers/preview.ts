/**
 * The browser preview host in a test: a DeskService built as `clinic-desk
 * preview` builds it (settings file, memory tokens, the embedded demo
 * clinic), the host on a free loopback port, and a bridge client speaking the
 * wire format over a real WebSocket (the `ws` package), as the page does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { BridgeMethodName, DeskEvent } from '../../src/shared/bridge';
import { HostFrame, PREVIEW_BRIDGE_PATH, type WireCall, type WireResult } from '../../src/shared/wire-bridge';
import type { DeskService } from '../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../src/main/core/log';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { createPreviewDesk } from '../../src/main/preview/preview-desk';
import { startPreviewHost, type PreviewHost } from '../../src/main/preview/server';
import { DEMO_SEED } from './demo';

export const PREVIEW_WAIT_MS = 5_000;

export interface PreviewHarness {
  host: PreviewHost;
  desk: DeskService;
  demo: EmbeddedDemo;
  rendererDir: string;
  settingsFile: string;
  logger: ReturnType<typeof memoryLogger>;
  /** Links the desk asked the host to open. */
  opened: string[];
  /** Redeems a fresh one-time link like a browser would; returns the `Cookie` header to send. */
  browserSession(): Promise<string>;
  close(): Promise<void>;
}

/** A tiny "built renderer" with a file outside it, for the traversal tests. */
export function fakeRenderer(base: string): string {
  const dir = join(base, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Clinic Desk</title><script type="module" src="./assets/app.js"></script>\n');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("clinic desk");\n');
  writeFileSync(join(dir, 'assets', 'app.css'), 'body { margin: 0 }\n');
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  writeFileSync(join(dir, '.env'), 'SECRET=1\n');
  writeFileSync(join(base, 'secret.txt'), 'not for the browser\n');
  return dir;
}

export async function startPreviewHarness(options: { rendererDir?: string; now?: () => number } = {}): Promise<PreviewHarness> {
  const base = mkdtempSync(join(tmpdir(), 'clinic-desk-preview-test-'));
  const rendererDir = options.rendererDir ?? fakeRenderer(base);
  const settingsFile = join(base, 'settings.json');
  const logger = memoryLogger();
  const demo = embeddedDemo({ seed: DEMO_SEED, scenario: { autoStart: false }, logger: quietDemoLogger, ...(options.now ? { now: options.now } : {}) });
  const opened: string[] = [];
  const { desk } = createPreviewDesk({
    env: {},
    settingsFile,
    cacheDir: join(base, 'cache'),
    demo,
    logger,
    appVersion: 'test',
    checksTimeoutMs: 3000,
    onOpenExternal: (url) => opened.push(url),
    ...(options.now ? { now: options.now } : {}),
  });
  const host = await startPreviewHost({ rendererDir, desk, logger });
  return {
    host,
    desk,
    demo,
    rendererDir,
    settingsFile,
    logger,
    opened,
    async browserSession() {
      const res = await get(host.newLink());
      if (res.status !== 303) throw new Error(`the one-time link answered ${res.status}`);
      return sessionCookie(res.headers);
    },
    async close() {
      await host.close();
      await desk.close();
      await demo.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export function sessionCookie(headers: IncomingHttpHeaders): string {
  const set = headers['set-cookie']?.[0];
  if (!set) throw new Error('no Set-Cookie in the answer');
  return set.split(';')[0] ?? '';
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A GET (or another method) with node:http, so the path goes out exactly as
 * written (no `..` normalisation, unlike fetch) and `Host` can be forged.
 */
export function get(url: string, options: { headers?: Record<string, string>; method?: string; rawPath?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method: options.method ?? 'GET', path: options.rawPath ?? `${u.pathname}${u.search}`, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// ------------------------------------------------------ bridge client ---

export interface BridgeClient {
  socket: WebSocket;
  events: DeskEvent[];
  /** Calls a method; resolves with the raw result frame (ok or not). */
  call(method: BridgeMethodName, input?: unknown): Promise<WireResult>;
  /** Sends any text or bytes; resolves with the next result frame answering `id` (0 for frames without one). */
  sendRaw(data: string | Buffer, id?: number): Promise<WireResult>;
  waitForEvent<K extends DeskEvent['kind']>(kind: K, match?: (e: Extract<DeskEvent, { kind: K }>) => boolean, ms?: number): Promise<Extract<DeskEvent, { kind: K }>>;
  close(): Promise<void>;
}

/** Opens the bridge like the page does; rejects with the HTTP status when the upgrade is refused. */
export function connectBridge(host: Pick<PreviewHost, 'origin' | 'port'>, options: { cookie?: string; origin?: string | null; path?: string } = {}): Promise<BridgeClient> {
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers.Cookie = options.cookie;
  const origin = options.origin === undefined ? host.origin : options.origin;
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? PREVIEW_BRIDGE_PATH}`, {
    headers,
    ...(origin === null ? {} : { origin }),
  });
  const events: DeskEvent[] = [];
  const eventWaiters = new Set<(e: DeskEvent) => void>();
  const resultWaiters = new Map<number, Array<(r: WireResult) => void>>();
  let nextId = 1;

  socket.on('message', (data: Buffer) => {
    const frame = HostFrame.safeParse(JSON.parse(data.toString('utf8')));
    if (!frame.success) throw new Error(`malformed frame from the host: ${frame.error.message}`);
    const f = frame.data;
    if (f.type === 'event') {
      events.push(f.event);
      for (const w of [...eventWaiters]) w(f.event);
      return;
    }
    const waiting = resultWaiters.get(f.id);
    const first = waiting?.shift();
    if (waiting?.length === 0) resultWaiters.delete(f.id);
    first?.(f);
  });

  const awaitResult = (id: number) =>
    new Promise<WireResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to call ${id}`)), PREVIEW_WAIT_MS);
      const list = resultWaiters.get(id) ?? [];
      list.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      resultWaiters.set(id, list);
    });

  const client: BridgeClient = {
    socket,
    events,
    call(method, input) {
      const id = nextId++;
      const frame: WireCall = { type: 'call', id, method, ...(input === undefined ? {} : { input }) };
      const answer = awaitResult(id);
      socket.send(JSON.stringify(frame));
      return answer;
    },
    sendRaw(data, id = 0) {
      const answer = awaitResult(id);
      socket.send(data);
      return answer;
    },
    waitForEvent(kind, match = () => true, ms = PREVIEW_WAIT_MS) {
      type E = Extract<DeskEvent, { kind: typeof kind }>;
      const hit = (e: DeskEvent): e is E => e.kind === kind && match(e as E);
      const found = events.find(hit);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (e: DeskEvent) => {
          if (!hit(e)) return;
          clearTimeout(timer);
          eventWaiters.delete(check);
          resolve(e);
        };
        const timer = setTimeout(() => {
          eventWaiters.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting for a ${kind} event`));
        }, ms);
        eventWaiters.add(check);
      });
    },
    close() {
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };

  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => {
      reject(new RefusedUpgrade(res.statusCode ?? 0));
      socket.terminate();
    });
    socket.on('error', (error) => reject(error));
  });
}

export class RefusedUpgrade extends Error {
  constructor(readonly status: number) {
    super(`the bridge upgrade was refused with ${status}`);
  }
}
