import type { App, ComponentPublicInstance } from 'vue'
import { RENDERER_LOG_LIMITS, type BridgeInput, type ClinicBridge } from '../../../shared/bridge'

/**
 * The window's errors in the app's log: Vue's error handler, the window's
 * `error` event and unhandled promise rejections become `log` calls on the
 * bridge, which the host writes with the `renderer` scope. Bounded here too:
 * each field clipped to the contract's limits, at most `perMinute` a minute
 * (the host has its own limit), and the few caught before the bridge has
 * connected are kept and sent once it has. Reporting never throws and never
 * reports its own failures.
 */

type Entry = BridgeInput<'log'>
type LogSink = Pick<ClinicBridge, 'log'>

export interface ErrorReporter {
  /** Vue's `app.config.errorHandler` and the window's `error` and `unhandledrejection` listeners. */
  install(app: App, target: Pick<Window, 'addEventListener'>): void
  /** From now on, send to this bridge (what was caught before goes first). */
  attach(bridge: LogSink): void
  report(error: unknown, where: { source: NonNullable<Entry['source']>; info?: string; component?: string }): void
}

export interface ErrorReporterOptions {
  now?: () => number
  perMinute?: number
  /** Kept until the bridge connects. */
  queued?: number
  /** Also on the console (DevTools), as Vue does without an error handler. */
  console?: (error: unknown) => void
}

export function createErrorReporter(options: ErrorReporterOptions = {}): ErrorReporter {
  const now = options.now ?? Date.now
  const perMinute = options.perMinute ?? 10
  const queued = options.queued ?? 20
  const toConsole = options.console ?? ((error: unknown) => console.error(error))
  let bridge: LogSink | null = null
  const waiting: Entry[] = []
  let minuteStart = Number.NEGATIVE_INFINITY
  let sent = 0

  const send = (entry: Entry) => {
    if (bridge === null) {
      if (waiting.length < queued) waiting.push(entry)
      return
    }
    bridge.log(entry).catch(() => undefined)
  }

  const reporter: ErrorReporter = {
    install(app, target) {
      app.config.errorHandler = (error, instance, info) => {
        toConsole(error)
        reporter.report(error, { source: 'vue', info, ...componentOf(instance) })
      }
      target.addEventListener('error', (event) => {
        const error: unknown = event.error
        reporter.report(error ?? event.message, { source: 'window' })
      })
      target.addEventListener('unhandledrejection', (event) => {
        reporter.report(event.reason, { source: 'promise' })
      })
    },
    attach(next) {
      bridge = next
      for (const entry of waiting.splice(0)) send(entry)
    },
    report(error, where) {
      try {
        const t = now()
        if (t - minuteStart >= 60_000) {
          minuteStart = t
          sent = 0
        }
        if (sent >= perMinute) return
        sent += 1
        send(entryFor(error, where))
      } catch {
        // Reporting an error must never become one.
      }
    },
  }
  return reporter
}

function componentOf(instance: ComponentPublicInstance | null): { component?: string } {
  const options = instance?.$options as { name?: string; __name?: string } | undefined
  const name = options?.name ?? options?.__name
  return name === undefined ? {} : { component: name }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function entryFor(error: unknown, where: { source: NonNullable<Entry['source']>; info?: string; component?: string }): Entry {
  const short = RENDERER_LOG_LIMITS.short
  const entry: Entry = { level: 'error', message: clip(messageOf(error), RENDERER_LOG_LIMITS.message), source: where.source }
  if (error instanceof Error) {
    entry.error = clip(error.name, short)
    if (typeof error.stack === 'string' && error.stack !== '') entry.stack = clip(error.stack, RENDERER_LOG_LIMITS.stack)
  }
  if (where.info !== undefined && where.info !== '') entry.info = clip(where.info, short)
  if (where.component !== undefined && where.component !== '') entry.component = clip(where.component, short)
  return entry
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : `${error.name}: ${error.message}`
  if (typeof error === 'string' && error !== '') return error
  try {
    const json = JSON.stringify(error)
    if (typeof json === 'string' && json !== '') return json
  } catch {
    // not serialisable: say what it is
  }
  return `non-error thrown (${typeof error})`
}
