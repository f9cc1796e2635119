/**
 * The real electron-updater (its AppImage updater, as a Linux desk runs it)
 * under the UpdateService, against a generic-provider feed served on
 * 127.0.0.1: the check, the background download with its progress, and the
 * sha512 check electron-updater makes of every download. It runs without
 * Electron: electron-updater takes an app adapter and an HTTP executor in
 * place of Electron's `app` and `net`, here a temp folder and node:http.
 *
 * What this cannot show: Windows' Authenticode check (NsisUpdater, against
 * the publisherName in app-update.yml) and Squirrel.Mac's code-signature
 * check; they run only on those systems with signed builds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpExecutor, configureRequestOptions, configureRequestUrl, type DownloadOptions } from 'builder-util-runtime';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpdateStatus } from '../../../src/shared/desk-state';
import { UpdatePolicy } from '../../../src/main/core/config';
import { memoryLogger } from '../../../src/main/core/log';
import { decideUpdates } from '../../../src/main/core/update-policy';
import { UpdateService } from '../../../src/main/core/updates';
import { createUpdaterEngine } from '../../../src/main/electron/updater';

/** Electron's `net` stand-in: electron-updater's HttpExecutor over node:http. */
class NodeHttpExecutor extends HttpExecutor<ReturnType<typeof request>> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ReturnType<typeof request> {
    return request(options, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, { destination, options, onCancel, callback: (error) => (error ? reject(error) : resolve(destination)), responseHandler: null }, 0);
    });
  }
}

interface Release {
  version: string;
  file: string;
  body: Buffer;
  /** What the server sends instead of `body` (a tampered artifact). */
  served?: Buffer;
}

/** A folder of release files as electron-builder publishes them. */
class FeedServer {
  readonly requests: string[] = [];
  /** Artifacts go out in this many slices 250 ms apart; electron-updater reports progress at most once a second. */
  slices = 1;
  readonly files = new Map<string, Buffer>();
  private server: Server | null = null;
  base = '';

  publish(folder: string, channelFile: string, release: Release): void {
    const sha512 = createHash('sha512').update(release.body).digest('base64');
    const yml = [
      `version: ${release.version}`,
      'files:',
      `  - url: ${release.file}`,
      `    sha512: ${sha512}`,
      `    size: ${release.body.length}`,
      `path: ${release.file}`,
      `sha512: ${sha512}`,
      "releaseDate: '2026-11-20T10:00:00.000Z'",
      '',
    ].join('\n');
    this.files.set(`${folder}${channelFile}`, Buffer.from(yml));
    this.files.set(`${folder}${release.file}`, release.served ?? release.body);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.requests.push(path);
      const body = this.files.get(path);
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      if (!path.endsWith('.AppImage')) {
        res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      const slice = Math.ceil(body.length / this.slices);
      let sent = 0;
      const next = () => {
        res.write(body.subarray(sent, sent + slice));
        sent += slice;
        if (sent >= body.length) res.end();
        else setTimeout(next, 250);
      };
      next();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let dir: string;
let feed: FeedServer;
let appImage: string | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-updater-'));
  feed = new FeedServer();
  await feed.start();
  // The AppImage updater replaces the file it runs from, named by $APPIMAGE.
  appImage = process.env['APPIMAGE'];
  process.env['APPIMAGE'] = join(dir, 'ClinicDesk-1.4.2-linux-x86_64.AppImage');
  writeFileSync(process.env['APPIMAGE'], randomBytes(4096));
});

afterEach(async () => {
  await feed.stop();
  if (appImage === undefined) delete process.env['APPIMAGE'];
  else process.env['APPIMAGE'] = appImage;
  rmSync(dir, { recursive: true, force: true });
});

function desk(policy: unknown, currentVersion = '1.4.2') {
  const quits: string[] = [];
  const app: AppAdapter = {
    version: currentVersion,
    name: 'Clinic Desk',
    isPackaged: true,
    // As electron-builder writes it into resources/ (publish: generic); the policy's url replaces its url.
    appUpdateConfigPath: join(dir, 'app-update.yml'),
    userDataPath: join(dir, 'userData'),
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => quits.push('relaunch'),
    quit: () => quits.push('quit'),
    onQuit: () => quits.push('install-on-quit handler'),
  };
  writeFileSync(app.appUpdateConfigPath, 'provider: generic\nurl: https://updates.invalid/placeholder\nupdaterCacheDirName: clinic-desk-updater\n');
  class TestAppImageUpdater extends AppImageUpdater {
    constructor() {
      super(null, app);
      Object.assign(this, { httpExecutor: new NodeHttpExecutor() });
    }
  }
  let loaded = 0;
  const logger = memoryLogger();
  const decision = decideUpdates(UpdatePolicy.parse(policy), { currentVersion, packaged: true, platform: 'linux', install: 'appimage' });
  const service = new UpdateService({
    decision,
    currentVersion,
    engine: () =>
      createUpdaterEngine({
        platform: 'linux',
        logger,
        load: async () => {
          loaded++;
          return { AppImageUpdater: TestAppImageUpdater, NsisUpdater: TestAppImageUpdater, MacUpdater: TestAppImageUpdater };
        },
      }),
    logger,
  });
  const statuses: UpdateStatus[] = [];
  service.onStatus((s) => statuses.push(UpdateStatus.parse(s)));
  const until = (state: UpdateStatus['state'], ms = 15_000) =>
    new Promise<UpdateStatus>((resolve, reject) => {
      if (service.status().state === state) return resolve(service.status());
      const timer = setTimeout(() => reject(new Error(`no "${state}" within ${ms} ms; states: ${statuses.map((s) => s.state).join(', ')}`)), ms);
      const off = service.onStatus((s) => {
        if (s.state !== state) return;
        clearTimeout(timer);
        off();
        resolve(s);
      });
    });
  return { service, statuses, until, logger, quits, loaded: () => loaded, pending: join(dir, 'cache', 'clinic-desk-updater', 'pending') };
}

const release = (version: string, bytes = 2 * 1024 * 1024): Release => ({ version, file: `ClinicDesk-${version}-linux-x86_64.AppImage`, body: randomBytes(bytes) });

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
