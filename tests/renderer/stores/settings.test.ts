// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useSettingsStore } from '../../../src/renderer/src/stores/settings'
import { settingsView } from '../fixtures'
import { startedDesk, withFakeBridge } from '../setup'

describe('settings store', () => {
  it('loads the settings and the locked keys', async () => {
    const { fake } = withFakeBridge()
    fake.getSettings.mockResolvedValueOnce(settingsView({ locked: ['pollingIntervalSec'] }))
    const store = useSettingsStore()
    await store.load()
    expect(store.isLocked('pollingIntervalSec')).toBe(true)
    expect(store.isLocked('theme')).toBe(false)
    expect(store.theme).toBe('system')
  })

  it('saves a change through the bridge, but never a locked key', async () => {
    const { fake } = withFakeBridge()
    fake.getSettings.mockResolvedValueOnce(settingsView({ locked: ['pollingIntervalSec'] }))
    const store = useSettingsStore()
    await store.load()
    expect(await store.update({ pollingIntervalSec: 60 })).toBe(false)
    expect(fake.updateSettings).not.toHaveBeenCalled()
    expect(await store.update({ theme: 'dark', pollingIntervalSec: 60 })).toBe(true)
    expect(fake.updateSettings).toHaveBeenCalledWith({ theme: 'dark' })
    expect(store.theme).toBe('dark')
  })

  it('says when the core refuses a change', async () => {
    const { fake } = withFakeBridge()
    fake.updateSettings.mockRejectedValueOnce(new Error('Settings cannot be changed here'))
    const store = useSettingsStore()
    expect(await store.update({ startAtLogin: true })).toBe(false)
    expect(store.error).toContain('Settings cannot be changed here')
  })

  it('knows where the organisation\'s policy comes from, and why it was not applied; nothing when the host reads none', async () => {
    const { fake } = withFakeBridge()
    const managed = { sources: ['/etc/clinic-desk/policy.json'], problems: ['admin policy (/etc/clinic-desk/policy.json): apiUrl must be an http:// or https:// URL'] }
    fake.getSettings.mockResolvedValueOnce(settingsView({ managed }))
    const store = useSettingsStore()
    expect(store.managed).toEqual({ sources: [], problems: [] })
    await store.load()
    expect(store.managed).toEqual(managed)
    store.apply(settingsView())
    expect(store.managed).toEqual({ sources: [], problems: [] })
  })

  it('follows `settings` events (another window, or the admin policy)', async () => {
    const { fake } = await startedDesk()
    const view = settingsView({ locked: ['theme'] })
    fake.emit({ kind: 'settings', settings: { ...view, values: { ...view.values, theme: 'light' } } })
    const store = useSettingsStore()
    expect(store.theme).toBe('light')
    expect(store.isLocked('theme')).toBe(true)
  })
})
