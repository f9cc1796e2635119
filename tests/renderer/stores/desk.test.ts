// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { startDesk } from '../../../src/renderer/src/desk/start'
import { useBoardStore } from '../../../src/renderer/src/stores/board'
import { useConnectionStore } from '../../../src/renderer/src/stores/connection'
import { useConsultationsStore } from '../../../src/renderer/src/stores/consultations'
import { useConversationsStore } from '../../../src/renderer/src/stores/conversations'
import { useNavigationStore } from '../../../src/renderer/src/stores/navigation'
import { useNotificationsStore } from '../../../src/renderer/src/stores/notifications'
import { usePresenceStore } from '../../../src/renderer/src/stores/presence'
import { useSessionStore } from '../../../src/renderer/src/stores/session'
import { createFakeBridge, settle } from '../fake-bridge'
import { connection, consultation, conversation, member, snapshot } from '../fixtures'
import { startedDesk } from '../setup'

describe('starting the desk', () => {
  it('fills every store from the snapshot, then listens', async () => {
    const fake = createFakeBridge({
      snapshot: {
        connection: connection('polling'),
        consultations: [consultation({ id: 9, status: 'active' })],
        presence: { clinicId: 1, members: [member()], roster: [] },
        conversations: [conversation({ unread_count: 2 })],
        unreadNotifications: 4,
      },
    })
    const { desk } = await startedDesk(fake)
    expect(useSessionStore().signedIn).toBe(true)
    expect(useConnectionStore().label).toBe('Offline — polling')
    expect(useBoardStore().board?.appointments).toHaveLength(4)
    expect(useConsultationsStore().byStatus.active.map((c) => c.id)).toEqual([9])
    expect(usePresenceStore().count).toBe(1)
    expect(useConversationsStore().unreadTotal).toBe(2)
    expect(useNotificationsStore().unread).toBe(4)
    expect(fake.listenerCount()).toBe(1)
    desk.stop()
    expect(fake.listenerCount()).toBe(0)
  })

  it('applies events that arrive while the snapshot is on its way after it, in order', async () => {
    const fake = createFakeBridge()
    let answer: (value: ReturnType<typeof snapshot>) => void = () => undefined
    fake.getSnapshot.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    fake.listNotifications.mockImplementation(() => new Promise(() => undefined))
    const pinia = createPinia()
    setActivePinia(pinia)
    const started = startDesk(pinia, fake)
    await settle()
    fake.emit({ kind: 'notifications.unread', unread: 7 })
    fake.emit({ kind: 'presence.joined', member: member({ id: 8, name: 'Zed' }) })
    answer(snapshot({ unreadNotifications: 3 }))
    await started
    expect(useNotificationsStore().unread).toBe(7)
    expect(usePresenceStore().members.map((m) => m.id)).toEqual([8])
  })

  it('fails when the snapshot cannot be read, and stops listening', async () => {
    const fake = createFakeBridge()
    fake.getSnapshot.mockRejectedValueOnce(new Error('no core'))
    const pinia = createPinia()
    setActivePinia(pinia)
    await expect(startDesk(pinia, fake)).rejects.toThrow('no core')
    expect(fake.listenerCount()).toBe(0)
  })

  it('follows an `open` target to its screen', async () => {
    const { fake } = await startedDesk()
    fake.emit({ kind: 'open', target: { screen: 'consultations', consultationId: 9 } })
    const navigation = useNavigationStore()
    expect(navigation.screen).toBe('consultations')
    expect(navigation.request?.target).toEqual({ screen: 'consultations', consultationId: 9 })
  })

  it('clears every store when the session ends, and reads the state again', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { presence: { clinicId: 1, members: [member()], roster: [] } } }))
    await settle()
    fake.snapshot = {
      ...fake.snapshot,
      session: { status: 'signed-out', reason: 'Your session has expired. Please sign in again.' },
      connection: connection('idle'),
      board: null,
      presence: { clinicId: null, members: [], roster: [] },
    }
    fake.emit({ kind: 'session', session: { status: 'signed-out', reason: 'Your session has expired. Please sign in again.' } })
    await settle()
    expect(useSessionStore().signedIn).toBe(false)
    expect(useSessionStore().signedOutReason).toContain('expired')
    expect(useBoardStore().board).toBeNull()
    expect(usePresenceStore().count).toBe(0)
    expect(useConnectionStore().label).toBe('Signed out')
    expect(fake.getSnapshot).toHaveBeenCalledTimes(2)
    expect(fake.listDemoAccounts).toHaveBeenCalled()
  })

  it('loads notifications and settings once signed in', async () => {
    const fake = createFakeBridge({ signedOut: true })
    await startedDesk(fake)
    expect(fake.listNotifications).not.toHaveBeenCalled()
    await useSessionStore().signInDemo('reception')
    await settle()
    expect(fake.listNotifications).toHaveBeenCalledTimes(1)
    expect(fake.getSettings).toHaveBeenCalledTimes(2)
    expect(fake.getSnapshot).toHaveBeenCalledTimes(2)
  })

  it('keeps going when a store throws on one event', async () => {
    const { fake } = await startedDesk()
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void errors.push(args)
    try {
      fake.emit({ kind: 'board.replaced', board: null as never })
      fake.emit({ kind: 'notifications.unread', unread: 2 })
    } finally {
      console.error = original
    }
    expect(useNotificationsStore().unread).toBe(2)
  })
})
