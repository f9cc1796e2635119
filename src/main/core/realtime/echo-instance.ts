import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
import type { Channel as PusherChannel, ChannelAuthorizationHandler, Options as PusherOptions } from 'pusher-js';
import type { ChannelRef } from '../../../shared/channels';
import { authorizeForPusher, type Authorize } from './channel-auth';
import { guardPusher } from './pusher-guard';

/**
 * The desk's Echo path: one laravel-echo + pusher-js instance, with the
 * desk's options and channel authorizer, built so that it can be thrown away
 * without a trace. `Realtime` builds a fresh one for every reconnect it
 * forces (pusher-js was not written for that, hence the cleanup here), and
 * `doctor` builds its check connection the same way (`openDeskEcho`), so a
 * fault on this path shows in the checks too.
 */

export type RealtimeTransport =
  | { kind: 'pusher'; key: string; cluster: string }
  | { kind: 'reverb'; key: string; host: string; port: number; scheme: 'http' | 'https'; path?: string };

export interface EchoInstance {
  readonly echo: Echo<'pusher'> | Echo<'reverb'>;
  readonly pusher: Pusher;
  /** Disconnects and removes every trace pusher-js left in process-wide state. */
  dispose(): void;
}

const NETWORK_EVENTS = ['online', 'offline'] as const;

export function describeTransport(transport: RealtimeTransport): string {
  if (transport.kind === 'pusher') return `Pusher (${transport.cluster})`;
  return `${transport.scheme === 'https' ? 'wss' : 'ws'}://${transport.host}:${transport.port}${transport.path ?? ''}`;
}

function echoOptions(transport: RealtimeTransport, PusherClass: typeof Pusher, customHandler: ChannelAuthorizationHandler) {
  const common = {
    Pusher: PusherClass,
    // Own objects: Echo 2.5 spreads a static default whose `auth.headers` would
    // otherwise be shared by (and a `bearerToken` written into for) every Echo
    // in the process. Authorization itself goes through `customHandler`.
    auth: { headers: {} },
    userAuthentication: { endpoint: '/broadcasting/user-auth', transport: 'ajax' as const, headers: {} },
    bearerToken: null,
    csrfToken: null,
    withoutInterceptors: true,
    enableStats: false,
    channelAuthorization: { customHandler },
  };
  if (transport.kind === 'pusher') {
    return {
      ...common,
      broadcaster: 'pusher' as const,
      key: transport.key,
      cluster: transport.cluster,
      forceTLS: true,
      enabledTransports: ['ws', 'wss'] as PusherOptions['enabledTransports'],
    };
  }
  const tls = transport.scheme === 'https';
  return {
    ...common,
    broadcaster: 'reverb' as const,
    key: transport.key,
    wsHost: transport.host,
    wsPort: transport.port,
    wssPort: transport.port,
    forceTLS: tls,
    // Without TLS, 'wss' would be tried on the same port as a fallback: pointless.
    enabledTransports: (tls ? ['ws', 'wss'] : ['ws']) as PusherOptions['enabledTransports'],
    ...(transport.path === undefined ? {} : { wsPath: transport.path }),
  };
}

/**
 * What builds the desk's Echo instances: `deskEchoFactory()` in the app;
 * tests hand in one over another Pusher class, or one that watches it.
 * Throws what pusher-js throws for unusable options (often a plain string).
 */
export type EchoFactory = (transport: RealtimeTransport, authorizer: ChannelAuthorizationHandler) => EchoInstance;

/** The desk's Echo factory: laravel-echo over `PusherClass` (pusher-js itself by default), with the options above. */
export function deskEchoFactory(PusherClass: typeof Pusher = Pusher): EchoFactory {
  return (transport, authorizer) => createEchoInstance(transport, PusherClass, authorizer);
}

export interface OpenEchoOptions {
  echo: EchoFactory;
  transport: RealtimeTransport;
  /** Authorizes one channel for one socket (the API client's `authorizeChannel`). */
  authorize: Authorize;
  /** The auth endpoint refused `channelName`; called before pusher-js hears of it (see `authorizeForPusher`). */
  onRefused: (channelName: string, status: number | null, message: string, retryAfterMs: number | null) => void;
  /** pusher-js's auth callback threw. */
  onCallbackError: (channelName: string, message: string) => void;
}

/**
 * Opens one connection the desk's way: the factory, with every channel
 * authorized through `authorizeForPusher`. Connects at once; throws what the
 * factory throws.
 */
export function openDeskEcho(options: OpenEchoOptions): EchoInstance {
  const authorizer: ChannelAuthorizationHandler = (params, callback) =>
    authorizeForPusher({
      authorize: options.authorize,
      socketId: params.socketId,
      channelName: params.channelName,
      callback,
      onRefused: (status, message, retryAfterMs) => options.onRefused(params.channelName, status, message, retryAfterMs),
      onCallbackError: (message) => options.onCallbackError(params.channelName, message),
    });
  return options.echo(options.transport, authorizer);
}

/** Subscribes a clinic channel the Laravel way (Echo's `private()` or `join()`), and returns pusher-js's channel to bind on. */
export function subscribeDeskChannel(instance: EchoInstance, ref: ChannelRef): PusherChannel {
  const channel = ref.visibility === 'presence' ? instance.echo.join(ref.echoName) : instance.echo.private(ref.echoName);
  return channel.subscription;
}

/** Builds Echo (which builds pusher-js, which connects at once in Node). */
export function createEchoInstance(transport: RealtimeTransport, PusherClass: typeof Pusher, customHandler: ChannelAuthorizationHandler): EchoInstance {
  const options = echoOptions(transport, PusherClass, customHandler);
  // Before the first socket: pusher-js formats every received frame for its debug log (see pusher-guard.ts).
  guardPusher(PusherClass);
  // Each pusher-js ConnectionManager binds `online`/`offline` handlers on a
  // process-wide Network object and never unbinds them: through them every
  // discarded instance would stay in memory. The ones added now are this one's.
  const network = PusherClass.Runtime?.getNetwork?.();
  const handlersOf = () => NETWORK_EVENTS.flatMap((name) => (network?.callbacks.get(name) ?? []).map((cb) => ({ name, fn: cb.fn })));
  const known = new Set(handlersOf().map((h) => h.fn));
  const echo = options.broadcaster === 'pusher' ? new Echo<'pusher'>(options) : new Echo<'reverb'>(options);
  const networkHandlers = handlersOf().filter((h) => !known.has(h.fn));
  const pusher = echo.connector.pusher;
  let disposed = false;
  return {
    echo,
    pusher,
    dispose() {
      if (disposed) return;
      disposed = true;
      echo.disconnect();
      for (const handler of networkHandlers) network?.unbind(handler.name, handler.fn);
      // pusher-js also keeps every instance ever built in a static list (and
      // `Pusher.ready()` would reconnect them all).
      const instances: unknown = PusherClass.instances;
      const index = Array.isArray(instances) ? instances.indexOf(pusher) : -1;
      if (Array.isArray(instances) && index !== -1) instances.splice(index, 1);
    },
  };
}
