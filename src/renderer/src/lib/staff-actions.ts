import type { Appointment } from '../../../shared/domain'
import { ACTION_STATUS, STAFF_ACTIONS, UNDOABLE_ACTIONS, type StaffActionKind } from '../../../shared/staff-actions'

/**
 * Staff actions as the window shows them (issue 15): which fit a card, their
 * buttons and keys, what a card says while one is on its way, and the
 * sentences announced when one ends. One place, so the cards, the keyboard,
 * the shortcuts sheet and the tests agree.
 */

/** An action, or the undo of one. */
export type ActionKind = StaffActionKind | 'undo'

const BOOKED: readonly string[] = ['scheduled', 'confirmed', 'reminder_sent']

/** The appointment statuses each action fits (docs/backend-contract.md, "Staff actions"). */
const FITS: Record<StaffActionKind, readonly string[]> = {
  'check-in': BOOKED,
  'no-show': [...BOOKED, 'checked_in'],
  cancel: [...BOOKED, 'checked_in'],
  'call-in': ['checked_in'],
  'start-consultation': ['checked_in'],
  'complete-consultation': ['in_consultation'],
}

/** A doctor takes these on their own patients only: a colleague's column shows none of them. */
export const OWN_PATIENT_ACTIONS: readonly StaffActionKind[] = ['call-in', 'start-consultation', 'complete-consultation']

/** What a card shows while an action is on its way, when the action does not set a status of its own (the contract's `status` is null). */
export const ACTION_PENDING_STATUS: Partial<Record<StaffActionKind, string>> = {
  ...ACTION_STATUS,
  'start-consultation': 'in_consultation',
  'complete-consultation': 'completed',
}

/** One key per action on the focused card. */
export const ACTION_KEYS: Record<ActionKind, string> = {
  'check-in': 'I',
  'no-show': 'N',
  cancel: 'X',
  undo: 'U',
  'call-in': 'C',
  'start-consultation': 'S',
  'complete-consultation': 'D',
}

const BY_KEY = new Map<string, ActionKind>(Object.entries(ACTION_KEYS).map(([kind, key]) => [key.toLowerCase(), kind as ActionKind]))

/** The action a key press asks for (either case), or null. */
export function actionForKey(key: string): ActionKind | null {
  return key.length === 1 ? (BY_KEY.get(key.toLowerCase()) ?? null) : null
}

export const ACTION_BUTTON_LABELS: Record<ActionKind, string> = {
  'check-in': 'Check in',
  'no-show': 'No-show',
  cancel: 'Cancel…',
  undo: 'Undo',
  'call-in': 'Call in',
  'start-consultation': 'Start consultation',
  'complete-consultation': 'Complete',
}

/** What each button does, for its tooltip and the shortcuts sheet. */
export const ACTION_DESCRIPTIONS: Record<ActionKind, string> = {
  'check-in': 'Check the patient in',
  'no-show': 'Mark the appointment as a no-show',
  cancel: 'Cancel the appointment (asks for a reason)',
  undo: 'Undo the last check-in, no-show or cancellation, for a few seconds after it',
  'call-in': 'Call the waiting patient in (reception is told)',
  'start-consultation': 'Start the consultation',
  'complete-consultation': 'Complete the consultation (done)',
}

/** "Check in (I)": a button's tooltip, with its key. */
export function actionTitle(kind: ActionKind): string {
  return `${ACTION_DESCRIPTIONS[kind]} (${ACTION_KEYS[kind]})`
}

export const ACTION_PENDING_LABELS: Record<ActionKind, string> = {
  'check-in': 'Checking in…',
  'no-show': 'Marking no-show…',
  cancel: 'Cancelling…',
  undo: 'Undoing…',
  'call-in': 'Calling in…',
  'start-consultation': 'Starting the consultation…',
  'complete-consultation': 'Completing the consultation…',
}

export const QUEUED_LABEL = 'Queued — will be sent when the server answers'

/** The status an action sets, if it sets one the user may undo. */
export function statusSetBy(kind: StaffActionKind): string | null {
  return Object.hasOwn(ACTION_STATUS, kind) ? ACTION_STATUS[kind as keyof typeof ACTION_STATUS] : null
}

export function isUndoable(kind: ActionKind): kind is StaffActionKind {
  return kind !== 'undo' && UNDOABLE_ACTIONS.includes(kind)
}

/** The actions that fit a card, in the order of their buttons. */
export function actionsFitting(status: string, offered: ReadonlySet<StaffActionKind>, own: boolean, hasConsultation: boolean): StaffActionKind[] {
  return STAFF_ACTIONS.filter((kind) => {
    if (!offered.has(kind) || !FITS[kind].includes(status)) return false
    if (OWN_PATIENT_ACTIONS.includes(kind) && !own) return false
    return kind !== 'complete-consultation' || hasConsultation
  })
}

/** No actions, no states: the same empty values everywhere, so a memoised card sees no change. */
export const NO_ACTIONS: readonly StaffActionKind[] = Object.freeze([])
export const noActions = (_a?: Appointment, _status?: string): readonly StaffActionKind[] => NO_ACTIONS
export const NO_CARD_STATES: ReadonlyMap<number, CardActionState> = new Map()

/**
 * What a card's action state is: the action on its way (and so what the card
 * shows meanwhile), the action the user may still undo, and the server's
 * sentence for the last refusal on it.
 */
export interface CardActionState {
  pending: { kind: ActionKind; status: string | null; state: 'sending' | 'queued' } | null
  undo: { id: string; kind: StaffActionKind } | null
  refusal: string | null
}

export interface CardControls {
  /** The status the card shows: the pending action's over the server's. */
  status: string
  buttons: ReadonlyArray<{ kind: StaffActionKind; disabled: boolean }>
  /** The Undo control, while the action can be undone and the card still shows its status. */
  undo: { id: string; kind: StaffActionKind } | null
}

/** The status a card shows: the pending action's over the server's. */
export function shownStatus(appointment: Pick<Appointment, 'status'>, state: CardActionState | null | undefined): string {
  return state?.pending?.status ?? appointment.status
}

/**
 * A card's buttons, the same for the mouse and the keyboard: `actions` are
 * those that fit the status it shows. They are disabled while an action is on
 * its way; its Undo is not.
 */
export function cardControls(appointment: Pick<Appointment, 'status'>, actions: readonly StaffActionKind[], state: CardActionState | null | undefined): CardControls {
  const pending = state?.pending ?? null
  const status = shownStatus(appointment, state)
  const undo = state?.undo ?? null
  // Offered while the card still shows what the action did (also while it waits to be sent: the undo withdraws it);
  // once a colleague moved the appointment on, there is nothing to undo.
  const undoShown = undo !== null && pending?.kind !== 'undo' && statusSetBy(undo.kind) === status
  return {
    status,
    buttons: actions.map((kind) => ({ kind, disabled: pending !== null })),
    undo: undoShown ? undo : null,
  }
}

// ── what is announced ────────────────────────────────────────────────────

/** What the sentences call the patient when the desk has no name for them. */
const SOMEONE = 'the patient'

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** "Check-in for Ana Lima": an action as a noun. */
export function actionNoun(kind: StaffActionKind, name: string | null): string {
  const who = name ?? SOMEONE
  switch (kind) {
    case 'check-in':
      return `check-in for ${who}`
    case 'no-show':
      return `no-show for ${who}`
    case 'cancel':
      return `cancellation of the appointment for ${who}`
    case 'call-in':
      return `call-in for ${who}`
    case 'start-consultation':
      return `start of the consultation with ${who}`
    case 'complete-consultation':
      return `completion of the consultation with ${who}`
  }
}

/** "Ana Lima checked in.": an action the server took. */
export function doneSentence(kind: StaffActionKind, name: string | null): string {
  const who = name ?? SOMEONE
  switch (kind) {
    case 'check-in':
      return capitalised(`${who} checked in.`)
    case 'no-show':
      return capitalised(`${who} marked as a no-show.`)
    case 'cancel':
      return `Appointment for ${who} cancelled.`
    case 'call-in':
      return capitalised(`${who} called in.`)
    case 'start-consultation':
      return `Consultation with ${who} started.`
    case 'complete-consultation':
      return `Consultation with ${who} completed.`
  }
}

/** "Check-in for Ana Lima queued: it will be sent when the server answers." (`undo`: the undo of that action is.) */
export function queuedSentence(kind: StaffActionKind, name: string | null, undo = false): string {
  const what = undo ? `undo of the ${actionNoun(kind, name)}` : actionNoun(kind, name)
  return `${capitalised(what)} queued: it will be sent when the server answers.`
}

/** "Check-in for Ana Lima undone." */
export function undoneSentence(kind: StaffActionKind, name: string | null): string {
  return `${capitalised(actionNoun(kind, name))} undone.`
}

/** "Could not check in Ana Lima: Already checked in by Elena Ruiz at 09:02." */
export function refusedSentence(kind: StaffActionKind, name: string | null, message: string, undo = false): string {
  const who = name ?? SOMEONE
  const what = undo
    ? `undo the ${actionNoun(kind, name)}`
    : {
        'check-in': `check in ${who}`,
        'no-show': `mark ${who} as a no-show`,
        cancel: `cancel the appointment for ${who}`,
        'call-in': `call ${who} in`,
        'start-consultation': `start the consultation with ${who}`,
        'complete-consultation': `complete the consultation with ${who}`,
      }[kind]
  const said = message.trim()
  return `Could not ${what}: ${/[.!?]$/.test(said) ? said : `${said}.`}`
}

/** "Dr. Ortiz is ready for Ana Lima": a colleague's call-in. */
export function calledInText(doctorName: string, patientName: string): string {
  return `${doctorName} is ready for ${patientName}`
}

// ── the shortcuts sheet ──────────────────────────────────────────────────

export interface Shortcut {
  /** The keys as they are printed on the keyboard, one `<kbd>` each. */
  keys: readonly string[]
  what: string
}

export interface ShortcutGroup {
  title: string
  shortcuts: readonly Shortcut[]
}

const ACTION_ORDER: readonly ActionKind[] = ['check-in', 'no-show', 'cancel', 'undo', 'call-in', 'start-consultation', 'complete-consultation']

export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  {
    title: 'Moving on the board',
    shortcuts: [
      { keys: ['↑', '↓'], what: 'Previous or next appointment in the column' },
      { keys: ['←', '→'], what: 'The doctor’s column to the left or right' },
      { keys: ['Home', 'End'], what: 'First or last appointment in the column' },
      { keys: ['Tab'], what: 'The focused appointment’s buttons, then the next column' },
    ],
  },
  {
    title: 'On the focused appointment',
    shortcuts: ACTION_ORDER.map((kind) => ({ keys: [ACTION_KEYS[kind]], what: ACTION_DESCRIPTIONS[kind] })),
  },
  {
    title: 'Anywhere',
    shortcuts: [
      { keys: ['?'], what: 'This list of shortcuts' },
      { keys: ['Esc'], what: 'Close a dialog' },
      { keys: ['Alt+1 … Alt+7'], what: 'Go to a screen of the menu' },
    ],
  },
]
