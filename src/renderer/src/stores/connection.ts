import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DeskEvent } from '../../../shared/bridge'
import {
  idleConnection,
  type ChannelStatus,
  type CheckReport,
  type ConnectionInfo,
  type ConnectionTransition,
  type Diagnostics,
  type RejectedPayload,
} from '../../../shared/desk-state'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import { CONNECTION_LABELS } from '../lib/labels'
import { useFeaturesStore } from './features'

export type SyncEvent = Extract<DeskEvent, { kind: 'sync' }>
export type RejectedEvent = Extract<DeskEvent, { kind: 'rejected' }>
export type CopyState = 'idle' | 'copying' | 'copied' | 'failed'

const COPIED_NOTICE_MS = 6000
/** While Diagnostics is shown: read again this often (event counts and latencies move without an event)… */
const DIAGNOSTICS_REFRESH_MS = 10_000
/** …and this soon after the core recorded something new (a change of status, a refused payload). */
const DIAGNOSTICS_SOON_MS = 250


/**
 * The connection line (live / connecting / … / signed out), the channels and
 * their subscriptions, and the diagnostics page: timeline, rejected payloads,
 * checks and the copyable report. The timeline and the rejected payloads are
 * the core's own (its one connection timeline and one rejection log), as
 * `getDiagnostics` reads them: nothing here keeps or counts them again.
 */
export const useConnectionStore = defineStore('connection', () => {
  const bridge = useBridge()
  const features = useFeaturesStore()

  const info = ref<ConnectionInfo>(idleConnection('pusher', new Date().toISOString()))
  const channels = ref<ChannelStatus[]>([])
  const timeline = ref<ConnectionTransition[]>([])
  const rejected = ref<RejectedPayload[]>([])
  const lastSync = ref<SyncEvent | null>(null)
  const about = ref<Pick<Diagnostics, 'appVersion' | 'host' | 'cache'> | null>(null)
  /** What the desk's checks with the server while live cost and found (Diagnostics). */
  const reconciliation = ref<Diagnostics['reconciliation'] | null>(null)
  const diagnosticsLoading = ref(false)
  const diagnosticsError = ref<string | null>(null)

  const checks = ref<CheckReport | null>(null)
  const checking = ref(false)
  const checksError = ref<string | null>(null)

  const copyState = ref<CopyState>('idle')
  const copyError = ref<string | null>(null)
  /** The report, kept when the clipboard refused it, so it can be copied by hand. */
  const copyFallback = ref<string | null>(null)
  let copyTimer: ReturnType<typeof setTimeout> | null = null
  /** Diagnostics shown on how many screens; the timer of a read asked for soon. */
  let followers = 0
  let soonTimer: ReturnType<typeof setTimeout> | null = null

  const status = computed(() => info.value.status)
  /** The socket is up but the server broadcasts nothing: "polling", not "offline". */
  const label = computed(() => (info.value.status === 'polling' && info.value.broadcastWarning !== null ? 'No live updates — polling' : CONNECTION_LABELS[info.value.status]))
  const live = computed(() => info.value.status === 'live')
  const failedChannels = computed(() => channels.value.filter((c) => c.state === 'failed'))

  /** The state as the snapshot has it (no timeline entry: the core's own timeline comes with the diagnostics). */
  function hydrate(connection: ConnectionInfo, channelList: readonly ChannelStatus[]): void {
    info.value = connection
    channels.value = sortChannels(channelList)
  }

  /** A new connection line; a change of status is a new entry in the core's timeline, read again while shown. */
  function apply(next: ConnectionInfo): void {
    const changed = info.value.status !== next.status
    info.value = next
    if (changed) loadDiagnosticsSoon()
  }

  function applyChannel(channel: ChannelStatus): void {
    const rest = channels.value.filter((c) => c.name !== channel.name)
    channels.value = sortChannels([...rest, channel])
  }

  /** The core refused a payload and logged it: its log is read again while shown. */
  function applyRejected(_event: RejectedEvent): void {
    loadDiagnosticsSoon()
  }

  function applySync(event: SyncEvent): void {
    lastSync.value = event
  }

  async function loadDiagnostics(): Promise<void> {
    diagnosticsLoading.value = true
    diagnosticsError.value = null
    try {
      const d = await bridge.getDiagnostics()
      about.value = { appVersion: d.appVersion, host: d.host, cache: d.cache }
      reconciliation.value = d.reconciliation
      info.value = d.connection
      timeline.value = d.timeline
      channels.value = sortChannels(d.channels)
      rejected.value = d.rejected
      features.replace(d.features)
      features.applyLimited(d.connection.limitedFeatures)
    } catch (error) {
      diagnosticsError.value = errorMessage(error)
    } finally {
      diagnosticsLoading.value = false
    }
  }

  /** Once, shortly, however many changes ask for it; only while a screen shows the diagnostics. */
  function loadDiagnosticsSoon(): void {
    if (followers === 0 || soonTimer !== null) return
    soonTimer = setTimeout(() => {
      soonTimer = null
      if (followers > 0) void loadDiagnostics()
    }, DIAGNOSTICS_SOON_MS)
  }

  /**
   * For the Diagnostics screen while it is shown: reads the diagnostics now,
   * every few seconds, and soon after the core records a change of status or
   * a refused payload. Returns the function that stops it.
   */
  function followDiagnostics(): () => void {
    followers++
    void loadDiagnostics()
    const every = setInterval(() => void loadDiagnostics(), DIAGNOSTICS_REFRESH_MS)
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      clearInterval(every)
      followers--
      if (followers === 0 && soonTimer !== null) {
        clearTimeout(soonTimer)
        soonTimer = null
      }
    }
  }

  async function runChecks(): Promise<void> {
    checking.value = true
    checksError.value = null
    try {
      checks.value = await bridge.runChecks()
    } catch (error) {
      checksError.value = errorMessage(error)
    } finally {
      checking.value = false
    }
  }

  /** Puts the diagnostics report on the clipboard; `write` is the clipboard (tests hand in their own). */
  async function copyDiagnostics(write: (text: string) => Promise<void> = (text) => navigator.clipboard.writeText(text)): Promise<void> {
    if (copyTimer !== null) clearTimeout(copyTimer)
    copyState.value = 'copying'
    copyError.value = null
    copyFallback.value = null
    let text: string | null = null
    try {
      text = (await bridge.diagnosticsReport()).text
      await write(text)
      copyState.value = 'copied'
      copyTimer = setTimeout(() => {
        copyState.value = 'idle'
        copyTimer = null
      }, COPIED_NOTICE_MS)
    } catch (error) {
      copyState.value = 'failed'
      copyError.value = errorMessage(error)
      copyFallback.value = text
    }
  }

  async function reconnect(): Promise<void> {
    await bridge.reconnect()
  }

  function reset(): void {
    channels.value = []
    lastSync.value = null
    reconciliation.value = null
    checks.value = null
    copyState.value = 'idle'
    copyFallback.value = null
  }

  return {
    info,
    channels,
    timeline,
    rejected,
    lastSync,
    about,
    reconciliation,
    diagnosticsLoading,
    diagnosticsError,
    checks,
    checking,
    checksError,
    copyState,
    copyError,
    copyFallback,
    status,
    label,
    live,
    failedChannels,
    hydrate,
    apply,
    applyChannel,
    applyRejected,
    applySync,
    loadDiagnostics,
    followDiagnostics,
    runChecks,
    copyDiagnostics,
    reconnect,
    reset,
  }
})

function sortChannels(list: readonly ChannelStatus[]): ChannelStatus[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name))
}
