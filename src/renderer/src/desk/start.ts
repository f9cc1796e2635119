import type { Pinia } from 'pinia'
import { effectScope, watch } from 'vue'
import type { ClinicBridge, DeskEvent } from '../../../shared/bridge'
import type { DeskSnapshot } from '../../../shared/desk-state'
import { useBoardStore } from '../stores/board'
import { useConnectionStore } from '../stores/connection'
import { useConsultationsStore } from '../stores/consultations'
import { useConversationsStore } from '../stores/conversations'
import { useFeaturesStore } from '../stores/features'
import { useNavigationStore } from '../stores/navigation'
import { useNotificationsStore } from '../stores/notifications'
import { usePresenceStore } from '../stores/presence'
import { useSessionStore } from '../stores/session'
import { useSettingsStore } from '../stores/settings'
import { useStaffActionsStore } from '../stores/staff-actions'
import { useUpdatesStore } from '../stores/updates'
import { installBridge } from './bridge-context'

/**
 * Starts the desk in the window: the snapshot fills every store at once (a
 * reloaded window shows the current state immediately), then the event stream
 * keeps them live. Events that arrive while a snapshot is on its way wait and
 * are applied after it, in order; every store's handlers are idempotent
 * (upserts by id, newest wins, absolute counts), so replaying one the
 * snapshot already includes changes nothing.
 */

export interface Desk {
  /** Reads the snapshot again and applies it. */
  refresh(): Promise<void>
  /** Stops listening (the window is going away, or a test is over). */
  stop(): void
}

function storesOf(pinia: Pinia) {
  return {
    session: useSessionStore(pinia),
    connection: useConnectionStore(pinia),
    board: useBoardStore(pinia),
    presence: usePresenceStore(pinia),
    consultations: useConsultationsStore(pinia),
    notifications: useNotificationsStore(pinia),
    conversations: useConversationsStore(pinia),
    features: useFeaturesStore(pinia),
    settings: useSettingsStore(pinia),
    navigation: useNavigationStore(pinia),
    updates: useUpdatesStore(pinia),
    staffActions: useStaffActionsStore(pinia),
  }
}

export type DeskStores = ReturnType<typeof storesOf>

export function hydrate(s: DeskStores, snapshot: DeskSnapshot): void {
  s.session.apply(snapshot.session)
  s.connection.hydrate(snapshot.connection, snapshot.channels)
  s.features.replace(snapshot.features)
  s.features.applyLimited(snapshot.connection.limitedFeatures)
  s.board.replace(snapshot.board)
  s.consultations.replace(snapshot.consultations)
  s.presence.replace(snapshot.presence)
  s.conversations.replaceAll(snapshot.conversations)
  s.conversations.replaceOutgoing(snapshot.outgoing)
  s.notifications.setUnread(snapshot.unreadNotifications)
  // After the board and consultations: the actions are worded with their patients' names.
  s.staffActions.hydrate(snapshot.pendingActions, snapshot.staffActions)
}

/** Hands one event to the store that owns it. */
export function route(s: DeskStores, event: DeskEvent): void {
  switch (event.kind) {
    case 'session':
      s.session.apply(event.session)
      return
    case 'connection':
      s.connection.apply(event.connection)
      s.features.applyLimited(event.connection.limitedFeatures)
      return
    case 'features':
      s.features.apply(event.features)
      return
    case 'channel':
      s.connection.applyChannel(event.channel)
      return
    case 'rejected':
      s.connection.applyRejected(event)
      return
    case 'sync':
      s.connection.applySync(event)
      return
    case 'notification.upserted':
      s.notifications.upsert(event.notification, event.isNew)
      return
    case 'notification.removed':
      s.notifications.dropItem(event.id)
      return
    case 'notifications.unread':
      s.notifications.setUnread(event.unread)
      return
    case 'notifications.synced':
      void s.notifications.synced(event.newest)
      return
    case 'appointment.updated':
      s.board.applyUpdate(event.appointment, event.action, event.changed)
      return
    case 'board.replaced':
      s.board.replace(event.board)
      return
    case 'consultation.updated':
      s.consultations.apply(event.consultation)
      return
    case 'consultations.replaced':
      s.consultations.replace(event.consultations)
      return
    case 'presence.replaced':
      s.presence.replace(event.presence)
      return
    case 'presence.joined':
      s.presence.join(event.member)
      return
    case 'presence.left':
      s.presence.leave(event.memberId)
      return
    case 'conversation.updated':
      s.conversations.upsert(event.conversation)
      return
    case 'message.created':
      s.conversations.addMessage(event.message, event.clientId)
      return
    case 'message.pending':
      s.conversations.applyOutgoing(event.outgoing)
      return
    case 'message.read':
      s.conversations.applyRead(event.conversationId, event.read)
      return
    case 'typing':
      s.conversations.applyTyping(event.conversationId, event.typing)
      return
    case 'staff-action.pending':
      s.staffActions.applyPending(event.action)
      return
    case 'staff-action.settled':
      s.staffActions.applySettled(event.settled)
      return
    case 'staff-actions.offered':
      s.staffActions.applyOffered(event.actions)
      return
    case 'called-in':
      s.staffActions.applyCalledIn(event.call)
      return
    case 'settings':
      s.settings.apply(event.settings)
      return
    case 'open':
      s.navigation.open(event.target)
      return
    case 'update':
      s.updates.apply(event.status)
      return
  }
}

export async function startDesk(pinia: Pinia, bridge: ClinicBridge): Promise<Desk> {
  installBridge(pinia, bridge)
  const s = storesOf(pinia)
  const scope = effectScope(true)

  let holding = 0
  let held: DeskEvent[] = []
  const deliver = (event: DeskEvent): void => {
    try {
      route(s, event)
    } catch (error) {
      // One bad event must not stop the stream.
      console.error('clinic-desk: a desk event could not be applied', event.kind, error)
    }
  }
  const off = bridge.onEvent((event) => {
    if (holding > 0) held.push(event)
    else deliver(event)
  })

  async function refresh(): Promise<void> {
    holding++
    try {
      hydrate(s, await bridge.getSnapshot())
    } finally {
      holding--
      if (holding === 0) {
        const waiting = held
        held = []
        for (const event of waiting) deliver(event)
      }
    }
  }

  function signedInNow(): void {
    void s.notifications.load()
    void s.settings.load()
  }

  function signedOutNow(): void {
    s.board.reset()
    s.presence.reset()
    s.consultations.reset()
    s.notifications.reset()
    s.conversations.reset()
    s.connection.reset()
    s.features.reset()
    s.staffActions.reset()
    s.navigation.reset()
    void s.session.loadSignInOptions()
  }

  try {
    await refresh()
  } catch (error) {
    off()
    throw error
  }

  scope.run(() => {
    watch(
      () => s.session.status,
      (now, before) => {
        if (now === 'signed-in' && before !== 'signed-in') {
          // What the new session restored from its cache, at once (the core announces it only as it syncs).
          s.navigation.reset()
          void refresh().catch(() => undefined)
          signedInNow()
        } else if (now === 'signed-out' && before === 'signed-in') {
          signedOutNow()
          void refresh().catch(() => undefined)
        }
      },
    )
  })

  void s.settings.load()
  void s.updates.load()
  if (s.session.signedIn) void s.notifications.load()
  else void s.session.loadSignInOptions()

  return {
    refresh,
    stop() {
      off()
      scope.stop()
    },
  }
}
