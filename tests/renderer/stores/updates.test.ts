// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useUpdatesStore } from '../../../src/renderer/src/stores/updates'
import { startedDesk, withFakeBridge } from '../setup'
import { settle } from '../fake-bridge'
import { updateStatus } from '../update-fixtures'

const READY = updateStatus({ state: 'ready', version: '1.5.0', installAt: null })

describe('updates store', () => {
  it('reads the status when the desk starts, then follows update events', async () => {
    const { fake, pinia } = await startedDesk()
    await settle()
    const store = useUpdatesStore(pinia)
    expect(fake.getUpdateStatus).toHaveBeenCalledTimes(1)
    expect(store.status).toMatchObject({ state: 'off' })
    fake.emit({ kind: 'update', status: updateStatus({ state: 'downloading', version: '1.5.0', percent: 42, bytesPerSecond: 1e6, transferred: 42, total: 100 }) })
    expect(store.status).toMatchObject({ state: 'downloading', percent: 42 })
    fake.emit({ kind: 'update', status: READY })
    expect(store.status).toEqual(READY)
  })

  it('a slow first answer does not undo a newer event', async () => {
    const { fake } = withFakeBridge()
    let answer: (s: typeof READY) => void = () => undefined
    fake.getUpdateStatus.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const store = useUpdatesStore()
    const loading = store.load()
    store.apply(READY)
    answer(updateStatus({ state: 'idle' }))
    await loading
    expect(store.status).toEqual(READY)
  })

  it('"Later" hides a ready update until another one is ready; a forced one cannot be put off', () => {
    withFakeBridge()
    const store = useUpdatesStore()
    store.later()
    expect(store.hidden).toBe(false)
    store.apply(READY)
    store.later()
    expect(store.hidden).toBe(true)
    store.apply(updateStatus({ state: 'ready', version: '1.5.1', installAt: null }))
    expect(store.hidden).toBe(false)
    store.apply(updateStatus({ state: 'ready', version: '1.5.2', installAt: '2026-11-26T09:01:00.000Z', forced: true }))
    store.later()
    expect(store.hidden).toBe(false)
  })

  it('installs only a ready update, once, and says so when the core refuses', async () => {
    const { fake } = withFakeBridge()
    const store = useUpdatesStore()
    await store.installNow()
    expect(fake.installUpdate).not.toHaveBeenCalled()
    store.apply(READY)
    fake.installUpdate.mockRejectedValueOnce(new Error('No update is ready to install.'))
    await store.installNow()
    expect(store.problem).toBe('The update could not be installed: No update is ready to install.')
    expect(store.installing).toBe(false)
    fake.installUpdate.mockReturnValueOnce(new Promise(() => undefined))
    void store.installNow()
    void store.installNow()
    expect(fake.installUpdate).toHaveBeenCalledTimes(2)
    expect(store.installing).toBe(true)
    expect(store.problem).toBeNull()
  })

  it('checks on request, and reports a refusal (updates off) as text', async () => {
    const { fake } = withFakeBridge()
    const store = useUpdatesStore()
    await store.checkNow()
    expect(store.status).toMatchObject({ state: 'idle' })
    fake.checkForUpdates.mockRejectedValueOnce(new Error('Updates are off: this is a development build.'))
    await store.checkNow()
    expect(store.problem).toBe('Updates are off: this is a development build.')
    expect(store.checking).toBe(false)
  })
})
