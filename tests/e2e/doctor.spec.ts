import { bell, connectionStatus, expect, expectAccessible, goTo, screenshot, signInDemo, test, unreadCount } from './fixtures';

test('a doctor asks for every doctor’s schedule; refused channels show 403 in Diagnostics while the app keeps working', async ({ page, preview }) => {
  const { clinic } = preview;
  const doctor = preview.account('doctor');
  if (doctor.doctorId === undefined) throw new Error('doctor1 has no doctor id');
  // The first channel authorisation of the session is refused, as Laravel does for a channel the user may not join.
  clinic.api.injectFault({ path: /broadcasting\/auth/, status: 403, times: 1 });

  await signInDemo(page, preview, 'Doctor');
  await goTo(page, 'Diagnostics');
  const table = page.getByRole('table', { name: 'Channels' });
  await expect(table).toBeVisible();
  const rows = table.locator('[data-channel]');
  const names = await Promise.all((await rows.all()).map(async (row) => (await row.getAttribute('data-channel')) ?? ''));
  // Their own schedule first, then their colleagues' (the default dialect's channel rules refuse those: 403).
  const schedules = names.filter((n) => n.startsWith('private-appointments.doctor.'));
  expect(schedules[0]).toBe(`private-appointments.doctor.${doctor.doctorId}`);
  expect(schedules.length).toBeGreaterThan(1);
  const colleagues = schedules.slice(1);
  for (const name of colleagues) await expect(table.locator(`[data-channel="${name}"]`)).toContainText('403');
  // And the channel the injected fault refused.
  const refusedRows = rows.filter({ hasText: '403' });
  const refusedNames = await Promise.all((await refusedRows.all()).map(async (row) => (await row.getAttribute('data-channel')) ?? ''));
  const refused = refusedNames.find((n) => !colleagues.includes(n)) ?? null;
  expect(names).toContain(`private-notifications.${doctor.id}`);
  expect(names.filter((n) => n.startsWith('private-notifications.'))).toEqual([`private-notifications.${doctor.id}`]);
  await expect(page.getByRole('button', { name: 'Run checks' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy diagnostics' })).toBeVisible();
  await expect(page.getByText('Rejected payloads').first()).toBeVisible();
  await screenshot(page, 'diagnostics-doctor-403');
  await expectAccessible(page, 'diagnostics (doctor, one channel refused)');

  // The app keeps working: still live, the board shows, and a notification reaches the doctor
  // (unless it was exactly the notifications channel that was refused).
  await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
  await goTo(page, 'Board');
  await expect(page.getByRole('region', { name: 'Appointment board' })).toBeVisible();
  if (refused !== `private-notifications.${doctor.id}`) {
    const before = await unreadCount(page);
    await clinic.backend.notify({ user_id: doctor.id, type: 'system', title: 'For the doctor', message: 'Still working.', action_url: null });
    await expect(bell(page, before + 1)).toBeVisible();
  }
});
