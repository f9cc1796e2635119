// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import NotificationBell from '../../../src/renderer/src/components/NotificationBell.vue'
import { createFakeBridge, type FakeBridge } from '../fake-bridge'
import { accessibleName, button } from '../dom'
import { connection, consultation, conversation, member, notification } from '../fixtures'

async function mountApp(fake: FakeBridge | Error = createFakeBridge()) {
  const pinia = createPinia()
  const wrapper = mount(App, {
    props: { connect: () => (fake instanceof Error ? Promise.reject(fake) : Promise.resolve(fake)) },
    global: { plugins: [pinia] },
    attachTo: document.body,
  })
  await flushPromises()
  return wrapper
}

afterEach(() => {
  document.body.innerHTML = ''
})

const NAV = ['Board', 'Consultations', 'Notifications', 'Conversations', 'Presence', 'Diagnostics', 'Settings']

describe('the app', () => {
  it('shows a clear full-page error when the bridge cannot be reached', async () => {
    const wrapper = await mountApp(new Error('Could not connect to the preview host.'))
    const alert = wrapper.find('[role="alert"]')
    expect(alert.find('h1').text()).toBe('Clinic Desk cannot reach its core')
    expect(alert.text()).toContain('Could not connect to the preview host.')
    expect(wrapper.find('nav').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows the sign-in screen when signed out', async () => {
    const wrapper = await mountApp(createFakeBridge({ signedOut: true }))
    expect(wrapper.find('h1').text()).toBe('Sign in to your clinic')
    wrapper.unmount()
  })

  it('shows the shell with the main menu, the current screen marked, and Sign out', async () => {
    const wrapper = await mountApp()
    const nav = wrapper.find('nav[aria-label="Main"]')
    expect(nav.findAll('button').map((b) => accessibleName(b.element))).toEqual(NAV)
    expect(nav.find('[aria-current="page"]').text()).toBe('Board')
    await button(nav, 'Presence').trigger('click')
    expect(nav.find('[aria-current="page"]').text()).toBe('Presence')
    expect(wrapper.find('h1').text()).toBe('Presence')
    expect(button(wrapper, 'Sign out').exists()).toBe(true)
    wrapper.unmount()
  })

  it('switches screens with Alt+number', async () => {
    const wrapper = await mountApp()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '6', altKey: true }))
    await flushPromises()
    expect(wrapper.find('nav [aria-current="page"]').text()).toBe('Diagnostics')
    wrapper.unmount()
  })

  it('always shows the connection status, in words, and follows it live', async () => {
    const fake = createFakeBridge()
    const wrapper = await mountApp(fake)
    const status = () => wrapper.find('[data-testid="connection-status"]')
    expect(status().attributes('role')).toBe('status')
    expect(status().attributes('data-state')).toBe('live')
    expect(status().text()).toBe('Live')
    fake.emit({ kind: 'connection', connection: connection('polling', { since: '2026-11-26T09:00:00Z', detail: 'WebSocket unavailable' }) })
    await flushPromises()
    expect(status().attributes('data-state')).toBe('polling')
    expect(status().text()).toBe('Offline — polling')
    expect(wrapper.text()).toContain('WebSocket unavailable')
    await button(wrapper, 'Reconnect now').trigger('click')
    expect(fake.reconnect).toHaveBeenCalled()
    wrapper.unmount()
  })

  it('keeps the bell’s unread count live', async () => {
    const fake = createFakeBridge({ snapshot: { unreadNotifications: 2 } })
    const wrapper = await mountApp(fake)
    const bell = () => wrapper.find('button[aria-label^="Notifications,"]')
    expect(bell().attributes('aria-label')).toBe('Notifications, 2 unread')
    expect(wrapper.find('[data-testid="unread-count"]').text()).toBe('2')
    fake.emit({ kind: 'notifications.unread', unread: 5 })
    await flushPromises()
    expect(bell().attributes('aria-label')).toBe('Notifications, 5 unread')
    await bell().trigger('click')
    expect(wrapper.find('nav [aria-current="page"]').text()).toBe('Notifications')
    wrapper.unmount()
  })

  it('goes where an `open` event points', async () => {
    const fake = createFakeBridge({ snapshot: { consultations: [consultation({ id: 9, status: 'active', started_at: '2026-11-26T09:00:00Z' })] } })
    const wrapper = await mountApp(fake)
    fake.emit({ kind: 'open', target: { screen: 'consultations', consultationId: 9 } })
    await flushPromises()
    expect(wrapper.find('nav [aria-current="page"]').text()).toBe('Consultations')
    expect(wrapper.find('[data-consultation-id="9"]').attributes('data-highlight')).toBe('true')
    wrapper.unmount()
  })

  it('returns to the sign-in screen on Sign out', async () => {
    const fake = createFakeBridge()
    const wrapper = await mountApp(fake)
    await button(wrapper, 'Sign out').trigger('click')
    await flushPromises()
    expect(fake.signOut).toHaveBeenCalled()
    expect(wrapper.find('h1').text()).toBe('Sign in to your clinic')
    expect(wrapper.find('[data-testid="connection-status"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('applies the theme to the page', async () => {
    const fake = createFakeBridge()
    const wrapper = await mountApp(fake)
    expect(document.documentElement.dataset['theme']).toBe('system')
    fake.emit({ kind: 'settings', settings: { values: { ...(await fake.getSettings()).values, theme: 'dark' }, locked: [] } })
    await flushPromises()
    expect(document.documentElement.dataset['theme']).toBe('dark')
    wrapper.unmount()
  })

  it('shows pages for consultations, presence and conversations with their landmarks', async () => {
    const fake = createFakeBridge({
      snapshot: {
        consultations: [consultation({ id: 1 }), consultation({ id: 2, status: 'active', started_at: '2026-11-26T09:00:00Z' })],
        presence: { clinicId: 1, members: [member(), member({ id: 2, name: 'Rita Reception', role: 'reception' })], roster: [] },
        conversations: [conversation({ unread_count: 1, last_message: null })],
      },
    })
    fake.listNotifications.mockResolvedValue({ items: [notification({ id: 1 })], hasMore: false, unread: 1 })
    const wrapper = await mountApp(fake)
    const nav = wrapper.find('nav')

    await button(nav, 'Consultations').trigger('click')
    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['Pending', 'Active', 'Completed', 'Cancelled'])
    expect(wrapper.find('[data-consultation-id="2"]').text()).toMatch(/\d+:\d{2}/)

    await button(nav, 'Presence').trigger('click')
    const online = wrapper.find('ul[aria-label="Online now"]')
    expect(online.find('[data-member-id="5"]').text()).toContain('Dr. Ada Lovelace')
    expect(online.find('[data-member-id="5"]').text()).toContain('Doctor')
    expect(online.find('[data-member-id="2"]').text()).toContain('Reception')

    await button(nav, 'Conversations').trigger('click')
    expect(wrapper.find('ul[aria-label="Conversations"]').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('the bell', () => {
  it('names the count in words and hides the badge at zero', () => {
    const wrapper = mount(NotificationBell, { props: { unread: 0 } })
    expect(wrapper.attributes('aria-label')).toBe('Notifications, 0 unread')
    expect((wrapper.find('[data-testid="unread-count"]').element as HTMLElement).style.display).toBe('none')
  })

  it('shows the badge with the count', async () => {
    const wrapper = mount(NotificationBell, { props: { unread: 12 } })
    expect(wrapper.find('[data-testid="unread-count"]').text()).toBe('12')
    expect((wrapper.find('[data-testid="unread-count"]').element as HTMLElement).style.display).toBe('')
    await wrapper.trigger('click')
    expect(wrapper.emitted('open')).toHaveLength(1)
  })
})
