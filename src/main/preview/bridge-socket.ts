import type { RawData, WebSocket } from 'ws';
import type { BridgeErrorKind, DeskEvent, Unsubscribe } from '../../shared/bridge';
import { jsonTextProblem } from '../../shared/json-limits';
import { WireCall, type WireEvent, type WireResult } from '../../shared/wire-bridge';
import type { DeskMethods } from '../core/desk/desk-service';
import { createHostAdapter, type HostAdapter } from '../core/desk/host-adapter';
import type { Logger } from '../core/log';

/**
 * `ClinicBridge` over a WebSocket, host side: what the Electron IPC handlers
 * do, for the browser. Each `WireCall`'s frame shape is checked here; the
 * call itself goes through the host adapter shared with the Electron host
 * (input, answer and errors checked against the contract), whose envelope is
 * the answer. Desk events go, checked by the same adapter, to every connected
 * page, like to every window. A bad frame gets an error result and the
 * connection stays usable.
 */

/** The part of `DeskService` the bridge needs. */
export interface BridgeDesk extends DeskMethods {
  on(listener: (event: DeskEvent) => void): Unsubscribe;
}

/** Ids start at 1 in the page's client: an error about a frame without a usable id goes to id 0. */
const NO_ID = 0;
const ERROR_MAX = 2000;
/** A page has no reason to have more calls outstanding than this; more is refused, not queued. */
const MAX_IN_FLIGHT = 64;
/** A page that does not read its socket is dropped rather than growing the host's memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class BridgeHub {
  private readonly clients = new Set<WebSocket>();
  private readonly unsubscribe: Unsubscribe;
  private readonly adapter: HostAdapter;

  constructor(
    desk: BridgeDesk,
    private readonly logger: Logger,
  ) {
    this.adapter = createHostAdapter(desk, logger);
    this.unsubscribe = desk.on((event) => this.broadcast(event));
  }

  get connections(): number {
    return this.clients.size;
  }

  attach(socket: WebSocket): void {
    this.clients.add(socket);
    let inFlight = 0;
    this.logger.info('preview page connected', { connections: this.clients.size });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        this.send(socket, failed(NO_ID, 'invalid-input', 'The bridge takes JSON text frames only.'));
        return;
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        this.send(socket, failed(idOf(data) ?? NO_ID, 'refused', 'Too many calls in flight; try again.'));
        return;
      }
      inFlight++;
      void this.handle(data).then((result) => {
        inFlight--;
        this.send(socket, result);
      });
    });
    socket.on('close', () => {
      this.clients.delete(socket);
      this.logger.info('preview page disconnected', { connections: this.clients.size });
    });
    socket.on('error', (error) => this.logger.warn('preview page socket error', { error: error.message }));
  }

  /** Answers one frame; never throws. */
  async handle(data: RawData | string): Promise<WireResult> {
    const text = textOf(data);
    // Checked on the text, before parsing: nothing recursive (zod's messages, logging, encoding) meets a depth bomb.
    const problem = jsonTextProblem(text);
    if (problem !== null) return failed(NO_ID, 'invalid-input', `Malformed frame: ${problem}.`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return failed(NO_ID, 'invalid-input', 'Malformed frame: not JSON.');
    }
    const call = WireCall.safeParse(raw);
    if (!call.success) {
      const id = idFrom(raw) ?? NO_ID;
      const method = isRecord(raw) && typeof raw.method === 'string' ? raw.method.slice(0, 64) : null;
      const unknownMethod = method !== null && !Object.hasOwn(WireCall.shape.method.enum, method);
      return failed(id, 'invalid-input', unknownMethod ? `Unknown method: ${method}.` : `Malformed call: ${call.error.message}`);
    }
    const { id, method } = call.data;
    return { type: 'result', id, ...(await this.adapter.call(method, call.data.input)) };
  }

  private broadcast(event: DeskEvent): void {
    if (this.clients.size === 0) return;
    const checked = this.adapter.event(event);
    if (checked === null) return;
    const frame: WireEvent = { type: 'event', event: checked };
    const text = JSON.stringify(frame);
    for (const socket of this.clients) this.sendText(socket, text);
  }

  private send(socket: WebSocket, frame: WireResult): void {
    this.sendText(socket, JSON.stringify(frame));
  }

  private sendText(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn('preview page is not reading its socket; dropping it', { buffered: socket.bufferedAmount });
      socket.terminate();
      return;
    }
    socket.send(text);
  }

  /** Says goodbye to every page; one that does not answer within `graceMs` is cut off. */
  async close(graceMs = 1000): Promise<void> {
    this.unsubscribe();
    const sockets = [...this.clients];
    this.clients.clear();
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              socket.terminate();
              resolve();
            }, graceMs);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.close(1001, 'The preview host is stopping.');
          }),
      ),
    );
  }
}

function textOf(data: RawData | string): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idFrom(raw: unknown): number | null {
  if (!isRecord(raw)) return null;
  const id = raw.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

function idOf(data: RawData): number | null {
  const text = textOf(data);
  if (jsonTextProblem(text) !== null) return null;
  try {
    return idFrom(JSON.parse(text));
  } catch {
    return null;
  }
}

function failed(id: number, kind: BridgeErrorKind, message: string): WireResult {
  return { type: 'result', id, ok: false, error: { kind, message: clip(message) } };
}

function clip(message: string): string {
  return message.length <= ERROR_MAX ? message : `${message.slice(0, ERROR_MAX - 1)}…`;
}
