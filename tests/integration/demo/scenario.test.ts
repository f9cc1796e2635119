import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { AppointmentUpdatePayload, ConsultationStatusPayload, NotificationPayload } from '../../../src/shared/payloads';
import { startDemoClinic, type DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { Happening } from '../../../src/main/demo/scenario';
import { openStaffDesk, waitFor, type StaffDesk } from '../../helpers/staff-desk';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const clock = () => NOW;
const opened: Array<DemoClinic | StaffDesk> = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function clinic(seed: number): Promise<DemoClinic> {
  // The clock's day read as UTC's, whatever this computer's zone.
  const c = await startDemoClinic({ seed, now: clock, timeZone: 'UTC' });
  opened.push(c);
  return c;
}

async function desk(c: DemoClinic, email: string): Promise<StaffDesk> {
  const d = await openStaffDesk(c.info, email);
  opened.push(d);
  return d;
}

const shape = (h: Happening) => ({ kind: h.kind, ref: h.ref, summary: h.summary });

describe('scenario engine', () => {
  it('plays the same clinic day for the same seed and clock, and another day for another seed', async () => {
    const a = await clinic(7);
    const dayA = (await a.scenario.run(60)).map(shape);
    const rowsA = a.store.allAppointments();
    await a.close();

    const b = await clinic(7);
    const dayB = (await b.scenario.run(60)).map(shape);
    expect(dayB).toEqual(dayA);
    expect(b.store.allAppointments()).toEqual(rowsA);
    expect(new Set(dayA.map((h) => h.kind)).size).toBeGreaterThanOrEqual(6);
    await b.close();

    const c = await clinic(8);
    const dayC = (await c.scenario.run(60)).map(shape);
    expect(dayC).not.toEqual(dayA);
  });

  it('builds the same world for the same seed: staff, doctors, appointments on the clock day', async () => {
    const a = await clinic(42);
    const b = await clinic(42);
    expect(b.info.users).toEqual(a.info.users);
    const roles = a.info.users.map((u) => u.role);
    expect(roles.filter((r) => r === 'admin')).toHaveLength(1);
    expect(roles.filter((r) => r === 'doctor').length).toBeGreaterThanOrEqual(4);
    expect(new Set(a.info.users.map((u) => u.clinicId))).toEqual(new Set([1, 2]));
    const today = a.store.appointmentsOn(1, '2026-11-26');
    expect(today.length).toBeGreaterThan(10);
    expect(today.every((x) => x.appointment_date.startsWith('2026-11-26'))).toBe(true);
  });

  it('broadcasts every happening through the HTTP trigger API to the channels the seed names', async () => {
    const c = await clinic(42);
    const realtime = c.realtime;
    if (!realtime) throw new Error('realtime server not running');
    const published: string[] = [];
    realtime.on('published', (e) => published.push(e.event));

    const reception = await desk(c, 'reception1@northside.clinic.test');
    const doctors = c.store.world.doctors.filter((d) => d.clinic_id === 1);
    const updates: unknown[] = [];
    const subscribed = doctors.map(
      (d) =>
        new Promise<void>((resolve, reject) => {
          reception.echo
            .private(channels.doctorAppointments(d.id).echoName)
            .subscribed(() => resolve())
            .error((e: unknown) => reject(new Error(`subscribe failed: ${JSON.stringify(e)}`)))
            .listen('.appointment-updated', (p: unknown) => updates.push(p));
        }),
    );
    await Promise.all(subscribed);

    const day = await c.scenario.run(40);
    const clinicOneAppointments = day.filter(
      (h) => h.kind.startsWith('appointment.') && c.store.appointment(h.ref)?.clinic_id === 1,
    );
    expect(clinicOneAppointments.length).toBeGreaterThan(0);
    await waitFor<number>(
      (push) => {
        const t = setInterval(() => push(updates.length), 20);
        setTimeout(() => clearInterval(t), 5000);
      },
      (n) => n >= clinicOneAppointments.length,
      5000,
      'appointment updates',
    );
    for (const raw of updates) {
      const payload = AppointmentUpdatePayload.parse(raw);
      const row = c.store.appointment(payload.id);
      expect(row?.clinic_id).toBe(1);
      expect(payload.details.doctor_id).toBe(row?.doctor_id);
    }
    // Each happening's broadcasts went through the trigger API; none skipped it.
    expect(published.length).toBe(c.backend.broadcasts.sent);
    expect(c.backend.broadcasts.failures).toBe(0);
    expect(day.every((h) => h.broadcast)).toBe(true);
  });

  it('sends payloads that pass the shared schemas, encoded as PHP does', async () => {
    const c = await clinic(3);
    const user = c.info.users.find((u) => u.role === 'doctor' && u.clinicId === 1);
    if (!user) throw new Error('no doctor');
    const doctor = await desk(c, user.email);
    const received: unknown[] = [];
    await new Promise<void>((resolve) => {
      doctor.echo.private(channels.notifications(user.id).echoName).subscribed(() => resolve()).listen('.general-notification', (p: unknown) => received.push(p));
    });
    const { notification } = await c.backend.notify({
      user_id: user.id,
      type: 'lab_result',
      title: 'Résultats prêts',
      message: 'See https://clinic.test/results/7',
      action_url: '/consultations/3001',
    });
    const got = await waitFor<unknown[]>((push) => {
      const t = setInterval(() => push(received), 10);
      setTimeout(() => clearInterval(t), 3000);
    }, (list) => list.length > 0);
    const payload = NotificationPayload.parse(got[0]);
    expect(payload).toEqual({
      id: notification.id,
      user_id: user.id,
      type: 'lab_result',
      title: 'Résultats prêts',
      message: 'See https://clinic.test/results/7',
      action_url: '/consultations/3001',
      created_at: notification.created_at,
    });
    expect(payload.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('takes colleagues online and offline in the presence channel', async () => {
    const c = await clinic(11);
    const reception = await desk(c, 'reception1@northside.clinic.test');
    const joined: Array<{ name: string; role: string }> = [];
    const left: Array<{ name: string }> = [];
    await new Promise<void>((resolve) => {
      reception.echo
        .join(channels.presenceClinic(1).echoName)
        .here(() => resolve())
        .joining((m: { name: string; role: string }) => joined.push(m))
        .leaving((m: { name: string }) => left.push(m));
    });
    const online: Happening[] = [];
    const offline: Happening[] = [];
    for (let i = 0; i < 300 && (online.length === 0 || offline.length === 0); i++) {
      const h = await c.scenario.step();
      const member = c.store.userById(h.ref);
      if (h.kind === 'staff.online' && member?.clinic_id === 1 && member.id !== reception.user.id) online.push(h);
      if (h.kind === 'staff.offline' && online.some((o) => o.ref === h.ref)) offline.push(h);
    }
    expect(online.length).toBeGreaterThan(0);
    const first = c.store.userById(online[0]?.ref ?? 0);
    await waitFor<number>((push) => {
      const t = setInterval(() => push(joined.length), 10);
      setTimeout(() => clearInterval(t), 3000);
    }, () => joined.some((m) => m.name === first?.name), 3000, 'joining');
    expect(joined.find((m) => m.name === first?.name)?.role).toBe(first?.role);
    if (offline.length > 0) {
      const gone = c.store.userById(offline[0]?.ref ?? 0);
      await waitFor<number>((push) => {
        const t = setInterval(() => push(left.length), 10);
        setTimeout(() => clearInterval(t), 3000);
      }, () => left.some((m) => m.name === gone?.name), 3000, 'leaving');
    }
  });

  it('runs on its own timer at the given rate and stops', async () => {
    const c = await clinic(5);
    c.scenario.start(1200); // one happening every 50 ms
    await waitFor<number>((push) => {
      const t = setInterval(() => push(c.scenario.history.length), 20);
      setTimeout(() => clearInterval(t), 5000);
    }, (n) => n >= 5, 5000, 'five happenings');
    c.scenario.stop();
    const settled = c.scenario.history.length;
    await new Promise((r) => setTimeout(r, 200));
    // At most the one step that was in flight when stopped may still land.
    expect(c.scenario.history.length - settled).toBeLessThanOrEqual(1);
    expect(c.scenario.isRunning).toBe(false);
  });

  it('keeps the clinic working while the socket server is down, and broadcasts again after a restart', async () => {
    const c = await clinic(9);
    await c.stopRealtime();
    const down = await c.backend.notify({ user_id: 2, type: 'system', title: 't', message: 'm', action_url: null });
    expect(down.broadcast).toBe(false);
    expect(c.store.listNotifications(2, down.notification.id - 1, 10).data[0]?.id).toBe(down.notification.id);
    const consultation = c.store.consultationsWhere(() => true)[0];
    if (!consultation) throw new Error('no consultation');
    await c.startRealtime();
    const up = await c.backend.setConsultationStatus(consultation.id, 'cancelled');
    expect(up.broadcast).toBe(true);
    expect(ConsultationStatusPayload.safeParse({ ...up.consultation, timestamp: up.consultation.updated_at }).success).toBe(true);
  });
});
