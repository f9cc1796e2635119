import { clockIn } from '../../src/shared/clinic-time';
import { expect, expectAccessible, openColleagueDesk, screenshot, signInDemo, test, upcomingAppointment } from './fixtures';

/**
 * Issue 15: staff act from the desk. Two desks on one demo clinic, each its
 * own core, preview host and Chromium page: what one does reaches the other
 * only through the clinic's REST API and its socket server.
 */

test.describe('staff actions between two desks', () => {
  test("reception checks a patient in; the doctor's desk shows it within a second, and the doctor calls them in", async ({ page, preview, browser }) => {
    const doctor = preview.account('doctor');
    const target = upcomingAppointment(preview, { doctorId: doctor.doctorId ?? 0 });
    await signInDemo(page, preview, 'Reception');
    const colleague = await openColleagueDesk(browser, preview, doctor.email);
    try {
      const onDoctorDesk = colleague.page.locator(`[data-appointment-id="${target.id}"]`);
      await expect(onDoctorDesk).toHaveAttribute('data-status', target.status);

      const card = page.locator(`[data-appointment-id="${target.id}"]`);
      await expect(card.getByRole('group', { name: `Actions for ${target.patient_name}` })).toBeVisible();
      const clickedAt = Date.now();
      await card.getByRole('button', { name: 'Check in', exact: true }).click();
      await expect(card).toHaveAttribute('data-status', 'checked_in');
      await expect(onDoctorDesk).toHaveAttribute('data-status', 'checked_in', { timeout: 1000 });
      const paintedAfterMs = Date.now() - clickedAt;
      expect(paintedAfterMs).toBeLessThan(1000);
      test.info().annotations.push({ type: 'latency', description: `the doctor's desk showed the check-in ${paintedAfterMs} ms after the click` });
      // The result is said, and the server holds it once.
      await expect(page.getByText(`${target.patient_name} checked in.`)).toBeAttached();
      expect(preview.clinic.store.appointment(target.id)?.status).toBe('checked_in');
      await screenshot(page, 'actions-reception-checked-in', { settle: false });
      await screenshot(colleague.page, 'actions-doctor-sees-check-in', { settle: false });
      await expectAccessible(page, 'board with actions (reception)');

      // The doctor calls the patient in: reception is notified by the server, and sees the doctor's whisper.
      await onDoctorDesk.getByRole('button', { name: 'Call in', exact: true }).click();
      await expect(page.getByText(new RegExp(`is ready for ${target.patient_name}`)).first()).toBeVisible({ timeout: 2000 });
      await screenshot(page, 'actions-reception-called-in', { settle: false });
      await expectAccessible(colleague.page, 'board with actions (doctor)');
    } finally {
      await colleague.close();
    }
  });

  test('keyboard only: check in, undo, cancel with a reason, and the shortcuts sheet', async ({ page, preview }) => {
    const target = upcomingAppointment(preview);
    await signInDemo(page, preview, 'Reception');
    const card = page.locator(`[data-appointment-id="${target.id}"]`);
    await expect(card).toBeVisible();
    // Into the board by keyboard: focus lands on a card, then the arrows move to this one.
    await card.focus();
    await expect(card).toBeFocused();
    await page.keyboard.press('i');
    await expect(card).toHaveAttribute('data-status', 'checked_in');
    await page.keyboard.press('u');
    await expect(card).toHaveAttribute('data-status', target.status);
    await expect.poll(() => preview.clinic.store.appointment(target.id)?.status).toBe(target.status);

    await card.focus();
    await page.keyboard.press('x');
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await page.keyboard.type('Patient rang to rebook');
    await screenshot(page, 'actions-cancel-dialog', { settle: false });
    await expectAccessible(page, 'cancel dialog');
    // The reason is a text area (Enter is a new line there): Tab past "Keep the appointment" to the cancel button.
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Keep the appointment' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Cancel the appointment' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(card).toHaveAttribute('data-status', 'cancelled');
    await expect.poll(() => preview.clinic.store.appointment(target.id)?.status).toBe('cancelled');

    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: /Keyboard shortcuts/ });
    await expect(sheet).toBeVisible();
    await expect(sheet).toContainText('Check the patient in');
    await expectAccessible(page, 'keyboard shortcuts sheet');
    await page.keyboard.press('Escape');
    await expect(sheet).toBeHidden();
  });
});

test.describe('offline', () => {
  test('a check-in while the clinic server is down is queued on the card, then sent once when it is back', async ({ page, preview }) => {
    const { clinic } = preview;
    const target = upcomingAppointment(preview);
    await signInDemo(page, preview, 'Reception');
    const card = page.locator(`[data-appointment-id="${target.id}"]`);
    await expect(card).toHaveAttribute('data-status', target.status);

    // The REST API answers 503 and the socket server is gone: the desk cannot send anything.
    clinic.api.injectFault({ path: /^\/api\//, status: 503, times: 1_000_000 });
    await clinic.stopRealtime();
    await card.getByRole('button', { name: 'Check in', exact: true }).click();
    await expect(card).toHaveAttribute('data-status', 'checked_in');
    await expect(card).toContainText('Queued — will be sent when the server answers');
    await screenshot(page, 'actions-queued', { settle: false });
    expect(clinic.store.appointment(target.id)?.status).toBe(target.status);

    // Back (the socket server restarted mid-way): the outbox sends it by itself, once, and the card is the server's.
    clinic.api.clearFaults();
    await clinic.startRealtime();
    await expect.poll(() => clinic.store.appointment(target.id)?.status, { timeout: 20_000 }).toBe('checked_in');
    await expect(card).not.toContainText('Queued', { timeout: 10_000 });
    await expect(card).toHaveAttribute('data-status', 'checked_in');
    const served = clinic.api.requestLog.filter((r) => r.method === 'PATCH' && r.path === `/api/appointments/${target.id}` && r.status === 200);
    expect(served).toHaveLength(1);
  });
});

test.describe('a change made elsewhere first', () => {
  test.use({ clinicZone: 'Asia/Kathmandu' });

  test("the card goes back to the server's state and says why, on the clinic's clock", async ({ page, preview }) => {
    const target = upcomingAppointment(preview);
    await signInDemo(page, preview, 'Reception');
    const card = page.locator(`[data-appointment-id="${target.id}"]`);
    await expect(card).toHaveAttribute('data-status', target.status);
    // A colleague checks the patient in from the clinic's web app, and its broadcast never comes (a stopped queue worker).
    const other = preview.clinic.info.users.find((u) => u.role === 'reception' && u.email !== preview.account('reception').email && u.clinicId === target.clinic_id);
    if (!other) throw new Error('the demo clinic has one receptionist only');
    const changed = preview.clinic.store.updateAppointment(target.id, { status: 'checked_in' }, { by: other.id });

    await card.getByRole('button', { name: 'No-show', exact: true }).click();
    const sentence = `Already checked in by ${other.name} at ${clockIn(changed.updated_at, 'Asia/Kathmandu')}.`;
    await expect(card).toContainText(sentence);
    await expect(page.getByText(new RegExp(`Could not .*${target.patient_name}.*${sentence.replace(/[.]/g, '\\.')}`)).first()).toBeAttached();
    // Rolled back to what the server holds, not to what the card showed.
    await expect(card).toHaveAttribute('data-status', 'checked_in');
    expect(preview.clinic.store.appointment(target.id)?.status).toBe('checked_in');
    await screenshot(page, 'actions-refused', { settle: false });
  });
});

test.describe('a server that does not offer the actions', () => {
  test.use({ apiDialect: 'minimal' });

  test('shows no action buttons at all (no dead buttons)', async ({ page, preview }) => {
    await signInDemo(page, preview, 'Reception');
    await expect(page.getByRole('region', { name: 'Appointment board' })).toBeVisible();
    await expect(page.locator('[data-action]')).toHaveCount(0);
  });
});
