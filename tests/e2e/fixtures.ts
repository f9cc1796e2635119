/**
 * End-to-end fixtures: each test gets, in the Playwright worker process, a
 * real desk core (`DeskService`, built as `clinic-desk preview` builds it), the
 * embedded demo clinic (seed 42, no scenario: only what the test does
 * happens), and the browser preview host serving the built renderer
 * (`out/renderer`, built once by global-setup.ts). The page opens the host's
 * one-time link, exactly as a person opens the URL `npm run preview:web`
 * prints.
 *
 * With `test.use({ updater: {...} })` the desk also has an updater: the real
 * electron-updater (its AppImage updater) against an update feed on
 * 127.0.0.1 that publishes Clinic Desk 1.5.0 (tests/helpers/update-feed.ts);
 * the `updates` fixture is what the test sees of it. Without it, updates are
 * off, as on any preview desk.
 *
 * With `test.use({ apiDialect: 'cursor' })` the demo clinic's REST API answers
 * in that dialect (src/main/demo/dialects; the desk's contract by default).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Browser, type Locator, type Page } from '@playwright/test';
import type { DemoAccount } from '../../src/shared/bridge';

type DemoRole = DemoAccount['role'];
import type { DeskService } from '../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../src/main/core/log';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import type { ApiDialectName } from '../../src/main/demo/dialects';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import type { DemoServerInfo, DemoUserInfo } from '../../src/main/demo/info';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { rendererDir } from '../../src/main/preview/build-renderer';
import { createPreviewDesk } from '../../src/main/preview/preview-desk';
import type { Appointment } from '../../src/shared/domain';
import { startPreviewHost, type PreviewHost } from '../../src/main/preview/server';
import { FeedServer, electronStandIn, fakeAppImage, runnableRelease, updateDesk, type Release, type UpdateDesk } from '../helpers/update-feed';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
export const DEMO_SEED = 42;

export interface Preview {
  /** The one-time link for this test's page. */
  url: string;
  host: PreviewHost;
  desk: DeskService;
  demo: EmbeddedDemo;
  /** The demo clinic, started before the test (so faults can be injected before sign-in). */
  clinic: DemoClinic;
  /** The demo account a role's "Try the demo clinic" button signs in with. */
  account(role: DemoRole): DemoUserInfo;
  /** Links the desk handed to the host to open in the browser. */
  opened: string[];
  /** The clock the desk and the demo clinic read (`startAt`, running on; else the real one). */
  now: () => number;
}

/**
 * A policy that names the demo clinic (its API and socket server are on ports chosen at
 * start). Wrapped in an object: Playwright takes a bare function in `test.use` for a fixture.
 */
export interface PolicyFor {
  forClinic: (clinic: DemoServerInfo) => unknown;
}

function isPolicyFor(policy: unknown): policy is PolicyFor {
  return typeof policy === 'object' && policy !== null && 'forClinic' in policy && typeof policy.forClinic === 'function';
}

/** `test.use({ updater: {...} })`: this test's desk updates from a test feed. */
export interface UpdaterOption {
  /** The policy's `updates`; its `url` is the feed's (`<feed>/clinic-desk`) unless given. */
  policy?: Record<string, unknown>;
  /** The server sends an artifact that differs (one byte) from the one its channel file describes. */
  tampered?: boolean;
}

/** The updater behind this test's desk, and the feed it reads. */
export interface Updates extends UpdateDesk {
  feed: FeedServer;
  /** The policy's `url` (`<feed>/clinic-desk`); the updater reads the folder `<feed>/clinic-desk/`. */
  feedUrl: string;
  /** Clinic Desk 1.5.0 as the feed's channel file describes it (`served` when tampered). */
  release: Release;
  /** The folder the AppImages live in. */
  dir: string;
  /** `$APPIMAGE`: the running 1.4.2, which an install replaces. */
  appImage: string;
  /** What electron-updater sent the `electron` module's autoUpdater ('before-quit-for-update'). */
  electronEvents: string[];
  /**
   * The feed holds the artifact's bytes (after its headers) until this is
   * called, so a test sees the download from its start; then they go out in
   * 12 slices 250 ms apart (about 3 s, so electron-updater reports progress
   * on the way).
   */
  startDownload(): void;
}

export const test = base.extend<{
  preview: Preview;
  policy: unknown;
  apiDialect: ApiDialectName;
  clinicZone: string;
  startAt: number | undefined;
  reconcileMs: number | undefined;
  updater: UpdaterOption | undefined;
  updates: Updates | null;
}>({
  /**
   * An admin policy file's contents for this test's desk (`test.use({ policy: {...} })`), or
   * `{ forClinic }` to make them from the demo clinic's addresses; none by default.
   */
  policy: [undefined, { option: true }],
  /** The REST dialect the demo clinic speaks (`test.use({ apiDialect: 'cursor' })`); the desk's contract by default. */
  apiDialect: ['default', { option: true }],
  /** The demo clinic's time zone (its user answer says it, so the desk's days follow it); UTC by default. */
  clinicZone: ['UTC', { option: true }],
  /**
   * The instant the desk, the demo clinic and the page's clock read when the test starts (then
   * running on in real time); the real clock by default. The page's clock is set in `signInDemo`.
   */
  startAt: [undefined, { option: true }],
  /** The desk's reconciliation interval while live, in ms (the setting's 60 s by default). */
  reconcileMs: [undefined, { option: true }],
  /** An update feed and the real electron-updater for this test's desk; none by default. */
  updater: [undefined, { option: true }],
  updates: async ({ updater }, use) => {
    if (updater === undefined) {
      await use(null);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'clinic-desk-e2e-updates-'));
    const feed = new FeedServer();
    await feed.start();
    const release = runnableRelease('1.5.0');
    if (updater.tampered === true) {
      const served = Buffer.from(release.body);
      served[1_000_000] = (served[1_000_000] ?? 0) ^ 0xff;
      release.served = served;
    }
    feed.publish('/clinic-desk/', 'latest-linux.yml', release);
    feed.slices = 12;
    feed.hold();
    const appImage = fakeAppImage(dir, '1.4.2');
    const electron = electronStandIn();
    const feedUrl = `${feed.base}/clinic-desk`;
    const desk = updateDesk({ dir, policy: { url: feedUrl, ...updater.policy }, currentVersion: '1.4.2', firstCheckDelayMs: 100 });
    try {
      await use({ ...desk, feed, feedUrl, release, dir, appImage: appImage.path, electronEvents: electron.events, startDownload: () => feed.release() });
    } finally {
      desk.service.stop();
      feed.release();
      await feed.stop();
      electron.restore();
      appImage.restore();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  preview: async ({ policy, apiDialect, clinicZone, startAt, reconcileMs, updates }, use) => {
    const base = mkdtempSync(join(tmpdir(), 'clinic-desk-e2e-'));
    const t0 = Date.now();
    const now = startAt === undefined ? Date.now : () => startAt + (Date.now() - t0);
    const demo = embeddedDemo({ seed: DEMO_SEED, apiDialect, timeZone: clinicZone, now, scenario: { autoStart: false }, logger: quietDemoLogger });
    // Starts the clinic first (the desk signs in later, when the page asks), so a policy can name it.
    await demo.start('reception');
    const clinic = demo.clinic;
    if (!clinic) throw new Error('the demo clinic did not start');
    const policyFile = join(base, 'policy.json');
    if (policy !== undefined) writeFileSync(policyFile, JSON.stringify(isPolicyFor(policy) ? policy.forClinic(clinic.info) : policy));
    const opened: string[] = [];
    const logger = memoryLogger();
    const { desk } = createPreviewDesk({
      env: {},
      settingsFile: join(base, 'settings.json'),
      cacheDir: join(base, 'cache'),
      demo,
      logger,
      ...(policy === undefined ? {} : { policyFile }),
      appVersion: 'e2e',
      now,
      ...(reconcileMs === undefined ? {} : { reconcileIntervalMs: () => reconcileMs }),
      onOpenExternal: (url) => opened.push(url),
      ...(updates ? { updates: updates.service } : {}),
    });
    // The first check follows 100 ms later (see `updates`).
    updates?.service.start();
    const host = await startPreviewHost({ rendererDir: rendererDir(ROOT), desk, logger });
    const account = (role: DemoRole) => {
      const email = `${role}${role === 'admin' ? '' : '1'}@northside.clinic.test`;
      const found = clinic.info.users.find((u) => u.email === email);
      if (!found) throw new Error(`the demo clinic has no ${email}`);
      return found;
    };
    await use({ url: host.url, host, desk, demo, clinic, account, opened, now });
    await host.close();
    await desk.close();
    await demo.close();
    rmSync(base, { recursive: true, force: true });
    const errors = logger.records.filter((r) => r.level === 'error');
    if (errors.length > 0) throw new Error(`the desk logged errors: ${JSON.stringify(errors)}`);
  },
});

export { expect };

// ---------------------------------------------------------------- steps ---

/** Opens the printed link; the sign-in screen shows. */
export async function openDesk(page: Page, preview: Preview): Promise<void> {
  await page.goto(preview.url);
  await expect(page.getByRole('heading', { name: 'Sign in to your clinic' })).toBeVisible();
}

/**
 * An appointment of today that is still ahead (scheduled or confirmed), of one doctor when
 * `doctorId` is given. The demo lays its day out on the real clock, so late in the UTC day every
 * appointment is past: one is then moved back to confirmed, before the desk signs in, so the test
 * does not depend on the hour it runs at.
 */
export function upcomingAppointment(preview: Preview, options: { doctorId?: number } = {}): Appointment {
  const { clinic } = preview;
  const today = clinic.store
    .appointmentsOn(preview.account('reception').clinicId, clinic.store.today())
    .filter((a) => options.doctorId === undefined || a.doctor_id === options.doctorId);
  const upcoming = today.find((a) => a.status === 'scheduled' || a.status === 'confirmed');
  if (upcoming) return upcoming;
  const any = today[0];
  if (!any) throw new Error(`seed ${DEMO_SEED} has no appointment today${options.doctorId === undefined ? '' : ` for doctor ${options.doctorId}`}`);
  return clinic.store.updateAppointment(any.id, { status: 'confirmed' });
}

/** "Try the demo clinic" → role; waits for the app shell and a live connection. */
export async function signInDemo(page: Page, preview: Preview, role: 'Reception' | 'Doctor' | 'Admin' = 'Reception'): Promise<void> {
  await openDesk(page, preview);
  await page.getByRole('group', { name: 'Try the demo clinic' }).getByRole('button', { name: role }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
}

export function connectionStatus(page: Page): Locator {
  return page.getByTestId('connection-status');
}

export function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

export type Screen = 'Board' | 'Consultations' | 'Notifications' | 'Conversations' | 'Presence' | 'Diagnostics' | 'Settings';

export async function goTo(page: Page, screen: Screen): Promise<void> {
  const button = nav(page).getByRole('button', { name: screen, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-current', 'page');
}

/** The bell's unread count, from its badge (hidden at 0). */
export async function unreadCount(page: Page): Promise<number> {
  const badge = page.getByTestId('unread-count');
  if (!(await badge.isVisible())) return 0;
  return Number((await badge.textContent())?.trim() ?? '0');
}

export function bell(page: Page, unread: number): Locator {
  return page.getByRole('button', { name: `Notifications, ${unread} unread`, exact: true });
}

/**
 * The tallest scrollable content on the page: the app shell scrolls inside its
 * main area, so `fullPage` alone would cut a long screen at the viewport.
 * (A string: the Node test project has no DOM types.)
 */
const CONTENT_HEIGHT = `Math.max(document.documentElement.scrollHeight, ...Array.from(document.querySelectorAll('*'), (el) => {
  const style = getComputedStyle(el);
  return /(auto|scroll)/.test(style.overflowY) ? el.scrollHeight + el.getBoundingClientRect().top : 0;
}))`;

/**
 * A screenshot of the whole screen (grown to its content, up to 2400 px) in
 * test-results/screenshots/<name>.png. By default it waits for the ~2 s
 * highlight of fresh items to fade, so the picture shows the steady screen.
 */
export async function screenshot(page: Page, name: string, options: { settle?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (options.settle !== false) await expect(page.locator('[data-highlight="true"]')).toHaveCount(0, { timeout: 5000 });
  const viewport = page.viewportSize();
  const height = Math.min(2400, Math.ceil(Number(await page.evaluate(CONTENT_HEIGHT))));
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  try {
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
  } finally {
    if (viewport && height > viewport.height) await page.setViewportSize(viewport);
  }
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = blocking.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  expect(summary, `accessibility of ${screen}`).toEqual([]);
}

/** A colleague's desk beside the test's: its own core and preview host, its own browser page. */
export interface ColleagueDesk {
  page: Page;
  desk: DeskService;
  close(): Promise<void>;
}

/**
 * Opens a second desk on the same demo clinic, configured as a clinic's
 * desktop is (the server and its Reverb socket from the environment, not the
 * demo), in a new browser context, and signs `email` in through the form.
 * What one desk does reaches the other only through the clinic's REST API and
 * its socket server, as between two computers.
 */
export async function openColleagueDesk(browser: Browser, preview: Preview, email: string): Promise<ColleagueDesk> {
  const info = preview.clinic.info;
  const account = info.users.find((u) => u.email === email);
  if (!account) throw new Error(`the demo clinic has no ${email}`);
  const base = mkdtempSync(join(tmpdir(), 'clinic-desk-e2e-colleague-'));
  const logger = memoryLogger();
  const env = { CLINIC_DESK_API_URL: info.apiUrl, REVERB_APP_KEY: info.appKey, REVERB_HOST: '127.0.0.1', REVERB_PORT: String(info.wsPort), REVERB_SCHEME: 'http' };
  const { desk } = createPreviewDesk({ env, settingsFile: join(base, 'settings.json'), cacheDir: join(base, 'cache'), logger, appVersion: 'e2e', now: preview.now });
  const host = await startPreviewHost({ rendererDir: rendererDir(ROOT), desk, logger });
  const context = await browser.newContext({ timezoneId: 'UTC' });
  const page = await context.newPage();
  await page.goto(host.url);
  await page.getByLabel('Clinic server URL').fill(info.apiUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
  return {
    page,
    desk,
    close: async () => {
      await context.close();
      await host.close();
      await desk.close();
      rmSync(base, { recursive: true, force: true });
      const errors = logger.records.filter((r) => r.level === 'error');
      if (errors.length > 0) throw new Error(`the colleague's desk logged errors: ${JSON.stringify(errors)}`);
    },
  };
}
