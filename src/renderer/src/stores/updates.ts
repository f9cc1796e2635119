import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { UpdateStatus } from '../../../shared/desk-state'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'

/**
 * The desk's updater as the window shows it: the core's status (kept live by
 * `update` events), and the user's "Later" for a ready update, which only
 * hides the banner: the update still installs when Clinic Desk quits.
 */
export const useUpdatesStore = defineStore('updates', () => {
  const bridge = useBridge()

  const status = ref<UpdateStatus | null>(null)
  /** The ready version the user said "Later" to. */
  const laterFor = ref<string | null>(null)
  const installing = ref(false)
  const checking = ref(false)
  /** A refused bridge call, in words. */
  const problem = ref<string | null>(null)

  /** Whether the ready-to-install banner is out of the way; a forced update cannot be put off. */
  const hidden = computed(() => {
    const s = status.value
    return s?.state === 'ready' && s.installAt === null && laterFor.value === s.version
  })

  /** Counts applied statuses, so a slow answer to `load` does not undo a newer event. */
  let applied = 0

  function apply(next: UpdateStatus): void {
    applied++
    status.value = next
    if (next.state !== 'ready') installing.value = false
  }

  async function load(): Promise<void> {
    const before = applied
    try {
      const current = await bridge.getUpdateStatus()
      if (applied === before) apply(current)
    } catch (e) {
      problem.value = `The update status could not be read: ${errorMessage(e)}`
    }
  }

  function later(): void {
    const s = status.value
    if (s?.state === 'ready' && s.installAt === null) laterFor.value = s.version
  }

  async function installNow(): Promise<void> {
    if (status.value?.state !== 'ready' || installing.value) return
    installing.value = true
    problem.value = null
    try {
      // Clinic Desk quits into the installer; the window goes away with it.
      await bridge.installUpdate()
    } catch (e) {
      installing.value = false
      problem.value = `The update could not be installed: ${errorMessage(e)}`
    }
  }

  async function checkNow(): Promise<void> {
    checking.value = true
    problem.value = null
    try {
      apply(await bridge.checkForUpdates())
    } catch (e) {
      problem.value = errorMessage(e)
    } finally {
      checking.value = false
    }
  }

  return { status, hidden, installing, checking, problem, apply, load, later, installNow, checkNow }
})
