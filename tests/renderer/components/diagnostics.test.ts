// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import DiagnosticsView from '../../../src/renderer/src/views/DiagnosticsView.vue'
import { createFakeBridge } from '../fake-bridge'
import { button } from '../dom'
import { at, channel, diagnostics } from '../fixtures'
import { startedDesk } from '../setup'

const CHANNELS = [
  channel({ name: 'private-notifications.2', eventCount: 4, lastLatencyMs: 35, lastEventAt: at('08:59') }),
  channel({ name: 'presence-clinic.1', state: 'failed', errorStatus: 403, error: 'The server refused the subscription', subscribedAt: null }),
  channel({ name: 'private-appointments.2', state: 'pending', subscribedAt: null }),
]

async function mountDiagnostics(cache: { writeError: string | null; datesFlagged: number } = { writeError: null, datesFlagged: 0 }) {
  const fake = createFakeBridge({ snapshot: { channels: CHANNELS } })
  fake.getDiagnostics.mockResolvedValue(
    diagnostics({
      connection: fake.snapshot.connection,
      timeline: [{ at: at('08:00'), from: 'connecting', to: 'live', detail: null }],
      channels: CHANNELS,
      rejected: [{ channel: 'private-notifications.2', event: 'general-notification', reason: 'id: expected number', count: 3, lastAt: at('08:30') }],
      cache: { notifications: 12, outbox: 0, ...cache },
      features: fake.snapshot.features,
    }),
  )
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(DiagnosticsView, { global: { plugins: [pinia] } })
  await flushPromises()
  return { wrapper, fake }
}

afterEach(() => vi.unstubAllGlobals())

describe('diagnostics', () => {
  it('lists each channel with its state, and a failed one with its error status instead of crashing', async () => {
    const { wrapper } = await mountDiagnostics()
    const table = wrapper.find('table')
    expect(table.find('caption').text()).toBe('Channels')
    const failed = table.find('[data-channel="presence-clinic.1"]')
    expect(failed.find('td').text()).toContain('failed')
    expect(failed.find('td').text()).toContain('403')
    expect(failed.text()).toContain('The server refused the subscription')
    expect(table.find('[data-channel="private-notifications.2"] td').text()).toContain('subscribed')
    expect(table.find('[data-channel="private-notifications.2"]').text()).toContain('35 ms')
    expect(table.find('[data-channel="private-appointments.2"] td').text()).toContain('pending')
  })

  it('says in words when the cache cannot write, and how many notifications it kept with odd dates', async () => {
    const quiet = await mountDiagnostics()
    expect(quiet.wrapper.text()).not.toContain('Cache problem')
    quiet.wrapper.unmount()
    const { wrapper } = await mountDiagnostics({ writeError: 'the disk is full: notifications are not being saved', datesFlagged: 2 })
    expect(wrapper.text()).toContain('Cache problem')
    expect(wrapper.text()).toContain('the disk is full: notifications are not being saved')
    expect(wrapper.text()).toContain('2 notification(s) kept although dated in the future or back-dated')
  })

  it('shows rejected payloads with their reasons and counts, and the timeline', async () => {
    const { wrapper } = await mountDiagnostics()
    const section = wrapper.find('[aria-labelledby="rejected-title"]')
    expect(section.find('h2').text()).toBe('Rejected payloads')
    expect(section.text()).toContain('id: expected number')
    expect(section.find('[data-rejected] .num').text()).toBe('3')
    expect(wrapper.find('[aria-labelledby="timeline-title"]').text()).toContain('Connecting… → Live')
  })

  it('runs the checks and shows what to do about a failure', async () => {
    const { wrapper, fake } = await mountDiagnostics()
    fake.runChecks.mockResolvedValueOnce({
      ok: false,
      ranAt: at('09:00'),
      checks: [{ id: 'auth', title: 'Channel authorization', ok: false, detail: 'presence-clinic.1 answered 403', fix: 'Allow staff on the clinic channel.' }],
    })
    await button(wrapper, 'Run checks').trigger('click')
    await flushPromises()
    expect(fake.runChecks).toHaveBeenCalledTimes(1)
    expect(wrapper.find('[data-check="auth"]').text()).toContain('Allow staff on the clinic channel.')
    expect(wrapper.text()).toContain('Some checks failed')
  })

  it('shows a limited feature as a note, not a failure: the required checks passed', async () => {
    const { wrapper, fake } = await mountDiagnostics()
    fake.runChecks.mockResolvedValueOnce({
      ok: true,
      ranAt: at('09:00'),
      checks: [
        { id: 'sign-in', title: 'Sign-in', ok: true, detail: 'Signed in as Vera.', fix: null },
        {
          id: 'feature-board',
          title: 'Clinic server: Appointment board',
          ok: true,
          warning: true,
          detail: 'Not understood: GET /api/appointments (at data.0.appointment_date: …).',
          fix: 'Map it in the policy\'s API profile: "api": {"fields": {"appointments.appointment_date": "slot"}}',
        },
      ],
    })
    await button(wrapper, 'Run checks').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-check="sign-in"]').attributes('data-verdict')).toBe('pass')
    const note = wrapper.find('[data-check="feature-board"]')
    expect(note.attributes('data-verdict')).toBe('note')
    expect(note.find('.mark').text()).toBe('Note')
    expect(note.text()).toContain('"appointments.appointment_date": "slot"')
    expect(wrapper.text()).toContain('The required checks passed; 1 item needs attention')
    expect(wrapper.text()).not.toContain('All checks passed')
  })

  it('copies the diagnostics report to the clipboard, with a visible confirmation', async () => {
    const writeText = vi.fn(async (_text: string) => undefined)
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const { wrapper, fake } = await mountDiagnostics()
    fake.diagnosticsReport.mockResolvedValueOnce({ text: '{"report":true}' })
    await button(wrapper, 'Copy diagnostics').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('{"report":true}')
    expect(wrapper.find('.copy-note').text()).toContain('copied to the clipboard')
  })

  it('offers the report to copy by hand when the clipboard refuses', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: () => Promise.reject(new Error('Write permission denied.')) } })
    const { wrapper, fake } = await mountDiagnostics()
    fake.diagnosticsReport.mockResolvedValueOnce({ text: 'REPORT TEXT' })
    await button(wrapper, 'Copy diagnostics').trigger('click')
    await flushPromises()
    expect(wrapper.find('.copy-note').text()).toContain('Write permission denied.')
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('REPORT TEXT')
  })
})
