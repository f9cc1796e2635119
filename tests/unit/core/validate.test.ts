import { describe, expect, it } from 'vitest';
import { phpJsonEncode } from '../../../src/main/demo/php-json';
import { RejectionLog } from '../../../src/main/core/realtime/rejection-log';
import { MAX_DATA_BYTES, validateServerEvent, validateTyping, type Validated } from '../../../src/main/core/realtime/validate';

const T = '2026-11-26T09:00:00.000000Z';
const notification = { id: 7, user_id: 5, type: 'lab_result', title: 'Results', message: 'Ready', action_url: '/consultations/3001', created_at: T };
const consultation = { id: 3003, status: 'active', doctor_id: 31, patient_id: 501, started_at: T, ended_at: null, timestamp: T };
const appointment = {
  id: 1135,
  action: 'confirmed',
  status: 'checked_in',
  appointment_date: T,
  details: { clinic_id: 1, doctor_id: 33, patient_name: 'Ana', room: 'B' },
  timestamp: T,
};
const message = { id: 9100, conversation_id: 7001, sender_id: 4, sender_name: 'Dr A', body: 'Room 2 / free – ok', created_at: T };
const sent = { conversation_id: 7001, type: 'sent', data: { message }, timestamp: T };
const read = { conversation_id: 7001, type: 'read', data: { user_id: 2, last_read_message_id: 9100, read_at: T }, timestamp: T };

const N5 = 'private-notifications.5';
const CONV = 'private-conversation.7001';

function reason(result: Validated): string {
  if (result.ok) throw new Error(`expected a rejection, got ${result.key}`);
  return result.reason;
}

describe('validateServerEvent', () => {
  it('accepts both event-name styles, with data parsed or as the PHP-encoded string', () => {
    for (const name of ['general-notification', 'App\\Events\\NotificationBroadcast']) {
      for (const data of [notification, phpJsonEncode(notification)]) {
        const result = validateServerEvent(N5, name, data);
        expect(result).toMatchObject({ ok: true, key: 'notification', payload: { id: 7, action_url: '/consultations/3001' } });
      }
    }
    expect(validateServerEvent('private-consultations.3003', 'App\\Events\\ConsultationStatusBroadcast', consultation)).toMatchObject({ ok: true, key: 'consultation' });
    expect(validateServerEvent('private-appointments.doctor.33', 'appointment-updated', appointment)).toMatchObject({ ok: true, key: 'appointment' });
    expect(validateServerEvent('private-appointments.10', 'App\\Events\\AppointmentUpdateBroadcast', appointment)).toMatchObject({ ok: true, key: 'appointment' });
  });

  it('keeps unknown appointment details and fills a missing action_url with null', () => {
    const a = validateServerEvent('private-appointments.doctor.33', 'appointment-updated', appointment);
    expect(a.ok && a.key === 'appointment' && a.payload.details).toMatchObject({ room: 'B' });
    const { action_url: _url, ...withoutUrl } = notification;
    const n = validateServerEvent(N5, 'general-notification', withoutUrl);
    expect(n.ok && n.key === 'notification' && n.payload.action_url).toBeNull();
  });

  it('tells sent from read by the payload type under the class name, and checks it under broadcastAs names', () => {
    expect(validateServerEvent(CONV, 'App\\Events\\MessageBroadcast', sent)).toMatchObject({ ok: true, key: 'messageSent' });
    expect(validateServerEvent(CONV, 'App\\Events\\MessageBroadcast', read)).toMatchObject({ ok: true, key: 'messageRead' });
    expect(validateServerEvent(CONV, 'message-read', read)).toMatchObject({ ok: true, key: 'messageRead' });
    expect(reason(validateServerEvent(CONV, 'message-sent', read))).toBe('message-sent carries type read');
    const typing = { conversation_id: 7001, type: 'typing', data: { user_id: 2, name: 'A', typing: true }, timestamp: T };
    expect(reason(validateServerEvent(CONV, 'App\\Events\\MessageBroadcast', typing))).toBe('type typing is a client event, not a server event');
    // The seed's example sends the message as text: "this conversation has news".
    expect(validateServerEvent(CONV, 'message-sent', { ...sent, data: { message: 'hello' } })).toMatchObject({ ok: true, key: 'messageSent' });
  });

  it('keeps values of enum-like fields it does not know (a status, an action): data, not a reason to drop the event', () => {
    expect(validateServerEvent('private-consultations.3003', 'consultation-status-changed', { ...consultation, status: 'on_hold' })).toMatchObject({ ok: true, payload: { status: 'on_hold' } });
    expect(validateServerEvent('private-appointments.doctor.33', 'appointment-updated', { ...appointment, action: 'rescheduled' })).toMatchObject({ ok: true, payload: { action: 'rescheduled' } });
  });

  it('gives short reasons for bad payloads', () => {
    const { title: _title, ...noTitle } = notification;
    expect(reason(validateServerEvent(N5, 'general-notification', noTitle))).toBe('missing field title');
    expect(reason(validateServerEvent(N5, 'general-notification', { ...notification, id: 'abc' }))).toBe('id: expected a positive integer id');
    expect(reason(validateServerEvent(N5, 'general-notification', { ...notification, created_at: 'yesterday' }))).toBe('created_at: expected an ISO 8601 date-time');
    expect(reason(validateServerEvent(N5, 'general-notification', { ...notification, message: 'x'.repeat(1_048_576) }))).toBe(
      '1048576-byte string in message exceeds 5000',
    );
    expect(reason(validateServerEvent('private-consultations.3003', 'consultation-status-changed', { ...consultation, status: '' }))).toMatch(/^status: /);
    expect(reason(validateServerEvent('private-appointments.doctor.33', 'appointment-updated', { ...appointment, action: 42 }))).toMatch(/^action: /);
    expect(reason(validateServerEvent(CONV, 'message-sent', { ...sent, type: 'deleted' }))).toBe('type: expected one of sent|read|typing');
    expect(reason(validateServerEvent(CONV, 'message-sent', { ...sent, data: { message: { ...message, body: 5 } } }))).toBe(
      'data.message.body: expected string, got number',
    );
    expect(reason(validateServerEvent(N5, 'general-notification', { ...notification, id: 'x', title: 1, type: 2 }))).toBe(
      'id: expected a positive integer id; type: expected string, got number (+1 more)',
    );
  });

  it('refuses what is not JSON, not an object, or absurdly large', () => {
    expect(reason(validateServerEvent(N5, 'general-notification', 'this is {not json'))).toBe('not JSON');
    expect(reason(validateServerEvent(N5, 'general-notification', null))).toBe('payload: expected object, got null');
    expect(reason(validateServerEvent(N5, 'general-notification', [notification]))).toBe('payload: expected object, got array');
    expect(reason(validateServerEvent(N5, 'general-notification', 42))).toBe('payload: expected object, got number');
    const huge = `"${'x'.repeat(MAX_DATA_BYTES)}"`;
    expect(reason(validateServerEvent(N5, 'general-notification', huge))).toBe(`${MAX_DATA_BYTES + 2}-byte data exceeds ${MAX_DATA_BYTES}`);
  });

  it('checks that the event belongs on the channel and is about its subject', () => {
    expect(reason(validateServerEvent(N5, 'foo', notification))).toBe('unknown event foo');
    expect(reason(validateServerEvent(CONV, 'general-notification', notification))).toBe('general-notification does not belong on a conversation channel');
    expect(reason(validateServerEvent('presence-clinic.1', 'general-notification', notification))).toBe(
      'general-notification does not belong on a presence-clinic channel',
    );
    expect(reason(validateServerEvent('private-notifications.6', 'general-notification', notification))).toBe('notification for user 5 on the channel of user 6');
    expect(reason(validateServerEvent('private-consultations.3004', 'consultation-status-changed', consultation))).toBe(
      'consultation 3003 on the channel of consultation 3004',
    );
    expect(reason(validateServerEvent('private-conversation.7002', 'message-sent', sent))).toBe('message for conversation 7001 on the channel of conversation 7002');
    expect(reason(validateServerEvent('private-chat.1', 'general-notification', notification))).toBe('unknown channel private-chat.1');
    expect(reason(validateServerEvent(N5, 'x'.repeat(500), notification)).length).toBeLessThan(100);
  });
});

describe('validateTyping', () => {
  const envelope = { conversation_id: 7001, type: 'typing', data: { user_id: 2, name: 'Vera', typing: true }, timestamp: T };

  it('accepts the contract envelope and the bare seed form', () => {
    expect(validateTyping(CONV, envelope)).toEqual({ ok: true, conversationId: 7001, data: envelope.data, timestamp: T });
    expect(validateTyping(CONV, JSON.stringify(envelope))).toMatchObject({ ok: true });
    expect(validateTyping(CONV, { user_id: 2, name: 'Vera', typing: false })).toEqual({
      ok: true,
      conversationId: 7001,
      data: { user_id: 2, name: 'Vera', typing: false },
      timestamp: null,
    });
  });

  it('refuses typing elsewhere, for another conversation, or malformed', () => {
    expect(validateTyping(N5, envelope)).toEqual({ ok: false, reason: 'typing does not belong on a notifications channel' });
    expect(validateTyping('private-conversation.7002', envelope)).toEqual({ ok: false, reason: 'typing for conversation 7001 on the channel of conversation 7002' });
    expect(validateTyping(CONV, { ...envelope, data: { user_id: 2, name: 'Vera', typing: 'yes' } })).toEqual({
      ok: false,
      reason: 'data.typing: expected boolean, got string',
    });
    expect(validateTyping(CONV, { user_id: 'me', typing: true })).toMatchObject({ ok: false });
    expect(validateTyping(CONV, 'typing...')).toEqual({ ok: false, reason: 'not JSON' });
  });
});

describe('RejectionLog', () => {
  it('groups by channel, event and reason, newest first, with a count per group', () => {
    const log = new RejectionLog();
    log.record(N5, 'general-notification', 'not JSON', '2026-11-26T10:00:00.000Z');
    log.record(CONV, 'message-sent', 'missing field data', '2026-11-26T10:00:01.000Z');
    const again = log.record(N5, 'general-notification', 'not JSON', '2026-11-26T10:00:02.000Z');
    expect(again).toEqual({ channel: N5, event: 'general-notification', reason: 'not JSON', count: 2, lastAt: '2026-11-26T10:00:02.000Z' });
    expect(log.list().map((r) => [r.channel, r.count])).toEqual([
      [N5, 2],
      [CONV, 1],
    ]);
  });

  it('keeps a bounded list of groups, the one seen longest ago going first, and clips long fields', () => {
    const log = new RejectionLog(3);
    for (let i = 0; i < 10; i++) log.record(N5, 'general-notification', `reason ${i}`, '2026-11-26T10:00:00.000Z');
    expect(log.list().map((r) => r.reason)).toEqual(['reason 9', 'reason 8', 'reason 7']);
    // Seen again: newest, and no longer the next to go.
    log.record(N5, 'general-notification', 'reason 7', '2026-11-26T10:00:01.000Z');
    log.record(N5, 'general-notification', 'reason 10', '2026-11-26T10:00:02.000Z');
    expect(log.list().map((r) => [r.reason, r.count])).toEqual([
      ['reason 10', 1],
      ['reason 7', 2],
      ['reason 9', 1],
    ]);
    const long = log.record(N5, 'e'.repeat(300), 'r'.repeat(2000), '2026-11-26T10:00:00.000Z');
    expect(long.event.length).toBe(200);
    expect(long.reason.length).toBe(1000);
  });
});
