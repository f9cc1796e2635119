import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { PREVIEW_BRIDGE_PATH } from '../../shared/wire-bridge';
import { silentLogger, type Logger } from '../core/log';
import { BridgeHub, type BridgeDesk } from './bridge-socket';
import { AccessControl, hostAllowed, originAllowed, securityHeaders } from './security';
import { resolveStaticFile } from './static-files';

/**
 * The browser preview host (DESIGN.md, host 3): serves the built renderer on
 * loopback and carries `ClinicBridge` over a WebSocket, so the real dashboard
 * runs in any Chromium against a real core. See `security.ts` for who may
 * reach it.
 */

export interface PreviewHostOptions {
  /** The built renderer (`out/renderer`): only files under it are served. */
  rendererDir: string;
  desk: BridgeDesk;
  /** Loopback only. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  logger?: Logger;
}

export interface PreviewHost {
  /** The first one-time link: `http://127.0.0.1:<port>/?token=…`. */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Another one-time link (another browser, or a fresh browser context in a test). */
  newLink(): string;
  /** Pages connected over the bridge now. */
  readonly connections: number;
  close(): Promise<void>;
}

/** The largest frame a page may send; a call is a few hundred bytes. */
const MAX_FRAME_BYTES = 1024 * 1024;
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1)$/;

export async function startPreviewHost(options: PreviewHostOptions): Promise<PreviewHost> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new Error(`the preview host listens on loopback only (127.x.x.x, localhost or ::1), not ${host}`);
  const logger = options.logger ?? silentLogger;
  const rootReal = await realpath(options.rendererDir);
  const access = new AccessControl();
  const hub = new BridgeHub(options.desk, logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  // Known once listening; the handlers only run after that.
  let authority = '';
  let origin = '';

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      logger.error('preview request failed', { url: request.url, error: String(error) });
      if (!response.headersSent) plain(response, 500, 'Internal error', 'The preview host could not answer this request.');
      else response.destroy();
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostAllowed(request, authority)) {
      plain(response, 421, 'Wrong host', `Open the preview at ${origin}/ (the link it printed).`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      plain(response, 405, 'Method not allowed', 'The preview host only serves files.');
      return;
    }
    if (!originAllowed(request, origin, false)) {
      plain(response, 403, 'Forbidden', 'Requests from other sites are refused.');
      return;
    }
    const url = new URL(request.url ?? '/', origin);
    const token = url.searchParams.get('token');
    if (url.pathname === '/' && token !== null) {
      const session = access.redeem(token);
      if (session !== null) {
        logger.info('preview link used; session started');
        response.setHeader('Set-Cookie', AccessControl.cookieFor(session));
        redirectHome(response);
        return;
      }
      // A reload of the printed link in a browser that already used it is harmless.
      if (access.hasSession(request)) {
        redirectHome(response);
        return;
      }
      plain(response, 403, 'This link was already used', 'Each link printed by clinic-desk preview opens the desk once, in one browser. Restart the preview for a new link, or use the browser that opened it first.');
      return;
    }
    if (!access.hasSession(request)) {
      plain(
        response,
        401,
        'Open the link the preview printed',
        'The Clinic Desk preview only serves the browser that opened its one-time link (http://127.0.0.1:<port>/?token=…), printed by `clinic-desk preview` when it started.',
      );
      return;
    }
    const file = await resolveStaticFile(rootReal, url.pathname);
    if (file.kind === 'bad-request') {
      plain(response, 400, 'Bad request', 'That path is not valid.');
      return;
    }
    if (file.kind === 'not-found') {
      plain(response, 404, 'Not found', 'There is no such file in the dashboard.');
      return;
    }
    response.writeHead(200, { ...securityHeaders(authority), 'Content-Type': file.contentType, 'Content-Length': String(file.size) });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file.path);
      stream.on('error', reject);
      response.on('close', resolve);
      stream.pipe(response);
    });
  }

  function redirectHome(response: ServerResponse): void {
    // The token leaves the address bar (and the history) with this redirect.
    response.writeHead(303, { ...securityHeaders(authority), Location: '/', 'Content-Length': '0' });
    response.end();
  }

  function plain(response: ServerResponse, status: number, title: string, text: string): void {
    const body = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Clinic Desk preview</title></head>\n<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>\n`;
    response.writeHead(status, { ...securityHeaders(authority), 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
    response.end(body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const refuse = (status: number, reason: string) => {
      logger.warn('preview bridge connection refused', { reason, origin: request.headers.origin ?? null });
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (request.url ?? '').split('?')[0];
    if (path !== PREVIEW_BRIDGE_PATH) return refuse(404, 'not the bridge path');
    if (!hostAllowed(request, authority)) return refuse(403, 'wrong Host header');
    if (!originAllowed(request, origin, true)) return refuse(403, 'wrong or missing Origin');
    if (!access.hasSession(request)) return refuse(401, 'no valid session cookie');
    wss.handleUpgrade(request, socket, head, (ws) => hub.attach(ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  origin = `http://${authority}`;
  const link = () => `${origin}/?token=${access.issueToken()}`;
  const url = link();
  logger.info('preview host listening', { origin });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    origin,
    newLink: link,
    get connections() {
      return hub.connections;
    },
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
