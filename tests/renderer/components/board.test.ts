// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import BoardView from '../../../src/renderer/src/views/BoardView.vue'
import { clock } from '../../../src/renderer/src/lib/time'
import { createFakeBridge } from '../fake-bridge'
import { CLINIC_ZONE, appointment, at, board, connection, signedIn, user } from '../fixtures'
import { byLabel } from '../dom'
import { startedDesk } from '../setup'

afterEach(() => vi.useRealTimers())

async function mountBoard(fake = createFakeBridge()) {
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(BoardView, { global: { plugins: [pinia] } })
  await flushPromises()
  return { wrapper, fake }
}

describe('appointment board', () => {
  it('shows one column per doctor with each appointment’s patient, time and status chip', async () => {
    const { wrapper } = await mountBoard()
    const region = wrapper.find('[aria-label="Appointment board"]')
    expect(region.exists()).toBe(true)
    expect(region.findAll('[data-doctor-id]').map((c) => c.attributes('data-doctor-id'))).toEqual(['31', '32'])
    const alice = region.find('[data-appointment-id="1"]')
    expect(alice.attributes('data-status')).toBe('confirmed')
    expect(alice.text()).toContain('Alice Archer')
    expect(alice.text()).toContain(clock(at('09:00'), CLINIC_ZONE))
    expect(alice.find('.chip').text()).toBe('Confirmed')
    expect(region.find('[data-appointment-id="2"] .chip').text()).toBe('Checked in')
    expect(region.find('[data-appointment-id="3"] .chip').text()).toBe('Cancelled')
    expect(region.find('[data-appointment-id="4"] .chip').text()).toBe('Reminder sent')
    expect(region.find('[data-doctor-id="32"]').text()).toContain('Dr. Ben Carson')
  })

  it('shows an unknown status as text', async () => {
    const { wrapper } = await mountBoard(createFakeBridge({ snapshot: { board: board({ appointments: [appointment({ id: 5, status: 'waiting_room' })] }) } }))
    expect(wrapper.find('[data-appointment-id="5"] .chip').text()).toBe('Waiting room')
  })

  it('highlights a row for about 2 s after a live change', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { wrapper, fake } = await mountBoard()
    const row = () => wrapper.find('[data-appointment-id="1"]')
    expect(row().attributes('data-highlight')).toBe('false')
    fake.emit({
      kind: 'appointment.updated',
      appointment: appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:02') }),
      action: 'confirmed',
      changed: ['status'],
    })
    await flushPromises()
    expect(row().attributes('data-highlight')).toBe('true')
    expect(row().attributes('data-status')).toBe('checked_in')
    expect(row().find('.chip').text()).toBe('Checked in')
    expect(wrapper.find('[aria-live="polite"]').text()).toContain('Alice Archer')
    vi.advanceTimersByTime(2100)
    await flushPromises()
    expect(row().attributes('data-highlight')).toBe('false')
  })

  it('filters by doctor and by status', async () => {
    const { wrapper } = await mountBoard()
    await byLabel(wrapper, 'Doctor').setValue('32')
    expect(wrapper.findAll('[data-doctor-id]').map((c) => c.attributes('data-doctor-id'))).toEqual(['32'])
    await byLabel(wrapper, 'Status').setValue('cancelled')
    expect(wrapper.findAll('[data-appointment-id]').map((a) => a.attributes('data-appointment-id'))).toEqual(['3'])
    await byLabel(wrapper, 'Doctor').setValue('all')
    await byLabel(wrapper, 'Status').setValue('all')
    expect(wrapper.findAll('[data-appointment-id]')).toHaveLength(4)
  })

  it('switches the day with the Date input', async () => {
    const { wrapper, fake } = await mountBoard()
    const date = byLabel(wrapper, 'Date')
    expect(date.element.value).toBe('2026-11-26')
    await date.setValue('2026-11-27')
    await flushPromises()
    expect(fake.loadBoard).toHaveBeenCalledWith({ date: '2026-11-27' })
    expect(wrapper.findAll('[data-appointment-id]')).toHaveLength(0)
  })

  it('shows "Stale since HH:MM" only while the board is stale', async () => {
    const { wrapper, fake } = await mountBoard()
    expect(wrapper.find('[data-testid="stale-banner"]').exists()).toBe(false)
    fake.emit({ kind: 'board.replaced', board: board({ stale: true, syncedAt: '2026-11-26T08:42:10.000000Z' }) })
    await flushPromises()
    const banner = wrapper.find('[data-testid="stale-banner"]')
    expect(banner.text()).toBe(`Stale since ${clock('2026-11-26T08:42:10.000000Z', CLINIC_ZONE)}`)
    expect(banner.text()).toMatch(/^Stale since \d{2}:\d{2}$/)
    fake.emit({ kind: 'board.replaced', board: board({ stale: false }) })
    await flushPromises()
    expect(wrapper.find('[data-testid="stale-banner"]').exists()).toBe(false)
  })

  it('"synced HH:MM" moves on with each sync while the board is current (a sync that found nothing new does not resend it)', async () => {
    const { wrapper, fake } = await mountBoard()
    fake.emit({ kind: 'board.replaced', board: board({ stale: false, syncedAt: at('09:00') }) })
    fake.emit({ kind: 'connection', connection: connection('live', { lastSyncAt: at('09:05') }) })
    await flushPromises()
    expect(wrapper.find('.fresh time').attributes('datetime')).toBe(at('09:05'))
    // Stale: the time of the board's last read, not of the last sync.
    fake.emit({ kind: 'board.replaced', board: board({ stale: true, syncedAt: at('09:00') }) })
    await flushPromises()
    expect(wrapper.find('[data-testid="stale-banner"]').text()).toBe(`Stale since ${clock(at('09:00'), CLINIC_ZONE)}`)
  })

  it('marks a doctor’s own column', async () => {
    const { wrapper } = await mountBoard(
      createFakeBridge({
        snapshot: {
          session: signedIn(user({ id: 5, name: 'Dr. Ben Carson', role: 'doctor', doctor_id: 32 })),
          board: board({ doctors: [{ doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds: null }, { doctorId: 31, name: 'Dr. Ada Lovelace', refreshSeconds: null }] }),
        },
      }),
    )
    const first = wrapper.findAll('[data-doctor-id]')[0]
    expect(first?.attributes('data-doctor-id')).toBe('32')
    expect(first?.find('h2').text()).toContain('(you)')
  })
})
