import Pusher from 'pusher';
import type { AppointmentUpdatePayload } from '../../src/shared/payloads';
import { connectionStatus, expect, expectAccessible, screenshot, signInDemo, test, upcomingAppointment } from './fixtures';

test.describe('appointment board', () => {
  test('an appointment update sent with the official pusher SDK shows on the board within a second, highlighted', async ({ page, preview }) => {
    const { clinic } = preview;
    const target = upcomingAppointment(preview);
    await signInDemo(page, preview, 'Reception');
    const board = page.getByRole('region', { name: 'Appointment board' });
    await expect(board).toBeVisible();
    await expect(page.getByLabel('Date', { exact: true })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Doctor' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Status' })).toBeVisible();

    // Today's appointments of the clinic: one column per doctor, one card per appointment.
    const card = board.locator(`[data-appointment-id="${target.id}"]`);
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute('data-status', target.status);
    await expect(board.locator(`[data-doctor-id="${target.doctor_id}"]`)).toContainText(target.patient_name);
    await screenshot(page, 'board');
    await expectAccessible(page, 'board');

    // The back end changes it (stored, newer timestamp) and broadcasts it as Laravel's pusher driver does.
    const updated = clinic.store.updateAppointment(target.id, { status: 'cancelled' });
    const payload: AppointmentUpdatePayload = {
      id: updated.id,
      action: 'cancelled',
      status: updated.status,
      appointment_date: updated.appointment_date,
      details: {
        clinic_id: updated.clinic_id,
        doctor_id: updated.doctor_id,
        patient_id: updated.patient_id,
        patient_name: updated.patient_name,
        duration_minutes: updated.duration_minutes,
        reason: updated.reason,
      },
      timestamp: updated.updated_at,
    };
    const sdk = new Pusher({ appId: clinic.info.appId, key: clinic.info.appKey, secret: clinic.info.appSecret, host: '127.0.0.1', port: String(clinic.info.wsPort), useTLS: false });
    const sentAt = Date.now();
    await sdk.trigger(`private-appointments.doctor.${updated.doctor_id}`, 'appointment-updated', payload);
    await expect(card).toHaveAttribute('data-status', 'cancelled', { timeout: 1000 });
    const shownAfterMs = Date.now() - sentAt;
    expect(shownAfterMs).toBeLessThan(1000);
    test.info().annotations.push({ type: 'latency', description: `board updated ${shownAfterMs} ms after the SDK trigger` });
    await expect(card).toHaveAttribute('data-highlight', 'true');
    await expect(card).toContainText(/cancel/i);
    await screenshot(page, 'board-live-update', { settle: false });
    // The highlight fades (about 2 s).
    await expect(card).not.toHaveAttribute('data-highlight', 'true', { timeout: 5000 });
    await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
  });

  test('an older update arriving late does not overwrite the newer state', async ({ page, preview }) => {
    const { clinic } = preview;
    const target = upcomingAppointment(preview);
    await signInDemo(page, preview, 'Reception');
    const card = page.locator(`[data-appointment-id="${target.id}"]`);
    await expect(card).toBeVisible();
    const { appointment } = await clinic.backend.updateAppointment(target.id, 'confirmed', { status: 'checked_in' });
    await expect(card).toHaveAttribute('data-status', 'checked_in');
    const stale: AppointmentUpdatePayload = {
      id: appointment.id,
      action: 'cancelled',
      status: 'cancelled',
      appointment_date: appointment.appointment_date,
      details: { clinic_id: appointment.clinic_id, doctor_id: appointment.doctor_id, patient_id: appointment.patient_id, patient_name: appointment.patient_name, duration_minutes: appointment.duration_minutes, reason: appointment.reason },
      timestamp: target.updated_at,
    };
    const sdk = new Pusher({ appId: clinic.info.appId, key: clinic.info.appKey, secret: clinic.info.appSecret, host: '127.0.0.1', port: String(clinic.info.wsPort), useTLS: false });
    await sdk.trigger(`private-appointments.doctor.${appointment.doctor_id}`, 'appointment-updated', stale);
    // A later, newer change proves the stale one was processed first (one socket, in order).
    const later = new Promise<void>((resolve) => {
      const off = preview.desk.on((e) => {
        if (e.kind === 'appointment.updated' && e.appointment.id === target.id && e.appointment.reason === 'Late check') {
          off();
          resolve();
        }
      });
    });
    await clinic.backend.updateAppointment(target.id, 'confirmed', { reason: 'Late check' });
    await later;
    await expect(card).toHaveAttribute('data-status', 'checked_in');
  });
});
