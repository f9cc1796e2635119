// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useConversationsStore } from '../../../src/renderer/src/stores/conversations'
import { createFakeBridge, settle } from '../fake-bridge'
import { at, conversation, message } from '../fixtures'
import { startedDesk } from '../setup'

afterEach(() => vi.useRealTimers())

const ME = 2 // the fixture user (Rita Reception)

describe('conversations store', () => {
  it('opens a conversation: loads its messages and marks it read', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation({ unread_count: 3 })] } }))
    fake.loadMessages.mockResolvedValueOnce([message({ id: 2 }), message({ id: 1 })])
    const store = useConversationsStore()
    await store.select(70)
    expect(fake.loadMessages).toHaveBeenCalledWith({ conversationId: 70 })
    expect(fake.markConversationRead).toHaveBeenCalledWith({ conversationId: 70 })
    expect(store.messagesFor(70).map((m) => m.id)).toEqual([1, 2])
    expect(store.unreadTotal).toBe(0)
  })

  it('adds live messages once each, and keeps conversations in activity order', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation(), conversation({ id: 71, subject: 'Lab', updated_at: at('08:00') })] } }))
    const store = useConversationsStore()
    await store.select(70)
    fake.emit({ kind: 'message.created', message: message({ id: 5 }), clientId: null })
    fake.emit({ kind: 'message.created', message: message({ id: 5 }), clientId: null })
    expect(store.messagesFor(70).map((m) => m.id)).toEqual([5])
    fake.emit({ kind: 'conversation.updated', conversation: conversation({ id: 71, subject: 'Lab', unread_count: 1, updated_at: at('09:00') }) })
    expect(store.conversations.map((c) => c.id)).toEqual([71, 70])
    expect(store.unreadTotal).toBe(1)
  })

  it('keeps the thread of the conversation on show only: one left behind takes no more live messages, and opening it again reads it again', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation(), conversation({ id: 71, subject: 'Lab' })] } }))
    const store = useConversationsStore()
    fake.loadMessages.mockResolvedValueOnce([message({ id: 1 })])
    await store.select(70)
    fake.loadMessages.mockResolvedValueOnce([message({ id: 2, conversation_id: 71 })])
    await store.select(71)
    for (let id = 10; id < 20; id++) fake.emit({ kind: 'message.created', message: message({ id }), clientId: null })
    expect(store.messages).toEqual({ 71: [expect.objectContaining({ id: 2 })] })
    fake.loadMessages.mockResolvedValueOnce([message({ id: 18 }), message({ id: 19 })])
    await store.select(70)
    expect(fake.loadMessages).toHaveBeenLastCalledWith({ conversationId: 70 })
    expect(store.messagesFor(70).map((m) => m.id)).toEqual([18, 19])
    expect(store.messagesFor(71)).toEqual([])
  })

  it('does not keep the thread of a conversation left before its messages came', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation(), conversation({ id: 71, subject: 'Lab' })] } }))
    const store = useConversationsStore()
    let answer: (list: Awaited<ReturnType<typeof fake.loadMessages>>) => void = () => undefined
    fake.loadMessages.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const first = store.select(70)
    fake.loadMessages.mockResolvedValueOnce([message({ id: 2, conversation_id: 71 })])
    await store.select(71)
    answer([message({ id: 1 })])
    await first
    expect(store.selectedId).toBe(71)
    expect(Object.keys(store.messages)).toEqual(['71'])
  })

  it('sends with a fresh clientId and shows a pending bubble while queued; the stored message with that clientId replaces it', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()] } }))
    const store = useConversationsStore()
    await store.select(70)
    const sending = store.send(70, '  Room 2 is free.  ')
    // Shown at once, before the core answers.
    expect(store.outgoingFor(70)).toEqual([expect.objectContaining({ body: 'Room 2 is free.', state: 'sending' })])
    await sending
    const input = fake.sendMessage.mock.calls[0]?.[0]
    expect(input?.conversationId).toBe(70)
    expect(input?.body).toBe('Room 2 is free.')
    expect(input?.clientId).toMatch(/^[0-9a-f-]{32,36}$/)
    expect(store.outgoingFor(70)).toEqual([expect.objectContaining({ body: 'Room 2 is free.', state: 'queued', clientId: input?.clientId })])
    // Another message of the user's with the same text (from another desk) is not this one.
    fake.emit({ kind: 'message.created', message: message({ id: 89, sender_id: ME, body: 'Room 2 is free.' }), clientId: null })
    expect(store.outgoingFor(70)).toHaveLength(1)
    // The outbox delivers it later; the server's copy, carrying the clientId, replaces the bubble.
    fake.emit({ kind: 'message.created', message: message({ id: 90, sender_id: ME, body: 'Room 2 is free.' }), clientId: input?.clientId ?? null })
    expect(store.outgoingFor(70)).toEqual([])
    expect(store.messagesFor(70).map((m) => m.id)).toEqual([89, 90])
  })

  it('follows the core on a pending message: restored from the snapshot, then refused with the reason', async () => {
    const waiting = { clientId: 'c-1', conversationId: 70, body: 'Sent before the restart', createdAt: at('08:00'), state: 'queued' as const, error: null }
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()], outgoing: [waiting] } }))
    const store = useConversationsStore()
    expect(store.outgoingFor(70)).toEqual([waiting])
    fake.emit({ kind: 'message.pending', outgoing: { ...waiting, state: 'failed', error: 'The body field must not be greater than 1000 characters.' } })
    expect(store.outgoingFor(70)).toEqual([expect.objectContaining({ state: 'failed', error: 'The body field must not be greater than 1000 characters.' })])
    // A later snapshot (the core let it go) keeps it for the user to retry or discard.
    store.replaceOutgoing([])
    expect(store.outgoingFor(70)).toHaveLength(1)
    store.discard('c-1')
    expect(store.outgoingFor(70)).toEqual([])
  })

  it('shows a sent message at once and drops the bubble', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()] } }))
    const store = useConversationsStore()
    await store.select(70)
    fake.sendMessage.mockResolvedValueOnce({ status: 'done', message: message({ id: 91, sender_id: ME, body: 'Thanks!' }) })
    await store.send(70, 'Thanks!')
    expect(store.outgoingFor(70)).toEqual([])
    expect(store.messagesFor(70).map((m) => m.id)).toEqual([91])
  })

  it('keeps a refused message with the core’s reason and Retry, which reuses its clientId', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()] } }))
    fake.sendMessage.mockImplementationOnce(async (input) => {
      fake.emit({ kind: 'message.pending', outgoing: { clientId: input.clientId, conversationId: 70, body: input.body, createdAt: at('09:00'), state: 'failed', error: 'You may not write here.' } })
      throw new Error('POST /api/conversations/70/messages answered 403: You may not write here.')
    })
    fake.sendMessage.mockRejectedValueOnce(new Error('Validation failed'))
    const store = useConversationsStore()
    await store.send(70, 'Hello')
    const failed = store.outgoingFor(70)[0]
    expect(failed).toMatchObject({ state: 'failed', error: 'You may not write here.' })
    // Without a word from the core (the call itself failed), the call's error.
    await store.retry(failed!.clientId)
    expect(fake.sendMessage.mock.calls[1]?.[0].clientId).toBe(failed!.clientId)
    expect(store.outgoingFor(70)[0]).toMatchObject({ state: 'failed', error: 'Validation failed' })
  })

  it('shows who is typing until about 5 s without a new signal, or until they stop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()] } }))
    const store = useConversationsStore()
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: 5, name: 'Dr. Ada Lovelace', typing: true } })
    expect(store.typingNames(70)).toEqual(['Dr. Ada Lovelace'])
    vi.advanceTimersByTime(4000)
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: 5, name: 'Dr. Ada Lovelace', typing: true } })
    vi.advanceTimersByTime(4000)
    expect(store.typingNames(70)).toEqual(['Dr. Ada Lovelace'])
    vi.advanceTimersByTime(1100)
    expect(store.typingNames(70)).toEqual([])
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: 6, name: 'Dr. Ben Carson', typing: true } })
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: 6, name: 'Dr. Ben Carson', typing: false } })
    expect(store.typingNames(70)).toEqual([])
  })

  it('never shows the user as typing to themselves', async () => {
    const { fake } = await startedDesk()
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: ME, name: 'Rita Reception', typing: true } })
    expect(useConversationsStore().typingNames(70)).toEqual([])
  })

  it('sends "typing" at most every 3 s while typing, and "stopped" after a pause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { conversations: [conversation()] } }))
    const store = useConversationsStore()
    store.noteTyping(70)
    vi.advanceTimersByTime(1000)
    store.noteTyping(70)
    vi.advanceTimersByTime(1000)
    store.noteTyping(70)
    expect(fake.setTyping.mock.calls.map((c) => c[0])).toEqual([{ conversationId: 70, typing: true }])
    vi.advanceTimersByTime(1500)
    store.noteTyping(70)
    expect(fake.setTyping.mock.calls).toHaveLength(2)
    vi.advanceTimersByTime(4000)
    await settle()
    expect(fake.setTyping.mock.calls.at(-1)?.[0]).toEqual({ conversationId: 70, typing: false })
  })

  it('keeps each participant’s latest read receipt', async () => {
    const { fake } = await startedDesk()
    const store = useConversationsStore()
    fake.emit({ kind: 'message.read', conversationId: 70, read: { user_id: 5, last_read_message_id: 12, read_at: at('09:00') } })
    fake.emit({ kind: 'message.read', conversationId: 70, read: { user_id: 5, last_read_message_id: 10, read_at: at('08:59') } })
    expect(store.receiptsFor(70)).toEqual([{ user_id: 5, last_read_message_id: 12, read_at: at('09:00') }])
  })
})
