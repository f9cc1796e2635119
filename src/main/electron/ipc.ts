import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { z } from 'zod';
import { BRIDGE_METHOD_NAMES, BRIDGE_METHODS, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL, ipcChannel, type BridgeMethodName, type DeskEvent } from '../../shared/bridge';
import type { OpenTarget } from '../../shared/desk-state';
import { valueShapeProblem } from '../../shared/json-limits';
import type { DeskMethods } from '../core/desk-service';
import type { Logger } from '../core/log';

/**
 * The main side of the bridge: one `ipcMain.handle` per `BRIDGE_METHODS`
 * entry, nothing else. Each call is refused unless it comes from the main
 * frame of one of our dashboard windows showing our own app URL (a subframe,
 * a navigated-away page or another web contents gets nothing), and its input
 * must parse with the method's schema before the desk sees it.
 */

export interface SenderPolicy {
  /** The web contents of our dashboard windows. */
  contents: () => readonly WebContents[];
  isAppUrl: (url: string) => boolean;
}

/** Why a sender is refused, or null when it is one of ours. */
export function senderProblem(event: IpcMainInvokeEvent | IpcMainEvent, policy: SenderPolicy): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (!policy.contents().some((c) => c.id === event.sender.id && !c.isDestroyed())) return 'not a dashboard window';
  if (frame.parent !== null) return 'not the main frame';
  if (!policy.isAppUrl(frame.url)) return 'not the app';
  return null;
}

export interface BridgeDeps {
  desk: DeskMethods;
  senders: SenderPolicy;
  logger: Logger;
  /** A page subscribed to events (see IPC_SUBSCRIBE_CHANNEL). */
  onSubscribe: (contents: WebContents) => void;
}

export function registerBridge(deps: BridgeDeps): void {
  for (const name of BRIDGE_METHOD_NAMES) {
    ipcMain.handle(ipcChannel(name), (event, input: unknown) => handleCall(deps, name, event, input));
  }
  ipcMain.on(IPC_SUBSCRIBE_CHANNEL, (event) => {
    const problem = senderProblem(event, deps.senders);
    if (problem !== null) {
      deps.logger.warn('IPC refused', { channel: IPC_SUBSCRIBE_CHANNEL, reason: problem, url: event.senderFrame?.url ?? null });
      return;
    }
    deps.onSubscribe(event.sender);
  });
}

async function handleCall(deps: BridgeDeps, name: BridgeMethodName, event: IpcMainInvokeEvent, input: unknown): Promise<unknown> {
  const problem = senderProblem(event, deps.senders);
  if (problem !== null) {
    deps.logger.warn('IPC refused', { method: name, reason: problem, url: event.senderFrame?.url ?? null });
    throw new Error(`${name}: refused`);
  }
  // Before zod: the input arrives structured-cloned, at any depth; nothing recursive may meet a depth bomb.
  const shape = valueShapeProblem(input);
  if (shape !== null) {
    deps.logger.warn('IPC input rejected', { method: name, reason: shape });
    throw new Error(`${name}: invalid input: ${shape}`);
  }
  const parsed = BRIDGE_METHODS[name].input.safeParse(input);
  if (!parsed.success) {
    const reason = z.prettifyError(parsed.error);
    deps.logger.warn('IPC input rejected', { method: name, reason });
    throw new Error(`${name}: invalid input: ${reason}`);
  }
  // Each method takes its own schema's output; the map guarantees the pairing the compiler cannot see here.
  const method = deps.desk[name] as (input: unknown) => Promise<unknown>;
  return method.call(deps.desk, parsed.data);
}

/**
 * Desk events to every open dashboard window, and screens to open. A screen
 * to open while no page listens yet (the window is still loading, or
 * reloading after a crash) waits for the next page that subscribes.
 */
export class EventBroadcaster {
  private readonly listening = new Set<number>();
  private pendingOpen: OpenTarget | null = null;

  constructor(private readonly senders: SenderPolicy) {}

  send(event: DeskEvent): void {
    for (const contents of this.targets()) contents.send(IPC_EVENT_CHANNEL, event);
  }

  open(target: OpenTarget): void {
    if (this.targets().some((c) => this.listening.has(c.id))) this.send({ kind: 'open', target });
    else this.pendingOpen = target;
  }

  subscribed(contents: WebContents): void {
    if (!this.listening.has(contents.id)) {
      this.listening.add(contents.id);
      contents.once('destroyed', () => this.listening.delete(contents.id));
      // A reload or crash starts a new page that must subscribe again.
      const forget = () => {
        this.listening.delete(contents.id);
        contents.off('did-start-loading', forget);
      };
      contents.on('did-start-loading', forget);
    }
    if (this.pendingOpen) {
      contents.send(IPC_EVENT_CHANNEL, { kind: 'open', target: this.pendingOpen } satisfies DeskEvent);
      this.pendingOpen = null;
    }
  }

  private targets(): WebContents[] {
    return this.senders.contents().filter((c) => !c.isDestroyed() && this.senders.isAppUrl(c.getURL()));
  }
}
