import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Appointment, Consultation } from '../../../shared/domain'
import {
  StaffActionRequest,
  UNDO_WINDOW_MS,
  type CalledIn,
  type PendingStaffAction,
  type StaffActionKind,
  type StaffActionResult,
  type StaffActionSettled,
} from '../../../shared/staff-actions'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import {
  ACTION_PENDING_STATUS,
  OWN_PATIENT_ACTIONS,
  noActions,
  actionsFitting,
  calledInText,
  doneSentence,
  isUndoable,
  queuedSentence,
  refusedSentence,
  undoneSentence,
  type ActionKind,
  type CardActionState,
} from '../lib/staff-actions'
import { useBoardStore } from './board'
import { useConsultationsStore } from './consultations'
import { useSessionStore } from './session'

export type { CardActionState }

/** A refusal's sentence stays on its card this long (or until the next action there). */
export const REFUSAL_SHOWN_MS = 8_000
/** A colleague's call-in stays on the board this long, unless dismissed. */
export const CALLED_IN_KEPT_MS = 120_000
/** At most this many colleagues' call-ins on show, the newest first. */
export const CALLS_SHOWN_MAX = 5
/** A live change to an appointment the user acted on this recently is theirs: the board does not announce it a second time. */
export const OWN_CHANGE_MS = 5_000
/** Ids remembered (names, outcomes, what was announced) for the actions of a long day, at most. */
const REMEMBERED_MAX = 500

/** A colleague's call-in as the board shows it. */
export interface ColleagueCall {
  key: string
  call: CalledIn
  /** "Dr. Ortiz is ready for Ana Lima" */
  text: string
}

interface Subject {
  appointmentId: number | null
  consultationId: number | null
}

/**
 * An action the user took in this window whose call has not answered, or
 * answered "queued". Shown on its card until the core's own pending mark
 * arrives (a host may be slower with events than with answers). `id` is the
 * core's, once known: from the pending event it announced (adopted by card
 * and kind) or from the answer. Mutated in place; the map is replaced to
 * redraw.
 */
interface Attempt extends Subject {
  seq: number
  kind: ActionKind
  /** For an undo: the action it reverses. */
  undoes: string | null
  status: string | null
  startedAt: number
  id: string | null
  state: 'sending' | 'queued'
}

/** What the window knows of an action, to word its end after its pending mark is gone. */
interface Known extends Subject {
  kind: ActionKind
  previousStatus: string | null
  undoes: string | null
  name: string | null
}

interface UndoWindow {
  id: string
  kind: StaffActionKind
  appointmentId: number
  until: number
}

type Ended = StaffActionSettled['outcome']

/** Identical arrays for identical inputs, across recomputations: a card's memo sees the same array and does not redraw. */
const FITTING = new Map<string, readonly StaffActionKind[]>()

function fitting(status: string, offeredKey: string, offered: ReadonlySet<StaffActionKind>, own: boolean, consultation: boolean): readonly StaffActionKind[] {
  const key = `${offeredKey}|${own ? 1 : 0}${consultation ? 1 : 0}|${status}`
  let found = FITTING.get(key)
  if (!found) {
    // Statuses are the server's words; a stream of unknown ones must not grow this forever.
    if (FITTING.size >= 1000) FITTING.clear()
    found = Object.freeze(actionsFitting(status, offered, own, consultation))
    FITTING.set(key, found)
  }
  return found
}

/**
 * Staff actions (issue 15): what this user may do, what is on its way, what
 * may still be undone, and colleagues' call-ins. The core decides: it shows an
 * action at once (`staff-action.pending`, replaced by id), ends it
 * (`staff-action.settled`) and says which actions are offered; the store
 * places what it emits and words the ends for screen readers, once each,
 * whichever of the event and the call's answer comes first.
 */
export const useStaffActionsStore = defineStore('staff-actions', () => {
  const bridge = useBridge()
  const session = useSessionStore()
  const board = useBoardStore()
  const consultations = useConsultationsStore()

  const offered = ref<readonly StaffActionKind[]>([])
  /** The core's pending actions, by id. */
  const pending = shallowRef<ReadonlyMap<string, PendingStaffAction>>(new Map())
  const attempts = shallowRef<Map<number, Attempt>>(new Map())
  /** By appointment id: the action on that card the user may still undo. */
  const undoWindows = shallowRef<ReadonlyMap<number, UndoWindow>>(new Map())
  /** By card (`a:12` an appointment, `c:9` a consultation): the server's sentence for the last refusal there. */
  const refusals = shallowRef<ReadonlyMap<string, string>>(new Map())
  const calls = ref<ColleagueCall[]>([])
  /** What the live regions say: done and queued politely, refusals at once. */
  const polite = ref('')
  const assertive = ref('')

  const known = new Map<string, Known>()
  const ended = new Map<string, Ended>()
  const announced = new Map<string, true>()
  /** Actions whose undo window was opened once: it never opens again (after it closed, or the user undid it). */
  const undoSeen = new Map<string, true>()
  const lastActed = new Map<number, number>()
  const undoTimers = new Map<number, ReturnType<typeof setTimeout>>()
  const refusalTimers = new Map<string, ReturnType<typeof setTimeout>>()
  const callTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** What each attempt is, by its seq until the core names it: then it is `known` under its id. */
  const pendingNames = new Map<number, Known>()
  let seq = 0

  const offeredSet = computed<ReadonlySet<StaffActionKind>>(() => new Set(offered.value))
  const myDoctorId = computed(() => session.user?.doctor_id ?? null)

  /** Each appointment's active consultation: what "Complete" on its card completes. */
  const activeConsultation = computed<ReadonlyMap<number, number>>(() => {
    const found = new Map<number, number>()
    for (const c of consultations.items) if (c.status === 'active' && c.appointment_id !== null) found.set(c.appointment_id, c.id)
    return found
  })

  /**
   * The actions that fit an appointment's card (offered, the doctor's own
   * patient): at its status, or at the status it shows while an action is on
   * its way (those buttons wait, disabled, for the server's answer).
   */
  const actionsOf = computed<(a: Appointment, status?: string) => readonly StaffActionKind[]>(() => {
    const offer = offeredSet.value
    if (offer.size === 0) return noActions
    const offerKey = [...offer].sort().join(',')
    const mine = myDoctorId.value
    const open = activeConsultation.value
    // Called for every card of a column each time it renders: by status, in one of four memos (own patient, with a consultation).
    const memo = (): Map<string, readonly StaffActionKind[]> => new Map()
    const memos = { plain: memo(), consultation: memo(), own: memo(), ownConsultation: memo() }
    return (a, status = a.status) => {
      const own = mine !== null && a.doctor_id === mine
      const consultation = open.has(a.id)
      const memo = own ? (consultation ? memos.ownConsultation : memos.own) : consultation ? memos.consultation : memos.plain
      let found = memo.get(status)
      if (!found) {
        found = fitting(status, offerKey, offer, own, consultation)
        memo.set(status, found)
      }
      return found
    }
  })

  /** Whether a doctor's column may show actions at all: reception's everywhere, a doctor's in their own column. */
  const actionableColumn = computed(() => {
    const offer = offeredSet.value
    const mine = myDoctorId.value
    const anywhere = [...offer].some((kind) => !OWN_PATIENT_ACTIONS.includes(kind))
    const own = [...offer].some((kind) => OWN_PATIENT_ACTIONS.includes(kind))
    return (doctorId: number): boolean => anywhere || (own && mine !== null && doctorId === mine)
  })

  const cards = computed<ReadonlyMap<number, CardActionState>>((previous) => cardStates(previous, (s) => s.appointmentId, 'a', true))
  const consultationCards = computed<ReadonlyMap<number, CardActionState>>((previous) => cardStates(previous, (s) => s.consultationId, 'c', false))

  /**
   * Each card's state, from the core's pending actions (the newest per card),
   * this window's attempts the core has not shown yet, the undo windows and
   * the refusals. A card whose state did not change keeps its object.
   */
  function cardStates(previous: ReadonlyMap<number, CardActionState> | undefined, pick: (s: Subject) => number | null, prefix: 'a' | 'c', withUndo: boolean): ReadonlyMap<number, CardActionState> {
    interface Draft {
      pending: CardActionState['pending']
      at: number
      fromCore: boolean
      undo: CardActionState['undo']
      refusal: string | null
    }
    const drafts = new Map<number, Draft>()
    const draft = (id: number): Draft => {
      let d = drafts.get(id)
      if (!d) {
        d = { pending: null, at: -Infinity, fromCore: false, undo: null, refusal: null }
        drafts.set(id, d)
      }
      return d
    }
    for (const p of pending.value.values()) {
      const id = pick(p)
      if (id === null) continue
      const d = draft(id)
      const at = Date.parse(p.createdAt)
      if (d.fromCore && at < d.at) continue
      d.pending = { kind: p.kind, status: p.status, state: p.state }
      d.at = at
      d.fromCore = true
    }
    for (const a of attempts.value.values()) {
      const id = pick(a)
      if (id === null) continue
      const d = draft(id)
      // The user's undo shows at once, over the mark of the action it withdraws.
      if ((d.fromCore && a.kind !== 'undo') || a.startedAt < d.at) continue
      d.pending = { kind: a.kind, status: a.status, state: a.state }
      d.at = a.startedAt
    }
    if (withUndo) for (const [id, u] of undoWindows.value) draft(id).undo = { id: u.id, kind: u.kind }
    for (const [key, message] of refusals.value) if (key.startsWith(`${prefix}:`)) draft(Number(key.slice(2))).refusal = message
    const next = new Map<number, CardActionState>()
    for (const [id, d] of drafts) {
      const state: CardActionState = { pending: d.pending, undo: d.undo, refusal: d.refusal }
      const old = previous?.get(id)
      next.set(id, old && sameState(old, state) ? old : state)
    }
    return next
  }

  // ── what the core says ─────────────────────────────────────────────────

  /** The snapshot: what waits in the core's outbox (kept across a restart) and what is offered. Nothing is announced. */
  function hydrate(list: readonly PendingStaffAction[], actions: readonly StaffActionKind[]): void {
    offered.value = [...actions]
    const next = new Map<string, PendingStaffAction>()
    for (const p of list) {
      if (ended.has(p.id)) continue
      next.set(p.id, p)
      learn(p)
    }
    pending.value = next
    // An attempt the core had answered for and no longer holds ended while this window was not listening.
    const gone = [...attempts.value.values()].filter((a) => a.id !== null && !next.has(a.id))
    if (gone.length > 0) dropAttempts(gone)
    for (const p of list) if (next.has(p.id)) openUndoFor(p)
  }

  function applyOffered(actions: readonly StaffActionKind[]): void {
    offered.value = [...actions]
  }

  /** An action shown at once, or its state changed: replaced by id. */
  function applyPending(p: PendingStaffAction): void {
    // A late copy of one that has ended must not bring its mark back.
    if (ended.has(p.id)) return
    const before = pending.value.get(p.id)
    pending.value = withEntry(pending.value, p.id, p)
    if (!before) adopt(p)
    learn(p)
    openUndoFor(p)
    if (p.state === 'queued' && before?.state !== 'queued') announceQueued(p.id)
  }

  function applySettled(s: StaffActionSettled): void {
    const info = known.get(s.id) ?? { kind: s.kind, appointmentId: s.appointmentId, consultationId: null, previousStatus: null, undoes: null, name: null }
    const subject: Subject = { appointmentId: info.appointmentId ?? s.appointmentId, consultationId: info.consultationId }
    const name = info.name ?? nameOf(subject)
    endAction(s.id, s.outcome)
    const message = s.message ?? 'The clinic server refused it.'
    if (info.kind === 'undo') {
      const original = info.undoes === null ? undefined : known.get(info.undoes)
      if (info.undoes === null || !original || original.kind === 'undo') return
      if (s.outcome === 'done') {
        endAction(info.undoes, 'undone')
        announceOnce(`undone:${info.undoes}`, undoneSentence(original.kind, name))
      } else if (s.outcome === 'refused') {
        showRefusal(subject, message)
        announceOnce(`${s.id}:refused`, refusedSentence(original.kind, name, message, true), true)
      }
      return
    }
    switch (s.outcome) {
      case 'done':
        announceOnce(`${s.id}:done`, doneSentence(info.kind, name))
        return
      case 'refused':
        closeUndo(s.id)
        showRefusal(subject, message)
        announceOnce(`${s.id}:refused`, refusedSentence(info.kind, name, message), true)
        return
      case 'undone':
        closeUndo(s.id)
        announceOnce(`undone:${s.id}`, undoneSentence(info.kind, name))
        return
    }
  }

  function applyCalledIn(call: CalledIn): void {
    // The doctor's own desk knows it called.
    if (myDoctorId.value !== null && call.doctorId === myDoctorId.value) return
    const key = `${call.appointmentId}@${call.at}`
    if (calls.value.some((c) => c.key === key)) return
    for (const old of calls.value.filter((c) => c.call.appointmentId === call.appointmentId)) dismissCall(old.key)
    const text = calledInText(call.doctorName, call.patientName)
    const next = [{ key, call, text }, ...calls.value]
    for (const dropped of next.slice(CALLS_SHOWN_MAX)) clearTimer(callTimers, dropped.key)
    calls.value = next.slice(0, CALLS_SHOWN_MAX)
    callTimers.set(
      key,
      setTimeout(() => dismissCall(key), CALLED_IN_KEPT_MS),
    )
    say(`${text}.`, false)
  }

  function dismissCall(key: string): void {
    clearTimer(callTimers, key)
    calls.value = calls.value.filter((c) => c.key !== key)
  }

  // ── what the user does ─────────────────────────────────────────────────

  /** An action, checked against the contract; nothing happens while another is on its way on the same card. */
  async function act(request: StaffActionRequest): Promise<void> {
    const parsed = StaffActionRequest.safeParse(request)
    if (!parsed.success) return
    const r = parsed.data
    const subject: Subject =
      r.kind === 'complete-consultation'
        ? { appointmentId: consultationOf(r.consultationId)?.appointment_id ?? null, consultationId: r.consultationId }
        : { appointmentId: r.appointmentId, consultationId: null }
    if (busy(subject)) return
    const previousStatus = 'expectedStatus' in r ? r.expectedStatus : subject.appointmentId === null ? null : (appointmentOf(subject.appointmentId)?.status ?? null)
    const attempt = begin(r.kind, subject, ACTION_PENDING_STATUS[r.kind] ?? null, previousStatus, null)
    const name = nameOf(subject)
    try {
      answered(attempt, r.kind, await bridge.staffAction(r), name, previousStatus)
    } catch (error) {
      refused(attempt, errorMessage(error), () => refusedSentence(r.kind, name, errorMessage(error)))
    }
  }

  /** The action of a card's button or key on that appointment, if it fits the card now. */
  async function actOn(a: Appointment, kind: StaffActionKind, reason?: string): Promise<void> {
    if (!actionsOf.value(a).includes(kind)) return
    const request = requestFor(a, kind, reason)
    if (request) await act(request)
  }

  async function complete(c: Consultation): Promise<void> {
    if (canComplete(c)) await act({ kind: 'complete-consultation', consultationId: c.id })
  }

  /** Reverses a check-in, no-show or cancel while its undo window is open. */
  async function undo(id: string): Promise<void> {
    const window = [...undoWindows.value.values()].find((u) => u.id === id)
    if (!window) return
    closeUndo(id)
    const subject: Subject = { appointmentId: window.appointmentId, consultationId: null }
    const info = known.get(id)
    const name = info?.name ?? nameOf(subject)
    const attempt = begin('undo', subject, info?.previousStatus ?? pending.value.get(id)?.previousStatus ?? null, null, id)
    try {
      const result = await bridge.undoStaffAction({ id })
      const undoId = attempt.id ?? (result.id === id ? null : result.id)
      const names = pendingNames.get(attempt.seq)
      pendingNames.delete(attempt.seq)
      if (undoId !== null) {
        attempt.id = undoId
        if (names && !known.has(undoId)) remember(known, undoId, names)
      }
      if (result.status === 'done') {
        dropAttempts([attempt])
        // Withdrawn before it was sent, or sent back: undone either way.
        endAction(id, 'undone')
        if (undoId !== null) endAction(undoId, 'done')
        announceOnce(`undone:${id}`, undoneSentence(window.kind, name))
      } else {
        setQueued(attempt, undoId)
        announceOnce(`${result.id}:queued`, queuedSentence(window.kind, name, true))
      }
    } catch (error) {
      refused(attempt, errorMessage(error), () => refusedSentence(window.kind, name, errorMessage(error), true))
    }
  }

  function canComplete(c: Consultation): boolean {
    return offeredSet.value.has('complete-consultation') && c.status === 'active' && myDoctorId.value !== null && c.doctor_id === myDoctorId.value
  }

  function consultationFor(appointmentId: number): number | null {
    return activeConsultation.value.get(appointmentId) ?? null
  }

  /** The user acted on this appointment a moment ago (or still is): a live change to it is their own. */
  function recentlyActed(appointmentId: number): boolean {
    return Date.now() - (lastActed.get(appointmentId) ?? -Infinity) < OWN_CHANGE_MS || busy({ appointmentId, consultationId: null })
  }

  function reset(): void {
    offered.value = []
    pending.value = new Map()
    attempts.value = new Map()
    undoWindows.value = new Map()
    refusals.value = new Map()
    calls.value = []
    polite.value = ''
    assertive.value = ''
    for (const timers of [undoTimers, refusalTimers, callTimers] as Array<Map<unknown, ReturnType<typeof setTimeout>>>) {
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
    }
    known.clear()
    ended.clear()
    announced.clear()
    undoSeen.clear()
    lastActed.clear()
  }

  // ── inside ─────────────────────────────────────────────────────────────

  function requestFor(a: Appointment, kind: StaffActionKind, reason: string | undefined): StaffActionRequest | null {
    switch (kind) {
      case 'check-in':
      case 'no-show':
        return { kind, appointmentId: a.id, expectedStatus: a.status }
      case 'cancel':
        return reason === undefined ? null : { kind, appointmentId: a.id, expectedStatus: a.status, reason }
      case 'call-in':
      case 'start-consultation':
        return { kind, appointmentId: a.id }
      case 'complete-consultation': {
        const consultationId = consultationFor(a.id)
        return consultationId === null ? null : { kind, consultationId }
      }
    }
  }

  function begin(kind: ActionKind, subject: Subject, status: string | null, previousStatus: string | null, undoes: string | null): Attempt {
    // A new action on a card ends what was said about the last one there.
    if (subject.appointmentId !== null && kind !== 'undo') closeUndoOf(subject.appointmentId)
    clearRefusal(subject)
    if (subject.appointmentId !== null) lastActed.set(subject.appointmentId, Date.now())
    const attempt: Attempt = { seq: ++seq, kind, undoes, ...subject, status, startedAt: Date.now(), id: null, state: 'sending' }
    attempts.value = new Map(attempts.value).set(attempt.seq, attempt)
    // Kept for the wording of its end, under a key of its own until the core names it.
    pendingNames.set(attempt.seq, { kind, ...subject, previousStatus, undoes, name: nameOf(subject) })
    return attempt
  }

  function answered(attempt: Attempt, kind: StaffActionKind, result: StaffActionResult, name: string | null, previousStatus: string | null): void {
    const id = result.id
    attempt.id = id
    remember(known, id, { kind, appointmentId: attempt.appointmentId, consultationId: attempt.consultationId, previousStatus, undoes: null, name })
    pendingNames.delete(attempt.seq)
    const end = ended.get(id)
    if (end === 'refused' || end === 'undone') {
      dropAttempts([attempt])
      return
    }
    const undoUntil = pending.value.get(id)?.undoUntil
    const until = undoUntil ? Date.parse(undoUntil) : attempt.startedAt + UNDO_WINDOW_MS
    if (isUndoable(kind) && attempt.appointmentId !== null) openUndo(id, kind, attempt.appointmentId, until)
    if (result.status === 'done') {
      dropAttempts([attempt])
      endAction(id, 'done')
      announceOnce(`${id}:done`, doneSentence(kind, name))
    } else {
      setQueued(attempt, id)
      announceOnce(`${id}:queued`, queuedSentence(kind, name))
    }
  }

  /** A refusal (the call's error): the card goes back to the server's, shows why, and says it once. */
  function refused(attempt: Attempt, message: string, sentence: () => string): void {
    pendingNames.delete(attempt.seq)
    dropAttempts([attempt])
    const id = attempt.id
    if (id !== null) {
      closeUndo(id)
      endAction(id, 'refused')
    }
    showRefusal(attempt, message)
    if (id !== null) announceOnce(`${id}:refused`, sentence(), true)
    else say(sentence(), true)
  }

  function setQueued(attempt: Attempt, id: string | null): void {
    attempt.state = 'queued'
    if (id !== null) {
      attempt.id = id
      const p = pending.value.get(id)
      if (p && p.state !== 'queued') pending.value = withEntry(pending.value, id, { ...p, state: 'queued' })
    }
    if (attempts.value.has(attempt.seq)) attempts.value = new Map(attempts.value)
  }

  /** A pending action the core announced takes over the attempt of the same kind on the same card. */
  function adopt(p: PendingStaffAction): void {
    for (const a of attempts.value.values()) {
      if (a.id !== null || a.kind !== p.kind) continue
      const same = p.kind === 'undo' ? a.undoes === p.undoes : p.consultationId !== null ? a.consultationId === p.consultationId : a.appointmentId === p.appointmentId
      if (!same) continue
      a.id = p.id
      const names = pendingNames.get(a.seq)
      pendingNames.delete(a.seq)
      if (names) remember(known, p.id, names)
      return
    }
  }

  function learn(p: PendingStaffAction): void {
    const before = known.get(p.id)
    const subject: Subject = { appointmentId: p.appointmentId, consultationId: p.consultationId }
    remember(known, p.id, {
      kind: p.kind,
      ...subject,
      previousStatus: p.previousStatus ?? before?.previousStatus ?? null,
      undoes: p.undoes,
      name: before?.name ?? nameOf(subject),
    })
  }

  function openUndoFor(p: PendingStaffAction): void {
    if (isUndoable(p.kind) && p.undoUntil !== null && p.appointmentId !== null) openUndo(p.id, p.kind, p.appointmentId, Date.parse(p.undoUntil))
  }

  function openUndo(id: string, kind: StaffActionKind, appointmentId: number, until: number): void {
    const left = until - Date.now()
    if (undoSeen.has(id) || ended.get(id) === 'refused' || ended.get(id) === 'undone' || !(left > 0)) return
    remember(undoSeen, id, true)
    undoWindows.value = withEntry(undoWindows.value, appointmentId, { id, kind, appointmentId, until })
    clearTimer(undoTimers, appointmentId)
    undoTimers.set(
      appointmentId,
      setTimeout(() => closeUndo(id), left),
    )
  }

  function closeUndo(id: string): void {
    for (const [appointmentId, u] of undoWindows.value) if (u.id === id) closeUndoOf(appointmentId)
  }

  function closeUndoOf(appointmentId: number): void {
    clearTimer(undoTimers, appointmentId)
    if (!undoWindows.value.has(appointmentId)) return
    const next = new Map(undoWindows.value)
    next.delete(appointmentId)
    undoWindows.value = next
  }

  /** An action has ended: its mark goes, and a late copy of it is ignored. */
  function endAction(id: string, outcome: Ended): void {
    remember(ended, id, outcome)
    const info = known.get(id)
    if (info?.appointmentId != null) lastActed.set(info.appointmentId, Date.now())
    if (pending.value.has(id)) {
      const next = new Map(pending.value)
      next.delete(id)
      pending.value = next
    }
    const done = [...attempts.value.values()].filter((a) => a.id === id)
    if (done.length > 0) dropAttempts(done)
  }

  function dropAttempts(list: readonly Attempt[]): void {
    const next = new Map(attempts.value)
    for (const a of list) next.delete(a.seq)
    if (next.size !== attempts.value.size) attempts.value = next
  }

  function busy(subject: Subject): boolean {
    const on = (s: Subject): boolean =>
      (subject.appointmentId !== null && s.appointmentId === subject.appointmentId) || (subject.consultationId !== null && s.consultationId === subject.consultationId)
    return [...pending.value.values()].some(on) || [...attempts.value.values()].some(on)
  }

  function keysOf(subject: Subject): string[] {
    const keys: string[] = []
    if (subject.appointmentId !== null) keys.push(`a:${subject.appointmentId}`)
    if (subject.consultationId !== null) keys.push(`c:${subject.consultationId}`)
    return keys
  }

  function showRefusal(subject: Subject, message: string): void {
    const next = new Map(refusals.value)
    for (const key of keysOf(subject)) {
      next.set(key, message)
      clearTimer(refusalTimers, key)
      refusalTimers.set(
        key,
        setTimeout(() => clearRefusalKeys([key]), REFUSAL_SHOWN_MS),
      )
    }
    refusals.value = next
  }

  function clearRefusal(subject: Subject): void {
    clearRefusalKeys(keysOf(subject))
  }

  function clearRefusalKeys(keys: readonly string[]): void {
    for (const key of keys) clearTimer(refusalTimers, key)
    if (!keys.some((key) => refusals.value.has(key))) return
    const next = new Map(refusals.value)
    for (const key of keys) next.delete(key)
    refusals.value = next
  }

  function announceQueued(id: string): void {
    const info = known.get(id)
    if (!info) return
    if (info.kind !== 'undo') {
      announceOnce(`${id}:queued`, queuedSentence(info.kind, info.name))
      return
    }
    const original = info.undoes === null ? undefined : known.get(info.undoes)
    if (original && original.kind !== 'undo') announceOnce(`${id}:queued`, queuedSentence(original.kind, info.name ?? original.name, true))
  }

  /** Says an end once, whichever of the event and the call's answer brings it first. */
  function announceOnce(key: string, text: string, urgent = false): void {
    if (announced.has(key)) return
    remember(announced, key, true)
    say(text, urgent)
  }

  function say(text: string, urgent: boolean): void {
    const region = urgent ? assertive : polite
    // The same words again are still news: a changed text is what a live region announces.
    region.value = region.value === text ? `${text}\u00a0` : text
  }

  function appointmentOf(id: number): Appointment | null {
    return board.board?.appointments.find((a) => a.id === id) ?? null
  }

  function consultationOf(id: number): Consultation | null {
    return consultations.items.find((c) => c.id === id) ?? null
  }

  function nameOf(subject: Subject): string | null {
    if (subject.consultationId !== null) {
      const c = consultationOf(subject.consultationId)
      if (c) return c.patient_name
    }
    return subject.appointmentId === null ? null : (appointmentOf(subject.appointmentId)?.patient_name ?? null)
  }

  return {
    offered,
    pending,
    calls,
    polite,
    assertive,
    cards,
    consultationCards,
    actionsOf,
    actionableColumn,
    hydrate,
    applyOffered,
    applyPending,
    applySettled,
    applyCalledIn,
    dismissCall,
    act,
    actOn,
    complete,
    undo,
    canComplete,
    consultationFor,
    recentlyActed,
    reset,
  }
})

function sameState(a: CardActionState, b: CardActionState): boolean {
  const p = a.pending
  const q = b.pending
  const samePending = p === q || (p !== null && q !== null && p.kind === q.kind && p.status === q.status && p.state === q.state)
  const sameUndo = a.undo === b.undo || (a.undo !== null && b.undo !== null && a.undo.id === b.undo.id && a.undo.kind === b.undo.kind)
  return samePending && sameUndo && a.refusal === b.refusal
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): Map<K, V> {
  return new Map(map).set(key, value)
}

/** Sets a key as the newest of a map kept to the last `REMEMBERED_MAX` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  if (map.size >= REMEMBERED_MAX) {
    const oldest = map.keys().next()
    if (!oldest.done) map.delete(oldest.value)
  }
  map.set(key, value)
}

function clearTimer<K>(timers: Map<K, ReturnType<typeof setTimeout>>, key: K): void {
  const timer = timers.get(key)
  if (timer !== undefined) clearTimeout(timer)
  timers.delete(key)
}
