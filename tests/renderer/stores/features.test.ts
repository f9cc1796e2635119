// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useConnectionStore } from '../../../src/renderer/src/stores/connection'
import { useFeaturesStore } from '../../../src/renderer/src/stores/features'
import { createFakeBridge, settle } from '../fake-bridge'
import { allFeatures, at, connection, diagnostics, featureStatus } from '../fixtures'
import { startedDesk } from '../setup'

const states = () => useFeaturesStore().statuses.map((s) => [s.feature, s.state])

describe('features store', () => {
  it('takes every feature from the snapshot, in the features’ order, and which are limited', async () => {
    const fake = createFakeBridge({
      snapshot: {
        connection: connection('live', { limitedFeatures: ['conversations'] }),
        features: [
          featureStatus('members'),
          featureStatus('conversations', { state: 'not-offered', lastSuccessAt: null }),
          featureStatus('notifications'),
          featureStatus('board'),
          featureStatus('consultations', { state: 'pending', lastSuccessAt: null, lastAttemptAt: null }),
        ],
      },
    })
    await startedDesk(fake)
    const features = useFeaturesStore()
    expect(states()).toEqual([
      ['notifications', 'available'],
      ['board', 'available'],
      ['consultations', 'pending'],
      ['conversations', 'not-offered'],
      ['members', 'available'],
    ])
    expect(features.limited).toEqual(['conversations'])
    expect(features.limitedCount).toBe(1)
  })

  it('applies a `features` event: the features it names change, the others stay', async () => {
    const { fake } = await startedDesk()
    const features = useFeaturesStore()
    expect(features.limited).toEqual([])
    fake.emit({
      kind: 'features',
      features: [
        featureStatus('board', { state: 'not-understood', problem: { path: 'data.0.starts_at', seen: '"9am"', expected: 'an ISO 8601 date-time', profileLine: 'board.appointment_date: starts_at' } }),
        featureStatus('members', { dropped: 3 }),
      ],
    })
    expect(states()).toEqual([
      ['notifications', 'available'],
      ['board', 'not-understood'],
      ['consultations', 'available'],
      ['conversations', 'available'],
      ['members', 'available'],
    ])
    expect(features.statuses.find((s) => s.feature === 'board')?.problem?.path).toBe('data.0.starts_at')
    // Records skipped count as limited, though the feature works.
    expect(features.limited).toEqual(['board', 'members'])

    fake.emit({ kind: 'features', features: [featureStatus('board'), featureStatus('members')] })
    expect(features.limited).toEqual([])
    expect(features.statuses).toHaveLength(5)
  })

  it('follows the `limitedFeatures` a `connection` event carries', async () => {
    const { fake } = await startedDesk()
    const features = useFeaturesStore()
    fake.emit({ kind: 'connection', connection: connection('live', { since: at('09:00'), limitedFeatures: ['members', 'notifications', 'members'] }) })
    expect(features.limited).toEqual(['notifications', 'members'])
    expect(useConnectionStore().info.limitedFeatures).toEqual(['members', 'notifications', 'members'])
    fake.emit({ kind: 'connection', connection: connection('live', { since: at('09:01'), limitedFeatures: [] }) })
    expect(features.limited).toEqual([])
  })

  it('takes the statuses the diagnostics bring', async () => {
    const fake = createFakeBridge()
    await startedDesk(fake)
    fake.getDiagnostics.mockResolvedValueOnce(
      diagnostics({
        connection: connection('live', { limitedFeatures: ['consultations'] }),
        features: allFeatures().map((f) => (f.feature === 'consultations' ? featureStatus('consultations', { state: 'failing', error: 'HTTP 503' }) : f)),
      }),
    )
    await useConnectionStore().loadDiagnostics()
    const features = useFeaturesStore()
    expect(features.statuses.find((s) => s.feature === 'consultations')?.state).toBe('failing')
    expect(features.limited).toEqual(['consultations'])
  })

  it('forgets everything on sign-out', async () => {
    const fake = createFakeBridge({ snapshot: { connection: connection('live', { limitedFeatures: ['board'] }) } })
    await startedDesk(fake)
    const features = useFeaturesStore()
    expect(features.statuses).toHaveLength(5)
    // The next snapshot is slow to come: the store is cleared on sign-out all the same.
    fake.getSnapshot.mockImplementationOnce(() => new Promise(() => undefined))
    fake.emit({ kind: 'session', session: { status: 'signed-out', reason: null } })
    await settle()
    expect(features.statuses).toEqual([])
    expect(features.limited).toEqual([])
  })
})
