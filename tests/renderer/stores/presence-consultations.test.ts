// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useConsultationsStore } from '../../../src/renderer/src/stores/consultations'
import { usePresenceStore } from '../../../src/renderer/src/stores/presence'
import { createFakeBridge } from '../fake-bridge'
import { ROSTER, at, consultation, member } from '../fixtures'
import { startedDesk } from '../setup'

describe('presence store', () => {
  it('follows joins and leaves, once per member, grouped by role', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { presence: { clinicId: 1, members: [member()], roster: ROSTER } } }))
    const presence = usePresenceStore()
    fake.emit({ kind: 'presence.joined', member: member({ id: 2, name: 'Rita Reception', role: 'reception', onlineSince: at('09:10') }) })
    fake.emit({ kind: 'presence.joined', member: member({ id: 2, name: 'Rita Reception', role: 'reception', onlineSince: at('09:11') }) })
    fake.emit({ kind: 'presence.joined', member: member({ id: 6, name: 'Dr. Ben Carson', role: 'doctor' }) })
    expect(presence.count).toBe(3)
    expect(presence.groups.map((g) => [g.label, g.members.map((m) => m.name)])).toEqual([
      ['Doctors', ['Dr. Ada Lovelace', 'Dr. Ben Carson']],
      ['Reception', ['Rita Reception']],
    ])
    expect(presence.members.find((m) => m.id === 2)?.onlineSince).toBe(at('09:10'))
    expect(presence.recentlyJoined[2]).toBeDefined()
    fake.emit({ kind: 'presence.left', memberId: 5, at: at('09:20') })
    expect(presence.isOnline(5)).toBe(false)
    expect(presence.offlineCount).toBe(2)
    expect(presence.nameOf(5)).toBe('Dr. Ada Lovelace')
    expect(presence.doctorName(32)).toBe('Dr. Ben Carson')
  })

  it('takes the whole list from `presence.replaced`', async () => {
    const { fake } = await startedDesk()
    fake.emit({ kind: 'presence.replaced', presence: { clinicId: 1, members: [member({ id: 9, name: 'Zoe', role: 'admin' })], roster: [] } })
    expect(usePresenceStore().members.map((m) => m.id)).toEqual([9])
  })
})

describe('consultations store', () => {
  it('groups by status, and moves one when `consultation.updated` says so', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { consultations: [consultation({ id: 1 }), consultation({ id: 2, status: 'active', started_at: at('08:50') })] } }))
    const store = useConsultationsStore()
    expect(store.byStatus.pending.map((c) => c.id)).toEqual([1])
    fake.emit({ kind: 'consultation.updated', consultation: consultation({ id: 1, status: 'active', started_at: at('09:00'), updated_at: at('09:00') }) })
    expect(store.byStatus.pending).toEqual([])
    expect(store.byStatus.active.map((c) => c.id)).toEqual([2, 1])
    expect(store.highlighted[1]).toBeDefined()
    fake.emit({ kind: 'consultation.updated', consultation: consultation({ id: 2, status: 'completed', started_at: at('08:50'), ended_at: at('09:05'), updated_at: at('09:05') }) })
    expect(store.byStatus.completed.map((c) => c.id)).toEqual([2])
  })

  it('keeps the newer state when an older update arrives late', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { consultations: [consultation({ id: 1, status: 'completed', updated_at: at('10:00') })] } }))
    fake.emit({ kind: 'consultation.updated', consultation: consultation({ id: 1, status: 'active', updated_at: at('09:00') }) })
    expect(useConsultationsStore().byStatus.completed.map((c) => c.id)).toEqual([1])
  })

  it('a refresh answer older than a live change that crossed it keeps the newer state', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { consultations: [consultation({ id: 1, updated_at: at('08:00') })] } }))
    const store = useConsultationsStore()
    let answer: (list: ReturnType<typeof consultation>[]) => void = () => undefined
    fake.listConsultations.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const refreshing = store.refresh()
    fake.emit({ kind: 'consultation.updated', consultation: consultation({ id: 1, status: 'active', updated_at: at('09:00') }) })
    answer([consultation({ id: 1, status: 'pending', updated_at: at('08:30') }), consultation({ id: 2, updated_at: at('08:30') })])
    await refreshing
    expect(store.items.map((c) => [c.id, c.status])).toEqual([
      [1, 'active'],
      [2, 'pending'],
    ])
  })

  it('replaces the list from `consultations.replaced` and from a refresh', async () => {
    const { fake } = await startedDesk()
    const store = useConsultationsStore()
    fake.emit({ kind: 'consultations.replaced', consultations: [consultation({ id: 4, status: 'cancelled' })] })
    expect(store.byStatus.cancelled.map((c) => c.id)).toEqual([4])
    fake.listConsultations.mockResolvedValueOnce([consultation({ id: 5 })])
    await store.refresh()
    expect(store.items.map((c) => c.id)).toEqual([5])
  })
})
