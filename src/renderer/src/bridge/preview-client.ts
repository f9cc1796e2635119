import { BRIDGE_METHODS, type ClinicBridge, type DeskEvent } from '../../../shared/bridge'
import { HostFrame, PREVIEW_BRIDGE_PATH, type WireCall } from '../../../shared/wire-bridge'

/**
 * `ClinicBridge` over the browser preview host's WebSocket. Every answer is
 * validated with the method's schema and every event with the contract's
 * `DeskEvent` (through `HostFrame`). The Electron preload checks neither: it
 * hands the page what the main process sent, so only in the preview does a
 * malformed answer reach the stores as an error. The socket is authorised by
 * the session cookie the host set when the page was opened with its one-time
 * token, so a reload reconnects without it.
 */
export function connectPreviewBridge(location: Pick<Location, 'host' | 'protocol'> = window.location): Promise<ClinicBridge> {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new WebSocket(`${scheme}://${location.host}${PREVIEW_BRIDGE_PATH}`)
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: keyof typeof BRIDGE_METHODS }>()
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
    if (!frame.ok) {
      call.reject(new Error(frame.error))
      return
    }
    const output = BRIDGE_METHODS[call.method].output.safeParse(frame.output)
    if (output.success) call.resolve(output.data)
    else call.reject(new Error(`invalid answer to ${call.method}: ${output.error.message}`))
  })
  socket.addEventListener('close', () => {
    for (const call of pending.values()) call.reject(new Error('The preview host closed the connection.'))
    pending.clear()
  })

  const invoke = (method: keyof typeof BRIDGE_METHODS, input: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) {
        reject(new Error('Not connected to the preview host.'))
        return
      }
      const id = nextId++
      pending.set(id, { resolve, reject, method })
      const call: WireCall = { type: 'call', id, method, input }
      socket.send(JSON.stringify(call))
    })

  const bridge = Object.fromEntries(
    (Object.keys(BRIDGE_METHODS) as Array<keyof typeof BRIDGE_METHODS>).map((method) => [method, (input?: unknown) => invoke(method, input)]),
  ) as unknown as Omit<ClinicBridge, 'onEvent'>

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
