// @vitest-environment happy-dom
import { flushPromises, mount, type DOMWrapper, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Component } from 'vue'
import { BridgeError } from '../../../src/shared/bridge-unwrap'
import type { DeskSnapshot } from '../../../src/shared/desk-state'
import { UNDO_WINDOW_MS, type StaffActionResult } from '../../../src/shared/staff-actions'
import { CALLED_IN_KEPT_MS } from '../../../src/renderer/src/stores/staff-actions'
import BoardView from '../../../src/renderer/src/views/BoardView.vue'
import ConsultationsView from '../../../src/renderer/src/views/ConsultationsView.vue'
import { createFakeBridge, type FakeBridge } from '../fake-bridge'
import { DOCTOR_ACTIONS, RECEPTION_ACTIONS, appointment, at, board, consultation, pendingAction, signedIn, user } from '../fixtures'
import { axeViolations } from '../axe'
import { accessibleName, button, byLabel } from '../dom'
import { startedDesk } from '../setup'
import { deferred } from '../deferred'

const mounted: VueWrapper[] = []

afterEach(() => {
  vi.useRealTimers()
  for (const wrapper of mounted.splice(0)) wrapper.unmount()
  document.body.innerHTML = ''
})

const ALICE = 1 // confirmed, Dr. Lovelace (31)
const BOB = 2 // checked_in, Dr. Lovelace (31)
const CAROL = 3 // cancelled, Dr. Carson (32)
const DAN = 4 // reminder_sent, Dr. Carson (32)
const EVE = 6 // in consultation with Dr. Lovelace (31)
const FRED = 7 // checked in, Dr. Carson (32)

const DOCTOR = user({ id: 5, name: 'Dr. Ada Lovelace', email: 'doctor1@northside.clinic.test', role: 'doctor', doctor_id: 31 })


function receptionDesk(overrides: Partial<DeskSnapshot> = {}): FakeBridge {
  return createFakeBridge({ snapshot: { staffActions: RECEPTION_ACTIONS, ...overrides } })
}

function doctorDesk(overrides: Partial<DeskSnapshot> = {}): FakeBridge {
  const rows = [
    ...board().appointments,
    appointment({ id: EVE, doctor_id: 31, patient_name: 'Eve Evans', status: 'in_consultation', appointment_date: at('08:30') }),
    appointment({ id: FRED, doctor_id: 32, patient_name: 'Fred Fox', status: 'checked_in', appointment_date: at('11:30') }),
  ]
  return createFakeBridge({
    snapshot: {
      session: signedIn(DOCTOR),
      staffActions: DOCTOR_ACTIONS,
      board: board({ appointments: rows }),
      consultations: [consultation({ id: 9, appointment_id: EVE, doctor_id: 31, status: 'active', patient_name: 'Eve Evans', started_at: at('08:31') })],
      ...overrides,
    },
  })
}

async function mountView(component: Component, fake: FakeBridge) {
  const { pinia } = await startedDesk(fake)
  // Inside the app's main landmark, as the shell shows every screen.
  const main = document.createElement('main')
  document.body.append(main)
  const wrapper = mount(component, { global: { plugins: [pinia] }, attachTo: main })
  mounted.push(wrapper)
  await flushPromises()
  return wrapper
}

const card = (wrapper: VueWrapper, id: number): DOMWrapper<HTMLElement> => wrapper.find<HTMLElement>(`[data-appointment-id="${id}"]`)
const buttonsOn = (wrapper: VueWrapper, id: number): string[] => card(wrapper, id).findAll('button').map((b) => accessibleName(b.element))
const polite = (wrapper: VueWrapper): string => wrapper.find('[data-testid="action-polite"]').text()
const assertive = (wrapper: VueWrapper): string => wrapper.find('[data-testid="action-assertive"]').text()

/** A key pressed where the focus is, as the keyboard does it: no mouse anywhere. */
async function press(key: string, options: KeyboardEventInit = {}): Promise<void> {
  const target = document.activeElement ?? document.body
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options }))
  await flushPromises()
}

/** Alice Archer's row as the server sends it after a change. */
function alice(status: string, hhmm: string) {
  return appointment({ id: ALICE, doctor_id: 31, patient_name: 'Alice Archer', status, appointment_date: at('09:00'), updated_at: at(hhmm) })
}

function focused(): string | null {
  return document.activeElement?.getAttribute('data-appointment-id') ?? null
}

describe('staff actions on the board', () => {
  it('shows reception the actions that fit each card’s status, each with its key in its tooltip', async () => {
    const wrapper = await mountView(BoardView, receptionDesk())
    expect(buttonsOn(wrapper, ALICE)).toEqual(['Check in', 'No-show', 'Cancel…'])
    expect(buttonsOn(wrapper, BOB)).toEqual(['No-show', 'Cancel…'])
    expect(buttonsOn(wrapper, CAROL)).toEqual([])
    expect(buttonsOn(wrapper, DAN)).toEqual(['Check in', 'No-show', 'Cancel…'])
    const checkIn = button(card(wrapper, ALICE), 'Check in')
    expect(checkIn.attributes('title')).toBe('Check the patient in (I)')
    expect(checkIn.attributes('aria-keyshortcuts')).toBe('I')
    expect(button(card(wrapper, ALICE), 'No-show').attributes('aria-keyshortcuts')).toBe('N')
    expect(button(card(wrapper, ALICE), 'Cancel…').attributes('aria-keyshortcuts')).toBe('X')
    expect(card(wrapper, ALICE).find('[role="group"]').attributes('aria-label')).toBe('Actions for Alice Archer')
  })

  it('shows no buttons (and keeps no room for them) for actions the server does not offer, and follows the offer', async () => {
    const fake = receptionDesk({ staffActions: [] })
    const wrapper = await mountView(BoardView, fake)
    expect(wrapper.findAll('[data-appointment-id] button')).toHaveLength(0)
    expect(wrapper.findAll('.appointment.actionable')).toHaveLength(0)
    fake.emit({ kind: 'staff-actions.offered', actions: ['check-in'] })
    await flushPromises()
    expect(buttonsOn(wrapper, ALICE)).toEqual(['Check in'])
    expect(buttonsOn(wrapper, BOB)).toEqual([])
  })

  it('shows a doctor call in and start on their own waiting patients, complete on their own consultation, nothing in a colleague’s column', async () => {
    const wrapper = await mountView(BoardView, doctorDesk())
    expect(buttonsOn(wrapper, BOB)).toEqual(['Call in', 'Start consultation'])
    expect(button(card(wrapper, BOB), 'Call in').attributes('aria-keyshortcuts')).toBe('C')
    expect(button(card(wrapper, BOB), 'Start consultation').attributes('aria-keyshortcuts')).toBe('S')
    expect(buttonsOn(wrapper, EVE)).toEqual(['Complete'])
    expect(button(card(wrapper, EVE), 'Complete').attributes('aria-keyshortcuts')).toBe('D')
    expect(buttonsOn(wrapper, ALICE)).toEqual([])
    expect(buttonsOn(wrapper, FRED)).toEqual([])
    expect(card(wrapper, FRED).classes()).not.toContain('actionable')
  })

  it('shows the action at once with its status, marked pending with its buttons disabled, until the core settles it', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const answer = deferred<StaffActionResult>()
    fake.staffAction.mockImplementationOnce(() => answer.promise)
    await button(card(wrapper, ALICE), 'Check in').trigger('click')
    expect(fake.staffAction).toHaveBeenCalledWith({ kind: 'check-in', appointmentId: ALICE, expectedStatus: 'confirmed' })
    const alice = card(wrapper, ALICE)
    expect(alice.attributes('data-status')).toBe('checked_in')
    expect(alice.attributes('data-pending')).toBe('sending')
    expect(alice.attributes('aria-busy')).toBe('true')
    expect(alice.find('.chip').text()).toBe('Checked in')
    expect(alice.find('[data-testid="card-pending"]').text()).toBe('Checking in…')
    // The buttons of the status it shows, waiting for the server's answer.
    expect(buttonsOn(wrapper, ALICE)).toEqual(['No-show', 'Cancel…'])
    expect(alice.findAll<HTMLButtonElement>('button').map((b) => b.element.disabled)).toEqual([true, true])
    // Focus stays on the card, not on a button that is now disabled.
    expect(focused()).toBe(String(ALICE))

    const p = pendingAction({ undoUntil: new Date(Date.now() + UNDO_WINDOW_MS).toISOString() })
    fake.emit({ kind: 'staff-action.pending', action: p })
    fake.emit({ kind: 'appointment.updated', appointment: appointment({ id: ALICE, doctor_id: 31, patient_name: 'Alice Archer', status: 'checked_in', appointment_date: at('09:00'), updated_at: at('09:02') }), action: 'confirmed', changed: ['status'] })
    fake.emit({ kind: 'staff-action.settled', settled: { id: p.id, kind: 'check-in', appointmentId: ALICE, outcome: 'done', message: null } })
    answer.resolve({ id: p.id, status: 'done' })
    await flushPromises()
    expect(card(wrapper, ALICE).attributes('data-pending')).toBeUndefined()
    expect(card(wrapper, ALICE).attributes('data-status')).toBe('checked_in')
    expect(buttonsOn(wrapper, ALICE)).toEqual(['No-show', 'Cancel…', 'Undo'])
    expect(polite(wrapper)).toBe('Alice Archer checked in.')
    // The board's own announcement of the change does not say it a second time.
    expect(wrapper.find('.announcer').text()).toBe('')
  })

  it('on a refusal puts the card back to the server’s status, shows the server’s sentence on it and says it assertively', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const sentence = 'Already checked in by Elena Ruiz at 09:02.'
    fake.staffAction.mockRejectedValueOnce(new BridgeError('conflict', sentence))
    await button(card(wrapper, ALICE), 'Check in').trigger('click')
    await flushPromises()
    const alice = card(wrapper, ALICE)
    expect(alice.attributes('data-status')).toBe('confirmed')
    expect(alice.attributes('data-pending')).toBeUndefined()
    expect(alice.find('[data-testid="card-refusal"]').text()).toBe(sentence)
    expect(assertive(wrapper)).toBe(`Could not check in Alice Archer: ${sentence}`)
    expect(wrapper.find('[data-testid="action-assertive"]').attributes('aria-live')).toBe('assertive')
    expect(buttonsOn(wrapper, ALICE)).toEqual(['Check in', 'No-show', 'Cancel…'])
  })

  it('shows "queued" on the card while the server cannot be reached, and says so politely', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const id = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id, status: 'queued' })
    await button(card(wrapper, DAN), 'No-show').trigger('click')
    await flushPromises()
    const dan = card(wrapper, DAN)
    expect(dan.attributes('data-pending')).toBe('queued')
    expect(dan.attributes('data-status')).toBe('no_show')
    expect(dan.find('[data-testid="card-pending"]').text()).toBe('Queued — will be sent when the server answers')
    expect(polite(wrapper)).toBe('No-show for Dan Dorsey queued: it will be sent when the server answers.')
    expect(wrapper.find('[data-testid="action-polite"]').attributes('aria-live')).toBe('polite')
    // Nothing more fits a no-show; a queued action can still be withdrawn.
    expect(buttonsOn(wrapper, DAN)).toEqual(['Undo'])
    expect(button(dan, 'Undo').element.disabled).toBe(false)
  })

  it('offers Undo for the undo window after a check-in, and not after it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const id = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id, status: 'done' })
    await button(card(wrapper, ALICE), 'Check in').trigger('click')
    fake.emit({ kind: 'appointment.updated', appointment: alice('checked_in', '09:02'), action: 'confirmed', changed: ['status'] })
    await flushPromises()
    expect(buttonsOn(wrapper, ALICE)).toEqual(['No-show', 'Cancel…', 'Undo'])
    expect(button(card(wrapper, ALICE), 'Undo').attributes('aria-keyshortcuts')).toBe('U')
    await button(card(wrapper, ALICE), 'Undo').trigger('click')
    await flushPromises()
    expect(fake.undoStaffAction).toHaveBeenCalledWith({ id })
    expect(polite(wrapper)).toBe('Check-in for Alice Archer undone.')
    fake.emit({ kind: 'appointment.updated', appointment: alice('confirmed', '09:03'), action: 'confirmed', changed: ['status'] })
    await flushPromises()
    expect(buttonsOn(wrapper, ALICE)).toEqual(['Check in', 'No-show', 'Cancel…'])

    fake.staffAction.mockResolvedValueOnce({ id: crypto.randomUUID(), status: 'done' })
    await button(card(wrapper, DAN), 'Check in').trigger('click')
    const dan = board().appointments.find((a) => a.id === DAN)
    if (dan) fake.emit({ kind: 'appointment.updated', appointment: { ...dan, status: 'checked_in', updated_at: at('09:04') }, action: 'confirmed', changed: ['status'] })
    await flushPromises()
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 200)
    await flushPromises()
    expect(buttonsOn(wrapper, DAN)).toContain('Undo')
    vi.advanceTimersByTime(400)
    await flushPromises()
    expect(buttonsOn(wrapper, DAN)).not.toContain('Undo')
  })

  it('asks for a reason before cancelling, in a dialog that keeps focus and gives it back', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    await button(card(wrapper, ALICE), 'Cancel…').trigger('click')
    await flushPromises()
    const dialog = wrapper.find('dialog')
    expect(dialog.exists()).toBe(true)
    expect(dialog.attributes('open')).toBeDefined()
    expect(dialog.attributes('aria-modal')).toBe('true')
    const title = dialog.find(`#${dialog.attributes('aria-labelledby') ?? 'none'}`)
    expect(title.text()).toBe('Cancel the appointment')
    expect(dialog.find(`#${dialog.attributes('aria-describedby') ?? 'none'}`).text()).toBe('Alice Archer, 09:00 with Dr. Ada Lovelace')
    const reason = byLabel(wrapper, 'Reason for cancelling')
    expect(document.activeElement).toBe(reason.element)

    // No reason, nothing sent.
    await dialog.find('form').trigger('submit')
    expect(fake.staffAction).not.toHaveBeenCalled()
    expect(reason.attributes('aria-invalid')).toBe('true')
    expect(dialog.find('[role="alert"]').text()).toBe('Enter a reason for cancelling.')
    expect(reason.attributes('aria-describedby')).toBe('cancel-reason-error')

    // Tab goes round inside the dialog.
    const last = button(dialog, 'Cancel the appointment')
    last.element.focus()
    await press('Tab')
    expect(document.activeElement).toBe(reason.element)
    await press('Tab', { shiftKey: true })
    expect(document.activeElement).toBe(last.element)

    // Escape closes it, and focus is back on the card.
    await press('Escape')
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(focused()).toBe(String(ALICE))
    expect(fake.staffAction).not.toHaveBeenCalled()

    await button(card(wrapper, ALICE), 'Cancel…').trigger('click')
    await flushPromises()
    await byLabel(wrapper, 'Reason for cancelling').setValue('  Patient phoned: flu  ')
    await wrapper.find('dialog form').trigger('submit')
    await flushPromises()
    expect(fake.staffAction).toHaveBeenCalledWith({ kind: 'cancel', appointmentId: ALICE, expectedStatus: 'confirmed', reason: 'Patient phoned: flu' })
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(focused()).toBe(String(ALICE))
    expect(polite(wrapper)).toBe('Appointment for Alice Archer cancelled.')
  })

  it('"Keep the appointment" closes the dialog without cancelling', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    await button(card(wrapper, DAN), 'Cancel…').trigger('click')
    await flushPromises()
    await button(wrapper.find('dialog'), 'Keep the appointment').trigger('click')
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(fake.staffAction).not.toHaveBeenCalled()
    expect(focused()).toBe(String(DAN))
  })
})

describe('the board from the keyboard', () => {
  it('has one Tab stop per column, and moves with the arrows, Home and End', async () => {
    const rows = [
      ...board().appointments,
      appointment({ id: 8, doctor_id: 31, patient_name: 'Gus Green', status: 'scheduled', appointment_date: at('10:30') }),
    ]
    const wrapper = await mountView(BoardView, receptionDesk({ board: board({ appointments: rows }) }))
    const tabStops = () => wrapper.findAll('[data-appointment-id]').filter((c) => c.attributes('tabindex') === '0').map((c) => c.attributes('data-appointment-id'))
    expect(tabStops()).toEqual(['1', '3'])
    // Only the Tab stop's buttons are in the Tab order.
    expect(card(wrapper, ALICE).findAll('button').every((b) => b.attributes('tabindex') === '0')).toBe(true)
    expect(card(wrapper, BOB).findAll('button').every((b) => b.attributes('tabindex') === '-1')).toBe(true)

    card(wrapper, ALICE).element.focus()
    await press('ArrowDown')
    expect(focused()).toBe('2')
    expect(tabStops()).toEqual(['2', '3'])
    await press('End')
    expect(focused()).toBe('8')
    await press('ArrowDown')
    expect(focused()).toBe('8')
    await press('Home')
    expect(focused()).toBe('1')
    await press('ArrowDown')
    await press('ArrowRight')
    expect(focused()).toBe('4')
    await press('ArrowLeft')
    expect(focused()).toBe('2')
    await press('ArrowUp')
    expect(focused()).toBe('1')
    // From the board region itself, the arrows go to its first card.
    wrapper.find<HTMLElement>('[aria-label="Appointment board"]').element.focus()
    await press('ArrowDown')
    expect(focused()).toBe('1')
  })

  it('reception: I checks in, N marks a no-show, X asks to cancel and U undoes, on the focused card only', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const first = crypto.randomUUID()
    fake.staffAction.mockResolvedValueOnce({ id: first, status: 'done' })
    card(wrapper, ALICE).element.focus()
    await press('i')
    expect(fake.staffAction).toHaveBeenLastCalledWith({ kind: 'check-in', appointmentId: ALICE, expectedStatus: 'confirmed' })
    fake.emit({ kind: 'appointment.updated', appointment: alice('checked_in', '09:02'), action: 'confirmed', changed: ['status'] })
    await flushPromises()
    await press('u')
    expect(fake.undoStaffAction).toHaveBeenCalledWith({ id: first })
    fake.emit({ kind: 'appointment.updated', appointment: alice('confirmed', '09:03'), action: 'confirmed', changed: ['status'] })
    await flushPromises()

    await press('ArrowRight') // Carol: cancelled, nothing fits
    expect(focused()).toBe(String(CAROL))
    for (const key of ['i', 'n', 'x', 'u', 'c', 's', 'd']) await press(key)
    expect(fake.staffAction).toHaveBeenCalledTimes(1)
    expect(wrapper.find('dialog').exists()).toBe(false)

    await press('ArrowDown') // Dan: reminder sent
    await press('N')
    expect(fake.staffAction).toHaveBeenLastCalledWith({ kind: 'no-show', appointmentId: DAN, expectedStatus: 'reminder_sent' })

    await press('ArrowLeft') // Bob, at the same place in the first column: checked in
    expect(focused()).toBe(String(BOB))
    await press('i') // a check-in does not fit a patient already checked in
    expect(fake.staffAction).toHaveBeenCalledTimes(2)
    await press('x')
    expect(wrapper.find('dialog').exists()).toBe(true)
    expect(document.activeElement).toBe(byLabel(wrapper, 'Reason for cancelling').element)
    // Typing the reason is not a shortcut.
    await press('i')
    expect(fake.staffAction).toHaveBeenCalledTimes(2)
    await press('Escape')
    expect(focused()).toBe(String(BOB))
  })

  it('a doctor: C calls in, S starts and D completes, on their own patients', async () => {
    const fake = doctorDesk()
    const wrapper = await mountView(BoardView, fake)
    card(wrapper, BOB).element.focus()
    await press('c')
    expect(fake.staffAction).toHaveBeenLastCalledWith({ kind: 'call-in', appointmentId: BOB })
    expect(polite(wrapper)).toBe('Bob Brown called in.')
    await press('s')
    expect(fake.staffAction).toHaveBeenLastCalledWith({ kind: 'start-consultation', appointmentId: BOB })
    card(wrapper, EVE).element.focus()
    await press('D')
    expect(fake.staffAction).toHaveBeenLastCalledWith({ kind: 'complete-consultation', consultationId: 9 })
    expect(polite(wrapper)).toBe('Consultation with Eve Evans completed.')
    // A colleague's patient: nothing.
    card(wrapper, FRED).element.focus()
    await press('c')
    await press('s')
    expect(fake.staffAction).toHaveBeenCalledTimes(3)
  })

  it('keys do nothing while an action is on its way on the card, or with a modifier held', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    fake.staffAction.mockImplementationOnce(() => new Promise(() => undefined))
    card(wrapper, ALICE).element.focus()
    await press('i', { ctrlKey: true })
    expect(fake.staffAction).not.toHaveBeenCalled()
    await press('i')
    await press('n')
    await press('x')
    expect(fake.staffAction).toHaveBeenCalledTimes(1)
    expect(wrapper.find('dialog').exists()).toBe(false)
  })

  it('keys typed in a field are text, not shortcuts', async () => {
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    const date = byLabel(wrapper, 'Date')
    date.element.focus()
    for (const key of ['i', 'n', 'x', '?']) await press(key)
    expect(fake.staffAction).not.toHaveBeenCalled()
    expect(wrapper.find('dialog').exists()).toBe(false)
  })

  it('"?" and the toolbar button open the keyboard shortcuts, which list every action key and close with Escape', async () => {
    const wrapper = await mountView(BoardView, receptionDesk())
    card(wrapper, ALICE).element.focus()
    await press('?')
    const sheet = wrapper.find('dialog')
    expect(sheet.exists()).toBe(true)
    expect(sheet.find(`#${sheet.attributes('aria-labelledby') ?? 'none'}`).text()).toBe('Keyboard shortcuts')
    const rows = sheet.findAll('dt').map((dt, i) => `${dt.text()} ${sheet.findAll('dd')[i]?.text() ?? ''}`)
    for (const [key, what] of [
      ['I', 'Check the patient in'],
      ['N', 'Mark the appointment as a no-show'],
      ['X', 'Cancel the appointment'],
      ['U', 'Undo'],
      ['C', 'Call the waiting patient in'],
      ['S', 'Start the consultation'],
      ['D', 'Complete the consultation (done)'],
      ['?', 'This list of shortcuts'],
    ] as const) {
      expect(rows.some((row) => row.startsWith(`${key} ${what}`))).toBe(true)
    }
    expect(document.activeElement).toBe(button(sheet, 'Close').element)
    await press('Escape')
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(focused()).toBe(String(ALICE))

    const open = button(wrapper, 'Keyboard shortcuts')
    expect(open.attributes('aria-keyshortcuts')).toBe('?')
    open.element.focus()
    await open.trigger('click')
    await flushPromises()
    expect(wrapper.find('dialog').exists()).toBe(true)
    await button(wrapper.find('dialog'), 'Close').trigger('click')
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(document.activeElement).toBe(open.element)
  })
})

describe('colleagues’ call-ins', () => {
  it('shows "Dr. Ortiz is ready for Ana Lima" on the board, says it politely, and goes when dismissed or after two minutes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const fake = receptionDesk()
    const wrapper = await mountView(BoardView, fake)
    fake.emit({ kind: 'called-in', call: { appointmentId: 41, patientName: 'Ana Lima', doctorId: 33, doctorName: 'Dr. Ortiz', at: at('09:05') } })
    await flushPromises()
    const banner = wrapper.find('[aria-label="Patients called in by colleagues"]')
    expect(banner.find('[data-testid="called-in"]').text()).toContain('Dr. Ortiz is ready for Ana Lima')
    expect(polite(wrapper)).toBe('Dr. Ortiz is ready for Ana Lima.')
    await button(banner, 'Dismiss: Dr. Ortiz is ready for Ana Lima').trigger('click')
    expect(wrapper.find('[data-testid="called-in"]').exists()).toBe(false)

    fake.emit({ kind: 'called-in', call: { appointmentId: 42, patientName: 'Bo Berg', doctorId: 33, doctorName: 'Dr. Ortiz', at: at('09:06') } })
    await flushPromises()
    expect(wrapper.find('[data-testid="called-in"]').text()).toContain('Dr. Ortiz is ready for Bo Berg')
    vi.advanceTimersByTime(CALLED_IN_KEPT_MS + 10)
    await flushPromises()
    expect(wrapper.find('[data-testid="called-in"]').exists()).toBe(false)
  })
})

describe('completing a consultation', () => {
  it('offers Complete on the doctor’s own active consultations only, and shows it on its way', async () => {
    const fake = doctorDesk({
      consultations: [
        consultation({ id: 9, appointment_id: EVE, doctor_id: 31, status: 'active', patient_name: 'Eve Evans', started_at: at('08:31') }),
        consultation({ id: 10, doctor_id: 32, status: 'active', patient_name: 'Hal Hart', started_at: at('08:40') }),
        consultation({ id: 11, doctor_id: 31, status: 'pending', patient_name: 'Ivy Iles' }),
      ],
    })
    const wrapper = await mountView(ConsultationsView, fake)
    const item = (id: number) => wrapper.find(`[data-consultation-id="${id}"]`)
    expect(item(9).findAll('button').map((b) => accessibleName(b.element))).toEqual(['Complete the consultation with Eve Evans'])
    expect(item(10).findAll('button')).toHaveLength(0)
    expect(item(11).findAll('button')).toHaveLength(0)
    fake.staffAction.mockImplementationOnce(() => new Promise(() => undefined))
    await button(item(9), 'Complete the consultation with Eve Evans').trigger('click')
    expect(fake.staffAction).toHaveBeenCalledWith({ kind: 'complete-consultation', consultationId: 9 })
    expect(item(9).find('[data-testid="consultation-note"]').text()).toBe('Completing the consultation…')
    expect(item(9).find('button').element.disabled).toBe(true)
  })

  it('says a refused completion and shows why on the consultation', async () => {
    const fake = doctorDesk()
    const wrapper = await mountView(ConsultationsView, fake)
    fake.staffAction.mockRejectedValueOnce(new BridgeError('validation', 'The consultation is already completed.'))
    await button(wrapper.find('[data-consultation-id="9"]'), 'Complete the consultation with Eve Evans').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-consultation-id="9"] [data-testid="consultation-note"]').text()).toBe('The consultation is already completed.')
    expect(assertive(wrapper)).toBe('Could not complete the consultation with Eve Evans: The consultation is already completed.')
  })
})

describe('accessibility (axe-core)', () => {
  it('the board with actions: buttons, a card on its way, a refused one, an undo and a colleague’s call-in', async () => {
    const fake = receptionDesk({ pendingActions: [pendingAction({ appointmentId: DAN, kind: 'no-show', status: 'no_show', previousStatus: 'reminder_sent', state: 'queued', undoUntil: new Date(Date.now() + UNDO_WINDOW_MS).toISOString() })] })
    const wrapper = await mountView(BoardView, fake)
    fake.staffAction.mockRejectedValueOnce(new BridgeError('conflict', 'Already checked in by Elena Ruiz at 09:02.'))
    await button(card(wrapper, ALICE), 'Check in').trigger('click')
    fake.emit({ kind: 'called-in', call: { appointmentId: 41, patientName: 'Ana Lima', doctorId: 33, doctorName: 'Dr. Ortiz', at: at('09:05') } })
    await flushPromises()
    expect(card(wrapper, ALICE).find('[data-testid="card-refusal"]').exists()).toBe(true)
    expect(buttonsOn(wrapper, DAN)).toContain('Undo')
    expect(await axeViolations()).toEqual([])
  })

  it('the cancel dialog, with and without its error, and the shortcuts sheet', async () => {
    const wrapper = await mountView(BoardView, receptionDesk())
    await button(card(wrapper, ALICE), 'Cancel…').trigger('click')
    await flushPromises()
    expect(await axeViolations()).toEqual([])
    await wrapper.find('dialog form').trigger('submit')
    expect(wrapper.find('dialog [role="alert"]').exists()).toBe(true)
    expect(await axeViolations()).toEqual([])
    await press('Escape')
    await button(wrapper, 'Keyboard shortcuts').trigger('click')
    await flushPromises()
    expect(wrapper.find('dialog').exists()).toBe(true)
    expect(await axeViolations()).toEqual([])
  })

  it('a doctor’s board and the consultations with Complete', async () => {
    const fake = doctorDesk()
    const board = await mountView(BoardView, fake)
    expect(buttonsOn(board, EVE)).toEqual(['Complete'])
    expect(await axeViolations()).toEqual([])
    board.unmount()
    document.body.innerHTML = ''
    const consultations = await mountView(ConsultationsView, fake)
    expect(consultations.find('[data-consultation-id="9"] button').exists()).toBe(true)
    expect(await axeViolations()).toEqual([])
  })
})
