// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BridgeError } from '../../../src/shared/bridge-unwrap'
import { UNDO_WINDOW_MS, type StaffActionResult } from '../../../src/shared/staff-actions'
import { useBoardStore } from '../../../src/renderer/src/stores/board'
import { CALLED_IN_KEPT_MS, REFUSAL_SHOWN_MS, useStaffActionsStore } from '../../../src/renderer/src/stores/staff-actions'
import { createFakeBridge, settle } from '../fake-bridge'
import type { DeskSnapshot } from '../../../src/shared/desk-state'
import { DOCTOR_ACTIONS, RECEPTION_ACTIONS, appointment, at, board, consultation, pendingAction, signedIn, user } from '../fixtures'
import { startedDesk } from '../setup'
import { deferred } from '../deferred'

afterEach(() => vi.useRealTimers())

const ALICE = 1 // confirmed, Dr. Lovelace (31)
const BOB = 2 // checked_in, Dr. Lovelace (31)
const CAROL = 3 // cancelled, Dr. Carson (32)


async function reception(overrides: Partial<DeskSnapshot> = {}) {
  const fake = createFakeBridge({ snapshot: { staffActions: RECEPTION_ACTIONS, ...overrides } })
  const started = await startedDesk(fake)
  return { ...started, store: useStaffActionsStore(), board: useBoardStore() }
}

const aliceOnBoard = () => {
  const a = useBoardStore().board?.appointments.find((x) => x.id === ALICE)
  if (!a) throw new Error('Alice is not on the board')
  return a
}

describe('staff actions store', () => {
  it('takes what is offered and what waits in the outbox from the snapshot, and follows the core’s offer', async () => {
    const waiting = pendingAction({ state: 'queued', undoUntil: new Date(Date.now() + 5_000).toISOString() })
    const { store, fake } = await reception({ pendingActions: [waiting] })
    expect(store.offered).toEqual(RECEPTION_ACTIONS)
    expect(store.cards.get(ALICE)).toEqual({ pending: { kind: 'check-in', status: 'checked_in', state: 'queued' }, undo: { id: waiting.id, kind: 'check-in' }, refusal: null })
    // Restored, not news: nothing is announced.
    expect(store.polite).toBe('')
    expect(store.actionsOf(appointment({ status: 'confirmed' }))).toEqual(['check-in', 'no-show', 'cancel'])
    fake.emit({ kind: 'staff-actions.offered', actions: ['check-in'] })
    expect(store.actionsOf(appointment({ status: 'confirmed' }))).toEqual(['check-in'])
    expect(store.actionsOf(appointment({ status: 'completed' }))).toEqual([])
  })

  it('gives the same array for the same card, so a memoised card does not redraw', async () => {
    const { store } = await reception()
    const a = store.actionsOf(appointment({ id: 70, status: 'confirmed' }))
    const b = store.actionsOf(appointment({ id: 71, status: 'confirmed' }))
    expect(a).toBe(b)
  })

  it('shows an action at once, then the core’s mark, and says it once when both the event and the answer say done', async () => {
    const { store, fake } = await reception()
    const answer = deferred<StaffActionResult>()
    fake.staffAction.mockImplementationOnce(() => answer.promise)
    const acting = store.actOn(aliceOnBoard(), 'check-in')
    // Before the core says anything.
    expect(store.cards.get(ALICE)?.pending).toEqual({ kind: 'check-in', status: 'checked_in', state: 'sending' })
    expect(fake.staffAction).toHaveBeenCalledWith({ kind: 'check-in', appointmentId: ALICE, expectedStatus: 'confirmed' })
    const p = pendingAction({ undoUntil: new Date(Date.now() + UNDO_WINDOW_MS).toISOString() })
    fake.emit({ kind: 'staff-action.pending', action: p })
    expect(store.cards.get(ALICE)?.pending?.state).toBe('sending')
    fake.emit({ kind: 'staff-action.settled', settled: { id: p.id, kind: 'check-in', appointmentId: ALICE, outcome: 'done', message: null } })
    expect(store.polite).toBe('Alice Archer checked in.')
    answer.resolve({ id: p.id, status: 'done' })
    await acting
    expect(store.polite).toBe('Alice Archer checked in.')
    expect(store.cards.get(ALICE)).toEqual({ pending: null, undo: { id: p.id, kind: 'check-in' }, refusal: null })
    // A late copy of its pending mark does not bring it back.
    fake.emit({ kind: 'staff-action.pending', action: p })
    expect(store.cards.get(ALICE)?.pending).toBeNull()
  })

  it('does nothing while an action is on its way on the same card, nor for one that does not fit it', async () => {
    const { store, fake } = await reception()
    fake.staffAction.mockImplementationOnce(() => new Promise(() => undefined))
    void store.actOn(aliceOnBoard(), 'check-in')
    await store.actOn(aliceOnBoard(), 'no-show')
    const carol = useBoardStore().board?.appointments.find((a) => a.id === CAROL)
    if (carol) await store.actOn(carol, 'check-in')
    expect(fake.staffAction).toHaveBeenCalledTimes(1)
  })

  it('on a refusal puts the card back, shows the server’s sentence on it for a few seconds and says it once, at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { store, fake } = await reception()
    const answer = deferred<StaffActionResult>()
    fake.staffAction.mockImplementationOnce(() => answer.promise)
    const acting = store.actOn(aliceOnBoard(), 'check-in')
    const p = pendingAction()
    fake.emit({ kind: 'staff-action.pending', action: p })
    const sentence = 'Already checked in by Elena Ruiz at 09:02.'
    fake.emit({ kind: 'staff-action.settled', settled: { id: p.id, kind: 'check-in', appointmentId: ALICE, outcome: 'refused', message: sentence } })
    answer.reject(new BridgeError('conflict', sentence))
    await acting
    expect(store.cards.get(ALICE)).toEqual({ pending: null, undo: null, refusal: sentence })
    expect(store.assertive).toBe(`Could not check in Alice Archer: ${sentence}`)
    // Said once: the second report of the same refusal changed nothing.
    expect(store.assertive.endsWith('\u00a0')).toBe(false)
    vi.advanceTimersByTime(REFUSAL_SHOWN_MS + 10)
    expect(store.cards.get(ALICE)).toBeUndefined()
  })

  it('a refusal with no event (the core refused before queueing) is said from the call’s error, and the next action clears it', async () => {
    const { store, fake } = await reception()
    fake.staffAction.mockRejectedValueOnce(new BridgeError('forbidden', 'Your role may not check patients in'))
    await store.actOn(aliceOnBoard(), 'check-in')
    expect(store.assertive).toBe('Could not check in Alice Archer: Your role may not check patients in.')
    expect(store.cards.get(ALICE)?.refusal).toBe('Your role may not check patients in')
    fake.staffAction.mockImplementationOnce(() => new Promise(() => undefined))
    void store.actOn(aliceOnBoard(), 'no-show')
    expect(store.cards.get(ALICE)?.refusal).toBeNull()
  })

  it('says "queued" while the server cannot be reached, and "done" when the outbox delivers it', async () => {
    const { store, fake } = await reception()
    const id = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id, status: 'queued' })
    await store.actOn(aliceOnBoard(), 'check-in')
    expect(store.cards.get(ALICE)?.pending).toEqual({ kind: 'check-in', status: 'checked_in', state: 'queued' })
    expect(store.polite).toBe('Check-in for Alice Archer queued: it will be sent when the server answers.')
    fake.emit({ kind: 'staff-action.pending', action: pendingAction({ id, state: 'queued' }) })
    expect(store.polite).toBe('Check-in for Alice Archer queued: it will be sent when the server answers.')
    fake.emit({ kind: 'staff-action.settled', settled: { id, kind: 'check-in', appointmentId: ALICE, outcome: 'done', message: null } })
    expect(store.cards.get(ALICE)?.pending ?? null).toBeNull()
    expect(store.polite).toBe('Alice Archer checked in.')
  })

  it('undoes within the window, and offers no undo after it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { store, fake } = await reception()
    const first = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id: first, status: 'done' })
    await store.actOn(aliceOnBoard(), 'check-in')
    expect(store.cards.get(ALICE)?.undo).toEqual({ id: first, kind: 'check-in' })
    await store.undo(first)
    expect(fake.undoStaffAction).toHaveBeenCalledWith({ id: first })
    expect(store.polite).toBe('Check-in for Alice Archer undone.')
    expect(store.cards.get(ALICE)).toBeUndefined()

    const second = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id: second, status: 'done' })
    await store.actOn(aliceOnBoard(), 'no-show')
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 100)
    expect(store.cards.get(ALICE)?.undo?.id).toBe(second)
    vi.advanceTimersByTime(200)
    expect(store.cards.get(ALICE)).toBeUndefined()
    await store.undo(second)
    expect(fake.undoStaffAction).toHaveBeenCalledTimes(1)
  })

  it('an undo the server refuses says why', async () => {
    const { store, fake } = await reception()
    const id = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id, status: 'done' })
    await store.actOn(aliceOnBoard(), 'check-in')
    fake.undoStaffAction.mockRejectedValueOnce(new BridgeError('conflict', 'Dr. Lovelace has already called Alice Archer in.'))
    await store.undo(id)
    expect(store.assertive).toBe('Could not undo the check-in for Alice Archer: Dr. Lovelace has already called Alice Archer in.')
    expect(store.cards.get(ALICE)?.refusal).toBe('Dr. Lovelace has already called Alice Archer in.')
  })

  it('words the end of an action it did not start (one restored from the outbox), with the patient’s name from the board', async () => {
    const waiting = pendingAction({ kind: 'cancel', status: 'cancelled', state: 'queued' })
    const { store, fake } = await reception({ pendingActions: [waiting] })
    fake.emit({ kind: 'staff-action.settled', settled: { id: waiting.id, kind: 'cancel', appointmentId: ALICE, outcome: 'refused', message: 'The appointment has already started.' } })
    expect(store.assertive).toBe('Could not cancel the appointment for Alice Archer: The appointment has already started.')
    expect(store.cards.get(ALICE)?.pending).toBeNull()
  })

  it('keeps a colleague’s call-in for two minutes unless dismissed, says it politely, and ignores the doctor’s own', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { store, fake } = await reception()
    const call = { appointmentId: BOB, patientName: 'Bob Brown', doctorId: 31, doctorName: 'Dr. Ortiz', at: at('09:31') }
    fake.emit({ kind: 'called-in', call })
    expect(store.calls.map((c) => c.text)).toEqual(['Dr. Ortiz is ready for Bob Brown'])
    expect(store.polite).toBe('Dr. Ortiz is ready for Bob Brown.')
    // The same whisper twice is one call-in.
    fake.emit({ kind: 'called-in', call })
    expect(store.calls).toHaveLength(1)
    vi.advanceTimersByTime(CALLED_IN_KEPT_MS - 1_000)
    expect(store.calls).toHaveLength(1)
    vi.advanceTimersByTime(2_000)
    expect(store.calls).toHaveLength(0)
    fake.emit({ kind: 'called-in', call: { ...call, at: at('09:40') } })
    const key = store.calls[0]?.key ?? ''
    store.dismissCall(key)
    expect(store.calls).toHaveLength(0)
  })

  it('a doctor’s desk does not show its own call-in', async () => {
    const doctor = user({ id: 5, name: 'Dr. Ada Lovelace', role: 'doctor', doctor_id: 31 })
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { session: signedIn(doctor), staffActions: DOCTOR_ACTIONS } }))
    fake.emit({ kind: 'called-in', call: { appointmentId: BOB, patientName: 'Bob Brown', doctorId: 31, doctorName: 'Dr. Ada Lovelace', at: at('09:31') } })
    expect(useStaffActionsStore().calls).toHaveLength(0)
  })

  it('a doctor acts on their own patients only, and completes the active consultation of an appointment', async () => {
    const doctor = user({ id: 5, name: 'Dr. Ada Lovelace', role: 'doctor', doctor_id: 31 })
    const inRoom = appointment({ id: 6, doctor_id: 31, patient_name: 'Eve Evans', status: 'in_consultation' })
    const fake = createFakeBridge({
      snapshot: {
        session: signedIn(doctor),
        staffActions: DOCTOR_ACTIONS,
        board: board({ appointments: [...board().appointments, inRoom] }),
        consultations: [consultation({ id: 9, appointment_id: 6, doctor_id: 31, status: 'active', patient_name: 'Eve Evans' })],
      },
    })
    await startedDesk(fake)
    const store = useStaffActionsStore()
    expect(store.actionsOf(appointment({ doctor_id: 31, status: 'checked_in' }))).toEqual(['call-in', 'start-consultation'])
    expect(store.actionsOf(appointment({ doctor_id: 32, status: 'checked_in' }))).toEqual([])
    expect(store.actionsOf(inRoom)).toEqual(['complete-consultation'])
    expect(store.actionsOf(appointment({ doctor_id: 31, status: 'in_consultation' }))).toEqual([])
    expect(store.actionableColumn(31)).toBe(true)
    expect(store.actionableColumn(32)).toBe(false)
    await store.actOn(inRoom, 'complete-consultation')
    expect(fake.staffAction).toHaveBeenCalledWith({ kind: 'complete-consultation', consultationId: 9 })
    expect(store.polite).toBe('Consultation with Eve Evans completed.')
  })

  it('forgets everything at sign-out', async () => {
    const { store, fake } = await reception({ pendingActions: [pendingAction()] })
    fake.emit({ kind: 'called-in', call: { appointmentId: BOB, patientName: 'Bob Brown', doctorId: 31, doctorName: 'Dr. Ortiz', at: at('09:31') } })
    fake.snapshot = { ...fake.snapshot, session: { status: 'signed-out', reason: null }, pendingActions: [], staffActions: [] }
    fake.emit({ kind: 'session', session: { status: 'signed-out', reason: null } })
    await settle()
    expect(store.offered).toEqual([])
    expect(store.cards.size).toBe(0)
    expect(store.calls).toHaveLength(0)
  })
})
