// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import ConversationsView from '../../../src/renderer/src/views/ConversationsView.vue'
import { createFakeBridge } from '../fake-bridge'
import { byLabel, button } from '../dom'
import { ROSTER, at, conversation, message } from '../fixtures'
import { startedDesk } from '../setup'

async function mountConversations() {
  const fake = createFakeBridge({
    snapshot: {
      conversations: [conversation({ unread_count: 2, last_message: message({ id: 11, body: 'Room 2 is free.' }) })],
      presence: { clinicId: 1, members: [], roster: ROSTER },
    },
  })
  fake.loadMessages.mockResolvedValue([message({ id: 10, sender_id: 2, sender_name: 'Rita Reception', body: 'Is room 2 free?' }), message({ id: 11, body: 'Room 2 is free.' })])
  const { pinia } = await startedDesk(fake)
  const wrapper = mount(ConversationsView, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, fake }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('conversations', () => {
  it('lists conversations with unread counts; opening one loads it and marks it read', async () => {
    const { wrapper, fake } = await mountConversations()
    const list = wrapper.find('ul[aria-label="Conversations"]')
    expect(list.find('[data-conversation-id="70"]').text()).toContain('Front desk')
    expect(list.find('[data-conversation-id="70"]').text()).toContain('2 unread')
    await list.find('[data-conversation-id="70"] button').trigger('click')
    await flushPromises()
    expect(fake.loadMessages).toHaveBeenCalledWith({ conversationId: 70 })
    expect(fake.markConversationRead).toHaveBeenCalledWith({ conversationId: 70 })
    expect(wrapper.findAll('[data-message-id]').map((m) => m.text())).toEqual([expect.stringContaining('Is room 2 free?'), expect.stringContaining('Room 2 is free.')])
    expect(list.find('[data-conversation-id="70"]').attributes('data-unread')).toBe('0')
    wrapper.unmount()
  })

  it('shows "<Name> is typing…" from typing events', async () => {
    const { wrapper, fake } = await mountConversations()
    await wrapper.find('[data-conversation-id="70"] button').trigger('click')
    await flushPromises()
    fake.emit({ kind: 'typing', conversationId: 70, typing: { user_id: 5, name: 'Dr. Ada Lovelace', typing: true } })
    await flushPromises()
    expect(wrapper.find('.typing').text()).toBe('Dr. Ada Lovelace is typing…')
    wrapper.unmount()
  })

  it('sends from the Message box, shows the pending bubble while queued, and says who read it', async () => {
    const { wrapper, fake } = await mountConversations()
    await wrapper.find('[data-conversation-id="70"] button').trigger('click')
    await flushPromises()
    await byLabel(wrapper, 'Message').setValue('On my way')
    await flushPromises()
    expect(fake.setTyping).toHaveBeenCalledWith({ conversationId: 70, typing: true })
    await button(wrapper, 'Send').trigger('submit')
    await flushPromises()
    expect(fake.sendMessage).toHaveBeenCalledWith(expect.objectContaining({ conversationId: 70, body: 'On my way' }))
    const pending = wrapper.find('[data-pending="queued"]')
    expect(pending.text()).toContain('On my way')
    expect(pending.text()).toContain('Waiting to send')
    expect(byLabel(wrapper, 'Message').element.value).toBe('')
    fake.emit({ kind: 'message.read', conversationId: 70, read: { user_id: 5, last_read_message_id: 11, read_at: at('09:00') } })
    await flushPromises()
    expect(wrapper.find('[data-message-id="10"]').text()).toContain('Read by Dr. Ada Lovelace')
    wrapper.unmount()
  })
})
