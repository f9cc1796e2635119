import { vi, type Mock } from 'vitest'
import type { BridgeMethodName, ClinicBridge, DeskEvent } from '../../src/shared/bridge'
import type { DeskSnapshot } from '../../src/shared/desk-state'
import { DEMO_ACCOUNTS, board, diagnostics, sessionZone, settingsView, signedIn, signedOutSnapshot, snapshot, user } from './fixtures'
import { updateStatus } from './update-fixtures'

type Methods = Omit<ClinicBridge, 'onEvent'>

/** Every bridge method as a vitest mock: tests read its calls and swap its answer. */
export type FakeBridge = { [K in keyof Methods]: Mock<Methods[K]> } & {
  onEvent: ClinicBridge['onEvent']
  /** Sends a desk event to every listener, as the core does. */
  emit(event: DeskEvent): void
  /** What `getSnapshot` answers; tests change it to stage a state. */
  snapshot: DeskSnapshot
  /** Every method call, in order. */
  calls: Array<{ method: BridgeMethodName; input: unknown }>
  listenerCount(): number
}

/**
 * An in-memory `ClinicBridge` for renderer tests: records calls, answers with
 * plausible defaults (a signed-in receptionist on a live connection, unless
 * `signedOut`), and emits whatever `DeskEvent` a test hands it.
 */
export function createFakeBridge(options: { signedOut?: boolean; snapshot?: Partial<DeskSnapshot> } = {}): FakeBridge {
  const listeners = new Set<(event: DeskEvent) => void>()
  const calls: FakeBridge['calls'] = []

  function method<K extends keyof Methods>(name: K, impl: Methods[K]): Mock<Methods[K]> {
    const wrapped = ((...args: unknown[]) => {
      calls.push({ method: name, input: args[0] })
      return (impl as (...a: unknown[]) => unknown)(...args)
    }) as Methods[K]
    return vi.fn(wrapped)
  }

  const fake: FakeBridge = {
    snapshot: options.signedOut ? signedOutSnapshot() : snapshot(options.snapshot),
    calls,
    listenerCount: () => listeners.size,
    emit(event) {
      for (const listener of [...listeners]) listener(event)
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getSnapshot: method('getSnapshot', async () => structuredClone(fake.snapshot)),
    signIn: method('signIn', async () => {
      const u = user()
      fake.snapshot = snapshot()
      return { ok: true, user: u, timeZone: sessionZone(u) }
    }),
    getServerPreset: method('getServerPreset', async () => ({ apiUrl: null, locked: false })),
    listDemoAccounts: method('listDemoAccounts', async () => DEMO_ACCOUNTS),
    signInDemo: method('signInDemo', async () => {
      fake.snapshot = snapshot({ session: signedIn(user(), true) })
      return { ok: true, user: user(), timeZone: sessionZone(user()) }
    }),
    signOut: method('signOut', async () => {
      fake.snapshot = signedOutSnapshot()
      return undefined
    }),
    loadBoard: method('loadBoard', async ({ date }) => board({ date, appointments: [] })),
    listConsultations: method('listConsultations', async () => []),
    listNotifications: method('listNotifications', async () => ({ items: [], hasMore: false, unread: fake.snapshot.unreadNotifications })),
    markNotificationRead: method('markNotificationRead', async () => ({ status: 'done' })),
    markAllNotificationsRead: method('markAllNotificationsRead', async () => ({ status: 'done' })),
    deleteNotification: method('deleteNotification', async () => ({ status: 'done' })),
    openNotification: method('openNotification', async () => ({ status: 'done' })),
    openExternal: method('openExternal', async () => ({ opened: false, reason: 'test' })),
    listConversations: method('listConversations', async () => fake.snapshot.conversations),
    loadMessages: method('loadMessages', async () => []),
    sendMessage: method('sendMessage', async () => ({ status: 'queued', message: null })),
    markConversationRead: method('markConversationRead', async () => ({ status: 'done' })),
    setTyping: method('setTyping', async () => undefined),
    staffAction: method('staffAction', async () => ({ id: crypto.randomUUID(), status: 'done' })),
    undoStaffAction: method('undoStaffAction', async ({ id }) => ({ id, status: 'done' })),
    reconnect: method('reconnect', async () => undefined),
    getDiagnostics: method('getDiagnostics', async () =>
      diagnostics({
        connection: fake.snapshot.connection,
        channels: fake.snapshot.channels,
        features: fake.snapshot.features,
        timeZone: fake.snapshot.session.status === 'signed-in' ? fake.snapshot.session.timeZone : null,
      }),
    ),
    diagnosticsReport: method('diagnosticsReport', async () => ({ text: JSON.stringify({ config: { apiUrl: null } }) })),
    runChecks: method('runChecks', async () => ({ ok: true, ranAt: new Date().toISOString(), checks: [] })),
    getSettings: method('getSettings', async () => settingsView()),
    updateSettings: method('updateSettings', async (patch) => {
      const view = settingsView()
      return { ...view, values: { ...view.values, ...patch, alerts: { ...view.values.alerts, ...patch.alerts } } }
    }),
    getUpdateStatus: method('getUpdateStatus', async () => updateStatus()),
    checkForUpdates: method('checkForUpdates', async () => updateStatus({ state: 'idle', lastCheckedAt: new Date().toISOString() })),
    installUpdate: method('installUpdate', async () => undefined),
    log: method('log', async () => undefined),
  }
  return fake
}

/** Lets pending promise callbacks (bridge answers) run; microtasks only, so it works under fake timers. */
export async function settle(rounds = 25): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}
