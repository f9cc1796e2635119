import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Feature, FeatureStatus } from '../../../shared/features'
import { FEATURES, isLimited } from '../../../shared/features'

const order = (feature: Feature): number => FEATURES.indexOf(feature)

function inOrder<T>(list: readonly T[], featureOf: (item: T) => Feature): T[] {
  return [...list].sort((a, b) => order(featureOf(a)) - order(featureOf(b)))
}

/**
 * What the clinic's REST API offers, feature by feature (Diagnostics), and
 * which features are limited right now (the status bar). The statuses come
 * from the snapshot, `features` events and the diagnostics; the limited list
 * follows whichever of `features` and `connection` spoke last, as both carry it.
 */
export const useFeaturesStore = defineStore('features', () => {
  const statuses = ref<FeatureStatus[]>([])
  const limited = ref<Feature[]>([])

  const limitedCount = computed(() => limited.value.length)

  /** The whole list (the snapshot, the diagnostics). */
  function replace(list: readonly FeatureStatus[]): void {
    statuses.value = inOrder(list, (s) => s.feature)
    limited.value = statuses.value.filter(isLimited).map((s) => s.feature)
  }

  /** A `features` event: the features it names replace theirs; the others stay. */
  function apply(changed: readonly FeatureStatus[]): void {
    const byFeature = new Map(statuses.value.map((s) => [s.feature, s]))
    for (const s of changed) byFeature.set(s.feature, s)
    replace([...byFeature.values()])
  }

  /** The connection's `limitedFeatures`. */
  function applyLimited(features: readonly Feature[]): void {
    limited.value = inOrder([...new Set(features)], (f) => f)
  }

  function reset(): void {
    statuses.value = []
    limited.value = []
  }

  return { statuses, limited, limitedCount, replace, apply, applyLimited, reset }
})
