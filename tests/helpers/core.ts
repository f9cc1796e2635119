/**
 * Helpers for the core's integration tests: temp folders for config files, a
 * sleep that records the waits instead of waiting, and tiny HTTP servers on
 * 127.0.0.1 that answer like something other than a clinic back end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder per test; `cleanup()` removes every one made. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'clinic-desk-core-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Writes `contents` (a string as is, anything else as JSON) to `name` in a fresh temp folder. */
  file(name: string, contents: unknown): string {
    const path = join(this.make(), name);
    writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents, null, 2));
    return path;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A `sleep` for ApiClient that resolves at once and keeps the delays it was asked for. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms: number) => {
      delays.push(ms);
      return Promise.resolve();
    },
  };
}

export interface PlainServer {
  url: string;
  port: number;
  /** Requests seen, with their headers and body. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers every request with `handler`. */
export async function plainServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<PlainServer> {
  const requests: PlainServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port with nothing listening: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
