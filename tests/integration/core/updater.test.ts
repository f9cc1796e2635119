/**
 * The real electron-updater (its AppImage updater, as a Linux desk runs it)
 * under the UpdateService, against a generic-provider feed served on
 * 127.0.0.1: the check, the background download with its progress, and the
 * sha512 check electron-updater makes of every download. It runs without
 * Electron: electron-updater takes an app adapter and an HTTP executor in
 * place of Electron's `app` and `net`, here a temp folder and node:http
 * (tests/helpers/update-feed.ts, which the end-to-end tests share).
 *
 * What this cannot show: Windows' Authenticode check (NsisUpdater, against
 * the publisherName in app-update.yml) and Squirrel.Mac's code-signature
 * check; they run only on those systems with signed builds.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedServer, fakeAppImage, release, updateDesk } from '../../helpers/update-feed';

let dir: string;
let feed: FeedServer;
let appImage: { restore(): void };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-updater-'));
  feed = new FeedServer();
  await feed.start();
  // The AppImage updater replaces the file it runs from, named by $APPIMAGE.
  appImage = fakeAppImage(dir, '1.4.2');
});

afterEach(async () => {
  await feed.stop();
  appImage.restore();
  rmSync(dir, { recursive: true, force: true });
});

const desk = (policy: unknown, currentVersion = '1.4.2') => updateDesk({ dir, policy, currentVersion });

describe('the real electron-updater against a generic feed', () => {
  it('finds a newer release, downloads it in the background with progress, verifies it and holds it for install on quit', async () => {
    const r = release('1.5.0');
    feed.publish('/clinic-desk/', 'latest-linux.yml', r);
    feed.slices = 8;
    const d = desk({ url: `${feed.base}/clinic-desk` });
    expect(await d.service.checkNow()).toMatchObject({ state: 'available', version: '1.5.0' });
    const ready = await d.until('ready');
    expect(ready).toMatchObject({ version: '1.5.0', installAt: null, lastCheckedAt: expect.any(String) });

    const progress = d.statuses.filter((s) => s.state === 'downloading');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((s) => s.percent > 0 && s.percent < 100)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ percent: 100, transferred: r.body.length, total: r.body.length });
    expect(d.statuses.map((s) => s.state)).toEqual(['checking', 'available', ...progress.map(() => 'downloading'), 'ready']);

    expect(feed.requests).toEqual(['/clinic-desk/latest-linux.yml', `/clinic-desk/${r.file}`]);
    expect(readFileSync(join(d.pending, r.file)).equals(r.body)).toBe(true);
    // electron-updater's quit handler installs it when Clinic Desk quits; nothing restarts now.
    expect(d.quits).toEqual(['install-on-quit handler']);
    expect(d.logger.records).toContainEqual(expect.objectContaining({ message: 'electron-updater', fields: { message: expect.stringContaining('New version 1.5.0 has been downloaded') } }));
  });

  it('refuses a download whose sha512 does not match the feed: an error, nothing ready, nothing kept', async () => {
    const r = release('1.5.0');
    const tampered = Buffer.from(r.body);
    tampered[1000] = (tampered[1000] ?? 0) ^ 0xff;
    feed.publish('/clinic-desk/', 'latest-linux.yml', { ...r, served: tampered });
    const d = desk({ url: `${feed.base}/clinic-desk` });
    await d.service.checkNow();
    const error = await d.until('error');
    expect(error).toMatchObject({ during: 'download', version: '1.5.0', message: expect.stringContaining('sha512 checksum mismatch'), retryAt: expect.any(String) });
    expect(d.statuses.some((s) => s.state === 'ready')).toBe(false);
    expect(() => d.service.installNow()).toThrow('No update is ready to install.');
    expect(existsSync(join(d.pending, r.file)) ? readdirSync(d.pending) : []).not.toContain(r.file);
    expect(d.quits).toEqual([]);
    d.service.stop();
  });

  it('stable reads latest-linux.yml, beta reads beta-linux.yml', async () => {
    feed.publish('/clinic-desk/', 'latest-linux.yml', release('1.4.3', 64 * 1024));
    feed.publish('/clinic-desk/', 'beta-linux.yml', release('1.5.0-beta.1', 64 * 1024));
    const stable = desk({ url: `${feed.base}/clinic-desk`, channel: 'stable' });
    expect(await stable.service.checkNow()).toMatchObject({ state: 'available', version: '1.4.3' });
    await stable.until('ready');
    const beta = desk({ url: `${feed.base}/clinic-desk`, channel: 'beta' });
    expect(await beta.service.checkNow()).toMatchObject({ state: 'available', version: '1.5.0-beta.1', channel: 'beta' });
    await beta.until('ready');
    expect(feed.requests.filter((p) => p.endsWith('.yml'))).toEqual(['/clinic-desk/latest-linux.yml', '/clinic-desk/beta-linux.yml']);
  });

  it('a pin reads the version folder and downgrades to it', async () => {
    feed.publish('/clinic-desk/', 'latest-linux.yml', release('1.5.0', 64 * 1024));
    feed.publish('/clinic-desk/1.3.0/', 'latest-linux.yml', release('1.3.0', 64 * 1024));
    const d = desk({ url: `${feed.base}/clinic-desk`, pinVersion: '1.3.0' });
    expect(await d.service.checkNow()).toMatchObject({ state: 'available', version: '1.3.0', pinnedVersion: '1.3.0' });
    await d.until('ready');
    expect(feed.requests).toEqual(['/clinic-desk/1.3.0/latest-linux.yml', '/clinic-desk/1.3.0/ClinicDesk-1.3.0-linux-x86_64.AppImage']);
  });

  it('a release that is not newer is not offered', async () => {
    feed.publish('/clinic-desk/', 'latest-linux.yml', release('1.4.2', 1024));
    const d = desk({ url: `${feed.base}/clinic-desk` });
    expect(await d.service.checkNow()).toMatchObject({ state: 'idle', lastCheckedAt: expect.any(String) });
    expect(feed.requests).toEqual(['/clinic-desk/latest-linux.yml']);
    d.service.stop();
  });

  it('a missing channel file is a quiet error with a retry', async () => {
    const d = desk({ url: `${feed.base}/nothing-here` });
    expect(await d.service.checkNow()).toMatchObject({ state: 'error', during: 'check', version: null, message: expect.stringContaining('Cannot find channel "latest-linux.yml"') });
    d.service.stop();
  });

  it('off: electron-updater is never loaded and the server never asked', async () => {
    feed.publish('/clinic-desk/', 'latest-linux.yml', release('1.5.0', 1024));
    for (const policy of [{}, { url: `${feed.base}/clinic-desk`, enabled: false }, { url: `${feed.base}/clinic-desk`, pinVersion: '1.4.2' }]) {
      const d = desk(policy);
      d.service.start();
      await expect(d.service.checkNow()).rejects.toThrow(/Updates are off/);
      d.service.stop();
      expect(d.loaded()).toBe(0);
    }
    expect(feed.requests).toEqual([]);
  });
});
