import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { OnlineMember, Presence } from '../../../shared/desk-state'
import type { ClinicMember, KnownRole, Role } from '../../../shared/domain'
import { createFlash } from '../lib/flash'
import { roleGroupLabel } from '../lib/labels'

export interface PresenceGroup {
  role: Role
  label: string
  members: OnlineMember[]
}

const ROLE_ORDER: readonly KnownRole[] = ['doctor', 'reception', 'admin', 'patient']

/** Who is online in the clinic (live joins and leaves) and the clinic's roster, for names. */
export const usePresenceStore = defineStore('presence', () => {
  const clinicId = ref<number | null>(null)
  const members = ref<OnlineMember[]>([])
  const roster = ref<ClinicMember[]>([])
  const joined = createFlash()

  const count = computed(() => members.value.length)
  const recentlyJoined = joined.active

  /** The known roles in their order, then any other role (`nurse`) as the server names it, alphabetically. */
  const groups = computed<PresenceGroup[]>(() => {
    const known: readonly Role[] = ROLE_ORDER
    const others = [...new Set(members.value.map((m) => m.role))].filter((r) => !known.includes(r)).sort((a, b) => a.localeCompare(b))
    return [...known, ...others]
      .map((role) => ({ role, label: roleGroupLabel(role), members: members.value.filter((m) => m.role === role) }))
      .filter((g) => g.members.length > 0)
  })

  const offlineCount = computed(() => {
    const online = new Set(members.value.map((m) => m.id))
    return roster.value.filter((m) => !online.has(m.id)).length
  })

  function replace(presence: Presence): void {
    clinicId.value = presence.clinicId
    members.value = sortByName(presence.members)
    roster.value = presence.roster
  }

  function join(member: OnlineMember): void {
    if (members.value.some((m) => m.id === member.id)) return
    members.value = sortByName([...members.value, member])
    joined.flash(member.id)
  }

  function leave(memberId: number): void {
    members.value = members.value.filter((m) => m.id !== memberId)
  }

  function isOnline(userId: number): boolean {
    return members.value.some((m) => m.id === userId)
  }

  /** A user's name, from who is online or the roster. */
  function nameOf(userId: number): string | null {
    return members.value.find((m) => m.id === userId)?.name ?? roster.value.find((m) => m.id === userId)?.name ?? null
  }

  /** A doctor's name by their doctors-table id (consultations and appointments use it). */
  function doctorName(doctorId: number): string | null {
    return roster.value.find((m) => m.doctor_id === doctorId)?.name ?? null
  }

  function reset(): void {
    clinicId.value = null
    members.value = []
    roster.value = []
    joined.clear()
  }

  return { clinicId, members, roster, count, recentlyJoined, groups, offlineCount, replace, join, leave, isOnline, nameOf, doctorName, reset }
})

function sortByName(list: readonly OnlineMember[]): OnlineMember[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name))
}
