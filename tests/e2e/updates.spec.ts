import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startedMarker } from '../helpers/update-feed';
import { expect, expectAccessible, goTo, screenshot, signInDemo, test, type Updates } from './fixtures';

/**
 * The whole update chain in the real renderer: the real electron-updater
 * (its AppImage updater, in the Playwright worker, without Electron: see
 * tests/helpers/update-feed.ts) finds Clinic Desk 1.5.0 on a feed served on
 * 127.0.0.1, downloads it with progress and checks its sha512; the desk core
 * (UpdateService, DeskService) sends that over the preview bridge, and
 * Chromium shows it in the update banner and in Diagnostics. "Restart now"
 * goes back down the same way to electron-updater's quitAndInstall, which
 * replaces $APPIMAGE and starts the new file.
 */

const VERSION = '1.5.0';

function need(updates: Updates | null): Updates {
  if (!updates) throw new Error('this test needs test.use({ updater: {...} })');
  return updates;
}

function banner(page: Page): Locator {
  return page.getByTestId('update-banner');
}

/**
 * The download bar's aria-valuenow as Chromium's accessibility tree has it
 * (what a screen reader reads; a <progress> carries it implicitly, so there
 * is no DOM attribute to read): the AX node's value, between its valuemin 0
 * and valuemax 100. Null while the bar is indeterminate or not there.
 */
async function progressValue(page: Page): Promise<number | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodes } = (await cdp.send('Accessibility.queryAXTree', { nodeId: root.nodeId, role: 'progressbar', accessibleName: `Download of Clinic Desk ${VERSION}` })) as {
      nodes: Array<{ value?: { value?: unknown }; properties?: Array<{ name: string; value: { value?: unknown } }> }>;
    };
    const [bar, ...more] = nodes;
    if (more.length > 0) throw new Error(`${nodes.length} download bars in the accessibility tree`);
    if (!bar) return null;
    const range = Object.fromEntries((bar.properties ?? []).map((p) => [p.name, p.value.value]));
    expect(range, 'the bar counts from 0 to 100').toMatchObject({ valuemin: 0, valuemax: 100 });
    const valueNow = bar.value?.value;
    return typeof valueNow === 'number' ? valueNow : null;
  } finally {
    await cdp.detach();
  }
}

/** The <dd> after the <dt> labelled `label` in "Version and updates". */
function fact(details: Locator, label: string): Locator {
  return details.locator('dt').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) }).locator('xpath=following-sibling::dd[1]');
}

test.describe('an update the feed offers', () => {
  test.use({ updater: {} });

  test('downloads with progress, is ready to install, and "Restart now" installs it through electron-updater', async ({ page, preview, updates }) => {
    const u = need(updates);
    await signInDemo(page, preview, 'Reception');

    await test.step('the download shows in the banner before any byte has arrived', async () => {
      await expect(banner(page).getByRole('status')).toHaveText(`Downloading Clinic Desk ${VERSION}`);
      await expect(banner(page).getByRole('progressbar', { name: `Download of Clinic Desk ${VERSION}` })).toBeVisible();
      // Indeterminate: the feed holds the bytes (see `startDownload`).
      expect(await progressValue(page)).toBeNull();
      // The channel file, then the artifact (whose request may follow the banner by a moment).
      await expect.poll(() => u.feed.requests).toEqual(['/clinic-desk/latest-linux.yml', `/clinic-desk/${u.release.file}`]);
    });

    const seen: number[] = [];
    await test.step('the bar rises as the bytes arrive', async () => {
      u.startDownload();
      await expect
        .poll(
          async () => {
            const value = await progressValue(page);
            if (value !== null) seen.push(value);
            return seen.some((v) => v > 0 && v < 100);
          },
          { message: 'the progress bar shows a value strictly between 0 and 100', intervals: [100], timeout: 15_000 },
        )
        .toBe(true);
      // What the bar showed beside it, for the eye.
      await expect(banner(page).getByRole('status')).toHaveText(new RegExp(`^Downloading Clinic Desk ${VERSION.replaceAll('.', '\\.')} — \\d{1,3}%$`));
    });

    const ready = banner(page).getByRole('status');
    await test.step('ready: Restart now or Later', async () => {
      await expect(ready).toHaveText(`Update ready: Clinic Desk ${VERSION} installs when Clinic Desk restarts.`, { timeout: 15_000 });
      await expect(banner(page).getByRole('progressbar')).toHaveCount(0);
      await expect(banner(page).getByRole('button', { name: 'Restart now' })).toBeEnabled();
      await expect(banner(page).getByRole('button', { name: 'Later' })).toBeEnabled();
      // Never falling, and each value one electron-updater reported (the core's percent, floored as the bar shows it).
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const reported = u.statuses.flatMap((s) => (s.state === 'downloading' ? [Math.floor(s.percent)] : []));
      for (const value of seen) expect(reported).toContain(value);
      expect(u.service.status()).toMatchObject({ state: 'ready', version: VERSION, installAt: null });
      // Verified and held for install; nothing installed yet.
      expect(readFileSync(join(u.pending, u.release.file)).equals(u.release.body)).toBe(true);
      expect(u.quits).toEqual(['install-on-quit handler']);
    });

    await test.step('Diagnostics: Version and updates', async () => {
      await goTo(page, 'Diagnostics');
      const details = page.getByRole('region', { name: 'Version and updates' });
      await expect(details).toBeVisible();
      await expect(fact(details, 'Running version')).toHaveText('1.4.2');
      await expect(fact(details, 'Updates')).toHaveText('On');
      // The policy's url as the updater reads it: the folder of the channel files.
      await expect(fact(details, 'Update server')).toHaveText(`${u.feedUrl}/`);
      expect(u.service.status().feedUrl).toBe(`${u.feedUrl}/`);
      const lastCheckedAt = u.service.status().lastCheckedAt;
      if (lastCheckedAt === null) throw new Error('the service has no last check');
      const lastCheck = fact(details, 'Last successful check').locator('time');
      await expect(lastCheck).toHaveAttribute('datetime', lastCheckedAt);
      // HH:MM:SS in the page's time zone (UTC, playwright.config.ts).
      await expect(lastCheck).toHaveText(new RegExp(`${lastCheckedAt.slice(11, 19)}$`));
      await expect(details.getByRole('status')).toHaveText(`Clinic Desk ${VERSION} is ready to install. It installs when Clinic Desk restarts.`);
      await expect(details.getByRole('button', { name: 'Restart and install' })).toBeEnabled();
      // The banner stays over every screen.
      await expect(ready).toHaveText(`Update ready: Clinic Desk ${VERSION} installs when Clinic Desk restarts.`);
    });

    await test.step('accessible, and photographed', async () => {
      await expectAccessible(page, 'Diagnostics with an update ready');
      await screenshot(page, 'update-ready');
    });

    await test.step('Restart now: electron-updater replaces the AppImage, starts it and quits', async () => {
      const installed = join(u.dir, u.release.file);
      expect(existsSync(u.appImage)).toBe(true);
      expect(existsSync(installed)).toBe(false);
      await banner(page).getByRole('button', { name: 'Restart now' }).click();
      // The window would go away with the app; here it stays, both buttons off while Clinic Desk quits.
      await expect(banner(page).getByRole('button', { name: 'Restart now' })).toBeDisabled();
      await expect(banner(page).getByRole('button', { name: 'Later' })).toBeDisabled();
      // electron-updater's quitAndInstall: `before-quit-for-update`, then app.quit().
      await expect.poll(() => u.quits).toEqual(['install-on-quit handler', 'quit']);
      expect(u.electronEvents).toEqual(['before-quit-for-update']);
      // AppImageUpdater.doInstall: the old file removed, the verified download moved next to it under its own name ...
      expect(existsSync(u.appImage)).toBe(false);
      expect(readFileSync(installed).equals(u.release.body)).toBe(true);
      expect(existsSync(join(u.pending, u.release.file))).toBe(false);
      // ... and started, silently ("Restart" rather than an installer).
      await expect.poll(() => (existsSync(startedMarker(installed)) ? readFileSync(startedMarker(installed), 'utf8') : null)).toBe('APPIMAGE_SILENT_INSTALL=true\n');
      expect(u.logger.records).toContainEqual(expect.objectContaining({ message: 'installing update', fields: { version: VERSION, by: 'user' } }));
      expect(u.logger.records).toContainEqual(expect.objectContaining({ message: 'electron-updater', fields: { message: 'Install: isSilent: true, isForceRunAfter: true' } }));
      expect(u.service.status().state).toBe('ready');
    });
  });
});

test.describe('a tampered artifact', () => {
  test.use({ updater: { tampered: true } });

  test('is refused by its sha512: a quiet line, never "Restart now"', async ({ page, preview, updates }) => {
    const u = need(updates);
    await signInDemo(page, preview, 'Reception');
    await expect(banner(page).getByRole('status')).toHaveText(`Downloading Clinic Desk ${VERSION}`);
    u.startDownload();

    const status = banner(page).getByRole('status');
    await expect(status).toHaveText(new RegExp(`^Clinic Desk ${VERSION.replaceAll('.', '\\.')} could not be downloaded; trying again at \\d\\d:\\d\\d\\.$`), { timeout: 15_000 });
    const error = u.service.status();
    if (error.state !== 'error' || error.retryAt === null) throw new Error(`expected a download error with a retry, got ${JSON.stringify(error)}`);
    expect(error).toMatchObject({ during: 'download', version: VERSION, message: expect.stringContaining('sha512 checksum mismatch') });
    // The retry time in the page's time zone (UTC).
    await expect(status).toHaveText(`Clinic Desk ${VERSION} could not be downloaded; trying again at ${error.retryAt.slice(11, 16)}.`);
    await expect(banner(page).getByRole('button', { name: 'Restart now' })).toHaveCount(0);
    await expect(banner(page).getByRole('progressbar')).toHaveCount(0);
    expect(u.statuses.some((s) => s.state === 'ready')).toBe(false);

    await goTo(page, 'Diagnostics');
    const details = page.getByRole('region', { name: 'Version and updates' });
    await expect(details.getByRole('status')).toContainText(`The download of Clinic Desk ${VERSION} failed: sha512 checksum mismatch`);
    await expect(details.getByRole('button', { name: 'Restart and install' })).toHaveCount(0);
    await expect(banner(page).getByRole('button', { name: 'Restart now' })).toHaveCount(0);

    // Nothing kept, nothing installed, nothing quit.
    expect(existsSync(join(u.pending, u.release.file))).toBe(false);
    expect(existsSync(u.appImage)).toBe(true);
    expect(u.quits).toEqual([]);
    expect(u.electronEvents).toEqual([]);
  });
});
