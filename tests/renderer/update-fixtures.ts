import type { UpdateStatus } from '../../src/shared/desk-state'

type Facts = Pick<UpdateStatus, 'currentVersion' | 'channel' | 'pinnedVersion' | 'forced' | 'lastCheckedAt'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** One update state, with any of the facts every status carries. */
export type UpdatePhase = DistributiveOmit<UpdateStatus, keyof Facts> & Partial<Facts>

const FACTS: Facts = { currentVersion: '1.4.2', channel: 'stable', pinnedVersion: null, forced: false, lastCheckedAt: null }

/** An update status as the core sends it; by default off, as in every host but a packaged desktop app. */
export function updateStatus(phase: UpdatePhase = { state: 'off', reason: 'no update server is configured (updates.url in the admin policy)', channel: null }): UpdateStatus {
  return { ...FACTS, ...phase }
}
