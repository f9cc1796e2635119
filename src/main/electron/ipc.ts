import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { BRIDGE_METHOD_NAMES, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL, ipcChannel, type BridgeEnvelope, type BridgeMethodName, type DeskEvent } from '../../shared/bridge';
import type { OpenTarget } from '../../shared/desk-state';
import { failure, type HostAdapter } from '../core/desk/host-adapter';
import type { Logger } from '../core/log';

/**
 * The main side of the bridge: one `ipcMain.handle` per `BRIDGE_METHODS`
 * entry, nothing else. Each call is refused unless it comes from the main
 * frame of one of our dashboard windows showing our own app URL (a subframe,
 * a navigated-away page or another web contents gets nothing); the rest
 * (input, answer, errors) is the host adapter's, shared with the preview.
 * A handler never throws: Electron would rewrap the error as "Error invoking
 * remote method ...", so every answer is a `BridgeEnvelope`.
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
  adapter: HostAdapter;
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

async function handleCall(deps: BridgeDeps, name: BridgeMethodName, event: IpcMainInvokeEvent, input: unknown): Promise<BridgeEnvelope> {
  const problem = senderProblem(event, deps.senders);
  if (problem !== null) {
    deps.logger.warn('IPC refused', { method: name, reason: problem, url: event.senderFrame?.url ?? null });
    return failure('refused', `${name}: refused`);
  }
  return deps.adapter.call(name, input);
}

/**
 * Desk events to every open dashboard window, and screens to open. A screen
 * to open while no page listens yet (the window is still loading, or
 * reloading after a crash) waits for the next page that subscribes.
 */
export class EventBroadcaster {
  private readonly listening = new Set<number>();
  private pendingOpen: OpenTarget | null = null;

  constructor(
    private readonly senders: SenderPolicy,
    private readonly adapter: Pick<HostAdapter, 'event'>,
  ) {}

  /** Checked against the contract first: an invalid event is logged and goes nowhere. */
  send(event: DeskEvent): void {
    const checked = this.adapter.event(event);
    if (checked === null) return;
    for (const contents of this.targets()) contents.send(IPC_EVENT_CHANNEL, checked);
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
      const checked = this.adapter.event({ kind: 'open', target: this.pendingOpen });
      this.pendingOpen = null;
      if (checked !== null) contents.send(IPC_EVENT_CHANNEL, checked);
    }
  }

  private targets(): WebContents[] {
    return this.senders.contents().filter((c) => !c.isDestroyed() && this.senders.isAppUrl(c.getURL()));
  }
}
