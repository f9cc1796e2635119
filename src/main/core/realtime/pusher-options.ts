import type { Options } from 'pusher-js';
import type { TransportConfig } from '../config/schema';

/**
 * pusher-js options for a transport. WebSocket only: the desk runs in Node
 * (Electron main), where the HTTP fallbacks make no sense, and stats are off
 * because the clinic's traffic is nobody else's business.
 */
export function pusherOptionsFor(transport: Exclude<TransportConfig, { kind: 'polling' }>): Options {
  if (transport.kind === 'pusher') {
    return { cluster: transport.cluster, forceTLS: true, enabledTransports: ['ws', 'wss'], disableStats: true };
  }
  const tls = transport.scheme === 'https';
  return {
    cluster: 'mt1', // required by the type, unused with wsHost
    wsHost: transport.host,
    wsPort: transport.port,
    wssPort: transport.port,
    ...(transport.path ? { wsPath: transport.path } : {}),
    forceTLS: tls,
    // As the desk's own connection (echo-instance.ts): no wss fallback on a plain port.
    enabledTransports: tls ? ['ws', 'wss'] : ['ws'],
    disableStats: true,
  };
}
