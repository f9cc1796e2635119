// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { SETTING_KEYS, type SettingKey, type SettingsView as SettingsViewData } from '../../../src/shared/settings'
import SettingsView from '../../../src/renderer/src/views/SettingsView.vue'
import { createFakeBridge } from '../fake-bridge'
import { byLabel } from '../dom'
import { CLINIC_ZONE, clinicZone, settingsView, signedIn, user } from '../fixtures'
import { startedDesk } from '../setup'
import { systemTimeZone } from '../../../src/shared/clinic-time'
import { sameZone } from '../../../src/renderer/src/lib/time'

afterEach(() => vi.useRealTimers())

async function mountSettings(locked: ReturnType<typeof settingsView>['locked'] = [], managed?: SettingsViewData['managed'], zone = CLINIC_ZONE) {
  const fake = createFakeBridge({ snapshot: { session: signedIn(user(), false, clinicZone(zone)) } })
  fake.getSettings.mockResolvedValue(settingsView({ locked, ...(managed ? { managed } : {}) }))
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

  it('turns Do Not Disturb on for an hour, until tomorrow 8:00 on the clinic’s clock, and off', async () => {
    // 19:34 on Thursday evening in Los Angeles (03:34 on Friday in UTC): "tomorrow" is the clinic's Friday.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.parse('2026-11-27T03:34:00Z'))
    const { wrapper, fake } = await mountSettings([], undefined, 'America/Los_Angeles')
    const radio = (value: string) => wrapper.find(`input[name="dnd"][value="${value}"]`)
    const before = Date.now()
    await radio('hour').setValue(true)
    await flushPromises()
    const hour = fake.updateSettings.mock.calls.at(-1)?.[0].dndUntil
    expect(Date.parse(hour ?? '') - before).toBe(60 * 60_000)
    await radio('tomorrow').setValue(true)
    await flushPromises()
    expect(fake.updateSettings.mock.calls.at(-1)?.[0].dndUntil).toBe('2026-11-27T16:00:00.000Z')
    // The label names the zone only when this computer keeps another one.
    const label = wrapper.find('input[name="dnd"][value="tomorrow"]').element.parentElement?.textContent?.trim()
    expect(label).toBe(sameZone(systemTimeZone(), 'America/Los_Angeles') ? 'Until tomorrow 8:00' : 'Until tomorrow 8:00 PST')
    await radio('off').setValue(true)
    await flushPromises()
    expect(fake.updateSettings.mock.calls.at(-1)?.[0]).toEqual({ dndUntil: null })
  })

  it('saves the live check interval next to the polling interval, and locks it with the policy', async () => {
    const { wrapper, fake } = await mountSettings()
    const field = byLabel(wrapper, 'Live check interval')
    expect(field.element.value).toBe('60')
    expect(wrapper.find(`#${field.attributes('aria-describedby') ?? ''}`).text()).toContain('While live')
    await field.setValue('300')
    await flushPromises()
    expect(fake.updateSettings).toHaveBeenLastCalledWith({ reconcileIntervalSec: 300 })
    wrapper.unmount()
    const locked = await mountSettings(['reconcileIntervalSec'])
    const lockedField = byLabel(locked.wrapper, 'Live check interval')
    expect(lockedField.attributes('disabled')).toBeDefined()
    const notes = (lockedField.attributes('aria-describedby') ?? '').split(' ').map((id) => locked.wrapper.find(`#${id}`).text())
    expect(notes).toContain('Set by your administrator')
    expect(byLabel(locked.wrapper, 'Polling interval').attributes('disabled')).toBeUndefined()
  })

  it('offers a policy’s live check interval that is none of the usual choices', async () => {
    const fake = createFakeBridge()
    fake.getSettings.mockResolvedValue(settingsView({ values: { ...settingsView().values, reconcileIntervalSec: 45 }, locked: ['reconcileIntervalSec'] }))
    const { pinia } = await startedDesk(fake)
    const wrapper = mount(SettingsView, { global: { plugins: [pinia] } })
    await flushPromises()
    const field = byLabel(wrapper, 'Live check interval')
    expect(field.element.value).toBe('45')
    expect(field.findAll('option').map((o) => o.text())).toContain('Every 45 seconds')
  })

  it('sends an alert type change as a partial patch', async () => {
    const { wrapper, fake } = await mountSettings()
    await byLabel(wrapper, 'New messages').setValue(false)
    await flushPromises()
    expect(fake.updateSettings).toHaveBeenCalledWith({ alerts: { messages: false } })
  })
})

/** Every form control for a setting, by its label or its group's legend. */
function controlsFor(wrapper: VueWrapper, key: SettingKey): HTMLElement[] {
  const group = (legend: string) => {
    const fieldset = wrapper.findAll('fieldset').find((f) => f.find('legend').text() === legend)
    if (!fieldset) throw new Error(`no group "${legend}"`)
    return fieldset.findAll<HTMLInputElement>('input').map((i) => i.element)
  }
  switch (key) {
    case 'alerts':
      return group('Alerts')
    case 'dndUntil':
      return group('Do Not Disturb')
    case 'theme':
      return group('Theme')
    case 'hideMessageText':
      return [byLabel(wrapper, 'Hide message text in alerts').element]
    case 'silenceWhenFocused':
      return [byLabel(wrapper, 'No alerts while Clinic Desk is in front').element]
    case 'pollingIntervalSec':
      return [byLabel(wrapper, 'Polling interval').element]
    case 'reconcileIntervalSec':
      return [byLabel(wrapper, 'Live check interval').element]
    case 'startAtLogin':
      return [byLabel(wrapper, 'Start at login').element]
    case 'startMinimised':
      return [byLabel(wrapper, 'Start minimised').element]
    case 'closeToTray':
      return [byLabel(wrapper, 'Close to tray').element]
  }
}

/** Disabled itself or by a disabled group around it, as the browser treats it. */
function isDisabled(element: HTMLElement): boolean {
  return (element as HTMLInputElement).disabled || element.closest('fieldset[disabled]') !== null
}

describe('settings the organisation manages', () => {
  it('every setting the policy locks is disabled, and only those', async () => {
    for (const key of SETTING_KEYS.options) {
      const { wrapper } = await mountSettings([key])
      for (const other of SETTING_KEYS.options) {
        const controls = controlsFor(wrapper, other)
        expect(controls.length, other).toBeGreaterThan(0)
        for (const control of controls) expect(isDisabled(control), `${other} with ${key} locked`).toBe(other === key)
      }
      wrapper.unmount()
    }
  })

  it('a policy that sets start at login and the alerts: those controls are disabled and marked', async () => {
    const { wrapper, fake } = await mountSettings(['startAtLogin', 'alerts'], { sources: ['/etc/clinic-desk/policy.json'], problems: [] })
    expect(controlsFor(wrapper, 'startAtLogin').every(isDisabled)).toBe(true)
    expect(controlsFor(wrapper, 'alerts').every(isDisabled)).toBe(true)
    expect(controlsFor(wrapper, 'theme').some(isDisabled)).toBe(false)
    const alerts = wrapper.findAll('fieldset').find((f) => f.find('legend').text() === 'Alerts')
    expect(alerts?.text()).toContain('Set by your administrator')
    // A click on a locked control sends nothing.
    await byLabel(wrapper, 'Start at login').trigger('change')
    await flushPromises()
    expect(fake.updateSettings).not.toHaveBeenCalled()
  })

  it('names where the policy comes from, without an alert when it applied', async () => {
    const { wrapper } = await mountSettings(['theme'], { sources: ['C:\\ProgramData\\ClinicDesk\\policy.json', 'registry HKLM\\Software\\Policies\\ClinicDesk'], problems: [] })
    expect(wrapper.text()).toContain(
      'Some settings are managed by your organisation (C:\\ProgramData\\ClinicDesk\\policy.json, registry HKLM\\Software\\Policies\\ClinicDesk).',
    )
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('says so, as an alert with every problem, when the policy could not be applied', async () => {
    const problems = [
      'admin policy (/etc/clinic-desk/policy.json): transport.port must be a number (got "eighty"). Fix: use the port your Reverb server listens on, e.g. 8080',
      'admin policy (/etc/clinic-desk/policy.json): settings.theem is not a known option. Fix: remove "theem" (did you mean "theme"?)',
    ]
    const { wrapper } = await mountSettings([], { sources: ['/etc/clinic-desk/policy.json'], problems })
    const alert = wrapper.find('[role="alert"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain("Your organisation's policy could not be applied; Clinic Desk uses its defaults:")
    expect(alert.findAll('li').map((li) => li.text())).toEqual(problems)
    expect(wrapper.text()).not.toContain('Some settings are managed by your organisation')
    // Nothing is locked by a policy that was not applied.
    expect(controlsFor(wrapper, 'startAtLogin').some(isDisabled)).toBe(false)
  })

  it('says nothing about an organisation without a policy', async () => {
    const { wrapper } = await mountSettings([], { sources: [], problems: [] })
    expect(wrapper.text()).not.toContain('organisation')
    const bare = await mountSettings()
    expect(bare.wrapper.text()).not.toContain('organisation')
  })
})
