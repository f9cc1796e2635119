// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent } from 'vue'
import { RendererLogEntry } from '../../../src/shared/bridge'
import { createErrorReporter } from '../../../src/renderer/src/lib/error-reporting'

/**
 * The window's errors reach the bridge's `log` (and from there the app's log,
 * tests/electron/desktop.test.ts): Vue's error handler, the window's `error`
 * event and unhandled rejections; clipped to the contract, rate-limited,
 * queued until the bridge connects.
 */

function sink() {
  const entries: unknown[] = []
  return { entries, log: vi.fn(async (entry: unknown) => void entries.push(entry)) }
}
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('error reporting from the window', () => {
  it("Vue's error handler sends the error, where it happened and the component; still shown on the console", async () => {
    const bridge = sink()
    const shown: unknown[] = []
    const reporter = createErrorReporter({ console: (e) => shown.push(e) })
    reporter.attach(bridge)
    const Broken = defineComponent({
      name: 'AppointmentCard',
      render() {
        throw new TypeError("Cannot read properties of undefined (reading 'id')")
      },
    })
    const app = createApp(Broken)
    reporter.install(app, window)
    app.mount(document.createElement('div'))
    await flush()
    expect(bridge.entries).toHaveLength(1)
    expect(bridge.entries[0]).toMatchObject({
      level: 'error',
      message: "TypeError: Cannot read properties of undefined (reading 'id')",
      source: 'vue',
      error: 'TypeError',
      info: expect.stringMatching(/render/),
      component: 'AppointmentCard',
      stack: expect.stringContaining('TypeError'),
    })
    expect(RendererLogEntry.safeParse(bridge.entries[0]).success).toBe(true)
    expect(shown).toHaveLength(1)
    app.unmount()
  })

  it("the window's error event and unhandled rejections are sent too", async () => {
    const bridge = sink()
    const reporter = createErrorReporter({ console: () => undefined })
    const target = new EventTarget()
    reporter.install(createApp({ render: () => null }), target)
    reporter.attach(bridge)
    const error = new Error('boom')
    target.dispatchEvent(Object.assign(new Event('error'), { error, message: 'Uncaught Error: boom' }))
    target.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: 'the server went away' }))
    target.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: { code: 42 } }))
    await flush()
    expect(bridge.entries).toEqual([
      expect.objectContaining({ level: 'error', message: 'Error: boom', source: 'window', error: 'Error' }),
      { level: 'error', message: 'the server went away', source: 'promise' },
      { level: 'error', message: '{"code":42}', source: 'promise' },
    ])
  })

  it('clips every field to the contract, so the host never refuses a report', async () => {
    const bridge = sink()
    const reporter = createErrorReporter()
    reporter.attach(bridge)
    const huge = new Error('x'.repeat(10_000))
    huge.stack = 'y'.repeat(20_000)
    reporter.report(huge, { source: 'vue', info: 'i'.repeat(500), component: 'c'.repeat(500) })
    await flush()
    const parsed = RendererLogEntry.safeParse(bridge.entries[0])
    expect(parsed.success).toBe(true)
    expect(String((bridge.entries[0] as { message: string }).message)).toHaveLength(2000)
  })

  it('sends at most a few a minute, and keeps a few caught before the bridge connects', async () => {
    let t = 0
    const bridge = sink()
    const reporter = createErrorReporter({ now: () => t, perMinute: 5, queued: 3 })
    for (let i = 0; i < 4; i++) reporter.report(new Error(`early ${i}`), { source: 'window' })
    reporter.attach(bridge)
    for (let i = 0; i < 10; i++) reporter.report(new Error(`flood ${i}`), { source: 'window' })
    t = 60_000
    reporter.report(new Error('a minute later'), { source: 'window' })
    await flush()
    // Five in the first minute: three of the four early ones (the queue holds three), then one of the flood.
    expect(bridge.entries.map((e) => (e as { message: string }).message)).toEqual(['Error: early 0', 'Error: early 1', 'Error: early 2', 'Error: flood 0', 'Error: a minute later'])
  })

  it('a bridge that fails to take the report is not an error of its own', async () => {
    const reporter = createErrorReporter()
    const log = vi.fn(async () => {
      throw new Error('not connected')
    })
    reporter.attach({ log })
    reporter.report(new Error('first'), { source: 'promise' })
    await flush()
    expect(log).toHaveBeenCalledTimes(1)
  })
})
