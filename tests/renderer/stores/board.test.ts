// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ALL, useBoardStore } from '../../../src/renderer/src/stores/board'
import { createFakeBridge, settle } from '../fake-bridge'
import { DAY, appointment, at, board } from '../fixtures'
import { startedDesk, withFakeBridge } from '../setup'

afterEach(() => vi.useRealTimers())

describe('board store', () => {
  it('replaces a row with the newer state from `appointment.updated` and highlights it for about 2 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { fake } = await startedDesk()
    const store = useBoardStore()
    const updated = appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:01') })
    fake.emit({ kind: 'appointment.updated', appointment: updated, action: 'confirmed', changed: ['status'] })
    expect(store.board?.appointments.find((a) => a.id === 1)?.status).toBe('checked_in')
    expect(store.board?.appointments).toHaveLength(4)
    expect(store.isHighlighted(1)).toBe(true)
    expect(store.highlighted[1]).toEqual(['status'])
    expect(store.lastChange?.appointment.id).toBe(1)
    vi.advanceTimersByTime(1900)
    expect(store.isHighlighted(1)).toBe(true)
    vi.advanceTimersByTime(200)
    expect(store.isHighlighted(1)).toBe(false)
  })

  it('ignores an update older than the row it would replace (newest wins)', async () => {
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 1, status: 'cancelled', updated_at: at('06:00') }), action: 'cancelled', changed: ['status'] })
    expect(store.board?.appointments.find((a) => a.id === 1)?.status).toBe('confirmed')
    expect(store.isHighlighted(1)).toBe(false)
  })

  it('adds a new appointment of the day in time order, and drops one moved to another day', async () => {
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 9, doctor_id: 31, appointment_date: at('08:15') }), action: 'confirmed', changed: [] })
    expect(store.columns[0]?.appointments.map((a) => a.id)).toEqual([9, 1, 2])
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 2, doctor_id: 31, appointment_date: at('09:30', '2026-11-27'), updated_at: at('09:00') }), action: 'confirmed', changed: ['appointment_date'] })
    expect(store.columns[0]?.appointments.map((a) => a.id)).toEqual([9, 1])
  })

  it('ignores another day’s appointment it does not hold', async () => {
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 50, appointment_date: at('09:00', '2026-11-28') }), action: 'confirmed', changed: [] })
    expect(store.board?.appointments.some((a) => a.id === 50)).toBe(false)
  })

  it('builds one column per doctor, own column order kept, plus one for a doctor the board does not list', () => {
    withFakeBridge()
    const store = useBoardStore()
    store.replace(board({ appointments: [...board().appointments, appointment({ id: 7, doctor_id: 99 })] }))
    expect(store.columns.map((c) => c.doctorId)).toEqual([31, 32, 99])
    expect(store.columns[2]?.name).toBe('Doctor #99')
  })

  it('filters by doctor and by status; unknown statuses are offered too', () => {
    withFakeBridge()
    const store = useBoardStore()
    store.replace(board({ appointments: [...board().appointments, appointment({ id: 8, doctor_id: 32, status: 'waiting_room' })] }))
    expect(store.statusOptions.at(-1)).toEqual({ value: 'waiting_room', label: 'Waiting room' })
    store.setDoctorFilter(32)
    expect(store.columns.map((c) => c.doctorId)).toEqual([32])
    store.setStatusFilter('cancelled')
    expect(store.columns[0]?.appointments.map((a) => a.id)).toEqual([3])
    store.setDoctorFilter(ALL)
    expect(store.columns.map((c) => c.appointments.length)).toEqual([0, 1])
  })

  it('loads another day through the bridge, and only the latest answer counts', async () => {
    const { fake } = withFakeBridge(createFakeBridge())
    const answers: Array<(b: ReturnType<typeof board>) => void> = []
    fake.loadBoard.mockImplementation(() => new Promise((resolve) => answers.push(resolve)))
    const store = useBoardStore()
    const first = store.load('2026-11-27')
    const second = store.load('2026-11-28')
    expect(store.date).toBe('2026-11-28')
    answers[1]?.(board({ date: '2026-11-28' }))
    await second
    answers[0]?.(board({ date: '2026-11-27' }))
    await first
    expect(fake.loadBoard.mock.calls.map((c) => c[0])).toEqual([{ date: '2026-11-27' }, { date: '2026-11-28' }])
    expect(store.board?.date).toBe('2026-11-28')
    expect(store.loading).toBe(false)
  })

  it('reports a board that could not be loaded', async () => {
    const { fake } = withFakeBridge()
    fake.loadBoard.mockRejectedValueOnce(new Error('Not signed in.'))
    const store = useBoardStore()
    await store.load(DAY)
    expect(store.error).toContain('Not signed in.')
  })

  it('is stale exactly when the core says so', async () => {
    const { fake } = await startedDesk()
    const store = useBoardStore()
    expect(store.stale).toBe(false)
    fake.emit({ kind: 'board.replaced', board: board({ stale: true, syncedAt: at('08:42') }) })
    await settle()
    expect(store.stale).toBe(true)
    expect(store.syncedAt).toBe(at('08:42'))
  })
})
