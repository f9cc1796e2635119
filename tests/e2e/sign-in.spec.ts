import { connectionStatus, expect, expectAccessible, nav, openDesk, screenshot, signInDemo, test } from './fixtures';

test.describe('sign-in', () => {
  test('the sign-in screen: the form, the demo picker, an error in an alert', async ({ page, preview }) => {
    await openDesk(page, preview);
    for (const name of ['Clinic server URL', 'Email', 'Password']) await expect(page.getByRole('textbox', { name, exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    const demo = page.getByRole('group', { name: 'Try the demo clinic' });
    for (const role of ['Reception', 'Doctor', 'Admin']) await expect(demo.getByRole('button', { name: role })).toBeVisible();
    await screenshot(page, 'sign-in');
    await expectAccessible(page, 'sign-in');

    // Wrong password against the demo clinic's real API: the server's message, in an alert.
    const reception = preview.account('reception');
    await page.getByRole('textbox', { name: 'Clinic server URL', exact: true }).fill(preview.clinic.info.apiUrl);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(reception.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('alert')).not.toBeEmpty();
    await screenshot(page, 'sign-in-error');
    await expectAccessible(page, 'sign-in with an error');
    await expect(page.getByRole('heading', { name: 'Sign in to your clinic' })).toBeVisible();
  });

  test('Try the demo clinic as reception: the app shell, live, on the board; sign out returns to sign-in', async ({ page, preview }) => {
    await signInDemo(page, preview, 'Reception');
    for (const screen of ['Board', 'Consultations', 'Notifications', 'Conversations', 'Presence', 'Diagnostics', 'Settings']) {
      await expect(nav(page).getByRole('button', { name: screen, exact: true })).toBeVisible();
    }
    await expect(nav(page).getByRole('button', { name: 'Board', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(connectionStatus(page)).toHaveText('Live');
    await expect(connectionStatus(page)).toHaveAttribute('role', 'status');
    await expect(page.getByTestId('stale-banner')).toBeHidden();
    const session = (await preview.desk.getSnapshot()).session;
    expect(session.status === 'signed-in' && session.user.role).toBe('reception');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to your clinic' })).toBeVisible();
    expect((await preview.desk.getSnapshot()).session.status).toBe('signed-out');
  });
});
