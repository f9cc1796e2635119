import type { Page } from '@playwright/test';
import { expect, expectAccessible, goTo, screenshot, signInDemo, test, type Preview, type Screen } from './fixtures';

/**
 * Every main screen as reception: it opens from the Main navigation, shows
 * its landmark content, is photographed (test-results/screenshots) and has no
 * serious or critical axe-core violation.
 */

const SCREENS: Array<{ screen: Screen; file: string; ready: (page: Page) => Promise<void> }> = [
  { screen: 'Board', file: 'screen-board', ready: (page) => expect(page.getByRole('region', { name: 'Appointment board' })).toBeVisible() },
  {
    screen: 'Consultations',
    file: 'screen-consultations',
    ready: async (page) => {
      for (const name of ['Pending', 'Active', 'Completed', 'Cancelled']) await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
    },
  },
  { screen: 'Notifications', file: 'screen-notifications', ready: (page) => expect(page.getByRole('list', { name: 'Notifications' })).toBeVisible() },
  { screen: 'Conversations', file: 'screen-conversations', ready: (page) => expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible() },
  { screen: 'Presence', file: 'screen-presence', ready: (page) => expect(page.getByRole('list', { name: 'Online now' })).toBeVisible() },
  {
    screen: 'Diagnostics',
    file: 'screen-diagnostics',
    ready: async (page) => {
      await expect(page.getByRole('table', { name: 'Channels' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Channels' }).locator('[data-channel]').first()).toBeVisible();
    },
  },
  { screen: 'Settings', file: 'screen-settings', ready: (page) => expect(page.getByRole('main')).toBeVisible() },
];

/** Consultations for the day (the quiet demo has none until someone opens one): one pending, one active. */
async function openSomeConsultations(preview: Preview): Promise<{ pending: number; active: number }> {
  const { clinic } = preview;
  const me = preview.account('reception');
  const [a, b] = clinic.store.appointmentsOn(me.clinicId, clinic.store.today());
  if (!a || !b) throw new Error('seed 42 has fewer than two appointments today');
  const pending = (await clinic.backend.openConsultation(a)).consultation;
  const active = (await clinic.backend.openConsultation(b)).consultation;
  await clinic.backend.setConsultationStatus(active.id, 'active');
  return { pending: pending.id, active: active.id };
}

test('every main screen: navigation, screenshot, accessibility', async ({ page, preview }) => {
  test.setTimeout(60_000);
  await openSomeConsultations(preview);
  await signInDemo(page, preview, 'Reception');
  for (const { screen, file, ready } of SCREENS) {
    await test.step(screen, async () => {
      await goTo(page, screen);
      await ready(page);
      await screenshot(page, file);
      await expectAccessible(page, screen);
    });
  }
});

test('consultations move between columns as the back end changes them', async ({ page, preview }) => {
  const { clinic } = preview;
  const { pending } = await openSomeConsultations(preview);
  await signInDemo(page, preview, 'Reception');
  await goTo(page, 'Consultations');
  const column = (name: string) => page.locator('section', { has: page.getByRole('heading', { name, exact: true }) });
  await expect(column('Pending').locator(`[data-consultation-id="${pending}"]`)).toBeVisible();

  await clinic.backend.setConsultationStatus(pending, 'active');
  await expect(column('Active').locator(`[data-consultation-id="${pending}"]`)).toBeVisible();
  await expect(column('Pending').locator(`[data-consultation-id="${pending}"]`)).toHaveCount(0);

  await clinic.backend.setConsultationStatus(pending, 'completed');
  await expect(column('Completed').locator(`[data-consultation-id="${pending}"]`)).toBeVisible();
});

test('settings: a change goes through the preview host to the settings file and applies (dark theme)', async ({ page, preview }) => {
  await signInDemo(page, preview, 'Reception');
  await goTo(page, 'Settings');
  await page.getByRole('radio', { name: 'Dark', exact: true }).check();
  await expect.poll(async () => (await preview.desk.getSettings()).values.theme).toBe('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expectBackground(page, DARK_BG);
  await goTo(page, 'Board');
  await expect(page.getByRole('region', { name: 'Appointment board' })).toBeVisible();
  await screenshot(page, 'screen-board-dark');
  await expectAccessible(page, 'board (dark theme)');
});

const LIGHT_BG = 'rgb(238, 241, 245)';
const DARK_BG = 'rgb(12, 17, 25)';
const expectBackground = (page: Page, colour: string) => expect(page.locator('body')).toHaveCSS('background-color', colour);

test('the "system" theme follows the OS between light and dark', async ({ page, preview }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await signInDemo(page, preview, 'Reception');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  await expectBackground(page, DARK_BG);
  await expectAccessible(page, 'board (system theme, OS dark)');
  await page.emulateMedia({ colorScheme: 'light' });
  await expectBackground(page, LIGHT_BG);
});
