import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DeskEvent } from '../../../shared/bridge'
import type { OutgoingMessage } from '../../../shared/desk-state'
import type { Conversation, Message } from '../../../shared/domain'
import { byActivity, mergeThread, placeOutgoing, settleOutgoing, withMessage } from '../../../shared/reducers/conversations'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import { useSessionStore } from './session'

export type ReadReceipt = Extract<DeskEvent, { kind: 'message.read' }>['read']
export type TypingSignal = Extract<DeskEvent, { kind: 'typing' }>['typing']

/** A message the user sent that the server has not stored yet (`sending`, `queued` in the core's outbox, or `failed` with why). */
export type { OutgoingMessage }

/** A typing signal stops counting after this long without a new one. */
export const TYPING_EXPIRY_MS = 5000
/** While the user types, "typing" is sent at most this often. */
export const TYPING_THROTTLE_MS = 3000
/** Idle this long, and "stopped typing" is sent. */
export const TYPING_IDLE_MS = 4000

interface TypingEntry {
  name: string
  timer: ReturnType<typeof setTimeout>
}

export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // randomUUID needs a secure context; the preview may be served without one.
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Conversations with unread counts, their messages, read receipts, who is
 * typing, and sending. The core decides: conversations are replaced by id as
 * it emits them, threads hold each stored message once by id, and a message
 * the user sends is a pending bubble (by its clientId) from the moment it is
 * written until the core's `message.created` with that clientId replaces it,
 * or its `message.pending` says it waits in the outbox or was refused. The
 * placing is the shared conversations reducer's.
 */
export const useConversationsStore = defineStore('conversations', () => {
  const bridge = useBridge()
  const session = useSessionStore()

  const conversations = ref<Conversation[]>([])
  const selectedId = ref<number | null>(null)
  const messages = ref<Record<number, Message[]>>({})
  const noEarlier = ref<Record<number, boolean>>({})
  const loadingMessages = ref(false)
  const messagesError = ref<string | null>(null)
  const outgoing = ref<OutgoingMessage[]>([])
  /** conversation id → user id → their latest read receipt. */
  const receipts = ref<Record<number, Record<number, ReadReceipt>>>({})
  /** conversation id → user id → name of who is typing now. */
  const typing = ref<Record<number, Record<number, string>>>({})
  const typingTimers = new Map<string, TypingEntry>()
  let viewing = false
  let markReadTimer: ReturnType<typeof setTimeout> | null = null
  let typingSentAt = 0
  let typingFor: number | null = null
  let typingIdleTimer: ReturnType<typeof setTimeout> | null = null

  const selected = computed(() => conversations.value.find((c) => c.id === selectedId.value) ?? null)
  const unreadTotal = computed(() => conversations.value.reduce((sum, c) => sum + c.unread_count, 0))
  const myId = computed(() => session.user?.id ?? null)

  function messagesFor(conversationId: number): Message[] {
    return messages.value[conversationId] ?? []
  }

  function outgoingFor(conversationId: number): OutgoingMessage[] {
    return outgoing.value.filter((m) => m.conversationId === conversationId)
  }

  function typingNames(conversationId: number): string[] {
    return Object.values(typing.value[conversationId] ?? {}).sort()
  }

  function receiptsFor(conversationId: number): ReadReceipt[] {
    return Object.values(receipts.value[conversationId] ?? {})
  }

  function hasEarlier(conversationId: number): boolean {
    return !noEarlier.value[conversationId] && messagesFor(conversationId).length > 0
  }

  // ── events ────────────────────────────────────────────────────────────

  function replaceAll(list: readonly Conversation[]): void {
    conversations.value = [...list].sort(byActivity)
  }

  function upsert(conversation: Conversation): void {
    conversations.value = [...conversations.value.filter((c) => c.id !== conversation.id), conversation].sort(byActivity)
    if (conversation.last_message) settle(conversation.last_message)
    if (viewing && conversation.id === selectedId.value && conversation.unread_count > 0) markReadSoon(conversation.id)
  }

  /** A stored message (`message.created`, or the answer to a send); `clientId`: the user's pending message it replaces. */
  function addMessage(message: Message, clientId: string | null = null): void {
    settle(message)
    if (clientId !== null) outgoing.value = [...settleOutgoing(outgoing.value, clientId)]
    stopTypingOf(message.conversation_id, message.sender_id)
  }

  /** Puts a stored message in its loaded thread, once. */
  function settle(message: Message): void {
    const list = messages.value[message.conversation_id]
    if (!list) return
    const next = withMessage(list, message)
    if (next !== list) messages.value = { ...messages.value, [message.conversation_id]: [...next] }
  }

  /** The core's word on a pending message (`message.pending`): on its way, waiting in the outbox, or refused and why. */
  function applyOutgoing(message: OutgoingMessage): void {
    outgoing.value = placeOutgoing(outgoing.value, message)
  }

  /**
   * The core's pending messages (a snapshot): those waiting in its outbox. A
   * refused one it has let go stays here until the user retries or discards
   * it, and so does one still on its way to the core (its events follow).
   */
  function replaceOutgoing(list: readonly OutgoingMessage[]): void {
    const waiting = new Set(list.map((m) => m.clientId))
    outgoing.value = [...outgoing.value.filter((m) => m.state !== 'queued' && !waiting.has(m.clientId)), ...list]
  }

  function applyRead(conversationId: number, read: ReadReceipt): void {
    const current = receipts.value[conversationId]?.[read.user_id]
    if (current && current.last_read_message_id > read.last_read_message_id) return
    receipts.value = { ...receipts.value, [conversationId]: { ...receipts.value[conversationId], [read.user_id]: read } }
  }

  function applyTyping(conversationId: number, signal: TypingSignal): void {
    if (signal.user_id === myId.value) return
    if (!signal.typing) {
      stopTypingOf(conversationId, signal.user_id)
      return
    }
    const key = `${conversationId}:${signal.user_id}`
    const running = typingTimers.get(key)
    if (running) clearTimeout(running.timer)
    typingTimers.set(key, { name: signal.name, timer: setTimeout(() => stopTypingOf(conversationId, signal.user_id), TYPING_EXPIRY_MS) })
    typing.value = { ...typing.value, [conversationId]: { ...typing.value[conversationId], [signal.user_id]: signal.name } }
  }

  function stopTypingOf(conversationId: number, userId: number): void {
    const key = `${conversationId}:${userId}`
    const running = typingTimers.get(key)
    if (running) clearTimeout(running.timer)
    typingTimers.delete(key)
    const forConversation = typing.value[conversationId]
    if (!forConversation || !(userId in forConversation)) return
    const rest = { ...forConversation }
    delete rest[userId]
    typing.value = { ...typing.value, [conversationId]: rest }
  }

  // ── actions ───────────────────────────────────────────────────────────

  async function refresh(): Promise<void> {
    try {
      replaceAll(await bridge.listConversations())
    } catch (e) {
      messagesError.value = `Conversations could not be loaded: ${errorMessage(e)}`
    }
  }

  /**
   * Opens a conversation: its messages, and it is marked read. Only the
   * conversation on show keeps its thread: a thread left loaded takes every
   * live message of its conversation (`settle`) for the rest of the day, and
   * opening a conversation reads its thread again anyway.
   */
  async function select(conversationId: number): Promise<void> {
    if (selectedId.value !== conversationId) void stopTyping()
    selectedId.value = conversationId
    releaseThreadsBut(conversationId)
    messagesError.value = null
    loadingMessages.value = true
    try {
      const list = await bridge.loadMessages({ conversationId })
      // Another conversation was opened meanwhile: this one's thread is not kept.
      if (selectedId.value === conversationId) messages.value = { ...messages.value, [conversationId]: mergeThread(messages.value[conversationId] ?? [], list) }
    } catch (e) {
      if (selectedId.value === conversationId) messagesError.value = `Messages could not be loaded: ${errorMessage(e)}`
    } finally {
      loadingMessages.value = false
    }
    await markRead(conversationId)
  }

  /** Drops the threads (and what was learnt of their history) of every conversation but this one. */
  function releaseThreadsBut(conversationId: number): void {
    const only = <T>(byId: Record<number, T>): Record<number, T> => {
      const kept = byId[conversationId]
      return kept === undefined ? {} : { [conversationId]: kept }
    }
    if (Object.keys(messages.value).some((id) => Number(id) !== conversationId)) messages.value = only(messages.value)
    if (Object.keys(noEarlier.value).some((id) => Number(id) !== conversationId)) noEarlier.value = only(noEarlier.value)
  }

  async function loadEarlier(conversationId: number): Promise<void> {
    const first = messagesFor(conversationId)[0]
    if (!first) return
    loadingMessages.value = true
    try {
      const list = await bridge.loadMessages({ conversationId, beforeId: first.id })
      if (selectedId.value !== conversationId) return
      if (list.length === 0) noEarlier.value = { ...noEarlier.value, [conversationId]: true }
      messages.value = { ...messages.value, [conversationId]: mergeThread(list, messagesFor(conversationId)) }
    } catch (e) {
      messagesError.value = `Earlier messages could not be loaded: ${errorMessage(e)}`
    } finally {
      loadingMessages.value = false
    }
  }

  async function markRead(conversationId: number): Promise<void> {
    const conversation = conversations.value.find((c) => c.id === conversationId)
    if (conversation && conversation.unread_count > 0) {
      // Shown read at once; the core's `conversation.updated` confirms it.
      upsertQuietly({ ...conversation, unread_count: 0 })
    }
    try {
      await bridge.markConversationRead({ conversationId })
    } catch {
      // Not fatal: the count comes back with the next `conversation.updated`.
    }
  }

  function upsertQuietly(conversation: Conversation): void {
    conversations.value = [...conversations.value.filter((c) => c.id !== conversation.id), conversation].sort(byActivity)
  }

  function markReadSoon(conversationId: number): void {
    if (markReadTimer !== null) clearTimeout(markReadTimer)
    markReadTimer = setTimeout(() => {
      markReadTimer = null
      if (viewing && selectedId.value === conversationId) void markRead(conversationId)
    }, 800)
  }

  async function send(conversationId: number, body: string): Promise<boolean> {
    const text = body.trim()
    if (text === '') return false
    const pending: OutgoingMessage = { clientId: newClientId(), conversationId, body: text, createdAt: new Date().toISOString(), state: 'sending', error: null }
    applyOutgoing(pending)
    void stopTyping()
    await deliver(pending)
    return true
  }

  /**
   * Hands the message to the core, which queues it in its outbox and sends
   * it. The bubble then follows the core's events; the answer says the same
   * (for a host that is slower with events than with answers).
   */
  async function deliver(message: OutgoingMessage): Promise<void> {
    setOutgoing(message.clientId, { state: 'sending', error: null })
    try {
      const result = await bridge.sendMessage({ conversationId: message.conversationId, body: message.body, clientId: message.clientId })
      if (result.status === 'queued') setOutgoing(message.clientId, { state: 'queued' })
      else if (result.message) addMessage(result.message, message.clientId)
      else outgoing.value = [...settleOutgoing(outgoing.value, message.clientId)]
    } catch (e) {
      // Refused by the server: the core's `message.pending` already gave the reason in staff's words.
      const told = outgoing.value.find((m) => m.clientId === message.clientId)
      setOutgoing(message.clientId, { state: 'failed', error: told?.state === 'failed' && told.error ? told.error : errorMessage(e) })
    }
  }

  /** Sends a failed message again with the same clientId, so the server stores it once. */
  async function retry(clientId: string): Promise<void> {
    const message = outgoing.value.find((m) => m.clientId === clientId)
    if (message) await deliver(message)
  }

  function discard(clientId: string): void {
    outgoing.value = outgoing.value.filter((m) => m.clientId !== clientId)
  }

  function setOutgoing(clientId: string, change: Partial<OutgoingMessage>): void {
    outgoing.value = outgoing.value.map((m) => (m.clientId === clientId ? { ...m, ...change } : m))
  }

  /** Call on every keystroke in the composer: "typing" goes out at most every few seconds. */
  function noteTyping(conversationId: number): void {
    const now = Date.now()
    if (typingFor !== conversationId || now - typingSentAt >= TYPING_THROTTLE_MS) {
      if (typingFor !== null && typingFor !== conversationId) void bridge.setTyping({ conversationId: typingFor, typing: false }).catch(() => undefined)
      typingFor = conversationId
      typingSentAt = now
      void bridge.setTyping({ conversationId, typing: true }).catch(() => undefined)
    }
    if (typingIdleTimer !== null) clearTimeout(typingIdleTimer)
    typingIdleTimer = setTimeout(() => void stopTyping(), TYPING_IDLE_MS)
  }

  async function stopTyping(): Promise<void> {
    if (typingIdleTimer !== null) clearTimeout(typingIdleTimer)
    typingIdleTimer = null
    const conversationId = typingFor
    typingFor = null
    typingSentAt = 0
    if (conversationId !== null) await bridge.setTyping({ conversationId, typing: false }).catch(() => undefined)
  }

  /** The conversations screen is (not) on show: opened conversations are marked read as messages arrive. */
  function setViewing(on: boolean): void {
    viewing = on
    if (!on) void stopTyping()
  }

  function reset(): void {
    conversations.value = []
    selectedId.value = null
    messages.value = {}
    noEarlier.value = {}
    outgoing.value = []
    receipts.value = {}
    for (const entry of typingTimers.values()) clearTimeout(entry.timer)
    typingTimers.clear()
    typing.value = {}
    messagesError.value = null
    if (markReadTimer !== null) clearTimeout(markReadTimer)
    if (typingIdleTimer !== null) clearTimeout(typingIdleTimer)
    typingIdleTimer = null
    typingFor = null
  }

  return {
    conversations,
    selectedId,
    messages,
    loadingMessages,
    messagesError,
    outgoing,
    receipts,
    typing,
    selected,
    unreadTotal,
    myId,
    messagesFor,
    outgoingFor,
    typingNames,
    receiptsFor,
    hasEarlier,
    replaceAll,
    upsert,
    addMessage,
    applyOutgoing,
    replaceOutgoing,
    applyRead,
    applyTyping,
    refresh,
    select,
    loadEarlier,
    markRead,
    send,
    retry,
    discard,
    noteTyping,
    stopTyping,
    setViewing,
    reset,
  }
})
