import { idleConnection, type ConnectionInfo, type ConnectionStatus, type ConnectionTransition, type Transport } from '../../../shared/desk-state';

/**
 * The one connection line the desk shows: live, connecting, reconnecting,
 * polling (no WebSocket but the API answers) or offline, derived from the
 * socket's state and the last REST round trip.
 */
export type SocketState = 'idle' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected';

export function deriveStatus(input: {
  transport: Transport;
  socket: SocketState | null;
  restOk: boolean | null;
  everLive: boolean;
  /** The catch-up after the socket connected has finished: only then is the desk up to date (default true). */
  caughtUp?: boolean;
  /**
   * The socket is connected but has not answered a ping for a few seconds: it
   * may be dead without having closed, so it is not called live (default false).
   */
  socketSuspect?: boolean;
  /**
   * A wanted channel could not be authorized for a reason that may pass (no
   * answer, a 5xx, an HTML page, a redirect) and is being retried: its events
   * do not arrive, so the desk is not live but polls (default false).
   */
  channelTrouble?: boolean;
  /**
   * The server's broadcasts seem to have stopped (reconciliation keeps finding
   * changes no event announced): the socket is up but brings nothing, so the
   * desk polls and does not say Live (default false).
   */
  broadcastsSilent?: boolean;
}): ConnectionStatus {
  const { socket, restOk } = input;
  if (input.transport === 'polling' || socket === null) {
    if (restOk === null) return 'connecting';
    return restOk ? 'polling' : 'offline';
  }
  if (socket === 'connected') {
    if (input.caughtUp === false) return input.everLive ? 'reconnecting' : 'connecting';
    if (input.socketSuspect === true) return input.everLive ? 'reconnecting' : 'connecting';
    if (input.channelTrouble === true || input.broadcastsSilent === true) {
      if (restOk === null) return input.everLive ? 'reconnecting' : 'connecting';
      return restOk ? 'polling' : 'offline';
    }
    return 'live';
  }
  if (socket === 'connecting' || socket === 'idle') {
    if (!input.everLive) return 'connecting';
    return restOk === false ? 'offline' : 'reconnecting';
  }
  if (restOk === null) return input.everLive ? 'reconnecting' : 'connecting';
  return restOk ? 'polling' : 'offline';
}

/** Transitions the desk keeps: about a working day of a flapping connection, a few kB. */
export const TIMELINE_LIMIT = 200;

/**
 * The one timeline of what the user's connection did, as the status bar said
 * it (connecting, live, reconnecting, polling, offline, and idle when a
 * session ended): what the Diagnostics screen shows and the diagnostics
 * report carries. The desk (`DeskService`) owns one for its whole life and
 * lends it to each session's `ConnectionTracker`, so a sign-out, a new
 * sign-in or a restart after an internal error continue it. Bounded: the
 * oldest entries go first.
 */
export class ConnectionTimeline {
  private readonly entries: ConnectionTransition[] = [];

  constructor(private readonly limit = TIMELINE_LIMIT) {}

  record(transition: ConnectionTransition): void {
    this.entries.push({ ...transition });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Oldest first. */
  list(): ConnectionTransition[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}

/** Keeps the current `ConnectionInfo`; each change of status goes to the desk's timeline. */
export class ConnectionTracker {
  private info: ConnectionInfo;

  constructor(
    transport: Transport,
    private readonly nowIso: () => string,
    private readonly timeline: ConnectionTimeline,
  ) {
    this.info = idleConnection(transport, nowIso());
  }

  /** The clock reading of the last live event not yet written into `info.lastEventAt` (it is, when read). */
  private lastEventMs: number | null = null;

  get current(): ConnectionInfo {
    if (this.lastEventMs !== null) {
      this.info = { ...this.info, lastEventAt: new Date(this.lastEventMs).toISOString() };
      this.lastEventMs = null;
    }
    return { ...this.info };
  }

  /** What the status bar says of broadcasts, without a copy of the whole state. */
  get broadcastWarning(): ConnectionInfo['broadcastWarning'] {
    return this.info.broadcastWarning;
  }

  /**
   * A live event arrived at `ms`: noted as a number, turned into the ISO
   * `lastEventAt` only when someone reads the state (an event costs no date
   * string and no new object). Not something the status bar shows, so no change.
   */
  noteEvent(ms: number): void {
    this.lastEventMs = ms;
  }

  /** Returns true when something the status bar shows changed. */
  update(patch: Partial<Omit<ConnectionInfo, 'since' | 'transport'>>): boolean {
    if (patch.lastEventAt !== undefined) this.lastEventMs = null;
    else if (this.lastEventMs !== null) void this.current;
    const next = { ...this.info, ...patch };
    const statusChanged = next.status !== this.info.status;
    if (statusChanged) {
      next.since = this.nowIso();
      this.timeline.record({ at: next.since, from: this.info.status, to: next.status, detail: next.detail });
    }
    const changed =
      statusChanged ||
      next.detail !== this.info.detail ||
      next.socketId !== this.info.socketId ||
      next.lastSyncAt !== this.info.lastSyncAt ||
      next.limitedFeatures.join() !== this.info.limitedFeatures.join() ||
      next.broadcastWarning !== this.info.broadcastWarning;
    this.info = next;
    return changed;
  }
}
