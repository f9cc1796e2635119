// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import UpdateDetails from '../../../src/renderer/src/components/UpdateDetails.vue'
import DiagnosticsView from '../../../src/renderer/src/views/DiagnosticsView.vue'
import type { UpdateStatus } from '../../../src/shared/desk-state'
import { button, hasButton } from '../dom'
import { createFakeBridge, type FakeBridge } from '../fake-bridge'
import { startedDesk } from '../setup'
import { OFF_BY_POLICY, downloadingStatus, readyStatus, updateStatus } from '../update-fixtures'
import { clinicZone, signedIn, user } from '../fixtures'
import { systemTimeZone } from '../../../src/shared/clinic-time'

/** Local times, so the expected clock texts hold in any time zone. */
const NOW = new Date(2026, 10, 26, 10, 0, 0)
const local = (day: number, h: number, m: number, s = 0): string => new Date(2026, 10, day, h, m, s).toISOString()

function details(status: UpdateStatus | null, props: { checking?: boolean; installing?: boolean; problem?: string | null } = {}) {
  return mount(UpdateDetails, { props: { status, ...props } })
}

/** The definition list as term → value. */
function facts(wrapper: VueWrapper | ReturnType<VueWrapper['find']>): Record<string, string> {
  const terms = wrapper.findAll('dl dt')
  const values = wrapper.findAll('dl dd')
  expect(values).toHaveLength(terms.length)
  return Object.fromEntries(terms.map((t, i) => [t.text(), values[i]?.text() ?? '']))
}

const live = (wrapper: VueWrapper) => wrapper.find('[data-testid="update-details"] [role="status"]')

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('UpdateDetails', () => {
  it('is a section named by its heading, with a polite live region for the state', () => {
    const wrapper = details(updateStatus({ state: 'idle' }))
    const section = wrapper.find('section')
    const heading = section.find('h2')
    expect(heading.text()).toBe('Version and updates')
    expect(section.attributes('aria-labelledby')).toBe(heading.attributes('id'))
    expect(live(wrapper).attributes('aria-live')).toBe('polite')
  })

  it('off: the version, "Off" and the reason from the status; Check now is disabled; no channel or check times', async () => {
    const wrapper = details(updateStatus(OFF_BY_POLICY))
    expect(facts(wrapper)).toEqual({
      'Running version': '1.4.2',
      Updates: 'Off',
      'Why off': 'The administrator turned updates off (updates.enabled is false)',
    })
    expect(live(wrapper).text()).toBe('Updates are off.')
    expect(button(wrapper, 'Check now').element.disabled).toBe(true)
    expect(hasButton(wrapper, 'Restart and install')).toBe(false)
    await button(wrapper, 'Check now').trigger('click')
    expect(wrapper.emitted('check')).toBeUndefined()
  })

  it('off on a host without an updater: its own reason', () => {
    const wrapper = details(updateStatus({ state: 'off', reason: 'this host does not install updates; the desktop app does', channel: null, currentVersion: '0.1.0' }))
    expect(facts(wrapper)['Why off']).toBe('This host does not install updates; the desktop app does')
    expect(facts(wrapper)['Running version']).toBe('0.1.0')
  })

  it('on and idle: channel, how updates install, the last check and the next; Check now asks for a check', async () => {
    const wrapper = details(updateStatus({ state: 'idle', lastCheckedAt: local(26, 9, 15, 30), nextCheckAt: local(26, 13, 15, 30) }))
    expect(facts(wrapper)).toEqual({
      'Running version': '1.4.2',
      Updates: 'On',
      Channel: 'Stable',
      'Update server': 'https://updates.clinic.example.org/clinic-desk/',
      Installs: 'When Clinic Desk restarts, or now with “Restart and install”',
      'Last successful check': '09:15:30',
      'Next check': '13:15:30',
    })
    expect(wrapper.find('[data-fact="last-check"] time').attributes('datetime')).toBe(local(26, 9, 15, 30))
    expect(wrapper.find('[data-fact="next-check"] time').attributes('datetime')).toBe(local(26, 13, 15, 30))
    expect(live(wrapper).text()).toBe('Up to date.')
    expect(hasButton(wrapper, 'Restart and install')).toBe(false)
    const check = button(wrapper, 'Check now')
    expect(check.element.disabled).toBe(false)
    await check.trigger('click')
    expect(wrapper.emitted('check')).toHaveLength(1)
  })

  it('a check on another day shows its date; never answered yet says so', () => {
    expect(facts(details(updateStatus({ state: 'idle', lastCheckedAt: local(25, 18, 0) })))['Last successful check']).toBe('2026-11-25 18:00:00')
    const fresh = details(updateStatus({ state: 'idle', lastCheckedAt: null }))
    expect(facts(fresh)['Last successful check']).toBe('None yet')
    expect(live(fresh).text()).toBe('Not checked yet.')
  })

  it('a pinned, forced beta policy', () => {
    const wrapper = details(updateStatus({ state: 'idle', channel: 'beta', pinnedVersion: '1.5.0-beta.2', forced: true, lastCheckedAt: local(26, 9, 0) }))
    expect(facts(wrapper)).toMatchObject({
      Channel: 'Beta (pre-releases)',
      'Pinned version': '1.5.0-beta.2 (set by your administrator)',
      Installs: 'Automatically, after a short warning (your administrator requires updates)',
    })
  })

  it('checking: says so, and Check now is disabled (also while the store waits for an answer)', () => {
    const checking = details(updateStatus({ state: 'checking' }))
    expect(live(checking).text()).toBe('Checking for updates…')
    expect(facts(checking)['Next check']).toBe('Now')
    expect(button(checking, 'Check now').element.disabled).toBe(true)
    const asked = details(updateStatus({ state: 'idle' }), { checking: true })
    expect(button(asked, 'Check now').element.disabled).toBe(true)
  })

  it('downloading: the version and the whole percentage, with a labelled progress bar', () => {
    const wrapper = details(downloadingStatus('1.5.0', 42.7))
    expect(live(wrapper).text()).toBe('Downloading Clinic Desk 1.5.0: 42%')
    // The percentage is not announced at every tick: the progress bar carries it.
    expect(live(wrapper).find('span[aria-hidden="true"]').text()).toBe(': 42%')
    const bar = wrapper.find('progress')
    expect(bar.attributes('value')).toBe('42')
    expect(bar.attributes('max')).toBe('100')
    expect(bar.attributes('aria-label')).toBe('Download of Clinic Desk 1.5.0')
    expect(hasButton(wrapper, 'Restart and install')).toBe(false)
  })

  it('ready: "Restart and install" asks to install, and is disabled once asked', async () => {
    const wrapper = details(readyStatus('1.5.0'))
    expect(live(wrapper).text()).toBe('Clinic Desk 1.5.0 is ready to install. It installs when Clinic Desk restarts.')
    expect(wrapper.find('progress').exists()).toBe(false)
    await button(wrapper, 'Restart and install').trigger('click')
    expect(wrapper.emitted('install')).toHaveLength(1)
    await wrapper.setProps({ installing: true })
    expect(button(wrapper, 'Restart and install').element.disabled).toBe(true)
    expect(button(wrapper, 'Check now').element.disabled).toBe(true)
  })

  it('ready and forced: when Clinic Desk restarts', () => {
    const wrapper = details(readyStatus('1.5.0', local(26, 10, 1)))
    expect(live(wrapper).text()).toBe('Clinic Desk 1.5.0 is ready to install. Your administrator requires it: Clinic Desk restarts at 10:01:00.')
    expect(hasButton(wrapper, 'Restart and install')).toBe(true)
  })

  it.each([
    ['check', null, 'HttpError: 404', 'The update check failed: HttpError: 404.'],
    ['download', '1.5.0', 'sha512 checksum mismatch', 'The download of Clinic Desk 1.5.0 failed: sha512 checksum mismatch.'],
    ['install', '1.5.0', 'EACCES.', 'The install of Clinic Desk 1.5.0 failed: EACCES.'],
  ] as const)('an error during %s: the step, the message and the retry as the next check', (during, version, message, text) => {
    const wrapper = details(updateStatus({ state: 'error', during, version, message, retryAt: local(26, 10, 2) }))
    expect(live(wrapper).text()).toBe(text)
    expect(facts(wrapper)['Next check']).toBe('10:02:00')
    expect(button(wrapper, 'Check now').element.disabled).toBe(false)
  })

  it('before the status is read: says so, and cannot check', () => {
    const wrapper = details(null)
    expect(wrapper.find('dl').exists()).toBe(false)
    expect(live(wrapper).text()).toBe('The update status has not been read yet.')
    expect(button(wrapper, 'Check now').element.disabled).toBe(true)
  })

  it('a refused call is said in the live region', () => {
    const wrapper = details(updateStatus({ state: 'idle' }), { problem: 'Clinic Desk is quitting' })
    expect(live(wrapper).find('.problem').text()).toBe('Clinic Desk is quitting.')
    expect(live(wrapper).text()).toContain('Not checked yet.')
  })
})

describe('on the Diagnostics screen', () => {
  const mounted: VueWrapper[] = []

  async function mountDiagnostics(status?: UpdateStatus): Promise<{ wrapper: VueWrapper; fake: FakeBridge }> {
    // A clinic in this computer's own zone: the local times above are its clock.
    const fake = createFakeBridge({ snapshot: { session: signedIn(user(), false, clinicZone(systemTimeZone())) } })
    if (status) fake.getUpdateStatus.mockResolvedValue(status)
    const { pinia } = await startedDesk(fake)
    const wrapper = mount(DiagnosticsView, { global: { plugins: [pinia] } })
    mounted.push(wrapper)
    await flushPromises()
    return { wrapper, fake }
  }

  const section = (wrapper: VueWrapper) => wrapper.find('[aria-labelledby="updates-title"]')

  afterEach(() => {
    for (const wrapper of mounted.splice(0)) wrapper.unmount()
  })

  it('shows the status the core reports: off (as in every host but a packaged app), Check now disabled and not sent', async () => {
    const { wrapper, fake } = await mountDiagnostics()
    expect(section(wrapper).find('h2').text()).toBe('Version and updates')
    expect(facts(section(wrapper))).toMatchObject({ Updates: 'Off', 'Why off': 'No update server is configured (updates.url in the admin policy)' })
    const check = button(section(wrapper), 'Check now')
    expect(check.element.disabled).toBe(true)
    await check.trigger('click')
    await flushPromises()
    expect(fake.checkForUpdates).not.toHaveBeenCalled()
  })

  it('Check now calls checkForUpdates, is disabled until the answer, then shows it', async () => {
    const { wrapper, fake } = await mountDiagnostics(updateStatus({ state: 'idle', lastCheckedAt: local(26, 6, 0) }))
    let answer: (status: UpdateStatus) => void = () => undefined
    fake.checkForUpdates.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    await button(section(wrapper), 'Check now').trigger('click')
    expect(fake.checkForUpdates).toHaveBeenCalledTimes(1)
    expect(button(section(wrapper), 'Check now').element.disabled).toBe(true)
    answer(updateStatus({ state: 'idle', lastCheckedAt: local(26, 9, 59, 58) }))
    await flushPromises()
    expect(facts(section(wrapper))['Last successful check']).toBe('09:59:58')
    expect(button(section(wrapper), 'Check now').element.disabled).toBe(false)
  })

  it('follows update events: a download, then "Restart and install" calls installUpdate', async () => {
    const { wrapper, fake } = await mountDiagnostics(updateStatus({ state: 'idle', lastCheckedAt: local(26, 9, 0) }))
    fake.emit({ kind: 'update', status: downloadingStatus('1.5.0', 61.2) })
    await flushPromises()
    expect(section(wrapper).find('[role="status"]').text()).toBe('Downloading Clinic Desk 1.5.0: 61%')
    fake.emit({ kind: 'update', status: readyStatus('1.5.0') })
    await flushPromises()
    await button(section(wrapper), 'Restart and install').trigger('click')
    await flushPromises()
    expect(fake.installUpdate).toHaveBeenCalledTimes(1)
    expect(button(section(wrapper), 'Restart and install').element.disabled).toBe(true)
  })

  it('a refused check is shown with the section', async () => {
    const { wrapper, fake } = await mountDiagnostics(updateStatus({ state: 'idle' }))
    fake.checkForUpdates.mockRejectedValueOnce(new Error('Clinic Desk is quitting.'))
    await button(section(wrapper), 'Check now').trigger('click')
    await flushPromises()
    expect(section(wrapper).find('[role="status"] .problem').text()).toBe('Clinic Desk is quitting.')
  })
})
