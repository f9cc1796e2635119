/**
 * The clinic's day in four zones, in Chromium through the preview host: the
 * demo clinic lives in the zone (its user answer says so), the desk core and
 * the page read a clock set to the hour named (then running on), and the
 * browser is in the same zone, as a desk in the clinic would be. The board
 * shows the clinic's local day as "Today", card times are its wall clock, and
 * a screenshot of each is kept in test-results/screenshots/board-<zone>.png.
 * Then a desk elsewhere (its computer in London) names the clinic's zone, and
 * a desk left open over the clinic's midnight moves to the new day by itself.
 */
import type { Page } from '@playwright/test';
import { clockIn, dayIn, dayStart } from '../../src/shared/clinic-time';
import { connectionStatus, expect, screenshot, signInDemo, test, type Preview } from './fixtures';

/** "Friday 4 December" or "Friday, December 4", as the browser's locale writes it. */
function dayName(weekday: string, day: number): RegExp {
  return new RegExp(`${weekday},? (${day} December|December ${day})`);
}

const ZONES = [
  { zone: 'UTC', label: 'UTC, mid-morning', at: '2026-12-04T10:30:00Z', heading: dayName('Friday', 4) },
  { zone: 'America/Los_Angeles', label: 'Los Angeles, Friday evening', at: '2026-12-05T03:34:00Z', heading: dayName('Friday', 4) },
  { zone: 'Australia/Sydney', label: 'Sydney, Saturday morning', at: '2026-12-04T21:30:00Z', heading: dayName('Saturday', 5) },
  { zone: 'Asia/Kathmandu', label: 'Kathmandu, ten past midnight', at: '2026-12-04T18:25:00Z', heading: dayName('Saturday', 5) },
] as const;

/**
 * The page's clock starts where the desk's does and runs on in real time:
 * `Date.now()`, which the renderer reads for "now" and "today". Not
 * Playwright's `page.clock` nor a subclass of `Date`: date-fns' TZDate copies
 * its zone-aware methods from the own properties of `Date.prototype` when it
 * loads, so a stand-in `Date` would leave it reading this computer's zone.
 */
async function signInAt(page: Page, preview: Preview, at: number): Promise<void> {
  await page.addInitScript((offset: number) => {
    const real = Date.now.bind(Date);
    Date.now = () => real() + offset;
  }, at - Date.now());
  await signInDemo(page, preview);
}

function fileName(zone: string): string {
  return `board-${zone.replace(/\//g, '-').toLowerCase()}`;
}

for (const { zone, label, at, heading } of ZONES) {
  test.describe(`${label} (${zone})`, () => {
    test.use({ clinicZone: zone, timezoneId: zone, startAt: Date.parse(at) });

    test('the board opens on the clinic’s local day, with its wall-clock times', async ({ page, preview }) => {
      await signInAt(page, preview, Date.parse(at));
      const today = dayIn(Date.parse(at), zone);
      await expect(page.getByText(heading).first()).toBeVisible();
      await expect(page.getByRole('button', { name: 'Today' })).toBeDisabled();
      await expect(page.getByLabel('Date')).toHaveValue(today);
      // The demo is in session at any hour: the day has appointments, some of them waiting.
      const rows = preview.clinic.store.appointmentsOn(preview.account('reception').clinicId, today);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows.slice(0, 5)) await expect(page.locator(`[data-appointment-id="${row.id}"] .time`)).toHaveText(clockIn(row.appointment_date, zone));
      // Patients are waiting and someone is with a doctor, whatever the hour.
      expect(rows.some((r) => r.status === 'checked_in')).toBe(true);
      expect(rows.some((r) => r.status === 'in_consultation')).toBe(true);
      // The browser is in the clinic's zone: no zone note.
      await expect(page.getByTestId('zone-note')).toHaveCount(0);
      await screenshot(page, fileName(zone));
    });
  });
}

test.describe('a desk whose computer is in another zone', () => {
  const at = Date.parse('2026-12-05T03:34:00Z');
  test.use({ clinicZone: 'America/Los_Angeles', timezoneId: 'Europe/London', startAt: at });

  test('shows the clinic’s day and says whose clock the times are on', async ({ page, preview }) => {
    await signInAt(page, preview, at);
    // 03:34 on Saturday in London; the clinic's Friday evening.
    await expect(page.getByText(dayName('Friday', 4)).first()).toBeVisible();
    await expect(page.getByTestId('zone-note').first()).toContainText('America/Los_Angeles');
    await expect(page.getByTestId('zone-note').first()).toContainText('PST');
    // The clinic's "Today" and its wall clock, not London's.
    await expect(page.getByRole('button', { name: 'Today' })).toBeDisabled();
    const rows = preview.clinic.store.appointmentsOn(preview.account('reception').clinicId, '2026-12-04');
    for (const row of rows.slice(0, 5)) await expect(page.locator(`[data-appointment-id="${row.id}"] .time`)).toHaveText(clockIn(row.appointment_date, 'America/Los_Angeles'));
    await screenshot(page, 'board-clinic-in-los-angeles-seen-from-london');
  });
});

test.describe('left open over the clinic’s midnight', () => {
  const zone = 'Asia/Kathmandu';
  const midnight = dayStart('2026-12-06', zone);
  test.use({ clinicZone: zone, timezoneId: zone, startAt: midnight - 8_000 });

  test('the board moves to the new day by itself, and Today with it', async ({ page, preview }: { page: Page; preview: Preview }) => {
    await signInAt(page, preview, midnight - 8_000);
    await expect(page.getByText(dayName('Saturday', 5)).first()).toBeVisible();
    await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
    await expect(page.getByText(dayName('Sunday', 6)).first()).toBeVisible({ timeout: 15_000 });
    await expect(page.getByLabel('Date')).toHaveValue('2026-12-06');
    await expect(page.getByRole('button', { name: 'Today' })).toBeDisabled();
  });
});
