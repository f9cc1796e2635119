import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
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

/** The day's appointments by doctor, kept live; filters and the highlight of what just changed. */
export const useBoardStore = defineStore('board', () => {
  const bridge = useBridge()

  const board = ref<Board | null>(null)
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

  /** Every doctor with a column: the board's (own column first), then any a row names that the board does not. */
  const doctors = computed(() => {
    const b = board.value
    if (!b) return []
    const known = new Set(b.doctors.map((d) => d.doctorId))
    const extra = [...new Set(b.appointments.map((a) => a.doctor_id).filter((id) => !known.has(id)))]
      .sort((x, y) => x - y)
      .map((doctorId) => ({ doctorId, name: `Doctor #${doctorId}` }))
    return [...b.doctors, ...extra]
  })

  /** Statuses for the filter: all known ones, then any unknown status on today's board. */
  const statusOptions = computed(() => {
    const known: string[] = [...KNOWN_APPOINTMENT_STATUSES]
    const seen = new Set((board.value?.appointments ?? []).map((a) => a.status))
    const unknown = [...seen].filter((s) => !known.includes(s)).sort()
    return [...known, ...unknown].map((value) => ({ value, label: appointmentStatusLabel(value) }))
  })

  const columns = computed<BoardColumn[]>(() => {
    const b = board.value
    if (!b) return []
    const wantDoctor = doctorFilter.value
    const wantStatus = statusFilter.value
    return doctors.value
      .filter((d) => wantDoctor === ALL || d.doctorId === wantDoctor)
      .map((d) => ({
        doctorId: d.doctorId,
        name: d.name,
        appointments: b.appointments.filter((a) => a.doctor_id === d.doctorId && (wantStatus === ALL || a.status === wantStatus)),
      }))
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
    const current = b.appointments.find((a) => a.id === appointment.id)
    if (current && compareIso(appointment.updated_at, current.updated_at) < 0) return
    const onBoard = utcDay(appointment.appointment_date) === b.date
    if (!onBoard && !current) return
    const rest = b.appointments.filter((a) => a.id !== appointment.id)
    board.value = { ...b, appointments: onBoard ? sortByTime([...rest, appointment]) : rest }
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

function sortByTime(list: readonly Appointment[]): Appointment[] {
  return [...list].sort((a, b) => Date.parse(a.appointment_date) - Date.parse(b.appointment_date) || a.id - b.id)
}
