import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AppointmentAction } from '../../../shared/payloads'
import type { Board } from '../../../shared/desk-state'
import type { Appointment } from '../../../shared/domain'
import { KNOWN_APPOINTMENT_STATUSES } from '../../../shared/domain'
import { applyBoardRead, boardDayOf, placeAppointment, type BoardState } from '../../../shared/reducers/board'
import { supersedes } from '../../../shared/reducers/newest-wins'
import { useBridge } from '../desk/bridge-context'
import { clinicToday } from '../lib/clinic-clock'
import { errorMessage } from '../lib/errors'
import { createFlash } from '../lib/flash'
import { appointmentStatusLabel } from '../lib/labels'
import { useSessionStore } from './session'

export interface BoardColumn {
  doctorId: number
  name: string
  /** Null while the column is live; seconds between its refreshes when the server refuses this desk the doctor's channel. */
  refreshSeconds: number | null
  appointments: Appointment[]
}

export interface ColumnDoctor {
  doctorId: number
  name: string
  refreshSeconds: number | null
}

/** Live changes remembered for a day on its way, at most this many. */
const EARLY_LIMIT = 500

export interface BoardChange {
  appointment: Appointment
  action: AppointmentAction | null
  changed: readonly string[]
}

export const ALL = 'all'

/**
 * The day's appointments by doctor, kept live; filters and the highlight of what just changed.
 *
 * The core decides what a change does (newest wins, which day a row is on);
 * the store places the rows it emits with the same shared board reducer
 * (`src/shared/reducers/board.ts`), never a copy of its rules. It orders
 * anything itself only for the races of its own: the answer to `load` arrives
 * after live changes the core sent later, and events that waited for a
 * snapshot are replayed after it. So replacing the board keeps a row a live
 * change made newer, and its highlight, and a row still highlighted that the
 * read predates; a row a live change moved to another day stays off; and a
 * change for a day being loaded is applied once its board is in.
 *
 * Days are the clinic's (the session's zone), as the core's, and "today"
 * moves on by itself at the clinic's midnight. The core moves a board that
 * showed today to the new day (a `board.replaced`); the store follows it and
 * never asks for the old day again.
 *
 * Sized for a busy day (thousands of rows, dozens of changes a second): the
 * board is a shallow ref (rows are replaced, never changed in place, so they
 * need no reactive proxies), a live change replaces one row without sorting
 * the day again, and the derived lists keep their identity when their content
 * did not change, so the views they feed do not re-render for nothing.
 */
export const useBoardStore = defineStore('board', () => {
  const bridge = useBridge()
  const session = useSessionStore()

  const board = shallowRef<Board | null>(null)
  /** The day asked for: shown in the date input before its board arrives. */
  const requestedDate = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const doctorFilter = ref<number | typeof ALL>(ALL)
  const statusFilter = ref<string>(ALL)
  const lastChange = ref<BoardChange | null>(null)
  const highlight = createFlash()
  /** The clinic's today, moving on at its midnight. */
  const today = clinicToday(() => session.zone)
  /** Live changes for the day being loaded (`requestedDate`), by appointment id: applied once its board is in. */
  const early = new Map<number, BoardChange>()
  /** Rows a live change moved off the day on show (the shared reducer's `departed`): an older read does not bring them back. */
  let departed: BoardState['departed'] = new Map()
  let request = 0

  const date = computed(() => requestedDate.value ?? board.value?.date ?? null)
  const showingToday = computed(() => date.value === today.value)
  const stale = computed(() => board.value?.stale ?? false)
  const syncedAt = computed(() => board.value?.syncedAt ?? null)
  const highlighted = highlight.active

  /** Every doctor with a column: the board's (own column first), then any a row names that the board does not (by the row's `doctor_name` when it has one). */
  const doctors = computed<ColumnDoctor[]>((previous) => {
    const b = board.value
    if (!b) return []
    const known = new Set(b.doctors.map((d) => d.doctorId))
    // A row may name its doctor (`doctor_name`) when the server has no members list to take names from.
    const named = new Map<number, string>()
    for (const a of b.appointments) if (a.doctor_name && !named.has(a.doctor_id)) named.set(a.doctor_id, a.doctor_name)
    const extra = [...new Set(b.appointments.map((a) => a.doctor_id).filter((id) => !known.has(id)))]
      .sort((x, y) => x - y)
      .map((doctorId) => ({ doctorId, name: named.get(doctorId) ?? `Doctor #${doctorId}`, refreshSeconds: null }))
    const next = [...b.doctors.map((d) => ({ doctorId: d.doctorId, name: d.name, refreshSeconds: d.refreshSeconds ?? null })), ...extra]
    return previous && sameItems(previous, next, sameDoctor) ? previous : next
  })

  /** Statuses for the filter: all known ones, then any unknown status on today's board. */
  const statusOptions = computed<Array<{ value: string; label: string }>>((previous) => {
    const known: string[] = [...KNOWN_APPOINTMENT_STATUSES]
    const seen = new Set((board.value?.appointments ?? []).map((a) => a.status))
    const unknown = [...seen].filter((s) => !known.includes(s)).sort()
    const next = [...known, ...unknown].map((value) => ({ value, label: appointmentStatusLabel(value) }))
    return previous && sameItems(previous, next, (x, y) => x.value === y.value) ? previous : next
  })

  /** A column keeps its object (and so its view) while its rows are the same rows. */
  const columns = computed<BoardColumn[]>((previous) => {
    const b = board.value
    if (!b) return []
    const wantDoctor = doctorFilter.value
    const wantStatus = statusFilter.value
    const shown = doctors.value.filter((d) => wantDoctor === ALL || d.doctorId === wantDoctor)
    const rows = new Map<number, Appointment[]>(shown.map((d) => [d.doctorId, []]))
    for (const a of b.appointments) {
      if (wantStatus === ALL || a.status === wantStatus) rows.get(a.doctor_id)?.push(a)
    }
    const before = new Map((previous ?? []).map((c) => [c.doctorId, c]))
    const next = shown.map((d) => {
      const appointments = rows.get(d.doctorId) ?? []
      const old = before.get(d.doctorId)
      return old && sameDoctor(old, d) && sameItems(old.appointments, appointments, Object.is) ? old : { ...d, appointments }
    })
    return previous && sameItems(previous, next, Object.is) ? previous : next
  })

  const counts = computed(() => {
    const list = board.value?.appointments ?? []
    const byStatus: Record<string, number> = {}
    for (const a of list) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1
    return { total: list.length, byStatus }
  })

  /**
   * A whole board (the core's, or the answer to `load`). For the day already
   * on show, a row a live change made newer than this read is kept, and so is
   * a row a live change just brought (still highlighted) that this read
   * predates; highlights stay. Another day starts with no highlight, then
   * takes the live changes that arrived for it while it was being loaded.
   */
  function replace(next: Board | null): void {
    const current = board.value
    if (!next) {
      board.value = null
      highlight.clear()
      early.clear()
      departed = new Map()
      return
    }
    if (current && current.date !== next.date) highlight.clear()
    const read = applyBoardRead({ board: current, departed }, next, (id) => highlight.has(id)).state
    board.value = read.board
    departed = read.departed
    if (requestedDate.value === next.date) requestedDate.value = null
    for (const [id, change] of [...early]) {
      if (boardDayOf(change.appointment, session.zone) !== next.date) continue
      early.delete(id)
      applyUpdate(change.appointment, change.action, change.changed)
    }
  }

  /** A live change: its row replaced by id and placed by time (an older one that arrives late is ignored), and highlighted. */
  function applyUpdate(appointment: Appointment, action: AppointmentAction | null, changed: readonly string[]): void {
    const b = board.value
    if (!b) return
    const day = boardDayOf(appointment, session.zone)
    if (day !== b.date && day === requestedDate.value) keepEarly({ appointment, action, changed })
    const placed = placeAppointment({ board: b, departed }, appointment, session.zone)
    if (placed.effect === 'stale' || placed.effect === 'elsewhere') return
    board.value = placed.state.board
    departed = placed.state.departed
    if (placed.effect === 'placed') {
      highlight.flash(appointment.id, changed)
      lastChange.value = { appointment, action, changed }
    }
  }

  /** A change for the day on its way: the newest per appointment, applied when that day's board is in. */
  function keepEarly(change: BoardChange): void {
    const id = change.appointment.id
    const kept = early.get(id)
    if (kept && !supersedes(change.appointment, kept.appointment)) return
    remember(early, id, change)
  }

  async function load(day: string): Promise<void> {
    const mine = ++request
    if (requestedDate.value !== day) early.clear()
    requestedDate.value = day
    loading.value = true
    error.value = null
    try {
      const next = await bridge.loadBoard({ date: day })
      if (mine === request) replace(next)
    } catch (e) {
      if (mine === request) {
        error.value = `The board for ${day} could not be loaded: ${errorMessage(e)}`
        early.clear()
      }
    } finally {
      if (mine === request) loading.value = false
    }
  }

  function setDoctorFilter(value: number | typeof ALL): void {
    doctorFilter.value = value
  }

  function setStatusFilter(value: string): void {
    statusFilter.value = value
  }

  function isHighlighted(id: number): boolean {
    return highlight.has(id)
  }

  /** Draws the eye to one appointment (opened from a notification). */
  function spotlight(id: number): void {
    highlight.flash(id)
  }

  function reset(): void {
    board.value = null
    requestedDate.value = null
    early.clear()
    departed = new Map()
    error.value = null
    lastChange.value = null
    doctorFilter.value = ALL
    statusFilter.value = ALL
    highlight.clear()
  }

  return {
    board,
    loading,
    error,
    doctorFilter,
    statusFilter,
    lastChange,
    highlighted,
    date,
    today,
    showingToday,
    stale,
    syncedAt,
    doctors,
    statusOptions,
    columns,
    counts,
    replace,
    applyUpdate,
    load,
    setDoctorFilter,
    setStatusFilter,
    isHighlighted,
    spotlight,
    reset,
  }
})

const sameDoctor = (x: ColumnDoctor, y: ColumnDoctor): boolean => x.doctorId === y.doctorId && x.name === y.name && x.refreshSeconds === y.refreshSeconds

/** Sets a key as the newest entry of a map kept to `EARLY_LIMIT` entries (the oldest goes first). */
function remember<V>(map: Map<number, V>, id: number, value: V): void {
  map.delete(id)
  if (map.size >= EARLY_LIMIT) {
    const oldest = map.keys().next()
    if (!oldest.done) map.delete(oldest.value)
  }
  map.set(id, value)
}

function sameItems<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined || !same(x, y)) return false
  }
  return true
}
