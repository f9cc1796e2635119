import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AppointmentAction } from '../../../shared/payloads'
import type { Board } from '../../../shared/desk-state'
import type { Appointment } from '../../../shared/domain'
import { KNOWN_APPOINTMENT_STATUSES } from '../../../shared/domain'
import { compareIso } from '../../../shared/time'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import { createFlash } from '../lib/flash'
import { appointmentStatusLabel } from '../lib/labels'
import { utcDay } from '../lib/time'

export interface BoardColumn {
  doctorId: number
  name: string
  appointments: Appointment[]
}

export interface BoardChange {
  appointment: Appointment
  action: AppointmentAction | null
  changed: readonly string[]
}

export const ALL = 'all'

/**
 * The day's appointments by doctor, kept live; filters and the highlight of what just changed.
 *
 * Sized for a busy day (thousands of rows, dozens of changes a second): the
 * board is a shallow ref (rows are replaced, never changed in place, so they
 * need no reactive proxies), a live change replaces one row without sorting
 * the day again, and the derived lists keep their identity when their content
 * did not change, so the views they feed do not re-render for nothing.
 */
export const useBoardStore = defineStore('board', () => {
  const bridge = useBridge()

  const board = shallowRef<Board | null>(null)
  /** The day asked for: shown in the date input before its board arrives. */
  const requestedDate = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const doctorFilter = ref<number | typeof ALL>(ALL)
  const statusFilter = ref<string>(ALL)
  const lastChange = ref<BoardChange | null>(null)
  const highlight = createFlash()
  let request = 0

  const date = computed(() => requestedDate.value ?? board.value?.date ?? null)
  const stale = computed(() => board.value?.stale ?? false)
  const syncedAt = computed(() => board.value?.syncedAt ?? null)
  const highlighted = highlight.active

  /** Every doctor with a column: the board's (own column first), then any a row names that the board does not (by the row's `doctor_name` when it has one). */
  const doctors = computed<Array<{ doctorId: number; name: string }>>((previous) => {
    const b = board.value
    if (!b) return []
    const known = new Set(b.doctors.map((d) => d.doctorId))
    // A row may name its doctor (`doctor_name`) when the server has no members list to take names from.
    const named = new Map<number, string>()
    for (const a of b.appointments) if (a.doctor_name && !named.has(a.doctor_id)) named.set(a.doctor_id, a.doctor_name)
    const extra = [...new Set(b.appointments.map((a) => a.doctor_id).filter((id) => !known.has(id)))]
      .sort((x, y) => x - y)
      .map((doctorId) => ({ doctorId, name: named.get(doctorId) ?? `Doctor #${doctorId}` }))
    const next = [...b.doctors, ...extra]
    return previous && sameItems(previous, next, (x, y) => x.doctorId === y.doctorId && x.name === y.name) ? previous : next
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
      return old && old.name === d.name && sameItems(old.appointments, appointments, Object.is) ? old : { doctorId: d.doctorId, name: d.name, appointments }
    })
    return previous && sameItems(previous, next, Object.is) ? previous : next
  })

  const counts = computed(() => {
    const list = board.value?.appointments ?? []
    const byStatus: Record<string, number> = {}
    for (const a of list) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1
    return { total: list.length, byStatus }
  })

  function replace(next: Board | null): void {
    if (next && board.value && next.date !== board.value.date) highlight.clear()
    board.value = next ? { ...next, appointments: sortByTime(next.appointments) } : null
    if (next && requestedDate.value === next.date) requestedDate.value = null
    if (!next) highlight.clear()
  }

  /** A live change: the newest state replaces the row (an older one that arrives late is ignored). */
  function applyUpdate(appointment: Appointment, action: AppointmentAction | null, changed: readonly string[]): void {
    const b = board.value
    if (!b) return
    const index = b.appointments.findIndex((a) => a.id === appointment.id)
    const current = index >= 0 ? b.appointments[index] : undefined
    if (current && compareIso(appointment.updated_at, current.updated_at) < 0) return
    const onBoard = utcDay(appointment.appointment_date) === b.date
    if (!onBoard && !current) return
    let appointments: Appointment[]
    if (!onBoard) {
      appointments = b.appointments.filter((a) => a.id !== appointment.id)
    } else if (current && timeOf(current) === timeOf(appointment)) {
      // Same time, same id: the row keeps its place (most changes are a status).
      appointments = b.appointments.slice()
      appointments[index] = appointment
    } else {
      appointments = b.appointments.filter((a) => a.id !== appointment.id)
      appointments.splice(sortedIndex(appointments, appointment), 0, appointment)
    }
    board.value = { ...b, appointments }
    if (onBoard) {
      highlight.flash(appointment.id, changed)
      lastChange.value = { appointment, action, changed }
    }
  }

  async function load(day: string): Promise<void> {
    const mine = ++request
    requestedDate.value = day
    loading.value = true
    error.value = null
    try {
      const next = await bridge.loadBoard({ date: day })
      if (mine === request) replace(next)
    } catch (e) {
      if (mine === request) error.value = `The board for ${day} could not be loaded: ${errorMessage(e)}`
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

const timeOf = (a: Appointment): number => Date.parse(a.appointment_date)

const byTime = (a: Appointment, b: Appointment): number => timeOf(a) - timeOf(b) || a.id - b.id

function sortByTime(list: readonly Appointment[]): Appointment[] {
  return [...list].sort(byTime)
}

/** Where `row` goes in a list sorted by time (then id): after every row that sorts before it. */
function sortedIndex(list: readonly Appointment[], row: Appointment): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const mid = (low + high) >>> 1
    const other = list[mid]
    if (other && byTime(other, row) < 0) low = mid + 1
    else high = mid
  }
  return low
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
