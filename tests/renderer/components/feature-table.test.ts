// @vitest-environment happy-dom
import { flushPromises, mount, type DOMWrapper } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FeatureTable from '../../../src/renderer/src/components/FeatureTable.vue'
import DiagnosticsView from '../../../src/renderer/src/views/DiagnosticsView.vue'
import type { FeatureStatus } from '../../../src/shared/features'
import { createFakeBridge } from '../fake-bridge'
import { allFeatures, featureStatus } from '../fixtures'
import { startedDesk } from '../setup'

const NOW = Date.parse('2026-11-26T10:00:00Z')
const minutesAgo = (m: number): string => new Date(NOW - m * 60_000).toISOString()

const PROFILE_LINE = 'board.appointment_date: starts_at'

/** One feature in each state, the way a half-matching clinic server leaves them. */
const FEATURES: FeatureStatus[] = [
  featureStatus('notifications', { lastSuccessAt: minutesAgo(2), lastAttemptAt: minutesAgo(2) }),
  featureStatus('board', {
    state: 'not-understood',
    lastSuccessAt: null,
    lastAttemptAt: minutesAgo(1),
    error: 'The answer of GET /api/appointments could not be read: data.3.starts_at is not a date-time.',
    fix: 'Map the field in the API profile (api.fields in the policy).',
    problem: { path: 'data.3.starts_at', seen: '"9am"', expected: 'an ISO 8601 date-time', profileLine: PROFILE_LINE },
    dropped: 0,
  }),
  featureStatus('consultations', { state: 'pending', lastSuccessAt: null, lastAttemptAt: null }),
  featureStatus('conversations', {
    state: 'not-offered',
    lastSuccessAt: null,
    lastAttemptAt: minutesAgo(5),
    error: 'GET /api/conversations answered 404 Not Found.',
    fix: null,
  }),
  featureStatus('members', {
    state: 'failing',
    lastSuccessAt: minutesAgo(90),
    lastAttemptAt: minutesAgo(1),
    error: 'The clinic server answered 503 Service Unavailable.',
    fix: 'The desk retries on its own; tell the clinic’s IT if it lasts.',
  }),
]

/** A feature's description list as term → value. */
function facts(item: DOMWrapper<Element>): Record<string, string> {
  const terms = item.findAll('dt')
  const values = item.findAll('dd')
  expect(values).toHaveLength(terms.length)
  return Object.fromEntries(terms.map((t, i) => [t.text(), (values[i]?.text() ?? '').replace(/\s+/g, ' ')]))
}

function table(features: FeatureStatus[]) {
  return mount(FeatureTable, { props: { features, now: NOW } })
}

describe('the clinic server features table', () => {
  it('is a titled section with one described feature per row, labelled in words', () => {
    const wrapper = table(FEATURES)
    const section = wrapper.find('section')
    expect(section.attributes('aria-labelledby')).toBe('features-title')
    expect(section.find('#features-title').text()).toBe('Clinic server features')
    expect(wrapper.findAll('li h3').map((h) => h.text())).toEqual(['Notifications', 'Appointment board', 'Consultations', 'Conversations', 'Clinic members'])
    expect(wrapper.findAll('li dl')).toHaveLength(5)
  })

  it('says each state in words', () => {
    const wrapper = table(FEATURES)
    const state = (feature: string) => wrapper.find(`[data-feature="${feature}"] [data-fact="state"]`).text()
    expect(state('notifications')).toBe('Works')
    expect(state('board')).toBe('Not understood')
    expect(state('consultations')).toBe('Checking…')
    expect(state('conversations')).toBe('Not offered by this server — live updates only')
    expect(state('members')).toBe('Failing — retrying')
  })

  it('shows a working feature with its endpoint and when it last worked, nothing more', () => {
    const item = table(FEATURES).find('[data-feature="notifications"]')
    expect(facts(item)).toEqual({ State: 'Works', Endpoint: 'GET /api/notifications', 'Last success': '2 min ago' })
    expect(item.find('[data-fact="endpoint"] code').text()).toBe('GET /api/notifications')
    expect(item.find('time').attributes('datetime')).toBe(minutesAgo(2))
  })

  it('shows a feature that is not understood with its error, the fix, where the answer did not fit, and the profile line as code', () => {
    const item = table(FEATURES).find('[data-feature="board"]')
    expect(facts(item)).toEqual({
      State: 'Not understood',
      Endpoint: 'GET /api/appointments',
      'Last success': 'None yet',
      'Last try': '1 min ago',
      Error: 'The answer of GET /api/appointments could not be read: data.3.starts_at is not a date-time.',
      'What to do': 'Map the field in the API profile (api.fields in the policy).',
      Field: 'data.3.starts_at',
      Seen: '"9am"',
      Expected: 'an ISO 8601 date-time',
      'Profile line': PROFILE_LINE,
    })
    expect(item.find('[data-fact="path"] code').text()).toBe('data.3.starts_at')
    expect(item.find('[data-fact="seen"] code').text()).toBe('"9am"')
    expect(item.find('[data-fact="profile-line"] pre code').text()).toBe(PROFILE_LINE)
  })

  it('leaves out the profile line when none can map the problem', () => {
    const item = table([featureStatus('board', { state: 'not-understood', problem: { path: 'data', seen: '(missing)', expected: 'a list', profileLine: null } })]).find('li')
    expect(facts(item)['Seen']).toBe('(missing)')
    expect(item.find('[data-fact="profile-line"]').exists()).toBe(false)
    expect(item.find('pre').exists()).toBe(false)
  })

  it('shows a feature the server does not offer, and a failing one with its last success and fix', () => {
    const wrapper = table(FEATURES)
    expect(facts(wrapper.find('[data-feature="conversations"]'))).toEqual({
      State: 'Not offered by this server — live updates only',
      Endpoint: 'GET /api/conversations',
      'Last success': 'None yet',
      'Last try': '5 min ago',
      Error: 'GET /api/conversations answered 404 Not Found.',
    })
    const members = facts(wrapper.find('[data-feature="members"]'))
    expect(members['State']).toBe('Failing — retrying')
    expect(members['Last success']).toBe('1 h ago')
    expect(members['What to do']).toBe('The desk retries on its own; tell the clinic’s IT if it lasts.')
    expect(facts(wrapper.find('[data-feature="consultations"]'))).toEqual({ State: 'Checking…', Endpoint: 'GET /api/consultations', 'Last success': 'None yet' })
  })

  it('counts the records it had to skip', () => {
    const wrapper = table([featureStatus('board', { dropped: 3 }), featureStatus('members', { dropped: 1 })])
    expect(wrapper.find('[data-feature="board"] [data-fact="dropped"]').text()).toBe('3 records skipped')
    expect(wrapper.find('[data-feature="board"] [data-fact="state"]').text()).toBe('Works')
    expect(wrapper.find('[data-feature="members"] [data-fact="dropped"]').text()).toBe('1 record skipped')
  })

  it('says so when nothing has been checked yet', () => {
    const wrapper = table([])
    expect(wrapper.find('.empty').text()).toBe('Not checked yet: the desk checks each feature once signed in.')
    expect(wrapper.find('ul').exists()).toBe(false)
  })
})

describe('the Diagnostics screen', () => {
  it('shows the clinic server features from the store, kept live by `features` events', async () => {
    const fake = createFakeBridge()
    const { pinia } = await startedDesk(fake)
    const wrapper = mount(DiagnosticsView, { global: { plugins: [pinia] } })
    await flushPromises()
    const section = () => wrapper.find('[data-testid="feature-table"]')
    expect(section().findAll('[data-fact="state"]').map((s) => s.text())).toEqual(['Works', 'Works', 'Works', 'Works', 'Works'])
    fake.emit({ kind: 'features', features: [featureStatus('conversations', { state: 'not-offered', lastSuccessAt: null })] })
    await flushPromises()
    expect(section().find('[data-feature="conversations"] [data-fact="state"]').text()).toBe('Not offered by this server — live updates only')
    expect(section().find('[data-feature="board"] [data-fact="state"]').text()).toBe('Works')
    wrapper.unmount()
  })

  it('reads them again with the diagnostics', async () => {
    const fake = createFakeBridge()
    const { pinia } = await startedDesk(fake)
    fake.snapshot = { ...fake.snapshot, features: allFeatures().map((f) => (f.feature === 'members' ? featureStatus('members', { state: 'failing' }) : f)) }
    const wrapper = mount(DiagnosticsView, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(fake.getDiagnostics).toHaveBeenCalled()
    expect(wrapper.find('[data-feature="members"] [data-fact="state"]').text()).toBe('Failing — retrying')
    wrapper.unmount()
  })
})
