// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import { CONNECTION_STATUSES, type ConnectionTransition, type RejectedPayload } from '../../../src/shared/desk-state'
import { useConnectionStore } from '../../../src/renderer/src/stores/connection'
import { createFakeBridge } from '../fake-bridge'
import { at, channel, connection, diagnostics } from '../fixtures'
import { startedDesk } from '../setup'

const LABELS = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  polling: 'Offline — polling',
  offline: 'Offline',
  idle: 'Signed out',
} as const

describe('connection store', () => {
  it.each(CONNECTION_STATUSES)('says %s in words', async (status) => {
    const { fake } = await startedDesk()
    fake.emit({ kind: 'connection', connection: connection(status, { since: at('09:00') }) })
    expect(useConnectionStore().status).toBe(status)
    expect(useConnectionStore().label).toBe(LABELS[status])
  })

  it("shows the core's timeline, read again soon after a change of status while Diagnostics is shown, and keeps none of its own", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    try {
      const { fake } = await startedDesk()
      const store = useConnectionStore()
      const earlier: ConnectionTransition[] = [{ at: at('08:00'), from: 'connecting', to: 'live', detail: null }]
      fake.getDiagnostics.mockResolvedValue(diagnostics({ connection: connection('live'), timeline: earlier }))
      // Diagnostics not shown: a change of status is the status bar's; no timeline entry made up here.
      fake.emit({ kind: 'connection', connection: connection('reconnecting', { since: at('09:00'), detail: 'socket closed' }) })
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.timeline).toEqual([])
      expect(fake.getDiagnostics).not.toHaveBeenCalled()

      const stop = store.followDiagnostics()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.timeline).toEqual(earlier)
      const recorded: ConnectionTransition[] = [...earlier, { at: at('09:05'), from: 'live', to: 'reconnecting', detail: 'socket closed' }]
      fake.getDiagnostics.mockResolvedValue(diagnostics({ connection: connection('reconnecting', { since: at('09:05') }), timeline: recorded }))
      fake.emit({ kind: 'connection', connection: connection('reconnecting', { since: at('09:05'), detail: 'socket closed' }) })
      // A new detail without a new status: no new entry in the core's timeline, nothing to read.
      fake.emit({ kind: 'connection', connection: connection('reconnecting', { since: at('09:05'), detail: 'still trying' }) })
      await vi.advanceTimersByTimeAsync(1000)
      expect(fake.getDiagnostics).toHaveBeenCalledTimes(2)
      expect(store.timeline).toEqual(recorded)

      stop()
      fake.emit({ kind: 'connection', connection: connection('live', { since: at('09:06') }) })
      await vi.advanceTimersByTimeAsync(20_000)
      expect(fake.getDiagnostics).toHaveBeenCalledTimes(2)
      expect(store.timeline).toEqual(recorded)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps one row per channel, updated by `channel` events', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { channels: [channel({ name: 'private-notifications.2' })] } }))
    fake.emit({ kind: 'channel', channel: channel({ name: 'presence-clinic.1', state: 'failed', errorStatus: 403, error: 'Forbidden' }) })
    fake.emit({ kind: 'channel', channel: channel({ name: 'private-notifications.2', state: 'pending' }) })
    const store = useConnectionStore()
    expect(store.channels.map((c) => [c.name, c.state])).toEqual([
      ['presence-clinic.1', 'failed'],
      ['private-notifications.2', 'pending'],
    ])
    expect(store.failedChannels.map((c) => c.errorStatus)).toEqual([403])
  })

  it("shows the core's rejection log as it has it, read once more after a burst of refused payloads while Diagnostics is shown", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    try {
      const { fake } = await startedDesk()
      const store = useConnectionStore()
      const stop = store.followDiagnostics()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.rejected).toEqual([])
      const event = { kind: 'rejected', channel: 'private-notifications.2', event: 'general-notification', reason: 'id: expected number', at: at('09:00'), count: 1 } as const
      const log: RejectedPayload[] = [{ channel: event.channel, event: event.event, reason: event.reason, count: 3, lastAt: at('09:01') }]
      fake.getDiagnostics.mockResolvedValue(diagnostics({ rejected: log }))
      fake.emit(event)
      fake.emit({ ...event, at: at('09:01'), count: 2 })
      fake.emit({ ...event, at: at('09:01'), count: 3 })
      // Nothing counted here: until the log is read, the list is what the core last said.
      expect(store.rejected).toEqual([])
      await vi.advanceTimersByTimeAsync(1000)
      expect(fake.getDiagnostics).toHaveBeenCalledTimes(2)
      expect(store.rejected).toEqual(log)
      stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('copies the diagnostics report and confirms, then clears the confirmation', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { fake } = await startedDesk()
      fake.diagnosticsReport.mockResolvedValueOnce({ text: 'REPORT' })
      const written: string[] = []
      const store = useConnectionStore()
      await store.copyDiagnostics(async (text) => void written.push(text))
      expect(written).toEqual(['REPORT'])
      expect(store.copyState).toBe('copied')
      vi.advanceTimersByTime(6000)
      expect(store.copyState).toBe('idle')
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the report for copying by hand when the clipboard refuses', async () => {
    const { fake } = await startedDesk()
    fake.diagnosticsReport.mockResolvedValueOnce({ text: 'REPORT' })
    const store = useConnectionStore()
    await store.copyDiagnostics(async () => {
      throw new Error('Document is not focused.')
    })
    expect(store.copyState).toBe('failed')
    expect(store.copyError).toBe('Document is not focused.')
    expect(store.copyFallback).toBe('REPORT')
  })

  it('runs the checks through the bridge', async () => {
    const { fake } = await startedDesk()
    fake.runChecks.mockResolvedValueOnce({ ok: false, ranAt: at('09:00'), checks: [{ id: 'auth', title: 'Channel auth', ok: false, detail: '403', fix: 'Ask the admin' }] })
    const store = useConnectionStore()
    await store.runChecks()
    expect(store.checks?.checks[0]?.id).toBe('auth')
    expect(store.checking).toBe(false)
  })

  it('asks the core to reconnect', async () => {
    const { fake } = await startedDesk()
    await useConnectionStore().reconnect()
    expect(fake.reconnect).toHaveBeenCalledTimes(1)
  })
})
