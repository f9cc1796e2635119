// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import BoardColumn from '../../../src/renderer/src/components/BoardColumn.vue'
import ConnectionStatus from '../../../src/renderer/src/components/ConnectionStatus.vue'
import BoardView from '../../../src/renderer/src/views/BoardView.vue'
import ConsultationsView from '../../../src/renderer/src/views/ConsultationsView.vue'
import DiagnosticsView from '../../../src/renderer/src/views/DiagnosticsView.vue'
import NotificationsView from '../../../src/renderer/src/views/NotificationsView.vue'
import PresenceView from '../../../src/renderer/src/views/PresenceView.vue'
import type { ClinicTimeZone } from '../../../src/shared/clinic-time'
import type { Board } from '../../../src/shared/desk-state'
import { accessibleName, button, byLabel } from '../dom'
import { createFakeBridge, type FakeBridge } from '../fake-bridge'
import { ROSTER, appointment, board, clinicZone, connection, consultation, diagnostics, member, notification, signedIn, user } from '../fixtures'
import { startedDesk } from '../setup'

/**
 * What the window shows on the clinic's clock: the board's day and "Today",
 * the times on every screen, the zone named when this computer keeps another
 * one; the columns the server refuses to this desk; the warning that the
 * server's broadcasts stopped.
 */

const LA = 'America/Los_Angeles'
const WARNING =
  "The server's broadcasts seem to have stopped: the last reconciliations found changes no live event announced. Is the clinic server's queue worker running (php artisan queue:work), and is BROADCAST_CONNECTION set? The desk checks the server every 60 s meanwhile."

/** This computer's zone, for one test: the runtime reads `TZ` as it changes. */
function computerIn(zone: string): void {
  vi.stubEnv('TZ', zone)
}

afterEach(() => {
  vi.unstubAllEnvs()
  vi.useRealTimers()
  document.body.innerHTML = ''
})

/** Friday 27 November in Los Angeles: 09:00 and 19:30 there (17:00 on Friday and 03:30 on Saturday in UTC). */
const FRIDAY = '2026-11-27'
function fridayInLosAngeles(overrides: Partial<Board> = {}): Board {
  return board({
    date: FRIDAY,
    appointments: [
      appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', appointment_date: '2026-11-27T17:00:00Z' }),
      appointment({ id: 2, doctor_id: 32, patient_name: 'Evan Evening', appointment_date: '2026-11-28T03:30:00Z' }),
    ],
    ...overrides,
  })
}

function deskIn(zone: string | ClinicTimeZone, snapshot: Parameters<typeof createFakeBridge>[0] = {}): FakeBridge {
  const timeZone = typeof zone === 'string' ? clinicZone(zone) : zone
  return createFakeBridge({ snapshot: { session: signedIn(user(), false, timeZone), board: fridayInLosAngeles(), ...snapshot.snapshot } })
}

async function mountIn<T>(component: T, fake: FakeBridge): Promise<VueWrapper> {
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(component as never, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

const zoneNote = (wrapper: VueWrapper) => wrapper.find('[data-testid="zone-note"]')

describe('the board on the clinic’s clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    // 19:34 on Friday in Los Angeles: already Saturday in UTC.
    vi.setSystemTime(Date.parse('2026-11-28T03:34:00Z'))
  })

  it('opens on the clinic’s Friday with its times, and names the zone on a computer in London', async () => {
    computerIn('Europe/London')
    const wrapper = await mountIn(BoardView, deskIn(LA))
    expect(byLabel(wrapper, 'Date').element.value).toBe(FRIDAY)
    expect(wrapper.find('.sub').text()).toContain('Friday')
    expect(button(wrapper, 'Today').element.disabled).toBe(true)
    expect(wrapper.find('[data-appointment-id="1"] time').text()).toBe('09:00')
    expect(wrapper.find('[data-appointment-id="2"] time').text()).toBe('19:30')
    expect(zoneNote(wrapper).text()).toBe('Times in America/Los_Angeles (PST)')
    wrapper.unmount()
  })

  it('says nothing about zones on a computer in the clinic’s own zone', async () => {
    computerIn(LA)
    const wrapper = await mountIn(BoardView, deskIn(LA))
    expect(zoneNote(wrapper).exists()).toBe(false)
    expect(wrapper.find('[data-appointment-id="2"] time').text()).toBe('19:30')
    wrapper.unmount()
  })

  it('names the zone as it reads on the day shown (summer time on a July day)', async () => {
    computerIn('Europe/London')
    const fake = deskIn(LA)
    fake.loadBoard.mockResolvedValueOnce(board({ date: '2026-07-03', appointments: [] }))
    const wrapper = await mountIn(BoardView, fake)
    await byLabel(wrapper, 'Date').setValue('2026-07-03')
    await flushPromises()
    expect(zoneNote(wrapper).text()).toBe('Times in America/Los_Angeles (PDT)')
    wrapper.unmount()
  })

  it('announces a live change with the clinic’s time', async () => {
    const fake = deskIn(LA)
    const wrapper = await mountIn(BoardView, fake)
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 2, doctor_id: 32, patient_name: 'Evan Evening', status: 'checked_in', appointment_date: '2026-11-28T03:30:00Z', updated_at: '2026-11-28T03:34:00Z' }), action: 'checked_in', changed: ['status'] })
    await flushPromises()
    expect(wrapper.find('[aria-live="polite"]').text()).toBe('Evan Evening, 19:30: Checked in')
    expect(wrapper.find('[data-appointment-id="2"]').attributes('data-highlight')).toBe('true')
    wrapper.unmount()
  })
})

describe('the board at the clinic’s midnight', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    // 23:59:30 on Friday in Los Angeles.
    vi.setSystemTime(Date.parse('2026-11-28T07:59:30Z'))
  })

  it('moves "Today" on by itself, and shows the new day the core moves the board to', async () => {
    const fake = deskIn(LA)
    const wrapper = await mountIn(BoardView, fake)
    const today = () => button(wrapper, 'Today').element
    expect(today().disabled).toBe(true)
    vi.advanceTimersByTime(30_000)
    await flushPromises()
    // Saturday now; the board still shows Friday until the core's new board is in.
    expect(today().disabled).toBe(false)
    expect(byLabel(wrapper, 'Date').element.value).toBe(FRIDAY)
    fake.emit({ kind: 'board.replaced', board: board({ date: '2026-11-28', appointments: [] }) })
    await flushPromises()
    expect(byLabel(wrapper, 'Date').element.value).toBe('2026-11-28')
    expect(wrapper.find('.sub').text()).toContain('Saturday')
    expect(today().disabled).toBe(true)
    // The window asked the core for nothing: one move, the core's.
    expect(fake.loadBoard).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('stays on the day the user is looking at; "Today" still leads to the new day', async () => {
    const fake = deskIn(LA)
    const wrapper = await mountIn(BoardView, fake)
    await button(wrapper, 'Previous day').trigger('click')
    await flushPromises()
    expect(byLabel(wrapper, 'Date').element.value).toBe('2026-11-26')
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(byLabel(wrapper, 'Date').element.value).toBe('2026-11-26')
    await button(wrapper, 'Today').trigger('click')
    await flushPromises()
    expect(fake.loadBoard).toHaveBeenLastCalledWith({ date: '2026-11-28' })
    expect(byLabel(wrapper, 'Date').element.value).toBe('2026-11-28')
    expect(button(wrapper, 'Today').element.disabled).toBe(true)
    wrapper.unmount()
  })
})

describe('a column the server does not let this desk follow live', () => {
  const column = (refreshSeconds: number | null) => ({ doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds, appointments: [] })

  it('says how often it refreshes, and why, to everyone', () => {
    const wrapper = mount(BoardColumn, { props: { column: column(60), lit: new Set<number>(), own: false, filtered: false } })
    const note = wrapper.find('[data-testid="column-refresh"]')
    expect(note.find('[aria-hidden="true"]:not(svg)').text()).toBe('Refreshes every 60 s')
    const why = 'Not live: the clinic server does not allow live updates of this doctor\'s schedule on this desk, so the column is read again every 60 seconds.'
    expect(note.attributes('title')).toBe(why)
    const section = wrapper.find('section')
    const described = wrapper.find(`#${section.attributes('aria-describedby') ?? 'missing'}`)
    expect(described.text()).toBe(why)
    expect(accessibleName(note.element)).toBe(why)
    expect(section.attributes('data-refresh-seconds')).toBe('60')
  })

  it('says minutes for whole minutes, and nothing for a live column', async () => {
    const wrapper = mount(BoardColumn, { props: { column: column(300), lit: new Set<number>(), own: false, filtered: false } })
    expect(wrapper.find('[data-testid="column-refresh"] [aria-hidden="true"]:not(svg)').text()).toBe('Refreshes every 5 min')
    await wrapper.setProps({ column: column(null) })
    expect(wrapper.find('[data-testid="column-refresh"]').exists()).toBe(false)
    expect(wrapper.find('section').attributes('aria-describedby')).toBeUndefined()
  })

  it('shows on the board for a doctor’s colleague, not for the doctor’s own column', async () => {
    const doctor = user({ id: 5, name: 'Dr. Ada Lovelace', role: 'doctor', doctor_id: 31 })
    const fake = createFakeBridge({
      snapshot: {
        session: signedIn(doctor),
        board: board({ doctors: [{ doctorId: 31, name: 'Dr. Ada Lovelace', refreshSeconds: null }, { doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds: 60 }] }),
      },
    })
    const wrapper = await mountIn(BoardView, fake)
    expect(wrapper.find('[data-doctor-id="31"] [data-testid="column-refresh"]').exists()).toBe(false)
    expect(wrapper.find('[data-doctor-id="32"] [data-testid="column-refresh"]').text()).toContain('Refreshes every 60 s')
    // The server lets it live later: the note goes.
    fake.emit({ kind: 'board.replaced', board: board({ doctors: [{ doctorId: 31, name: 'Dr. Ada Lovelace', refreshSeconds: null }, { doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds: null }] }) })
    await flushPromises()
    expect(wrapper.find('[data-testid="column-refresh"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('the server’s broadcasts stopped', () => {
  it('the status says so calmly, with the admin’s words one click from Diagnostics', async () => {
    const wrapper = mount(ConnectionStatus, { props: { connection: connection('live', { broadcastWarning: WARNING }) } })
    const status = wrapper.find('[data-testid="connection-status"]')
    expect(status.text()).toBe('Live, updates may be late')
    expect(status.attributes('data-broadcast-warning')).toBe('true')
    const link = status.find('button')
    expect(link.attributes('data-testid')).toBe('broadcast-warning')
    const name = `Live, updates may be late: ${WARNING.slice(0, -1)}. Open Diagnostics`
    expect(accessibleName(link.element)).toBe(name)
    expect(link.attributes('title')).toBe(name)
    await link.trigger('click')
    expect(wrapper.emitted('diagnostics')).toHaveLength(1)
  })

  it('says both when features are limited too', () => {
    const wrapper = mount(ConnectionStatus, { props: { connection: connection('live', { broadcastWarning: WARNING, limitedFeatures: ['board'] }) } })
    const link = wrapper.find('[data-testid="connection-status"] button')
    expect(link.text()).toBe('Live, 1 feature limited, updates may be late')
    expect(link.attributes('data-testid')).toBe('limited-features')
    expect(accessibleName(link.element)).toBe(`Live, 1 feature limited, updates may be late: the clinic server does not fully serve Appointment board. ${WARNING.slice(0, -1)}. Open Diagnostics`)
  })

  it('while the core polls because of it: "No live updates", one click from Diagnostics', async () => {
    const wrapper = mount(ConnectionStatus, { props: { connection: connection('polling', { broadcastWarning: WARNING }) } })
    const status = wrapper.find('[data-testid="connection-status"]')
    expect(status.text()).toBe('No live updates')
    expect(status.attributes('data-broadcast-warning')).toBe('true')
    const link = wrapper.get('[data-testid="broadcast-warning"]')
    expect(accessibleName(link.element)).toBe(`No live updates: ${WARNING.slice(0, -1)}. Open Diagnostics`)
    await link.trigger('click')
    expect(wrapper.emitted('diagnostics')).toHaveLength(1)
  })

  it('is not mentioned while the socket is down (that is the connection’s own story)', () => {
    for (const state of ['offline', 'reconnecting'] as const) {
      const wrapper = mount(ConnectionStatus, { props: { connection: connection(state, { broadcastWarning: WARNING }) } })
      expect(wrapper.find('[data-testid="connection-status"]').attributes('data-broadcast-warning')).toBeUndefined()
    }
  })

  it('comes and goes with the core’s connection events, in the app’s status bar', async () => {
    const fake = createFakeBridge()
    const wrapper = mount(App, { props: { connect: () => Promise.resolve(fake) }, global: { plugins: [createPinia()] }, attachTo: document.body })
    await flushPromises()
    const status = () => wrapper.find('[data-testid="connection-status"]')
    expect(status().text()).toBe('Live')
    // What the core then says, in its events and in its diagnostics alike.
    fake.snapshot.connection = connection('live', { since: '2026-11-26T09:00:00.000000Z', broadcastWarning: WARNING })
    fake.emit({ kind: 'connection', connection: fake.snapshot.connection })
    await flushPromises()
    expect(status().text()).toBe('Live, updates may be late')
    await status().find('button').trigger('click')
    await flushPromises()
    expect(wrapper.find('h1').text()).toBe('Diagnostics')
    expect(wrapper.find('[data-testid="broadcast-warning-notice"]').text()).toBe(WARNING)
    fake.snapshot.connection = connection('live', { since: '2026-11-26T09:00:00.000000Z', broadcastWarning: null })
    fake.emit({ kind: 'connection', connection: fake.snapshot.connection })
    await flushPromises()
    expect(status().text()).toBe('Live')
    expect(wrapper.find('[data-testid="broadcast-warning-notice"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('Diagnostics: the clinic’s zone and the checks while live', () => {
  /** The Connection card's definition list as term → value. */
  function facts(wrapper: VueWrapper): Record<string, string> {
    const card = wrapper.find('[aria-labelledby="connection-title"]')
    const terms = card.findAll('dt')
    const values = card.findAll('dd')
    return Object.fromEntries(terms.map((t, i) => [t.text(), values[i]?.text() ?? '']))
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.parse('2026-11-28T03:34:00Z'))
  })

  it('names the zone, where it came from, and this computer’s own when it differs', async () => {
    computerIn('Europe/London')
    const fake = deskIn(LA)
    fake.getDiagnostics.mockResolvedValue(
      diagnostics({
        timeZone: clinicZone(LA),
        reconciliation: { intervalSec: 60, lastAt: '2026-11-28T03:33:10.000000Z', requests: 14, notModified: 12, unannounced: 0 },
      }),
    )
    const wrapper = await mountIn(DiagnosticsView, fake)
    const f = facts(wrapper)
    expect(f['Clinic time zone']).toBe('America/Los_Angeles (PST), from the clinic server')
    expect(f['This computer’s zone']).toBe('Europe/London')
    expect(f['Time zone note']).toBeUndefined()
    expect(f['Checks while live']).toBe('every 60 s, last 19:33:10; 14 request(s), 12 answered “unchanged”; 0 change(s) found that no live update had announced')
    expect(zoneNote(wrapper).text()).toBe('Times in America/Los_Angeles (PST)')
    expect(wrapper.find('[data-testid="broadcast-warning-notice"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says why a zone the server named was set aside, and the policy’s source', async () => {
    computerIn('Asia/Kathmandu')
    const zone = clinicZone('Asia/Kathmandu', { source: 'policy', note: 'The server named "Mars/Olympus", which is not a time zone: using the policy’s clinic.timeZone.' })
    const wrapper = await mountIn(DiagnosticsView, deskIn(zone))
    const f = facts(wrapper)
    expect(f['Clinic time zone']).toMatch(/^Asia\/Kathmandu \(.+\), from the administrator’s policy$/)
    expect(f['Time zone note']).toBe(zone.note)
    expect(f['This computer’s zone']).toBeUndefined()
    expect(zoneNote(wrapper).exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows the broadcast warning in words an admin understands', async () => {
    const wrapper = await mountIn(DiagnosticsView, deskIn(LA, { snapshot: { connection: connection('live', { broadcastWarning: WARNING }) } }))
    const notice = wrapper.find('[data-testid="broadcast-warning-notice"]')
    expect(notice.classes()).toContain('notice')
    expect(notice.text()).toBe(WARNING)
    expect(notice.text()).toContain('queue worker running')
    wrapper.unmount()
  })
})

describe('the other screens on the clinic’s clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.parse('2026-11-28T03:34:00Z'))
    computerIn('Europe/London')
  })

  it('consultations: since and ended times', async () => {
    const fake = deskIn(LA, {
      snapshot: {
        consultations: [
          consultation({ id: 1, status: 'active', started_at: '2026-11-28T03:04:00Z' }),
          consultation({ id: 2, status: 'completed', started_at: '2026-11-28T01:00:00Z', ended_at: '2026-11-28T01:20:00Z' }),
        ],
      },
    })
    const wrapper = await mountIn(ConsultationsView, fake)
    expect(wrapper.find('[data-consultation-id="1"] .timing').text()).toContain('since 19:04')
    expect(wrapper.find('[data-consultation-id="1"] .running').text()).toBe('30:00')
    expect(wrapper.find('[data-consultation-id="2"] .timing').text()).toContain('ended 17:20')
    expect(zoneNote(wrapper).text()).toBe('Times in America/Los_Angeles (PST)')
    wrapper.unmount()
  })

  it('presence: online since', async () => {
    const fake = deskIn(LA, { snapshot: { presence: { clinicId: 1, members: [member({ onlineSince: '2026-11-27T16:45:00Z' })], roster: ROSTER } } })
    const wrapper = await mountIn(PresenceView, fake)
    expect(wrapper.find('[data-member-id="5"] .since').text()).toBe('Online since 08:45')
    expect(zoneNote(wrapper).exists()).toBe(true)
    wrapper.unmount()
  })

  it('notifications: "yesterday" by the clinic’s day, and the full time with its zone', async () => {
    const fake = deskIn(LA)
    fake.listNotifications.mockResolvedValue({ items: [notification({ id: 7, created_at: '2026-11-27T07:30:00Z' })], hasMore: false, unread: 1 })
    const wrapper = await mountIn(NotificationsView, fake)
    const time = wrapper.find('[data-notification-id="7"] time')
    expect(time.text()).toBe('yesterday 23:30')
    expect(time.attributes('title')).toMatch(/26.*2026, 23:30 PST$/)
    wrapper.unmount()
  })
})
