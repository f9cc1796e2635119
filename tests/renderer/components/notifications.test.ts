// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import NotificationsView from '../../../src/renderer/src/views/NotificationsView.vue'
import { createFakeBridge } from '../fake-bridge'
import { byLabel, button, hasButton } from '../dom'
import { notification } from '../fixtures'
import { startedDesk } from '../setup'

async function mountNotifications() {
  const fake = createFakeBridge({ snapshot: { unreadNotifications: 2 } })
  fake.listNotifications.mockResolvedValue({
    items: [
      notification({ id: 3, title: 'Lab results ready', type: 'lab_result' }),
      notification({ id: 2, title: 'Urgent call-back', type: 'urgent' }),
      notification({ id: 1, title: 'Welcome', read_at: '2026-11-26T08:01:00Z' }),
    ],
    hasMore: false,
    unread: 2,
  })
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(NotificationsView, { global: { plugins: [pinia] } })
  await flushPromises()
  return { wrapper, fake }
}

const item = (wrapper: Awaited<ReturnType<typeof mountNotifications>>['wrapper'], id: number) => wrapper.find(`ul[aria-label="Notifications"] [data-notification-id="${id}"]`)

describe('notification center', () => {
  it('lists items with their read and pending state, and Mark read only on unread ones', async () => {
    const { wrapper } = await mountNotifications()
    expect(wrapper.findAll('[data-notification-id]').map((n) => n.attributes('data-notification-id'))).toEqual(['3', '2', '1'])
    expect(item(wrapper, 3).attributes('data-read')).toBe('false')
    expect(item(wrapper, 1).attributes('data-read')).toBe('true')
    expect(item(wrapper, 3).attributes('data-pending')).toBe('')
    expect(hasButton(item(wrapper, 3), 'Mark read')).toBe(true)
    expect(hasButton(item(wrapper, 1), 'Mark read')).toBe(false)
    expect(hasButton(item(wrapper, 1), 'Open')).toBe(true)
    expect(hasButton(item(wrapper, 1), 'Delete')).toBe(true)
    expect(item(wrapper, 3).text()).toContain('Lab results ready')
    expect(item(wrapper, 3).find('svg').exists()).toBe(true)
  })

  it('calls the bridge for Mark read, Open, Delete and Mark all read', async () => {
    const { wrapper, fake } = await mountNotifications()
    await button(item(wrapper, 3), 'Mark read').trigger('click')
    await flushPromises()
    expect(fake.markNotificationRead).toHaveBeenCalledWith({ id: 3 })
    await button(item(wrapper, 2), 'Open').trigger('click')
    await flushPromises()
    expect(fake.openNotification).toHaveBeenCalledWith({ id: 2 })
    await button(item(wrapper, 1), 'Delete').trigger('click')
    await flushPromises()
    expect(fake.deleteNotification).toHaveBeenCalledWith({ id: 1 })
    expect(item(wrapper, 1).exists()).toBe(false)
    fake.emit({ kind: 'notifications.unread', unread: 1 })
    await flushPromises()
    await button(wrapper, 'Mark all read').trigger('click')
    await flushPromises()
    expect(fake.markAllNotificationsRead).toHaveBeenCalledTimes(1)
  })

  it('shows an action taken offline as pending until the server confirms', async () => {
    const { wrapper, fake } = await mountNotifications()
    fake.markNotificationRead.mockResolvedValueOnce({ status: 'queued' })
    await button(item(wrapper, 3), 'Mark read').trigger('click')
    await flushPromises()
    expect(item(wrapper, 3).attributes('data-pending')).toBe('read')
    expect(item(wrapper, 3).attributes('data-read')).toBe('true')
    expect(item(wrapper, 3).text()).toContain('waiting for the server')
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 3, title: 'Lab results ready', type: 'lab_result', read_at: '2026-11-26T09:00:00Z', pending: null }), isNew: false })
    await flushPromises()
    expect(item(wrapper, 3).attributes('data-pending')).toBe('')
  })

  it('filters by type through the bridge', async () => {
    const { wrapper, fake } = await mountNotifications()
    const select = byLabel(wrapper, 'Type')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['All types', 'Lab result', 'System', 'Urgent'])
    await select.setValue('urgent')
    await flushPromises()
    expect(fake.listNotifications).toHaveBeenLastCalledWith({ limit: 50, unreadOnly: false, type: 'urgent' })
  })

  it('puts a live notification on top', async () => {
    const { wrapper, fake } = await mountNotifications()
    fake.emit({ kind: 'notification.upserted', notification: notification({ id: 4, title: 'Supplies delivered', type: 'supplies' }), isNew: true })
    await flushPromises()
    expect(wrapper.findAll('[data-notification-id]')[0]?.attributes('data-notification-id')).toBe('4')
    expect(item(wrapper, 4).attributes('data-highlight')).toBe('true')
  })
})
