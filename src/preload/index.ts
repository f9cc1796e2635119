// The preload: exposes exactly the HostBridge contract on window.clinic, as named methods
// that forward to the main process, and an event subscription. The page never gets
// ipcRenderer, a channel name, an IPC event object or any Node API. It validates nothing:
// the main process's host adapter checked every answer and event against the contract, and
// each method resolves to its envelope ({ok, value} / {ok: false, error}), which the page
// unwraps in one place for both hosts (src/shared/bridge-unwrap.ts, applied by the renderer's getBridge()).
// Built as a single CommonJS file (out/preload/index.cjs): sandboxed preloads cannot be ESM.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DeskEvent, HostBridge } from '../shared/bridge';
import { EVENT_CHANNEL, METHOD_NAMES, SUBSCRIBE_CHANNEL, methodChannel } from './bridge-map';

export function buildBridge(): HostBridge {
  const methods = Object.fromEntries(
    // Only the first argument is forwarded: the main process parses it with the method's schema. The answer is an envelope, passed on.
    METHOD_NAMES.map((name) => [name, (input?: unknown) => ipcRenderer.invoke(methodChannel(name), input)]),
  );
  let told = false;
  const onEvent = (listener: (event: DeskEvent) => void) => {
    // Checked by the main process's host adapter before it was sent; passed on as is.
    const forward = (_event: IpcRendererEvent, payload: DeskEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    // Once per page: from now on the main process may deliver what was waiting for a listener.
    if (!told) {
      told = true;
      ipcRenderer.send(SUBSCRIBE_CHANNEL);
    }
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  };
  // Built from the name list, so the shape is checked against HostBridge by the tests and the list's own checks.
  return { ...methods, onEvent } as unknown as HostBridge;
}

contextBridge.exposeInMainWorld('clinic', buildBridge());
