import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { installBridge } from '../../src/renderer/src/desk/bridge-context'
import { startDesk, type Desk } from '../../src/renderer/src/desk/start'
import { createFakeBridge, type FakeBridge } from './fake-bridge'

/** A fresh Pinia with a fake bridge installed (no snapshot read: for one store at a time). */
export function withFakeBridge(fake: FakeBridge = createFakeBridge()): { pinia: Pinia; fake: FakeBridge } {
  const pinia = createPinia()
  setActivePinia(pinia)
  installBridge(pinia, fake)
  return { pinia, fake }
}

/** The desk as the window starts it: snapshot into every store, then live events. */
export async function startedDesk(fake: FakeBridge = createFakeBridge()): Promise<{ pinia: Pinia; fake: FakeBridge; desk: Desk }> {
  const pinia = createPinia()
  setActivePinia(pinia)
  const desk = await startDesk(pinia, fake)
  return { pinia, fake, desk }
}
