// The preload: exposes exactly the ClinicBridge contract on window.clinic, as named methods
// that forward to the main process, and an event subscription. The page never gets
// ipcRenderer, a channel name, an IPC event object or any Node API. It validates nothing:
// answers and events reach the page as the main process sent them.
// Built as a single CommonJS file (out/preload/index.cjs): sandboxed preloads cannot be ESM.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ClinicBridge, DeskEvent } from '../shared/bridge';
import { EVENT_CHANNEL, METHOD_NAMES, SUBSCRIBE_CHANNEL, methodChannel } from './bridge-map';

export function buildBridge(): ClinicBridge {
  const methods = Object.fromEntries(
    // Only the first argument is forwarded: the main process parses it with the method's schema. The answer is not checked here.
    METHOD_NAMES.map((name) => [name, (input?: unknown) => ipcRenderer.invoke(methodChannel(name), input)]),
  );
  let told = false;
  const onEvent = (listener: (event: DeskEvent) => void) => {
    // Passed on unchecked (typed as a DeskEvent, not parsed as one).
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
  // Built from the name list, so the shape is checked against ClinicBridge by the tests and the list's own checks.
  return { ...methods, onEvent } as unknown as ClinicBridge;
}

contextBridge.exposeInMainWorld('clinic', buildBridge());
