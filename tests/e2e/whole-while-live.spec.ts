/**
 * Whole while live, as staff and admins see it in Chromium through the
 * preview host: a doctor's colleagues' columns where the clinic's channel
 * rules refuse them ("Refreshes every 60 s"), and a clinic whose queue worker
 * stopped (the desk stops saying Live, keeps the board current by checking
 * the server, and Diagnostics says what to look at).
 */
import { connectionStatus, expect, expectAccessible, goTo, screenshot, signInDemo, test } from './fixtures';

test.describe('a doctor, on a server that refuses colleagues’ schedule channels (nested dialect)', () => {
  test.use({ apiDialect: 'nested' });

  test('colleagues’ columns say they refresh every 60 s; the doctor’s own is live', async ({ page, preview }) => {
    const doctor = preview.account('doctor');
    await signInDemo(page, preview, 'Doctor');
    const board = page.getByRole('region', { name: 'Appointment board' });
    await expect(board).toBeVisible();
    const notes = board.getByTestId('column-refresh');
    await expect(notes.first()).toBeVisible();
    await expect(notes.first()).toContainText('Refreshes every 60 s');
    const columns = await page.locator('[data-refresh-seconds]').count();
    expect(columns).toBeGreaterThan(0);
    // The doctor's own column (first) has no note.
    const own = board.locator(`[data-doctor-id="${doctor.doctorId}"]`);
    await expect(own.getByTestId('column-refresh')).toHaveCount(0);
    await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
    await screenshot(page, 'board-doctor-colleagues-refresh');
    await expectAccessible(page, 'board (doctor, colleagues refreshed)');
  });
});

test.describe('the clinic’s queue worker stopped', () => {
  test.use({ reconcileMs: 500 });

  test('the desk leaves Live, stays current by checking the server, and Diagnostics names the likely cause', async ({ page, preview }) => {
    test.setTimeout(60_000);
    const { clinic } = preview;
    await signInDemo(page, preview);
    clinic.setBroadcasting(false);
    const clinicId = preview.account('reception').clinicId;
    const due = clinic.store.appointmentsOn(clinicId, clinic.today()).filter((a) => ['scheduled', 'confirmed', 'reminder_sent'].includes(a.status));
    const [first, second] = due;
    if (!first || !second) throw new Error('no appointments due today');
    await clinic.setAppointmentStatus(first.id, 'checked_in');
    await expect(page.locator(`[data-appointment-id="${first.id}"]`)).toHaveAttribute('data-status', 'checked_in', { timeout: 5_000 });
    await clinic.setAppointmentStatus(second.id, 'checked_in');
    await expect(page.locator(`[data-appointment-id="${second.id}"]`)).toHaveAttribute('data-status', 'checked_in', { timeout: 5_000 });
    await expect(connectionStatus(page)).toHaveAttribute('data-broadcast-warning', 'true', { timeout: 30_000 });
    await expect(connectionStatus(page)).not.toHaveAttribute('data-state', 'live');
    await goTo(page, 'Diagnostics');
    const notice = page.getByTestId('broadcast-warning-notice');
    await expect(notice).toContainText('queue worker');
    await expect(page.getByText('No live updates — polling')).toBeVisible();
    await screenshot(page, 'diagnostics-broadcasts-stopped');
    await expectAccessible(page, 'diagnostics (broadcasts stopped)');

    // The worker runs again: the next broadcast brings Live back.
    clinic.setBroadcasting(true);
    const third = due[2];
    if (!third) throw new Error('no third appointment due today');
    await clinic.setAppointmentStatus(third.id, 'confirmed');
    await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live', { timeout: 10_000 });
    await expect(notice).toHaveCount(0);
  });
});
