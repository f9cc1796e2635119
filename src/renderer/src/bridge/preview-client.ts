import { BRIDGE_METHOD_NAMES, type BridgeEnvelope, type BridgeMethodName, type DeskEvent, type HostBridge } from '../../../shared/bridge'
import { HostFrame, PREVIEW_BRIDGE_PATH, type WireCall } from '../../../shared/wire-bridge'
import { BridgeError } from '../../../shared/bridge-unwrap'

/**
 * The preview host's bridge over its WebSocket: each method answers with the
 * host adapter's envelope (checked against the contract on the host, like the
 * Electron host's), unwrapped with the Electron one by `unwrapBridge`. A lost
 * connection rejects with a `BridgeError`. The socket is authorised by
 * the session cookie the host set when the page was opened with its one-time
 * token, so a reload reconnects without it.
 */
export function connectPreviewBridge(location: Pick<Location, 'host' | 'protocol'> = window.location): Promise<HostBridge> {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}${PREVIEW_BRIDGE_PATH}`)
  const pending = new Map<number, { resolve: (value: BridgeEnvelope) => void; reject: (error: Error) => void }>()
  const listeners = new Set<(event: DeskEvent) => void>()
  let nextId = 1

  socket.addEventListener('message', (message) => {
    let data: unknown
    try {
      data = JSON.parse(String(message.data))
    } catch {
      data = undefined
    }
    const parsed = HostFrame.safeParse(data)
    if (!parsed.success) {
      console.warn('clinic-desk: ignored a malformed frame from the preview host', parsed.error.message)
      return
    }
    const frame = parsed.data
    if (frame.type === 'event') {
      for (const listener of [...listeners]) listener(frame.event)
      return
    }
    const call = pending.get(frame.id)
    if (!call) return
    pending.delete(frame.id)
    call.resolve(frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error })
  })
  socket.addEventListener('close', () => {
    for (const call of pending.values()) call.reject(new BridgeError('unavailable', 'The preview host closed the connection.'))
    pending.clear()
  })

  const invoke = (method: BridgeMethodName, input: unknown): Promise<BridgeEnvelope> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) {
        reject(new BridgeError('unavailable', 'Not connected to the preview host.'))
        return
      }
      const id = nextId++
      pending.set(id, { resolve, reject })
      const call: WireCall = { type: 'call', id, method, input }
      socket.send(JSON.stringify(call))
    })

  const bridge = Object.fromEntries(BRIDGE_METHOD_NAMES.map((method) => [method, (input?: unknown) => invoke(method, input)])) as unknown as Omit<HostBridge, 'onEvent'>

  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () =>
      resolve({
        ...bridge,
        onEvent(listener) {
          listeners.add(listener)
          return () => listeners.delete(listener)
        },
      }),
    )
    socket.addEventListener('error', () => reject(new Error('Could not connect to the preview host: open the URL it printed (its link works once per browser session).')))
  })
}
