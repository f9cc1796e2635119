// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import ConnectionStatus from '../../../src/renderer/src/components/ConnectionStatus.vue'
import { createFakeBridge, type FakeBridge } from '../fake-bridge'
import { accessibleName } from '../dom'
import { allFeatures, at, connection, featureStatus } from '../fixtures'

async function mountApp(fake: FakeBridge) {
  const wrapper = mount(App, {
    props: { connect: () => Promise.resolve(fake) },
    global: { plugins: [createPinia()] },
    attachTo: document.body,
  })
  await flushPromises()
  return wrapper
}

/** The board and conversations are not fully served: the core says so in both places. */
function limitedSnapshot() {
  return {
    connection: connection('live', { limitedFeatures: ['board', 'conversations'] }),
    features: allFeatures().map((f) =>
      f.feature === 'board'
        ? featureStatus('board', { state: 'not-understood', error: 'data.0.starts_at: expected a date-time' })
        : f.feature === 'conversations'
          ? featureStatus('conversations', { state: 'not-offered', lastSuccessAt: null, error: 'GET /api/conversations answered 404' })
          : f,
    ),
  }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('the connection status chip', () => {
  it('says plain "Live", with nothing to click, when every feature is served', async () => {
    const wrapper = await mountApp(createFakeBridge())
    const status = wrapper.find('[data-testid="connection-status"]')
    expect(status.attributes('role')).toBe('status')
    expect(status.attributes('data-state')).toBe('live')
    expect(status.text()).toBe('Live')
    expect(status.find('button').exists()).toBe(false)
    expect(wrapper.find('[data-testid="limited-features"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says "Live, 2 features limited" as a button named for what it does, which opens Diagnostics', async () => {
    const wrapper = await mountApp(createFakeBridge({ snapshot: limitedSnapshot() }))
    const status = wrapper.find('[data-testid="connection-status"]')
    expect(status.attributes('role')).toBe('status')
    expect(status.attributes('data-state')).toBe('live')
    expect(status.text()).toBe('Live, 2 features limited')
    const link = status.find<HTMLButtonElement>('button')
    expect(link.attributes('type')).toBe('button')
    expect(link.attributes('data-testid')).toBe('limited-features')
    const name = 'Live, 2 features limited: the clinic server does not fully serve Appointment board and Conversations. Open Diagnostics'
    expect(accessibleName(link.element)).toBe(name)
    expect(link.attributes('title')).toBe(name)
    // Calm: still the live state, never an alert.
    expect(wrapper.find('.connection').attributes('data-state')).toBe('live')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)

    expect(wrapper.find('nav [aria-current="page"]').text()).toBe('Board')
    await link.trigger('click')
    await flushPromises()
    expect(wrapper.find('nav [aria-current="page"]').text()).toBe('Diagnostics')
    expect(wrapper.find('h1').text()).toBe('Diagnostics')
    expect(document.activeElement?.id).toBe('view-title')
    const features = wrapper.find('[data-testid="feature-table"]')
    expect(features.find('h2').text()).toBe('Clinic server features')
    expect(features.find('[data-feature="board"] [data-fact="state"]').text()).toBe('Not understood')
    wrapper.unmount()
  })

  it('says "1 feature limited" in the singular, and names the one feature', async () => {
    const fake = createFakeBridge({ snapshot: { connection: connection('live', { limitedFeatures: ['members'] }) } })
    const wrapper = await mountApp(fake)
    const link = wrapper.find<HTMLButtonElement>('[data-testid="connection-status"] button')
    expect(link.text()).toBe('Live, 1 feature limited')
    expect(accessibleName(link.element)).toBe('Live, 1 feature limited: the clinic server does not fully serve Clinic members. Open Diagnostics')
    wrapper.unmount()
  })

  it('follows `features` and `connection` events: limited appears, changes and goes', async () => {
    const fake = createFakeBridge()
    const wrapper = await mountApp(fake)
    const status = () => wrapper.find('[data-testid="connection-status"]')
    expect(status().text()).toBe('Live')

    fake.emit({ kind: 'features', features: [featureStatus('notifications', { state: 'failing', error: 'HTTP 503' })] })
    await flushPromises()
    expect(status().text()).toBe('Live, 1 feature limited')
    expect(accessibleName(status().find('button').element)).toBe('Live, 1 feature limited: the clinic server does not fully serve Notifications. Open Diagnostics')

    fake.emit({ kind: 'connection', connection: connection('live', { since: at('09:00'), limitedFeatures: ['notifications', 'board'] }) })
    await flushPromises()
    expect(status().text()).toBe('Live, 2 features limited')

    fake.emit({ kind: 'connection', connection: connection('live', { since: at('09:01'), limitedFeatures: [] }) })
    await flushPromises()
    expect(status().text()).toBe('Live')
    expect(status().find('button').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says the connection state, not the features, while not live', async () => {
    const fake = createFakeBridge({ snapshot: { ...limitedSnapshot(), connection: connection('polling', { limitedFeatures: ['board', 'conversations'], detail: 'WebSocket unavailable' }) } })
    const wrapper = await mountApp(fake)
    const status = wrapper.find('[data-testid="connection-status"]')
    expect(status.attributes('data-state')).toBe('polling')
    expect(status.text()).toBe('Offline — polling')
    expect(status.find('button').exists()).toBe(false)
    expect(wrapper.find('[data-testid="limited-features"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('as a component: takes the connection’s own list when none is given, and asks for Diagnostics', async () => {
    const wrapper = mount(ConnectionStatus, { props: { connection: connection('live', { limitedFeatures: ['consultations', 'notifications'] }) } })
    const link = wrapper.find('button')
    expect(accessibleName(link.element)).toBe('Live, 2 features limited: the clinic server does not fully serve Consultations and Notifications. Open Diagnostics')
    await link.trigger('click')
    expect(wrapper.emitted('diagnostics')).toHaveLength(1)
    await wrapper.setProps({ limited: ['notifications', 'board', 'members'] })
    expect(wrapper.find('button').text()).toBe('Live, 3 features limited')
    expect(accessibleName(wrapper.find('button').element)).toBe('Live, 3 features limited: the clinic server does not fully serve Notifications, Appointment board and Clinic members. Open Diagnostics')
    await wrapper.setProps({ limited: [] })
    expect(wrapper.find('[data-testid="connection-status"]').text()).toBe('Live')
    await wrapper.setProps({ connection: connection('offline', { limitedFeatures: ['board'] }), limited: undefined })
    expect(wrapper.find('[data-testid="connection-status"]').text()).toBe('Offline')
  })
})
