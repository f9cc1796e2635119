import type { UpdateStatus } from '../../src/shared/desk-state'

type Facts = Pick<UpdateStatus, 'currentVersion' | 'channel' | 'pinnedVersion' | 'forced' | 'lastCheckedAt' | 'feedUrl' | 'nextCheckAt'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** One update state, with any of the facts every status carries. */
export type UpdatePhase = DistributiveOmit<UpdateStatus, keyof Facts> & Partial<Facts>

const FACTS: Facts = {
  currentVersion: '1.4.2',
  channel: 'stable',
  pinnedVersion: null,
  forced: false,
  lastCheckedAt: null,
  feedUrl: 'https://updates.clinic.example.org/clinic-desk/',
  nextCheckAt: null,
}

/** An update status as the core sends it; by default off, as in every host but a packaged desktop app. */
export function updateStatus(phase: UpdatePhase = { state: 'off', reason: 'no update server is configured (updates.url in the admin policy)', channel: null, feedUrl: null }): UpdateStatus {
  return { ...FACTS, ...phase }
}

/** Off by the admin policy, in the core's words (src/main/core/updates/policy.ts). */
export const OFF_BY_POLICY: UpdatePhase = { state: 'off', reason: 'the administrator turned updates off (updates.enabled is false)', channel: null, feedUrl: null }

/** A download under way, `percent` as electron-updater reports it (not rounded). */
export function downloadingStatus(version: string, percent: number, facts: Partial<Facts> = {}): UpdateStatus {
  const total = 80_000_000
  return updateStatus({ state: 'downloading', version, percent, bytesPerSecond: 2_000_000, transferred: Math.round((total * percent) / 100), total, ...facts })
}

/** A verified download waiting to install; `installAt` set when the policy forces it. */
export function readyStatus(version: string, installAt: string | null = null, facts: Partial<Facts> = {}): UpdateStatus {
  return updateStatus({ state: 'ready', version, installAt, forced: installAt !== null, ...facts })
}
