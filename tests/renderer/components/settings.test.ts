// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SettingsView from '../../../src/renderer/src/views/SettingsView.vue'
import { createFakeBridge } from '../fake-bridge'
import { byLabel } from '../dom'
import { settingsView } from '../fixtures'
import { startedDesk } from '../setup'

async function mountSettings(locked: ReturnType<typeof settingsView>['locked'] = []) {
  const fake = createFakeBridge()
  fake.getSettings.mockResolvedValue(settingsView({ locked }))
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(SettingsView, { global: { plugins: [pinia] } })
  await flushPromises()
  return { wrapper, fake }
}

describe('settings', () => {
  it('shows an admin-locked setting disabled, with "Set by your administrator"', async () => {
    const { wrapper } = await mountSettings(['pollingIntervalSec', 'startAtLogin'])
    const polling = byLabel(wrapper, 'Polling interval')
    expect(polling.attributes('disabled')).toBeDefined()
    const notes = (polling.attributes('aria-describedby') ?? '').split(' ').map((id) => wrapper.find(`#${id}`).text())
    expect(notes).toContain('Set by your administrator')
    const login = byLabel(wrapper, 'Start at login')
    expect(login.attributes('disabled')).toBeDefined()
    expect(wrapper.find(`#${(login.attributes('aria-describedby') ?? '').split(' ').at(-1)}`).text()).toBe('Set by your administrator')
    expect(byLabel(wrapper, 'Close to tray').attributes('disabled')).toBeUndefined()
  })

  it('locks a whole group (the theme) when the admin set it', async () => {
    const { wrapper } = await mountSettings(['theme'])
    const fieldset = wrapper.findAll('fieldset').find((f) => f.find('legend').text() === 'Theme')
    expect(fieldset?.attributes('disabled')).toBeDefined()
    expect(fieldset?.text()).toContain('Set by your administrator')
  })

  it('saves a change at once', async () => {
    const { wrapper, fake } = await mountSettings()
    await byLabel(wrapper, 'Hide message text in alerts').setValue(false)
    await flushPromises()
    expect(fake.updateSettings).toHaveBeenCalledWith({ hideMessageText: false })
    await byLabel(wrapper, 'Polling interval').setValue('120')
    await flushPromises()
    expect(fake.updateSettings).toHaveBeenLastCalledWith({ pollingIntervalSec: 120 })
    expect(wrapper.text()).toContain('Saved')
  })

  it('turns Do Not Disturb on for an hour, until tomorrow 8:00, and off', async () => {
    const { wrapper, fake } = await mountSettings()
    const radio = (value: string) => wrapper.find(`input[name="dnd"][value="${value}"]`)
    const before = Date.now()
    await radio('hour').setValue(true)
    await flushPromises()
    const hour = fake.updateSettings.mock.calls.at(-1)?.[0].dndUntil
    expect(Date.parse(hour ?? '') - before).toBeGreaterThanOrEqual(59 * 60_000)
    expect(Date.parse(hour ?? '') - before).toBeLessThanOrEqual(61 * 60_000)
    await radio('tomorrow').setValue(true)
    await flushPromises()
    const tomorrow = new Date(fake.updateSettings.mock.calls.at(-1)?.[0].dndUntil ?? '')
    expect([tomorrow.getHours(), tomorrow.getMinutes()]).toEqual([8, 0])
    expect(tomorrow.getDate()).toBe(new Date(before + 24 * 3600_000).getDate())
    await radio('off').setValue(true)
    await flushPromises()
    expect(fake.updateSettings.mock.calls.at(-1)?.[0]).toEqual({ dndUntil: null })
  })

  it('sends an alert type change as a partial patch', async () => {
    const { wrapper, fake } = await mountSettings()
    await byLabel(wrapper, 'New messages').setValue(false)
    await flushPromises()
    expect(fake.updateSettings).toHaveBeenCalledWith({ alerts: { messages: false } })
  })
})
