import { connectionStatus, expect, expectAccessible, goTo, nav, screenshot, signInDemo, test, type PolicyFor } from './fixtures';

/**
 * The admin policy as staff meet it in the real renderer: what it sets is
 * shown and cannot be changed; a policy that could not be applied says so and
 * locks nothing. The desk reads a real policy file (tests/e2e/fixtures.ts).
 */

test.describe('a valid policy', () => {
  test.use({
    policy: {
      settings: { startAtLogin: true, theme: 'dark', alerts: { messages: false } },
      defaultSettings: { closeToTray: false },
    },
  });

  test('locks what it sets and leaves starting values to the user', async ({ page, preview }) => {
    await signInDemo(page, preview, 'Reception');
    // The locked theme applies without anyone choosing it.
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await goTo(page, 'Settings');
    await expect(page.getByText(/Some settings are managed by your organisation \(.*policy\.json\)/)).toBeVisible();

    await expect(page.getByRole('checkbox', { name: 'Start at login' })).toBeChecked();
    await expect(page.getByRole('checkbox', { name: 'Start at login' })).toBeDisabled();
    await expect(page.getByRole('radio', { name: 'Light', exact: true })).toBeDisabled();
    const alerts = page.getByRole('group', { name: 'Alerts' });
    await expect(alerts.getByRole('checkbox').first()).toBeDisabled();
    await expect(page.getByText('Set by your administrator').first()).toBeVisible();

    // A starting value: unticked by the policy, and the user may tick it.
    const closeToTray = page.getByRole('checkbox', { name: 'Close to tray' });
    await expect(closeToTray).not.toBeChecked();
    await closeToTray.check();
    await expect.poll(async () => (await preview.desk.getSettings()).values.closeToTray).toBe(true);

    await screenshot(page, 'settings-policy-locked');
    await expectAccessible(page, 'settings under a policy');
  });
});

test.describe('an invalid policy', () => {
  test.use({ policy: { apiUrl: 'https://clinic.example.org', transport: { kind: 'reverb', key: 'k', host: 'ws.clinic.example.org', port: 99999 }, settings: { startAtLogin: true } } });

  test('is applied not at all, and Settings says why', async ({ page, preview }) => {
    await signInDemo(page, preview, 'Reception');
    await goTo(page, 'Settings');
    const alert = page.getByRole('alert').filter({ hasText: "Your organisation's policy could not be applied" });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('transport.port must be at most 65535');
    // Nothing of it applies: not the lock, not the value next to the broken one.
    await expect(page.getByRole('checkbox', { name: 'Start at login' })).toBeEnabled();
    await expect(page.getByRole('checkbox', { name: 'Start at login' })).not.toBeChecked();
    expect((await preview.desk.getSettings()).locked).toEqual([]);
    await screenshot(page, 'settings-policy-invalid');
    await expectAccessible(page, 'settings with an invalid policy');
  });
});

test.describe("the administrator's server", () => {
  const policy: PolicyFor = {
    forClinic: (clinic) => ({
      apiUrl: clinic.apiUrl,
      transport: { kind: 'reverb', key: clinic.appKey, host: clinic.wsHost, port: clinic.wsPort, scheme: 'http' },
    }),
  };
  test.use({ policy });

  test('staff type only their e-mail and password; the server is shown, not asked', async ({ page, preview }) => {
    await page.goto(preview.url);
    await expect(page.getByRole('heading', { name: 'Sign in to your clinic' })).toBeVisible();
    await expect(page.getByText(`Clinic server: ${preview.clinic.info.apiUrl}`)).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Clinic server URL' })).toHaveCount(0);
    // As on the desktop, a desk pointed at its clinic offers no demo clinic.
    await expect(page.getByRole('group', { name: 'Try the demo clinic' })).toHaveCount(0);
    // The e-mail field has the focus: the first thing to type.
    await expect(page.getByRole('textbox', { name: 'Email' })).toBeFocused();
    await screenshot(page, 'sign-in-server-locked');
    await expectAccessible(page, 'sign-in with the server set by the policy');

    const reception = preview.account('reception');
    await page.getByRole('textbox', { name: 'Email' }).fill(reception.email);
    await page.getByLabel('Password').fill(reception.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(nav(page)).toBeVisible();
    await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
    const snapshot = await preview.desk.getSnapshot();
    expect(snapshot.session).toMatchObject({ status: 'signed-in', apiUrl: preview.clinic.info.apiUrl });
  });
});
