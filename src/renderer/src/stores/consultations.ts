import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Consultation, KnownConsultationStatus } from '../../../shared/domain'
import { applyConsultationsRead, placeConsultation } from '../../../shared/reducers/consultations'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import { createFlash } from '../lib/flash'
import { isKnownConsultationStatus } from '../lib/labels'

/** A list per known status, and `other` for statuses the desk does not know (`on_hold`), kept as the server sent them. */
export type ConsultationGroups = Record<KnownConsultationStatus | 'other', Consultation[]>

/**
 * Consultations by status, kept live from `consultation.updated`: placed by id
 * with the shared consultations reducer, whose newest-wins rule only matters
 * here for the window's own races (a `refresh` answer that crossed a live
 * change, events replayed after a snapshot).
 */
export const useConsultationsStore = defineStore('consultations', () => {
  const bridge = useBridge()

  const items = ref<Consultation[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const changed = createFlash()
  const highlighted = changed.active

  const byStatus = computed<ConsultationGroups>(() => {
    const groups: ConsultationGroups = { pending: [], active: [], completed: [], cancelled: [], other: [] }
    for (const c of items.value) groups[isKnownConsultationStatus(c.status) ? c.status : 'other'].push(c)
    groups.pending.sort((a, b) => a.id - b.id)
    groups.active.sort((a, b) => (a.started_at ?? a.updated_at).localeCompare(b.started_at ?? b.updated_at) || a.id - b.id)
    // Most recently finished first: that is what the desk is asked about.
    groups.completed.sort((a, b) => (b.ended_at ?? b.updated_at).localeCompare(a.ended_at ?? a.updated_at) || b.id - a.id)
    groups.cancelled.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.id - a.id)
    groups.other.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.id - a.id)
    return groups
  })

  /** The whole list (the core's, or the answer to `refresh`): one it no longer has goes; a copy held that is newer stays. */
  function replace(list: readonly Consultation[]): void {
    items.value = [...applyConsultationsRead(items.value, list).state]
  }

  function apply(consultation: Consultation): void {
    const placed = placeConsultation(items.value, consultation)
    if (!placed.applied) return
    items.value = [...placed.state]
    changed.flash(consultation.id)
  }

  async function refresh(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      replace(await bridge.listConsultations())
    } catch (e) {
      error.value = errorMessage(e)
    } finally {
      loading.value = false
    }
  }

  function spotlight(id: number): void {
    changed.flash(id)
  }

  function reset(): void {
    items.value = []
    error.value = null
    changed.clear()
  }

  return { items, loading, error, highlighted, byStatus, replace, apply, refresh, spotlight, reset }
})
