/**
 * The real electron-updater (its AppImage updater, as a Linux desk runs it)
 * without Electron, for the tests that drive it: electron-updater takes an
 * app adapter and an HTTP executor in place of Electron's `app` and `net`,
 * here a temp folder and node:http, and reads its releases from a
 * generic-provider feed served on 127.0.0.1.
 *
 * Used by tests/integration/core/updater.test.ts (plain Node) and by the
 * end-to-end fixtures (tests/e2e/fixtures.ts), which put the same updater
 * behind the preview desk so the real renderer shows what it does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import { Module, createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HttpExecutor, configureRequestOptions, configureRequestUrl, type DownloadOptions } from 'builder-util-runtime';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { UpdateStatus } from '../../src/shared/desk-state';
import { UpdatePolicy } from '../../src/main/core/config/schema';
import { memoryLogger } from '../../src/main/core/log';
import { decideUpdates } from '../../src/main/core/updates/policy';
import { UpdateService } from '../../src/main/core/updates/updates';
import { createUpdaterEngine } from '../../src/main/electron/updater';

/** Electron's `net` stand-in: electron-updater's HttpExecutor over node:http. */
export class NodeHttpExecutor extends HttpExecutor<ReturnType<typeof request>> {
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

export interface Release {
  version: string;
  file: string;
  body: Buffer;
  /** What the server sends instead of `body` (a tampered artifact). */
  served?: Buffer;
}

/** A release as electron-builder names a Linux AppImage; its body is random bytes (2 MiB unless told). */
export const release = (version: string, bytes = 2 * 1024 * 1024): Release => ({ version, file: `ClinicDesk-${version}-linux-x86_64.AppImage`, body: randomBytes(bytes) });

/**
 * A release whose AppImage can be started: electron-updater's install (quitAndInstall with
 * "run after") starts the new file. This one is a shell script that writes
 * `<its path>.started` (with the APPIMAGE_SILENT_INSTALL it was given) and exits; random
 * bytes after it make up the size.
 */
export function runnableRelease(version: string, bytes = 2 * 1024 * 1024): Release {
  const script = Buffer.from(['#!/bin/sh', `# Clinic Desk ${version}, a test stand-in: notes that it was started, then exits.`, 'printf \'APPIMAGE_SILENT_INSTALL=%s\\n\' "$APPIMAGE_SILENT_INSTALL" > "$0.started"', 'exit 0', ''].join('\n'));
  return { version, file: `ClinicDesk-${version}-linux-x86_64.AppImage`, body: Buffer.concat([script, randomBytes(Math.max(0, bytes - script.length))]) };
}

/** The path `runnableRelease`'s AppImage writes when it is started. */
export const startedMarker = (appImage: string): string => `${appImage}.started`;

/** A folder of release files as electron-builder publishes them. */
export class FeedServer {
  readonly requests: string[] = [];
  /** Artifacts go out in this many slices `sliceMs` apart; electron-updater reports progress at most once a second. */
  slices = 1;
  sliceMs = 250;
  readonly files = new Map<string, Buffer>();
  private server: Server | null = null;
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;
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

  /** Artifacts answer with their headers, then hold their bytes until `release()`; channel files are not held. */
  hold(): void {
    this.gate ??= new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }

  /** Lets held artifacts (and later ones) go out. */
  release(): void {
    this.open();
    this.gate = null;
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
      res.flushHeaders();
      const slice = Math.ceil(body.length / this.slices);
      let sent = 0;
      const next = () => {
        // The server stopped (or the client went away) between slices.
        if (res.destroyed) return;
        res.write(body.subarray(sent, sent + slice));
        sent += slice;
        if (sent >= body.length) res.end();
        else setTimeout(next, this.sliceMs);
      };
      if (this.gate) void this.gate.then(next);
      else next();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/**
 * The file the AppImage updater replaces, named by `$APPIMAGE` (random bytes, as
 * the running 1.4.2 would be); `restore()` puts `$APPIMAGE` back as it was.
 */
export function fakeAppImage(dir: string, version = '1.4.2'): { path: string; restore(): void } {
  const before = process.env['APPIMAGE'];
  const path = join(dir, `ClinicDesk-${version}-linux-x86_64.AppImage`);
  process.env['APPIMAGE'] = path;
  writeFileSync(path, randomBytes(4096));
  return {
    path,
    restore: () => {
      if (before === undefined) delete process.env['APPIMAGE'];
      else process.env['APPIMAGE'] = before;
    },
  };
}

/**
 * The `electron` module as electron-updater's quitAndInstall reaches for it
 * (`require("electron").autoUpdater.emit("before-quit-for-update")`, right
 * before `app.quit()`). Outside Electron that require would load the npm
 * package, which tries to download an Electron binary; this puts a stand-in
 * in Node's module cache for electron-updater's `require("electron")`, which
 * records the events it is sent. `restore()` takes it out again.
 */
export function electronStandIn(): { events: string[]; restore(): void } {
  const here = createRequire(import.meta.url);
  const id = createRequire(here.resolve('electron-updater')).resolve('electron');
  const before = here.cache[id];
  const events: string[] = [];
  const autoUpdater = new EventEmitter();
  autoUpdater.on('before-quit-for-update', () => events.push('before-quit-for-update'));
  const standIn = new Module(id);
  standIn.filename = id;
  standIn.loaded = true;
  standIn.exports = { autoUpdater };
  here.cache[id] = standIn;
  return {
    events,
    restore: () => {
      if (before === undefined) delete here.cache[id];
      else here.cache[id] = before;
    },
  };
}

export interface UpdateDeskOptions {
  /** A temp folder for app-update.yml, the userData and the updater's cache (pending downloads). */
  dir: string;
  /** The admin policy's `updates` (parsed with UpdatePolicy). */
  policy: unknown;
  currentVersion?: string;
  /** UpdateService's first-check delay (its default when unset). */
  firstCheckDelayMs?: number;
}

export interface UpdateDesk {
  service: UpdateService;
  /** Every status the service sent, checked against the bridge schema. */
  statuses: UpdateStatus[];
  /** Resolves with the first status in `state` (now or later); rejects after `ms`. */
  until(state: UpdateStatus['state'], ms?: number): Promise<UpdateStatus>;
  logger: ReturnType<typeof memoryLogger>;
  /** What electron-updater asked of the app adapter: 'relaunch', 'quit', 'install-on-quit handler'. */
  quits: string[];
  /** How often electron-updater was loaded. */
  loaded(): number;
  /** The updater's folder of verified downloads. */
  pending: string;
}

/** An UpdateService over the real AppImageUpdater, with a temp-folder app adapter and node:http. */
export function updateDesk(options: UpdateDeskOptions): UpdateDesk {
  const { dir, policy } = options;
  const currentVersion = options.currentVersion ?? '1.4.2';
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
    ...(options.firstCheckDelayMs === undefined ? {} : { firstCheckDelayMs: options.firstCheckDelayMs }),
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
