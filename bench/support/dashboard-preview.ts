/**
 * The browser preview as the e2e tests run it (tests/e2e/fixtures.ts), for the
 * dashboard benchmark: a real desk core (`createPreviewDesk`), the embedded
 * demo clinic (seed 42, no scenario: only what the benchmark sends happens),
 * the preview host serving the built renderer, and Debian's Chromium driven by
 * playwright-core. All of it but the browser runs in this Node process, as in
 * `clinic-desk preview` with "Try the demo clinic".
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { DeskService } from '../../src/main/core/desk/desk-service';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import { embeddedDemo, type EmbeddedDemo } from '../../src/main/demo/demo-port';
import type { DemoUserInfo } from '../../src/main/demo/info';
import { quietDemoLogger } from '../../src/main/demo/logger';
import { ensureRendererBuilt, rendererDir } from '../../src/main/preview/build-renderer';
import { startPreviewHost, type PreviewHost } from '../../src/main/preview/server';
import { createPreviewBenchDesk, type ErrorCountingLogger } from './preview-bench-desk';
import { ROOT } from './ipc';

export type { ErrorCountingLogger } from './preview-bench-desk';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Playwright's "Desktop Chrome" viewport, as the e2e screenshots use. */
export const VIEWPORT = { width: 1280, height: 720 };

export interface BenchPreview {
  host: PreviewHost;
  desk: DeskService;
  demo: EmbeddedDemo;
  clinic: DemoClinic;
  logger: ErrorCountingLogger;
  account(role: 'reception' | 'doctor' | 'admin'): DemoUserInfo;
  close(): Promise<void>;
}

/** Builds `out/renderer` when it is older than its sources (as global-setup.ts does); returns whether it built. */
export async function ensureRenderer(): Promise<boolean> {
  return (await ensureRendererBuilt(ROOT)).built;
}

/** `dir`: the renderer to serve; out/renderer by default (another build, e.g. an earlier commit's, for a baseline). */
export async function startBenchPreview(dir = rendererDir(ROOT)): Promise<BenchPreview> {
  const demo = embeddedDemo({ seed: 42, scenario: { autoStart: false }, logger: quietDemoLogger });
  const bench = createPreviewBenchDesk(demo, 'clinic-desk-dashboard-bench-');
  const { desk, logger } = bench;
  await demo.start('reception');
  const clinic = demo.clinic;
  if (!clinic) throw new Error('the demo clinic did not start');
  const host = await startPreviewHost({ rendererDir: dir, desk, logger });
  return {
    host,
    desk,
    demo,
    clinic,
    logger,
    account(role) {
      const email = `${role}${role === 'admin' ? '' : '1'}@northside.clinic.test`;
      const found = clinic.info.users.find((u) => u.email === email);
      if (!found) throw new Error(`the demo clinic has no ${email}`);
      return found;
    },
    async close() {
      await host.close();
      await bench.close();
      await demo.close();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A context like the e2e tests' (UTC: the demo lays its day out in UTC), with `initScript` in every page. */
export async function openPage(browser: Browser, initScript: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, timezoneId: 'UTC' });
  await context.addInitScript({ content: initScript });
  const page = await context.newPage();
  return { context, page };
}

/** Opens the one-time link `url` and signs in with "Try the demo clinic" → `role`; resolves once live. */
export async function signInDemoAs(page: Page, url: string, role: 'Reception' | 'Doctor' | 'Admin', timeoutMs = 60_000): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in to your clinic' }).waitFor({ timeout: timeoutMs });
  await page.getByRole('group', { name: 'Try the demo clinic' }).getByRole('button', { name: role }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: timeoutMs });
  await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: timeoutMs });
}

/** Opens the one-time link and signs in with "Try the demo clinic" → Reception; resolves once live. */
export async function signInReception(page: Page, preview: BenchPreview, timeoutMs = 60_000): Promise<void> {
  await signInDemoAs(page, preview.host.url, 'Reception', timeoutMs);
}
