import type { ClinicBridge } from '../../../shared/bridge'
import { connectPreviewBridge } from './preview-client'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser preview. */
    clinic?: ClinicBridge;
  }
}

/**
 * The desk, whichever host runs it: the Electron preload's `window.clinic`,
 * or the browser preview host's WebSocket (authorised by the cookie the host
 * set in exchange for the one-time token in the URL it printed).
 */
export async function getBridge(): Promise<ClinicBridge> {
  if (window.clinic) return window.clinic
  return connectPreviewBridge()
}
