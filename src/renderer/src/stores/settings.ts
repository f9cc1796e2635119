import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ManagedInfo, SettingKey, Settings, SettingsPatch, SettingsView } from '../../../shared/settings'
import { DEFAULT_SETTINGS } from '../../../shared/settings'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'

export type Theme = Settings['theme']

const NOT_MANAGED: ManagedInfo = { sources: [], problems: [] }

/** The user's settings, with the keys the administrator has locked. */
export const useSettingsStore = defineStore('settings', () => {
  const bridge = useBridge()

  const view = ref<SettingsView | null>(null)
  const loading = ref(false)
  const saving = ref(false)
  const error = ref<string | null>(null)
  /** Bumped after each confirmed save, for a "Saved" notice. */
  const savedAt = ref<number | null>(null)

  const values = computed<Settings>(() => view.value?.values ?? DEFAULT_SETTINGS)
  const locked = computed<ReadonlySet<SettingKey>>(() => new Set(view.value?.locked ?? []))
  const theme = computed<Theme>(() => values.value.theme)
  /** Where the organisation's policy comes from, and why it was not applied (no problems: it was). */
  const managed = computed<ManagedInfo>(() => view.value?.managed ?? NOT_MANAGED)

  function isLocked(key: SettingKey): boolean {
    return locked.value.has(key)
  }

  function apply(next: SettingsView): void {
    view.value = next
  }

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      view.value = await bridge.getSettings()
    } catch (e) {
      error.value = `Settings could not be loaded: ${errorMessage(e)}`
    } finally {
      loading.value = false
    }
  }

  /** Saves a change; a locked key is never sent (the core would refuse it anyway). */
  async function update(patch: SettingsPatch): Promise<boolean> {
    const allowed = Object.fromEntries(Object.entries(patch).filter(([key]) => !isLocked(key as SettingKey))) as SettingsPatch
    if (Object.keys(allowed).length === 0) return false
    saving.value = true
    error.value = null
    try {
      view.value = await bridge.updateSettings(allowed)
      savedAt.value = Date.now()
      return true
    } catch (e) {
      error.value = `The change was not saved: ${errorMessage(e)}`
      return false
    } finally {
      saving.value = false
    }
  }

  return { view, loading, saving, error, savedAt, values, locked, theme, managed, isLocked, apply, load, update }
})
