/**
 * Alerts: which events concern the user, Do Not Disturb and focus rules,
 * grouping a burst into one alert, hidden message text, click-to-open and
 * the urgent flash, first as pure decisions, then through the notifier with
 * the fake `Notification`.
 */
import { clockIn, dayIn, systemTimeZone } from '../../src/shared/clinic-time';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeskEvent } from '../../src/shared/bridge';
import type { Appointment, Consultation, Message, User } from '../../src/shared/domain';
import type { NotificationItem } from '../../src/shared/desk-state';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings';
import { memoryLogger } from '../../src/main/core/log';
import { alertCandidate, alertFor, alertsFor, silenceReason, type AlertCandidate, type AlertClick } from '../../src/main/electron/alerts';
import { Notifier } from '../../src/main/electron/notifier';
import { fake, FakeBrowserWindow, FakeNotification, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const NOW = Date.parse('2026-11-26T10:00:00Z');
const doctor: User = { id: 4, name: 'Dr. Grace Petrov', email: 'doctor1@northside.clinic.test', role: 'doctor', clinic_id: 1, doctor_id: 31, time_zone: null };
const reception: User = { id: 2, name: 'Ann Desk', email: 'reception1@northside.clinic.test', role: 'reception', clinic_id: 1, doctor_id: null, time_zone: null };

const note = (id: number, extra: Partial<NotificationItem> = {}): NotificationItem => ({
  id,
  user_id: doctor.id,
  type: 'info',
  title: `Lab result ${id} for Jane Roe`,
  message: 'Potassium 6.1',
  action_url: null,
  created_at: '2026-11-26T09:59:00Z',
  read_at: null,
  pending: null,
  ...extra,
});
const appointment = (extra: Partial<Appointment> = {}): Appointment => ({
  id: 42,
  clinic_id: 1,
  doctor_id: 31,
  patient_id: 9,
  patient_name: 'Jane Roe',
  status: 'confirmed',
  appointment_date: '2026-11-26T14:30:00Z',
  duration_minutes: 30,
  reason: null,
  updated_at: '2026-11-26T09:00:00Z',
  ...extra,
});
const consultation = (status: Consultation['status'], extra: Partial<Consultation> = {}): Consultation => ({
  id: 7,
  clinic_id: 1,
  doctor_id: 31,
  patient_id: 9,
  patient_name: 'Jane Roe',
  appointment_id: 42,
  status,
  started_at: null,
  ended_at: null,
  updated_at: '2026-11-26T09:00:00Z',
  ...extra,
});
const message = (sender: number): Message => ({ id: 100, conversation_id: 3, sender_id: sender, sender_name: 'Ann Desk', body: 'Mrs Roe is here', created_at: '2026-11-26T09:58:00Z' });

const upserted = (n: NotificationItem, isNew = true): DeskEvent => ({ kind: 'notification.upserted', notification: n, isNew });
const alerts = DEFAULT_SETTINGS.alerts;

describe('what concerns whom', () => {
  it('a new unread notification, once', () => {
    expect(alertCandidate(upserted(note(1)), doctor, alerts)).toEqual({ kind: 'notification', notification: note(1) });
    expect(alertCandidate(upserted(note(1), false), doctor, alerts)).toBeNull();
    expect(alertCandidate(upserted(note(1, { read_at: '2026-11-26T09:59:30Z' })), doctor, alerts)).toBeNull();
    expect(alertCandidate(upserted(note(1)), doctor, { ...alerts, notifications: false })).toBeNull();
  });

  it('a catch-up of many notifications', () => {
    expect(alertCandidate({ kind: 'notifications.synced', inserted: 57, newest: [] }, doctor, alerts)).toEqual({ kind: 'notifications-synced', count: 57 });
    expect(alertCandidate({ kind: 'notifications.synced', inserted: 0, newest: [] }, doctor, alerts)).toBeNull();
  });

  it("appointment changes: the doctor's own, with an action, when wanted", () => {
    const ev = (a: Appointment, action: 'confirmed' | 'cancelled' | 'reminder' | null = 'cancelled'): DeskEvent => ({ kind: 'appointment.updated', appointment: a, action, changed: ['status'] });
    expect(alertCandidate(ev(appointment()), doctor, alerts)).toMatchObject({ kind: 'appointment', action: 'cancelled' });
    expect(alertCandidate(ev(appointment({ doctor_id: 99 })), doctor, alerts)).toBeNull();
    expect(alertCandidate(ev(appointment(), null), doctor, alerts)).toBeNull();
    expect(alertCandidate(ev(appointment()), reception, alerts)).toBeNull();
    expect(alertCandidate(ev(appointment()), doctor, { ...alerts, appointments: false })).toBeNull();
  });

  it("consultations: the doctor's own patient waiting or cancelled", () => {
    const ev = (c: Consultation): DeskEvent => ({ kind: 'consultation.updated', consultation: c });
    expect(alertCandidate(ev(consultation('pending')), doctor, alerts)).toMatchObject({ kind: 'consultation' });
    expect(alertCandidate(ev(consultation('cancelled')), doctor, alerts)).toMatchObject({ kind: 'consultation' });
    expect(alertCandidate(ev(consultation('active')), doctor, alerts)).toBeNull();
    expect(alertCandidate(ev(consultation('pending', { doctor_id: 99 })), doctor, alerts)).toBeNull();
    expect(alertCandidate(ev(consultation('pending')), doctor, { ...alerts, consultations: false })).toBeNull();
  });

  it("messages from others, not one's own", () => {
    const ev = (m: Message, clientId: string | null = null): DeskEvent => ({ kind: 'message.created', message: m, clientId });
    expect(alertCandidate(ev(message(2)), doctor, alerts)).toMatchObject({ kind: 'message' });
    expect(alertCandidate(ev(message(doctor.id)), doctor, alerts)).toBeNull();
    // The user's own message, stored from this desk's outbox, and one still on its way: no alert.
    expect(alertCandidate(ev(message(doctor.id), 'c-1'), doctor, alerts)).toBeNull();
    expect(alertCandidate({ kind: 'message.pending', outgoing: { clientId: 'c-2', conversationId: 3, body: 'x', createdAt: '2026-11-26T09:00:00Z', state: 'queued', error: null } }, doctor, alerts)).toBeNull();
    expect(alertCandidate(ev(message(2)), doctor, { ...alerts, messages: false })).toBeNull();
  });

  it('nothing while signed out, and nothing for other events', () => {
    expect(alertCandidate({ kind: 'appointment.updated', appointment: appointment(), action: 'cancelled', changed: [] }, null, alerts)).toBeNull();
    expect(alertCandidate({ kind: 'notifications.unread', unread: 4 }, doctor, alerts)).toBeNull();
  });
});

describe('Do Not Disturb and focus', () => {
  const settings = (extra: Partial<Settings>) => ({ ...DEFAULT_SETTINGS, ...extra });
  it('DND until a later time silences; an expired one does not', () => {
    expect(silenceReason({ settings: settings({ dndUntil: '2026-11-26T11:00:00Z' }), now: NOW, windowFocused: false })).toBe('dnd');
    expect(silenceReason({ settings: settings({ dndUntil: '2026-11-26T09:00:00Z' }), now: NOW, windowFocused: false })).toBeNull();
  });
  it('a focused window silences only when the user asked for it', () => {
    expect(silenceReason({ settings: settings({ silenceWhenFocused: true }), now: NOW, windowFocused: true })).toBe('focused');
    expect(silenceReason({ settings: settings({ silenceWhenFocused: true }), now: NOW, windowFocused: false })).toBeNull();
    expect(silenceReason({ settings: settings({ silenceWhenFocused: false }), now: NOW, windowFocused: true })).toBeNull();
  });
});

describe('what alerts say', () => {
  const c: AlertCandidate = { kind: 'notification', notification: note(1, { type: 'urgent', action_url: '/appointments/42' }) };
  it('with message text hidden (the default): the kind of thing only', () => {
    expect(alertFor(c as never, true)).toEqual({ title: 'New notification', body: '', urgent: true, click: { kind: 'notification', id: 1, hasLink: true } });
    const a = alertFor({ kind: 'appointment', appointment: appointment(), action: 'cancelled' }, true);
    expect(a).toMatchObject({ title: 'Appointment cancelled', body: '' });
    expect(JSON.stringify(alertFor({ kind: 'message', message: message(2) }, true))).not.toMatch(/Roe|Ann Desk/);
    expect(JSON.stringify(alertFor({ kind: 'consultation', consultation: consultation('pending') }, true))).not.toMatch(/Roe/);
  });
  it('with text shown: title and message, patient and time', () => {
    expect(alertFor(c as never, false)).toMatchObject({ title: 'Lab result 1 for Jane Roe', body: 'Potassium 6.1' });
    // Read on the clinic's clock (named when this computer's zone differs), on the clinic's day.
    const here = systemTimeZone();
    expect(alertFor({ kind: 'appointment', appointment: appointment(), action: 'reminder' }, false, here)).toEqual({
      title: 'Appointment reminder',
      body: `Jane Roe, ${clockIn('2026-11-26T14:30:00Z', here)}`,
      urgent: false,
      click: { kind: 'open', target: { screen: 'board', appointmentId: 42, date: dayIn('2026-11-26T14:30:00Z', here) } },
    });
    const sydney = alertFor({ kind: 'appointment', appointment: appointment(), action: 'reminder' }, false, 'Australia/Sydney');
    expect(sydney.body).toBe(here === 'Australia/Sydney' ? 'Jane Roe, 01:30' : 'Jane Roe, 01:30 GMT+11');
    expect(sydney.click).toEqual({ kind: 'open', target: { screen: 'board', appointmentId: 42, date: '2026-11-27' } });
    expect(alertFor({ kind: 'message', message: message(2) }, false)).toMatchObject({ title: 'Message from Ann Desk', body: 'Mrs Roe is here', click: { kind: 'open', target: { screen: 'conversations', conversationId: 3 } } });
  });
});

describe('grouping', () => {
  const notes = (n: number): AlertCandidate[] => Array.from({ length: n }, (_, i) => ({ kind: 'notification', notification: note(i + 1) }));
  it('a few become a few alerts', () => {
    expect(alertsFor(notes(3), true)).toHaveLength(3);
  });
  it('a burst of 20 becomes one "20 new notifications" alert that opens the list', () => {
    expect(alertsFor(notes(20), true)).toEqual([{ title: '20 new notifications', body: 'Open Clinic Desk to see them.', urgent: false, click: { kind: 'open', target: { screen: 'notifications' } } }]);
  });
  it('a catch-up joins the group; an urgent one in it makes the group urgent', () => {
    const batch: AlertCandidate[] = [{ kind: 'notifications-synced', count: 57 }, { kind: 'notification', notification: note(99, { type: 'urgent' }) }];
    expect(alertsFor(batch, true)).toEqual([expect.objectContaining({ title: '58 new notifications', urgent: true })]);
  });
  it('after a catch-up the group says how many are unread, and a catch-up of read ones alerts nothing', () => {
    const batch: AlertCandidate[] = [{ kind: 'notifications-synced', count: 57 }];
    expect(alertsFor(batch, true, 3, 12)).toEqual([expect.objectContaining({ title: '12 unread notifications', click: { kind: 'open', target: { screen: 'notifications' } } })]);
    expect(alertsFor(batch, true, 3, 0)).toEqual([]);
  });
  it('kinds are grouped separately', () => {
    const batch: AlertCandidate[] = [...notes(5), { kind: 'message', message: message(2) }];
    expect(alertsFor(batch, false).map((a) => a.title)).toEqual(['5 new notifications', 'Message from Ann Desk']);
  });
});

describe('the notifier', () => {
  let settings: Settings;
  let focused: boolean;
  let clicks: AlertClick[];
  let calledIn: number[];
  let notifier: Notifier;
  let win: FakeBrowserWindow;
  const make = (platform: 'linux' | 'darwin' | 'win32' = 'linux') =>
    new Notifier({
      settings: () => settings,
      windowFocused: () => focused,
      mainWindow: () => win as never,
      onClick: (c) => clicks.push(c),
      onCallIn: (id) => calledIn.push(id),
      platform,
      logger: memoryLogger(),
      now: () => NOW,
      groupWindowMs: 1000,
    });

  beforeEach(() => {
    resetFakeElectron();
    vi.useFakeTimers();
    settings = { ...DEFAULT_SETTINGS, hideMessageText: false };
    focused = false;
    clicks = [];
    calledIn = [];
    win = new FakeBrowserWindow({});
    notifier = make();
    notifier.onEvent({ kind: 'session', session: { status: 'signed-in', user: doctor, apiUrl: 'https://clinic.example.org', demo: false, timeZone: { zone: 'UTC', source: 'os', note: null } } });
  });
  afterEach(() => {
    notifier.dispose();
    vi.useRealTimers();
  });

  it('gathers a burst for the grouping window, then shows one alert', () => {
    for (let i = 1; i <= 20; i++) notifier.onEvent(upserted(note(i)));
    expect(FakeNotification.instances).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances.map((n) => n.title)).toEqual(['20 new notifications']);
    expect(FakeNotification.instances[0]?.shown).toBe(true);
  });

  it('a single notification shows its own alert; a click opens it', () => {
    notifier.onEvent(upserted(note(5, { action_url: 'clinicdesk://appointments/42' })));
    vi.advanceTimersByTime(1000);
    const [alert] = FakeNotification.instances;
    expect(alert?.options).toMatchObject({ title: 'Lab result 5 for Jane Roe', body: 'Potassium 6.1', urgency: 'normal' });
    alert!.click();
    expect(clicks).toEqual([{ kind: 'notification', id: 5, hasLink: true }]);
  });

  it('stays quiet in Do Not Disturb, and while the window is focused when asked to', () => {
    settings = { ...settings, dndUntil: '2026-11-26T18:00:00Z' };
    notifier.onEvent(upserted(note(1)));
    vi.advanceTimersByTime(1000);
    settings = { ...settings, dndUntil: null, silenceWhenFocused: true };
    focused = true;
    notifier.onEvent(upserted(note(2)));
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances).toHaveLength(0);
    focused = false;
    notifier.onEvent(upserted(note(3)));
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances).toHaveLength(1);
  });

  it('a catch-up alert reports the unread count announced with it', () => {
    notifier.onEvent({ kind: 'notifications.synced', inserted: 57, newest: [] });
    notifier.onEvent({ kind: 'notifications.unread', unread: 9 });
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances.map((n) => n.title)).toEqual(['9 unread notifications']);
  });

  it("a doctor's patient checking in: a \"Call in\" button on macOS and Windows that calls them in; on Linux a click opens the board at them", () => {
    const checkedIn: DeskEvent = { kind: 'appointment.updated', appointment: appointment({ status: 'checked_in' }), action: 'confirmed', changed: ['status'] };
    // Not before the server is known to offer call-in.
    notifier.onEvent(checkedIn);
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances[0]?.options).not.toHaveProperty('actions');
    expect(FakeNotification.instances[0]?.title).toBe('Appointment confirmed');

    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      FakeNotification.instances.length = 0;
      notifier.dispose();
      notifier = make(platform);
      notifier.onEvent({ kind: 'session', session: { status: 'signed-in', user: doctor, apiUrl: 'https://clinic.example.org', demo: false, timeZone: { zone: 'UTC', source: 'os', note: null } } });
      notifier.onEvent({ kind: 'staff-actions.offered', actions: ['call-in', 'start-consultation', 'complete-consultation'] });
      notifier.onEvent(checkedIn);
      vi.advanceTimersByTime(1000);
      const [alert] = FakeNotification.instances;
      expect(alert?.title).toBe('Patient checked in');
      if (platform === 'linux') {
        expect(alert?.options).not.toHaveProperty('actions');
        alert!.click();
        expect(clicks.at(-1)).toEqual({ kind: 'open', target: { screen: 'board', appointmentId: 42, date: '2026-11-26' } });
        continue;
      }
      expect(alert?.options['actions']).toEqual([{ type: 'button', text: 'Call in' }]);
      alert!.emit('action', {}, 0);
      expect(calledIn).toEqual([42]);
      calledIn.length = 0;
    }
    // Signed out: no call-in button for the next user until their server says so.
    notifier.onEvent({ kind: 'session', session: { status: 'signed-out', reason: null } });
    notifier.onEvent({ kind: 'session', session: { status: 'signed-in', user: doctor, apiUrl: 'https://clinic.example.org', demo: false, timeZone: { zone: 'UTC', source: 'os', note: null } } });
    FakeNotification.instances.length = 0;
    notifier.onEvent(checkedIn);
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances[0]?.title).toBe('Appointment confirmed');
  });

  it('forgets what was gathered when the user signs out', () => {
    notifier.onEvent(upserted(note(1)));
    notifier.onEvent({ kind: 'session', session: { status: 'signed-out', reason: null } });
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('flashes the taskbar for an urgent one when the user wants it, not otherwise', () => {
    notifier.onEvent(upserted(note(1, { type: 'urgent' })));
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances[0]?.options).toMatchObject({ urgency: 'critical', timeoutType: 'never' });
    expect(win.flashing).toEqual([]);
    settings = { ...settings, alerts: { ...settings.alerts, flashUrgent: true } };
    notifier.onEvent(upserted(note(2, { type: 'urgent' })));
    vi.advanceTimersByTime(1000);
    expect(win.flashing).toEqual([true]);
    notifier.onEvent(upserted(note(3, { type: 'info' })));
    vi.advanceTimersByTime(1000);
    expect(win.flashing).toEqual([true]);
  });

  it('bounces the dock on macOS instead', () => {
    notifier.dispose();
    settings = { ...settings, alerts: { ...settings.alerts, flashUrgent: true } };
    notifier = make('darwin');
    notifier.onEvent({ kind: 'session', session: { status: 'signed-in', user: doctor, apiUrl: 'https://clinic.example.org', demo: false, timeZone: { zone: 'UTC', source: 'os', note: null } } });
    notifier.onEvent(upserted(note(1, { type: 'urgent' })));
    vi.advanceTimersByTime(1000);
    expect(fake.app.dock.bounces).toEqual(['critical']);
    expect(win.flashing).toEqual([]);
  });

  it('shows nothing (and logs) where the OS has no notifications', () => {
    FakeNotification.supported = false;
    notifier.onEvent(upserted(note(1)));
    vi.advanceTimersByTime(1000);
    expect(FakeNotification.instances).toHaveLength(0);
  });
});
