/**
 * Changes a test drives after sign-in, over real HTTP and real sockets on
 * 127.0.0.1: a consultation opened for a doctor and a patient, a new
 * conversation with its first message, an appointment's status; and the queue
 * worker switch: with broadcasting off, every change still reaches REST but
 * nothing reaches the socket server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import type { Appointment, Consultation, Conversation, Notification } from '../../../src/shared/domain';
import type { DemoClinic } from '../../../src/main/demo/demo-clinic';
import { AppointmentUpdatePayload, MessagePayload, NotificationPayload } from '../../../src/shared/payloads';
import { account, ajaxAuthorization, clientFor, nextEvent, subscribe } from '../../helpers/demo';
import { UtcHarness } from './pinned-zone';

const RECEPTION1 = 'reception1@northside.clinic.test';
const DOCTOR1 = 'doctor1@northside.clinic.test';
const DOCTOR3 = 'doctor3@northside.clinic.test';
const RECEPTION2 = 'reception2@northside.clinic.test';

const harness = new UtcHarness();
afterEach(() => harness.cleanup());

interface Published {
  event: string;
  channels: string[];
}

/** Every event the socket server took through its HTTP trigger API, in order. */
function recordPublished(clinic: DemoClinic): Published[] {
  const published: Published[] = [];
  const server = clinic.realtime;
  if (!server) throw new Error('socket server not running');
  server.on('published', (e) => published.push({ event: e.event, channels: e.channels }));
  return published;
}

const doctorIdOf = (clinic: DemoClinic, email: string) => {
  const id = account(clinic, email).doctorId;
  if (id === undefined) throw new Error(`${email} is not a doctor`);
  return id;
};

/** A reception desk subscribed to a doctor's schedule channel and its own notifications. */
async function receptionWatching(clinic: DemoClinic, doctorId: number) {
  const api = await clientFor(clinic, RECEPTION1);
  const client = await harness.pusherJs(clinic, ajaxAuthorization(clinic, api.token));
  const schedule = channels.doctorAppointments(doctorId).fullName;
  expect((await subscribe(client, schedule)).ok).toBe(true);
  return { api, client, schedule };
}

const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe('openConsultation()', () => {
  it('a walk-in: creates the appointment, opens the consultation active, and broadcasts each step in order', async () => {
    const clinic = await harness.clinic();
    const doctorId = doctorIdOf(clinic, DOCTOR1);
    const { api, client, schedule } = await receptionWatching(clinic, doctorId);
    const published = recordPublished(clinic);
    const today = clinic.today();
    const booked = new Set(clinic.store.appointmentsOn(1, today, (a) => a.doctor_id === doctorId).map((a) => a.patient_id));
    const patient = clinic.store.world.patients.find((p) => p.clinic_id === 1 && !booked.has(p.id));
    if (!patient) throw new Error('every patient of clinic 1 is booked with doctor1 today');

    const updates: unknown[] = [];
    client.channel(schedule).bind('appointment-updated', (p: unknown) => updates.push(p));
    const opened = await clinic.openConsultation({ doctorId, patientId: patient.id });

    expect(opened.walkIn).toBe(true);
    expect(opened.broadcast).toBe(true);
    expect(opened.notification).toBeNull();
    expect(opened.consultation).toMatchObject({ doctor_id: doctorId, patient_id: patient.id, appointment_id: opened.appointment.id, status: 'active', ended_at: null });
    expect(opened.consultation.started_at).not.toBeNull();
    expect(opened.appointment).toMatchObject({ doctor_id: doctorId, patient_id: patient.id, patient_name: patient.name, status: 'in_consultation', reason: 'Walk-in' });
    expect(clinic.store.isOnDay(opened.appointment, today)).toBe(true);

    // Over REST at once.
    const consultations = (await api.get('/api/consultations?status=active')).body as { data: Consultation[] };
    expect(consultations.data.find((c) => c.id === opened.consultation.id)).toMatchObject({ status: 'active', appointment_id: opened.appointment.id });
    const board = (await api.get(`/api/appointments?date=${today}`)).body as { data: Appointment[] };
    expect(board.data.find((a) => a.id === opened.appointment.id)?.status).toBe('in_consultation');

    // Broadcast as Laravel would: the new appointment, the consultation, the appointment going in_consultation
    // (appointments to the doctor's channel, and to the patient's own when they have a portal account).
    const appointmentChannels = [schedule, ...(patient.user_id === null ? [] : [channels.appointments(patient.user_id).fullName])];
    expect(published).toEqual([
      { event: 'appointment-updated', channels: appointmentChannels },
      { event: 'consultation-status-changed', channels: [channels.consultation(opened.consultation.id).fullName] },
      { event: 'appointment-updated', channels: appointmentChannels },
    ]);
    await expect.poll(() => updates.length).toBe(2);
    const [created, moved] = updates.map((p) => AppointmentUpdatePayload.parse(p));
    expect(created).toMatchObject({ id: opened.appointment.id, action: 'created', status: 'checked_in' });
    expect(moved).toMatchObject({ id: opened.appointment.id, action: 'confirmed', status: 'in_consultation' });
  });

  it('pending, on the patient\'s booked appointment: checked in, the consultation pending, the doctor notified', async () => {
    const clinic = await harness.clinic();
    const doctorId = doctorIdOf(clinic, DOCTOR1);
    const doctorUser = account(clinic, DOCTOR1);
    const now = clinic.store.clock();
    const booked = clinic.store
      .appointmentsOn(1, clinic.today(), (a) => a.doctor_id === doctorId && a.status === 'confirmed' && Date.parse(a.appointment_date) > now)
      .find((a) => clinic.store.consultationsWhere((c) => c.appointment_id === a.id).length === 0);
    if (!booked) throw new Error('doctor1 has no confirmed appointment later today');
    const { token } = await clientFor(clinic, DOCTOR1);
    const doctorDesk = await harness.pusherJs(clinic, ajaxAuthorization(clinic, token));
    const inbox = channels.notifications(doctorUser.id).fullName;
    expect((await subscribe(doctorDesk, inbox)).ok).toBe(true);
    const note = nextEvent(doctorDesk, inbox, 'general-notification');

    const opened = await clinic.openConsultation({ doctorId, patientId: booked.patient_id, status: 'pending' });
    expect(opened.walkIn).toBe(false);
    expect(opened.appointment.doctor_id).toBe(doctorId);
    expect(opened.appointment.patient_id).toBe(booked.patient_id);
    expect(opened.appointment.status).toBe('checked_in');
    expect(opened.consultation).toMatchObject({ status: 'pending', started_at: null, appointment_id: opened.appointment.id });
    expect(NotificationPayload.parse(await note)).toMatchObject({
      id: opened.notification?.id,
      user_id: doctorUser.id,
      type: 'consultation',
      action_url: `/consultations/${opened.consultation.id}`,
    });

    // The doctor calls the patient in, then finishes: the appointment follows.
    const started = await clinic.setConsultationStatus(opened.consultation.id, 'active');
    expect(started.appointment?.status).toBe('in_consultation');
    const done = await clinic.setConsultationStatus(opened.consultation.id, 'completed');
    expect(done.consultation).toMatchObject({ status: 'completed' });
    expect(done.consultation.ended_at).not.toBeNull();
    expect(done.appointment?.status).toBe('completed');
    expect(clinic.store.appointment(opened.appointment.id)?.status).toBe('completed');
  });

  it('refuses a doctor or a patient that does not exist', async () => {
    const clinic = await harness.clinic();
    await expect(clinic.openConsultation({ doctorId: 9999, patientId: 501 })).rejects.toThrow(/no doctor/);
    await expect(clinic.openConsultation({ doctorId: doctorIdOf(clinic, DOCTOR1), patientId: 1 })).rejects.toThrow(/no patient/);
  });
});

describe('startConversation()', () => {
  it('creates the conversation and its first message, broadcasts message-sent on its channel, and notifies the others', async () => {
    const clinic = await harness.clinic();
    const reception = account(clinic, RECEPTION1);
    const doctor = account(clinic, DOCTOR1);
    const doctorApi = await clientFor(clinic, DOCTOR1);
    const doctorDesk = await harness.pusherJs(clinic, ajaxAuthorization(clinic, doctorApi.token));
    const inbox = channels.notifications(doctor.id).fullName;
    expect((await subscribe(doctorDesk, inbox)).ok).toBe(true);
    const note = nextEvent(doctorDesk, inbox, 'general-notification');
    const published = recordPublished(clinic);
    const before = clinic.store.conversationsWhere(() => true).map((c) => c.id);

    const started = await clinic.startConversation({ senderId: reception.id, participantIds: [doctor.id], subject: 'Room 3', body: 'Your 11:00 is here early.' });
    expect(before).not.toContain(started.conversation.id);
    expect(started.broadcast).toBe(true);
    expect(started.conversation).toMatchObject({ clinic_id: 1, subject: 'Room 3', participant_ids: [reception.id, doctor.id], unread_count: 0 });
    expect(started.message).toMatchObject({ conversation_id: started.conversation.id, sender_id: reception.id, body: 'Your 11:00 is here early.' });
    expect(started.conversation.last_message?.id).toBe(started.message.id);

    const conversationChannel = channels.conversation(started.conversation.id).fullName;
    expect(published).toEqual([
      { event: 'message-sent', channels: [conversationChannel] },
      { event: 'general-notification', channels: [inbox] },
    ]);
    expect(started.notifications).toHaveLength(1);
    expect(NotificationPayload.parse(await note)).toMatchObject({ user_id: doctor.id, type: 'message', action_url: `/conversations/${started.conversation.id}` });

    // The participant lists it over REST, unread; may join its channel; and hears the next message there.
    const list = (await doctorApi.get('/api/conversations')).body as { data: Conversation[] };
    expect(list.data.find((c) => c.id === started.conversation.id)).toMatchObject({ unread_count: 1, last_message: { body: 'Your 11:00 is here early.' } });
    expect((await subscribe(doctorDesk, conversationChannel)).ok).toBe(true);
    const next = nextEvent(doctorDesk, conversationChannel, 'message-sent');
    await clinic.backend.postMessage(started.conversation.id, { ...reception, clinic_id: 1, doctor_id: null, time_zone: null }, 'Sending them in.');
    expect(MessagePayload.parse(await next)).toMatchObject({ conversation_id: started.conversation.id, type: 'sent' });

    // Reception of the clinic sees it too; a doctor who is not part of it does not.
    const colleague = await clientFor(clinic, RECEPTION2);
    expect(((await colleague.get('/api/conversations')).body as { data: Conversation[] }).data.map((c) => c.id)).toContain(started.conversation.id);
    const outsider = await clientFor(clinic, DOCTOR3);
    expect(((await outsider.get('/api/conversations')).body as { data: Conversation[] }).data.map((c) => c.id)).not.toContain(started.conversation.id);
  });

  it('refuses participants from another clinic or a patient', async () => {
    const clinic = await harness.clinic();
    const reception = account(clinic, RECEPTION1);
    const riverside = account(clinic, 'doctor1@riverside.clinic.test');
    await expect(clinic.startConversation({ senderId: reception.id, participantIds: [riverside.id], subject: 'x', body: 'y' })).rejects.toThrow(/not staff of clinic 1/);
    const patient = account(clinic, 'patient@northside.clinic.test');
    await expect(clinic.startConversation({ senderId: patient.id, participantIds: [reception.id], subject: 'x', body: 'y' })).rejects.toThrow(/not staff/);
  });
});

describe('setAppointmentStatus()', () => {
  it('changes the row and broadcasts appointment-updated with the action that goes with the status', async () => {
    const clinic = await harness.clinic();
    const doctorId = doctorIdOf(clinic, DOCTOR1);
    const { api, client, schedule } = await receptionWatching(clinic, doctorId);
    const rows = clinic.store.appointmentsOn(1, clinic.today(), (a) => a.doctor_id === doctorId && ['scheduled', 'confirmed'].includes(a.status));
    const [first, second, third] = rows;
    if (!first || !second || !third) throw new Error('doctor1 has too few booked appointments');
    const cases: Array<[Appointment, string, string | undefined, string]> = [
      [first, 'cancelled', undefined, 'cancelled'],
      [second, 'reminder_sent', undefined, 'reminder'],
      [third, 'checked_in', 'arrived', 'arrived'],
    ];
    for (const [row, status, action, expected] of cases) {
      const event = nextEvent(client, schedule, 'appointment-updated');
      const changed = await clinic.setAppointmentStatus(row.id, status, action);
      expect(changed.broadcast).toBe(true);
      expect(changed.appointment.status).toBe(status);
      expect(AppointmentUpdatePayload.parse(await event)).toMatchObject({ id: row.id, status, action: expected, timestamp: changed.appointment.updated_at });
    }
    const board = (await api.get(`/api/appointments?date=${clinic.today()}`)).body as { data: Appointment[] };
    expect(board.data.find((a) => a.id === first.id)?.status).toBe('cancelled');
  });
});

describe('the queue worker switch: setBroadcasting()', () => {
  it('off: the scenario and test changes still change REST, and nothing reaches the socket; on: events flow again', async () => {
    const clinic = await harness.clinic();
    const doctorId = doctorIdOf(clinic, DOCTOR1);
    const { api, client, schedule } = await receptionWatching(clinic, doctorId);
    const inbox = channels.notifications(api.user.id).fullName;
    expect((await subscribe(client, inbox)).ok).toBe(true);
    const received: unknown[] = [];
    client.channel(schedule).bind('appointment-updated', (p: unknown) => received.push(p));
    client.channel(inbox).bind('general-notification', (p: unknown) => received.push(p));
    const published = recordPublished(clinic);
    expect(clinic.broadcasting).toBe(true);

    clinic.setBroadcasting(false);
    expect(clinic.broadcasting).toBe(false);
    const [target, later] = clinic.store.appointmentsOn(1, clinic.today(), (a) => a.doctor_id === doctorId && ['scheduled', 'confirmed'].includes(a.status));
    if (!target || !later) throw new Error('doctor1 has too few booked appointments');
    const cancelled = await clinic.setAppointmentStatus(target.id, 'cancelled');
    expect(cancelled.broadcast).toBe(false);
    const { notification, broadcast } = await clinic.backend.notify({ user_id: api.user.id, type: 'system', title: 'Quiet', message: 'queued, never sent', action_url: null });
    expect(broadcast).toBe(false);
    const opened = await clinic.openConsultation({ doctorId, patientId: later.patient_id });
    expect(opened.broadcast).toBe(false);
    const conversation = await clinic.startConversation({ senderId: api.user.id, participantIds: [account(clinic, DOCTOR1).id], subject: 'Quiet', body: 'Anyone?' });
    expect(conversation.broadcast).toBe(false);
    const inConsultation = ((await api.get(`/api/appointments?date=${clinic.today()}`)).body as { data: Appointment[] }).data.find((a) => a.id === opened.appointment.id);
    expect(inConsultation?.status).toBe('in_consultation');
    const day = await clinic.scenario.run(20);
    // Every queued broadcast of the scenario was held back (presence and whispers are not queued jobs).
    const queued = day.filter((h) => !h.kind.startsWith('staff.') && h.kind !== 'typing');
    expect(queued.length).toBeGreaterThan(10);
    expect(queued.every((h) => !h.broadcast)).toBe(true);

    // REST has all of it.
    const board = (await api.get(`/api/appointments?date=${clinic.today()}`)).body as { data: Appointment[] };
    expect(board.data.find((a) => a.id === target.id)?.status).toBe('cancelled');
    for (const h of queued.filter((x) => x.kind.startsWith('appointment.') && clinic.store.appointment(x.ref)?.clinic_id === 1)) {
      expect(board.data.find((a) => a.id === h.ref)?.status).toBe(clinic.store.appointment(h.ref)?.status);
    }
    const notifications = (await api.get('/api/notifications?per_page=500')).body as { data: Notification[] };
    expect(notifications.data.map((n) => n.id)).toContain(notification.id);
    const consultations = (await api.get('/api/consultations')).body as { data: Consultation[] };
    expect(consultations.data.map((c) => c.id)).toContain(opened.consultation.id);
    const conversations = (await api.get('/api/conversations')).body as { data: Conversation[] };
    expect(conversations.data.map((c) => c.id)).toContain(conversation.conversation.id);

    // The socket heard nothing.
    await settle();
    expect(published).toEqual([]);
    expect(received).toEqual([]);
    expect(clinic.backend.broadcasts.suppressed).toBeGreaterThanOrEqual(queued.length + 6);
    expect(clinic.backend.broadcasts.failures).toBe(0);

    // The worker starts again: the next change is broadcast (what was held back stays lost, as with a flushed queue).
    clinic.setBroadcasting(true);
    const event = nextEvent(client, schedule, 'appointment-updated');
    const back = await clinic.setAppointmentStatus(target.id, 'confirmed');
    expect(back.broadcast).toBe(true);
    expect(AppointmentUpdatePayload.parse(await event)).toMatchObject({ id: target.id, status: 'confirmed' });
    expect(published.map((p) => p.event)).toEqual(['appointment-updated']);
  });
});
