import { getActivePinia, type Pinia } from 'pinia'
import type { ClinicBridge } from '../../../shared/bridge'

/**
 * Hands the bridge to the stores. The bridge belongs to a Pinia instance, so
 * the app and each test (its own Pinia with a fake bridge) never share one.
 * Stores call `useBridge()` in their setup; the bridge itself is looked up on
 * each call, so a store may exist (the root component reads the session
 * before the bridge has connected) before `installBridge` runs.
 */

const bridges = new WeakMap<Pinia, ClinicBridge>()

export function installBridge(pinia: Pinia, bridge: ClinicBridge): void {
  bridges.set(pinia, bridge)
}

export function bridgeOf(pinia: Pinia): ClinicBridge {
  const bridge = bridges.get(pinia)
  if (!bridge) throw new Error('Clinic Desk is not connected to its core yet.')
  return bridge
}

export function useBridge(): ClinicBridge {
  const pinia = getActivePinia()
  if (!pinia) throw new Error('useBridge() needs an active Pinia.')
  return new Proxy({} as ClinicBridge, {
    get(_target, key) {
      const bridge = bridgeOf(pinia)
      const value: unknown = Reflect.get(bridge, key)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(bridge) : value
    },
  })
}
