// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ALL, useBoardStore } from '../../../src/renderer/src/stores/board'
import { createFakeBridge, settle } from '../fake-bridge'
import { DAY, appointment, at, board, clinicZone, signedIn, user } from '../fixtures'
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

describe('board store: the clinic’s day', () => {
  const LA = 'America/Los_Angeles'
  const SYDNEY = 'Australia/Sydney'

  function deskIn(zone: string, day: string, appointments = [appointment({ id: 1, appointment_date: `${day}T17:00:00Z` })]) {
    return createFakeBridge({ snapshot: { session: signedIn(user(), false, clinicZone(zone)), board: board({ date: day, appointments }) } })
  }

  it('places a live update by its appointment’s clinic day, not its UTC day (Los Angeles, evening)', async () => {
    const { fake } = await startedDesk(deskIn(LA, '2026-11-27'))
    const store = useBoardStore()
    // Friday 19:30 in Los Angeles is Saturday in UTC: on Friday's board.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 60, appointment_date: '2026-11-28T03:30:00Z' }), action: 'confirmed', changed: [] })
    expect(store.board?.appointments.map((a) => a.id)).toContain(60)
    // Thursday 23:30 in Los Angeles is Friday in UTC: not on Friday's board.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 61, appointment_date: '2026-11-27T07:30:00Z' }), action: 'confirmed', changed: [] })
    expect(store.board?.appointments.map((a) => a.id)).not.toContain(61)
  })

  it('places a live update by its appointment’s clinic day (Sydney, morning)', async () => {
    const { fake } = await startedDesk(deskIn(SYDNEY, '2026-11-27', []))
    const store = useBoardStore()
    // Friday 08:30 in Sydney is Thursday in UTC: on Friday's board.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 70, appointment_date: '2026-11-26T21:30:00Z' }), action: 'confirmed', changed: [] })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([70])
    // Moved to 13:30 on Saturday in Sydney (still Friday in UTC): off Friday's board.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 70, appointment_date: '2026-11-28T02:30:00Z', updated_at: at('09:00') }), action: 'rescheduled', changed: ['appointment_date'] })
    expect(store.board?.appointments).toEqual([])
  })

  it('knows today in the clinic’s zone, and moves on at its midnight by itself', async () => {
    vi.useFakeTimers()
    // 23:59:30 on Thursday in Los Angeles (07:59:30 on Friday in UTC).
    vi.setSystemTime(Date.parse('2026-11-27T07:59:30Z'))
    const { fake } = await startedDesk(deskIn(LA, '2026-11-26'))
    const store = useBoardStore()
    expect(store.today).toBe('2026-11-26')
    expect(store.showingToday).toBe(true)
    vi.advanceTimersByTime(30_000)
    expect(store.today).toBe('2026-11-27')
    // Until the core's new board is in, the board still shows yesterday.
    expect(store.date).toBe('2026-11-26')
    expect(store.showingToday).toBe(false)
    // The core moves a board that showed today to the new day; the store follows.
    fake.emit({ kind: 'board.replaced', board: board({ date: '2026-11-27', appointments: [appointment({ id: 9, appointment_date: '2026-11-27T17:00:00Z' })] }) })
    expect(store.date).toBe('2026-11-27')
    expect(store.showingToday).toBe(true)
    expect(store.board?.appointments.map((a) => a.id)).toEqual([9])
    // The window asked for no board itself: the core's move is the only one.
    expect(fake.loadBoard).not.toHaveBeenCalled()
  })

  it('stays on another day the user is looking at when midnight comes', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-11-27T07:59:30Z'))
    const { fake } = await startedDesk(deskIn(LA, '2026-11-26'))
    const store = useBoardStore()
    await store.load('2026-11-24')
    expect(store.date).toBe('2026-11-24')
    vi.advanceTimersByTime(60_000)
    await settle()
    expect(store.today).toBe('2026-11-27')
    expect(store.date).toBe('2026-11-24')
    expect(store.showingToday).toBe(false)
    expect(fake.loadBoard).toHaveBeenCalledTimes(1)
    // Looking at tomorrow before midnight: after it, that day is today.
    await store.load('2026-11-28')
    vi.advanceTimersByTime(24 * 3600_000)
    expect(store.today).toBe('2026-11-28')
    expect(store.showingToday).toBe(true)
  })

  it('takes a new zone’s today at once (another clinic signed in)', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-11-26T21:30:00Z'))
    const { fake } = await startedDesk(deskIn(LA, '2026-11-26'))
    const store = useBoardStore()
    expect(store.today).toBe('2026-11-26')
    fake.emit({ kind: 'session', session: signedIn(user(), false, clinicZone(SYDNEY)) })
    await settle()
    expect(store.today).toBe('2026-11-27')
  })
})

describe('board store: a live change and a REST read that crossed', () => {
  const lit = (id: number) => useBoardStore().isHighlighted(id)

  it('keeps an update that arrived while the same day was being read again, and its highlight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const fake = createFakeBridge()
    let answer: (b: ReturnType<typeof board>) => void = () => undefined
    fake.loadBoard.mockImplementation(() => new Promise((resolve) => (answer = resolve)))
    await startedDesk(fake)
    const store = useBoardStore()
    const loading = store.load(DAY)
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 1, patient_name: 'Alice Archer', status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:01') }), action: 'checked_in', changed: ['status'] })
    expect(lit(1)).toBe(true)
    // The read left the server before the change: row 1 still "confirmed" at 07:00.
    answer(board())
    await loading
    const row = store.board?.appointments.find((a) => a.id === 1)
    expect(row?.status).toBe('checked_in')
    expect(row?.updated_at).toBe(at('09:01'))
    expect(lit(1)).toBe(true)
    expect(store.highlighted[1]).toEqual(['status'])
    // The highlight then fades as usual.
    vi.advanceTimersByTime(2100)
    expect(lit(1)).toBe(false)
  })

  it('keeps a newer row and its highlight when the core’s board for the same day was built from an older read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 2, patient_name: 'Bob Brown', status: 'in_consultation', appointment_date: at('09:30'), updated_at: at('09:40') }), action: 'in_consultation', changed: ['status'] })
    // A new appointment, live, that the read does not have yet.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 8, doctor_id: 32, appointment_date: at('12:00'), updated_at: at('09:41') }), action: 'created', changed: [] })
    fake.emit({ kind: 'board.replaced', board: board({ syncedAt: at('09:39') }) })
    expect(store.board?.appointments.find((a) => a.id === 2)?.status).toBe('in_consultation')
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 3, 4, 8])
    expect(store.syncedAt).toBe(at('09:39'))
    expect([lit(2), lit(8)]).toEqual([true, true])
    // A later read settles it: once the highlight is gone, a row the server no longer has goes.
    vi.advanceTimersByTime(2100)
    fake.emit({ kind: 'board.replaced', board: board({ syncedAt: at('09:45') }) })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 3, 4])
    // The newer state of row 2 still stands against that read's older one.
    expect(store.board?.appointments.find((a) => a.id === 2)?.status).toBe('in_consultation')
  })

  it('does not bring back a row a newer live change moved to another day', async () => {
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 3, doctor_id: 32, appointment_date: at('10:00', '2026-11-27'), updated_at: at('09:10') }), action: 'rescheduled', changed: ['appointment_date'] })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 4])
    // A read from before the move still has it on this day.
    fake.emit({ kind: 'board.replaced', board: board() })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 4])
    // Moved back later, by a newer change the read shows: it is here again.
    const back = board().appointments.map((a) => (a.id === 3 ? { ...a, updated_at: at('09:20') } : a))
    fake.emit({ kind: 'board.replaced', board: board({ appointments: back }) })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 3, 4])
  })

  it('does not bring back a row moved to another day with an older event replayed late, nor re-flash an equal one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 3, doctor_id: 32, appointment_date: at('10:00', '2026-11-27'), updated_at: at('09:10') }), action: 'rescheduled', changed: ['appointment_date'] })
    // Older than the move (an event that waited for a snapshot): it stays off.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 3, doctor_id: 32, status: 'checked_in', appointment_date: at('10:00'), updated_at: at('09:05') }), action: 'checked_in', changed: ['status'] })
    expect(store.board?.appointments.map((a) => a.id)).toEqual([1, 2, 4])
    // The same state of row 1 twice (a replay): applied once, highlighted once.
    const row = appointment({ id: 1, status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:01') })
    fake.emit({ kind: 'appointment.updated', appointment: row, action: 'checked_in', changed: ['status'] })
    vi.advanceTimersByTime(2100)
    fake.emit({ kind: 'appointment.updated', appointment: row, action: 'checked_in', changed: ['status'] })
    expect(lit(1)).toBe(false)
  })

  it('takes the read’s row when it is as new or newer, keeping the highlight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { fake } = await startedDesk()
    const store = useBoardStore()
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 1, status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:01') }), action: 'checked_in', changed: ['status'] })
    const rows = board().appointments.map((a) => (a.id === 1 ? { ...a, status: 'in_consultation', updated_at: at('09:05') } : a))
    fake.emit({ kind: 'board.replaced', board: board({ appointments: rows }) })
    expect(store.board?.appointments.find((a) => a.id === 1)?.status).toBe('in_consultation')
    expect(lit(1)).toBe(true)
  })

  it('applies an update for the day being loaded once its (older) board is in, with its highlight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const fake = createFakeBridge()
    let answer: (b: ReturnType<typeof board>) => void = () => undefined
    fake.loadBoard.mockImplementation(() => new Promise((resolve) => (answer = resolve)))
    await startedDesk(fake)
    const store = useBoardStore()
    const NEXT = '2026-11-27'
    const loading = store.load(NEXT)
    // While the read is on its way: a change on that day, and an older one that lost the race.
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 20, patient_name: 'Eve Early', status: 'checked_in', appointment_date: at('10:00', NEXT), updated_at: at('09:02') }), action: 'checked_in', changed: ['status'] })
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 21, status: 'cancelled', appointment_date: at('11:00', NEXT), updated_at: at('06:00') }), action: 'cancelled', changed: ['status'] })
    // Not on today's board meanwhile.
    expect(store.board?.appointments.some((a) => a.id === 20)).toBe(false)
    answer(
      board({
        date: NEXT,
        appointments: [
          appointment({ id: 20, patient_name: 'Eve Early', status: 'confirmed', appointment_date: at('10:00', NEXT), updated_at: at('08:00') }),
          appointment({ id: 21, status: 'confirmed', appointment_date: at('11:00', NEXT), updated_at: at('08:00') }),
        ],
      }),
    )
    await loading
    expect(store.date).toBe(NEXT)
    expect(store.board?.appointments.map((a) => [a.id, a.status])).toEqual([
      [20, 'checked_in'],
      [21, 'confirmed'],
    ])
    expect([lit(20), lit(21)]).toEqual([true, false])
    expect(store.lastChange?.appointment.id).toBe(20)
  })

  it('forgets the changes for a day the user left before its board came', async () => {
    const fake = createFakeBridge()
    const answers: Array<(b: ReturnType<typeof board>) => void> = []
    fake.loadBoard.mockImplementation(() => new Promise((resolve) => answers.push(resolve)))
    await startedDesk(fake)
    const store = useBoardStore()
    const first = store.load('2026-11-27')
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: 30, appointment_date: at('10:00', '2026-11-27'), updated_at: at('09:00') }), action: 'confirmed', changed: [] })
    const second = store.load('2026-11-28')
    answers[1]?.(board({ date: '2026-11-28', appointments: [] }))
    await second
    answers[0]?.(board({ date: '2026-11-27', appointments: [] }))
    await first
    expect(store.date).toBe('2026-11-28')
    expect(store.board?.appointments).toEqual([])
    // Back to that day: its board is what the read says, the old change is not replayed.
    fake.loadBoard.mockResolvedValueOnce(board({ date: '2026-11-27', appointments: [] }))
    await store.load('2026-11-27')
    expect(store.board?.appointments).toEqual([])
    expect(store.isHighlighted(30)).toBe(false)
  })

  it('gives each column its refresh interval, keeping a column’s object while it does not change', () => {
    withFakeBridge()
    const store = useBoardStore()
    const { appointments } = board()
    const doctors = (seconds: number | null) => [
      { doctorId: 31, name: 'Dr. Ada Lovelace', refreshSeconds: null },
      { doctorId: 32, name: 'Dr. Ben Carson', refreshSeconds: seconds },
    ]
    store.replace(board({ doctors: doctors(60), appointments }))
    expect(store.columns.map((c) => c.refreshSeconds)).toEqual([null, 60])
    const before = store.columns
    store.replace(board({ doctors: doctors(60), appointments }))
    expect(store.columns).toBe(before)
    store.replace(board({ doctors: doctors(null), appointments }))
    expect(store.columns[1]?.refreshSeconds).toBeNull()
    expect(store.columns[0]).toBe(before[0])
    expect(store.columns[1]).not.toBe(before[1])
  })
})
