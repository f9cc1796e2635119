// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { ALL_TYPES, PAGE_SIZE, useNotificationsStore } from '../../../src/renderer/src/stores/notifications'
import { createFakeBridge, settle } from '../fake-bridge'
import { notification } from '../fixtures'
import { startedDesk, withFakeBridge } from '../setup'

function page(items = [notification({ id: 3 }), notification({ id: 2, read_at: '2026-11-26T08:05:00Z', type: 'urgent' }), notification({ id: 1 })], unread = 2) {
  return { items, hasMore: false, unread }
}

describe('notifications store', () => {
  it('takes the unread count from `notifications.unread`', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { unreadNotifications: 3 } }))
    const store = useNotificationsStore()
    await settle()
    expect(store.unread).toBe(3)
    fake.emit({ kind: 'notifications.unread', unread: 11 })
    expect(store.unread).toBe(11)
  })

  it('loads the first page newest first, with the filter, and learns the types', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page([notification({ id: 1 }), notification({ id: 3, type: 'urgent' })]))
    const store = useNotificationsStore()
    await store.load()
    expect(store.items.map((n) => n.id)).toEqual([3, 1])
    expect(store.types).toEqual(['system', 'urgent'])
    await store.setTypeFilter('urgent')
    expect(fake.listNotifications).toHaveBeenLastCalledWith({ limit: 50, unreadOnly: false, type: 'urgent' })
    await store.setTypeFilter(ALL_TYPES)
    expect(fake.listNotifications).toHaveBeenLastCalledWith({ limit: 50, unreadOnly: false })
  })

  it('shows a read done offline as pending until the server confirms it', async () => {
    const { fake } = await startedDesk()
    fake.listNotifications.mockResolvedValue(page())
    fake.markNotificationRead.mockResolvedValue({ status: 'queued' })
    const store = useNotificationsStore()
    await store.load()
    const result = await store.markRead(3)
    expect(result).toEqual({ status: 'queued' })
    expect(fake.markNotificationRead).toHaveBeenCalledWith({ id: 3 })
    const item = () => store.items.find((n) => n.id === 3)
    expect(item()?.pending).toBe('read')
    expect(item()?.read_at).not.toBeNull()
    expect(store.unread).toBe(1)
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 3, read_at: '2026-11-26T09:00:00Z', pending: null }), isNew: false })
    expect(item()?.pending).toBeNull()
  })

  it('settles a read the server took at once', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    await store.markRead(1)
    expect(store.items.find((n) => n.id === 1)).toMatchObject({ pending: null })
    expect(store.items.find((n) => n.id === 1)?.read_at).not.toBeNull()
  })

  it('undoes the optimistic read when the call fails, and says so', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page())
    fake.markNotificationRead.mockRejectedValueOnce(new Error('Not signed in.'))
    const store = useNotificationsStore()
    await store.load()
    expect(await store.markRead(3)).toBeNull()
    expect(store.items.find((n) => n.id === 3)).toMatchObject({ read_at: null, pending: null })
    expect(store.unread).toBe(2)
    expect(store.actionError).toContain('Not signed in.')
  })

  it('deletes: gone when done, pending while queued', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    await store.deleteItem(1)
    expect(fake.deleteNotification).toHaveBeenCalledWith({ id: 1 })
    expect(store.items.map((n) => n.id)).toEqual([3, 2])
    fake.deleteNotification.mockResolvedValueOnce({ status: 'queued' })
    await store.deleteItem(2)
    expect(store.items.find((n) => n.id === 2)?.pending).toBe('delete')
  })

  it('marks all read through the bridge', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    await store.markAllRead()
    expect(fake.markAllNotificationsRead).toHaveBeenCalledTimes(1)
    expect(store.items.every((n) => n.read_at !== null)).toBe(true)
    expect(store.unread).toBe(0)
  })

  it('opens through the bridge (the core answers with an `open` event)', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    await store.open(3)
    expect(fake.openNotification).toHaveBeenCalledWith({ id: 3 })
  })

  it('puts a new notification on top, and drops a removed one', async () => {
    const { fake } = await startedDesk()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 4, title: 'New one' }), isNew: true })
    expect(store.items.map((n) => n.id)).toEqual([4, 3, 2, 1])
    expect(store.highlighted[4]).toBeDefined()
    fake.emit({ kind: 'notification.removed', id: 2 })
    expect(store.items.map((n) => n.id)).toEqual([4, 3, 1])
  })

  it('does not show a new notification that the type filter excludes', async () => {
    const { fake } = await startedDesk()
    fake.listNotifications.mockResolvedValue(page([notification({ id: 2, type: 'urgent' })]))
    const store = useNotificationsStore()
    await store.setTypeFilter('urgent')
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 5, type: 'system' }), isNew: true })
    expect(store.items.map((n) => n.id)).toEqual([2])
  })

  it('reloads the first page on `notifications.synced`', async () => {
    const { fake } = await startedDesk()
    await settle()
    const before = fake.listNotifications.mock.calls.length
    fake.listNotifications.mockResolvedValue(page([notification({ id: 40 }), notification({ id: 39 })], 2))
    fake.emit({ kind: 'notifications.synced', inserted: 25, newest: [notification({ id: 40 })] })
    await settle()
    expect(fake.listNotifications.mock.calls.length).toBe(before + 1)
    expect(useNotificationsStore().items.map((n) => n.id)).toEqual([40, 39])
  })

  it('pages backwards from the oldest item', async () => {
    const { fake } = withFakeBridge()
    fake.listNotifications.mockResolvedValueOnce({ ...page([notification({ id: 30 }), notification({ id: 20 })]), hasMore: true })
    const store = useNotificationsStore()
    await store.load()
    fake.listNotifications.mockResolvedValueOnce(page([notification({ id: 10 })], 2))
    await store.loadMore()
    expect(fake.listNotifications).toHaveBeenLastCalledWith({ limit: 50, unreadOnly: false, beforeId: 20 })
    expect(store.items.map((n) => n.id)).toEqual([30, 20, 10])
    expect(store.hasMore).toBe(false)
  })

  it('keeps one page however many notifications arrive live, the older ones left to "Show older"', async () => {
    const { fake } = await startedDesk()
    fake.listNotifications.mockResolvedValue(page())
    const store = useNotificationsStore()
    await store.load()
    for (let id = 4; id <= 3 + 4 * PAGE_SIZE; id++) fake.emit({ kind: 'notification.upserted', notification: notification({ id }), isNew: true })
    const newest = 3 + 4 * PAGE_SIZE
    expect(store.items).toHaveLength(PAGE_SIZE)
    expect(store.items[0]?.id).toBe(newest)
    expect(store.items.at(-1)?.id).toBe(newest - PAGE_SIZE + 1)
    expect(store.hasMore).toBe(true)
    fake.listNotifications.mockResolvedValueOnce({ items: [notification({ id: newest - PAGE_SIZE })], hasMore: true, unread: newest })
    await store.loadMore()
    expect(fake.listNotifications).toHaveBeenLastCalledWith({ limit: PAGE_SIZE, unreadOnly: false, beforeId: newest - PAGE_SIZE + 1 })
    expect(store.items.at(-1)?.id).toBe(newest - PAGE_SIZE)
  })

  it('keeps the older pages the user asked for while notifications arrive', async () => {
    const { fake } = await startedDesk()
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => notification({ id: from - i }))
    fake.listNotifications.mockResolvedValueOnce({ items: ids(200, PAGE_SIZE), hasMore: true, unread: 0 })
    const store = useNotificationsStore()
    await store.load()
    fake.listNotifications.mockResolvedValueOnce({ items: ids(200 - PAGE_SIZE, PAGE_SIZE), hasMore: true, unread: 0 })
    await store.loadMore()
    for (let id = 201; id <= 210; id++) fake.emit({ kind: 'notification.upserted', notification: notification({ id }), isNew: true })
    expect(store.items.map((n) => n.id)).toEqual(Array.from({ length: 2 * PAGE_SIZE }, (_, i) => 210 - i))
    // A reload (a filter, a catch-up) starts again from one page.
    fake.listNotifications.mockResolvedValueOnce({ items: ids(210, PAGE_SIZE), hasMore: true, unread: 0 })
    await store.load()
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 211 }), isNew: true })
    expect(store.items).toHaveLength(PAGE_SIZE)
  })

  it('leaves no gap when notifications arrive while an older page is on its way', async () => {
    const { fake } = await startedDesk()
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => notification({ id: from - i }))
    fake.listNotifications.mockResolvedValueOnce({ items: ids(100, PAGE_SIZE), hasMore: true, unread: 0 })
    const store = useNotificationsStore()
    await store.load()
    let answer: (value: Awaited<ReturnType<typeof fake.listNotifications>>) => void = () => undefined
    fake.listNotifications.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const more = store.loadMore()
    for (let id = 101; id <= 105; id++) fake.emit({ kind: 'notification.upserted', notification: notification({ id }), isNew: true })
    answer({ items: ids(50, PAGE_SIZE), hasMore: false, unread: 0 })
    await more
    expect(store.items.map((n) => n.id)).toEqual(Array.from({ length: 105 }, (_, i) => 105 - i))
  })
})
