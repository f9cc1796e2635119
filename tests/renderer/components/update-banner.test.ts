// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import UpdateBanner from '../../../src/renderer/src/components/UpdateBanner.vue'
import type { UpdateStatus } from '../../../src/shared/desk-state'
import { button, hasButton } from '../dom'
import { createFakeBridge } from '../fake-bridge'
import { updateStatus } from '../update-fixtures'

const NOW = Date.parse('2026-11-26T09:00:00.000Z')

function banner(status: UpdateStatus | null, props: { hidden?: boolean; installing?: boolean; problem?: string | null } = {}) {
  return mount(UpdateBanner, { props: { status, ...props }, attachTo: document.body })
}

const live = (wrapper: ReturnType<typeof banner>) => wrapper.find('[role="status"]')

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('UpdateBanner', () => {
  it.each([
    ['off', updateStatus()],
    ['idle', updateStatus({ state: 'idle' })],
    ['checking', updateStatus({ state: 'checking' })],
    ['a failed check', updateStatus({ state: 'error', during: 'check', version: null, message: 'HttpError: 404', retryAt: '2026-11-26T09:01:00.000Z' })],
    ['nothing yet', null],
  ])('shows nothing for %s, but keeps its polite live region in the page', (_name, status) => {
    const wrapper = banner(status)
    expect(live(wrapper).exists()).toBe(true)
    expect(live(wrapper).attributes('aria-live')).toBe('polite')
    expect(live(wrapper).text()).toBe('')
    expect(wrapper.find('progress').exists()).toBe(false)
    expect(wrapper.findAll('button')).toHaveLength(0)
    expect(wrapper.classes()).not.toContain('shown')
  })

  it('a download: the version and percentage, with a labelled progress bar', () => {
    const wrapper = banner(updateStatus({ state: 'downloading', version: '1.5.0', percent: 42.7, bytesPerSecond: 1e6, transferred: 427, total: 1000 }))
    expect(live(wrapper).text()).toBe('Downloading Clinic Desk 1.5.0 — 42%')
    const bar = wrapper.find('progress')
    expect(bar.attributes('value')).toBe('42')
    expect(bar.attributes('max')).toBe('100')
    expect(bar.attributes('aria-label')).toBe('Download of Clinic Desk 1.5.0')
    expect(wrapper.findAll('button')).toHaveLength(0)
  })

  it('just found: downloading, progress not known yet (indeterminate)', () => {
    const wrapper = banner(updateStatus({ state: 'available', version: '1.5.0' }))
    expect(live(wrapper).text()).toBe('Downloading Clinic Desk 1.5.0')
    expect(wrapper.find('progress').attributes('value')).toBeUndefined()
  })

  it('ready: Restart now or Later', async () => {
    const wrapper = banner(updateStatus({ state: 'ready', version: '1.5.0', installAt: null }))
    expect(live(wrapper).text()).toBe('Update ready: Clinic Desk 1.5.0 installs when Clinic Desk restarts.')
    await button(wrapper, 'Restart now').trigger('click')
    await button(wrapper, 'Later').trigger('click')
    expect(wrapper.emitted('restart')).toHaveLength(1)
    expect(wrapper.emitted('later')).toHaveLength(1)
  })

  it('ready but put off: nothing; while installing: the buttons are disabled', () => {
    const ready = updateStatus({ state: 'ready', version: '1.5.0', installAt: null })
    expect(live(banner(ready, { hidden: true })).text()).toBe('')
    const installing = banner(ready, { installing: true })
    expect(button(installing, 'Restart now').element.disabled).toBe(true)
  })

  it('forced: the administrator requires it, a countdown, Restart now and no Later', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW)
    const wrapper = banner(updateStatus({ state: 'ready', version: '1.5.0', installAt: '2026-11-26T09:01:00.000Z', forced: true }))
    await flushPromises()
    expect(live(wrapper).text()).toBe('Your administrator requires this update. Clinic Desk restarts within a minute in 1:00')
    expect(wrapper.find('time').text()).toBe('1:00')
    // Screen readers hear "within a minute" once, not every tick.
    expect(wrapper.find('[aria-hidden="true"] time').exists()).toBe(true)
    vi.advanceTimersByTime(15_000)
    await flushPromises()
    expect(wrapper.find('time').text()).toBe('0:45')
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(wrapper.find('time').text()).toBe('0:00')
    expect(hasButton(wrapper, 'Restart now')).toBe(true)
    expect(hasButton(wrapper, 'Later')).toBe(false)
    // "Later" cannot hide it.
    await wrapper.setProps({ hidden: true })
    expect(hasButton(wrapper, 'Restart now')).toBe(true)
  })

  it('a failed download or install is one quiet line with the next attempt, not an alert', async () => {
    const retryAt = new Date(2026, 10, 26, 14, 5).toISOString()
    const wrapper = banner(updateStatus({ state: 'error', during: 'download', version: '1.5.0', message: 'sha512 checksum mismatch', retryAt }))
    expect(live(wrapper).text()).toBe('Clinic Desk 1.5.0 could not be downloaded; trying again at 14:05.')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.classes()).toEqual(['updates', 'shown', 'quiet'])
    await wrapper.setProps({ status: updateStatus({ state: 'error', during: 'install', version: '1.5.0', message: 'EACCES', retryAt }) })
    expect(live(wrapper).text()).toBe('Clinic Desk 1.5.0 could not be installed; trying again at 14:05.')
  })

  it('a refused install, quietly', () => {
    const wrapper = banner(updateStatus({ state: 'ready', version: '1.5.0', installAt: null }), { problem: 'The update could not be installed: No update is ready to install.' })
    expect(live(wrapper).text()).toBe('The update could not be installed: No update is ready to install.')
  })
})

describe('in the app', () => {
  async function mountApp(fake = createFakeBridge()) {
    const wrapper = mount(App, { props: { connect: () => Promise.resolve(fake) }, global: { plugins: [createPinia()] }, attachTo: document.body })
    await flushPromises()
    return { wrapper, fake }
  }

  it('the shell shows a download and a ready update from the core; Later hides it, Restart now asks the core to install', async () => {
    const { wrapper, fake } = await mountApp()
    const region = () => wrapper.find('[data-testid="update-banner"] [role="status"]')
    expect(region().text()).toBe('')
    fake.emit({ kind: 'update', status: updateStatus({ state: 'downloading', version: '1.5.0', percent: 42, bytesPerSecond: 1e6, transferred: 42, total: 100 }) })
    await flushPromises()
    expect(region().text()).toBe('Downloading Clinic Desk 1.5.0 — 42%')
    fake.emit({ kind: 'update', status: updateStatus({ state: 'ready', version: '1.5.0', installAt: null }) })
    await flushPromises()
    await button(wrapper, 'Later').trigger('click')
    expect(region().text()).toBe('')
    expect(fake.installUpdate).not.toHaveBeenCalled()
    expect(wrapper.find('nav[aria-label="Main"]').exists()).toBe(true)
    fake.emit({ kind: 'update', status: updateStatus({ state: 'ready', version: '1.5.1', installAt: null }) })
    await flushPromises()
    expect(region().text()).toContain('Update ready: Clinic Desk 1.5.1')
    await button(wrapper, 'Restart now').trigger('click')
    await flushPromises()
    expect(fake.installUpdate).toHaveBeenCalledTimes(1)
    wrapper.unmount()
  })

  it('before sign-in too, above the form', async () => {
    const fake = createFakeBridge({ signedOut: true })
    fake.getUpdateStatus.mockResolvedValue(updateStatus({ state: 'ready', version: '1.5.0', installAt: null }))
    const { wrapper } = await mountApp(fake)
    expect(wrapper.find('h1').text()).toBe('Sign in to your clinic')
    expect(wrapper.find('[data-testid="update-banner"] [role="status"]').text()).toContain('Update ready: Clinic Desk 1.5.0')
    wrapper.unmount()
  })
})
