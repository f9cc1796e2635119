import type { ClinicBridge, HostBridge } from '../../../shared/bridge'
import { connectPreviewBridge } from './preview-client'
import { unwrapBridge } from '../../../shared/bridge-unwrap'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser preview. */
    clinic?: HostBridge;
  }
}

/**
 * The desk, whichever host runs it: the Electron preload's `window.clinic`,
 * or the browser preview host's WebSocket (authorised by the cookie the host
 * set in exchange for the one-time token in the URL it printed). Both answer
 * with envelopes, unwrapped here, in one place, for both.
 */
export async function getBridge(): Promise<ClinicBridge> {
  return unwrapBridge(window.clinic ?? (await connectPreviewBridge()))
}
