/**
 * A recording stand-in for the `electron` module, for tests that run the main
 * process adapters (and the whole composition root) in plain Node:
 *
 *   vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());
 *
 * It records what the app asks of Electron (window options, handlers,
 * registrations, menus, notifications, badges) and lets a test play the OS and
 * the renderer: emit app and powerMonitor events, invoke IPC handlers as a
 * given frame, click menu items and notifications, crash a renderer. It models
 * only what Clinic Desk uses, and only as far as the tests need: passing here
 * says the app asks for the right things, not that Electron does them.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An Electron event object: `preventDefault()` and whatever the event carries. */
export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  [key: string]: unknown;
}
export function fakeEvent(fields: Record<string, unknown> = {}): FakeEvent {
  const event: FakeEvent = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** Every call that matters for ordering, e.g. "protocol.registerSchemesAsPrivileged" before "app.ready". */
export const calls: string[] = [];

// ───────────────────────────────────────────────────────────── frames, contents ──

let nextFrameId = 1;
export class FakeFrame {
  readonly frameTreeNodeId = nextFrameId++;
  readonly routingId = this.frameTreeNodeId;
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
  get top(): FakeFrame {
    return this.parent ? this.parent.top : this;
  }
  /** A subframe of this frame (an iframe) at `url`. */
  child(url: string): FakeFrame {
    return new FakeFrame(url, this);
  }
}

let nextContentsId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame = new FakeFrame('');
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  reloads = 0;
  crashed = 0;
  destroyed = false;
  readonly session = session.defaultSession;

  getURL(): string {
    return this.mainFrame.url;
  }
  loadURL(url: string): Promise<void> {
    this.mainFrame.url = url;
    this.emit('did-start-loading');
    queueMicrotask(() => this.emit('did-finish-load'));
    return Promise.resolve();
  }
  reload(): void {
    this.reloads++;
    this.emit('did-start-loading');
    queueMicrotask(() => this.emit('did-finish-load'));
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  forcefullyCrashRenderer(): void {
    this.crashed++;
    this.emit('render-process-gone', fakeEvent(), { reason: 'killed', exitCode: 9 });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isLoading(): boolean {
    return false;
  }
  /** Test helper: what was sent on `channel`, payloads only. */
  sentOn(channel: string): unknown[] {
    return this.sent.filter((s) => s.channel === channel).map((s) => s.args[0]);
  }
  /** Test helper: a page's attempt to navigate; returns whether it was prevented. */
  navigate(url: string, event = 'will-navigate'): boolean {
    const e = fakeEvent({ url, isMainFrame: true, isSameDocument: false });
    this.emit(event, e, url);
    return e.defaultPrevented;
  }
}

// ───────────────────────────────────────────────────────────── windows ──

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances.filter((w) => !w.destroyed);
  }
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.getAllWindows().find((w) => w.focused) ?? null;
  }
  static fromWebContents(contents: FakeWebContents): FakeBrowserWindow | null {
    return FakeBrowserWindow.instances.find((w) => w.webContents === contents) ?? null;
  }

  readonly webContents = new FakeWebContents();
  readonly options: Record<string, unknown>;
  bounds: Rect;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  flashing: boolean[] = [];
  overlays: Array<{ image: FakeNativeImage | null; description: string }> = [];

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    const n = (key: string, fallback: number) => {
      const value = options[key];
      return typeof value === 'number' ? value : fallback;
    };
    this.bounds = { x: n('x', 100), y: n('y', 100), width: n('width', 800), height: n('height', 600) };
    FakeBrowserWindow.instances.push(this);
    calls.push('BrowserWindow.new');
    app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  get webPreferences(): Record<string, unknown> {
    return (this.options['webPreferences'] ?? {}) as Record<string, unknown>;
  }
  loadURL(url: string): Promise<void> {
    calls.push(`BrowserWindow.loadURL ${url}`);
    return this.webContents.loadURL(url);
  }
  loadFile(file: string): Promise<void> {
    return this.loadURL(`file://${file}`);
  }
  show(): void {
    this.visible = true;
    this.minimized = false;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
    this.emit('hide');
  }
  focus(): void {
    if (!this.focused) {
      this.focused = true;
      this.emit('focus');
    }
  }
  blur(): void {
    this.focused = false;
    this.emit('blur');
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    this.minimized = true;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getBounds(): Rect {
    return { ...this.bounds };
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  setBounds(bounds: Partial<Rect>): void {
    this.bounds = { ...this.bounds, ...bounds };
    this.emit('resize');
  }
  flashFrame(flag: boolean): void {
    this.flashing.push(flag);
  }
  setOverlayIcon(image: FakeNativeImage | null, description: string): void {
    this.overlays.push({ image, description });
  }
  /** The user (or the OS) closes the window; returns whether it actually closed. */
  close(): boolean {
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
    if (FakeBrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setTitle(): void {}
}

// ───────────────────────────────────────────────────────────── app ──

class FakeDock {
  bounces: string[] = [];
  hidden = false;
  hide(): void {
    this.hidden = true;
  }
  bounce(type = 'informational'): number {
    this.bounces.push(type);
    return this.bounces.length;
  }
  cancelBounce(): void {}
  setBadge(): void {}
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  name = 'Clinic Desk';
  paths: Record<string, string> = {};
  ready = false;
  /** What `requestSingleInstanceLock` answers: false plays a second launch. */
  gotLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  badgeCounts: number[] = [];
  loginItem: { openAtLogin: boolean; args?: string[] } = { openAtLogin: false };
  loginItemCalls: Array<Record<string, unknown>> = [];
  protocolClients: Array<{ scheme: string; path?: string; args?: string[] }> = [];
  appUserModelId: string | null = null;
  sandboxEnabled = false;
  hardwareAcceleration = true;
  dock = new FakeDock();

  /** Electron: only before ready. */
  disableHardwareAcceleration(): void {
    if (this.ready) throw new Error('app.disableHardwareAcceleration() must be called before the app is ready');
    this.hardwareAcceleration = false;
    calls.push('app.disableHardwareAcceleration');
  }

  enableSandbox(): void {
    if (this.ready) throw new Error('app.enableSandbox() must be called before the app is ready');
    this.sandboxEnabled = true;
    calls.push('app.enableSandbox');
  }
  whenReady(): Promise<void> {
    calls.push('app.whenReady');
    return Promise.resolve().then(() => {
      if (!this.ready) {
        this.ready = true;
        calls.push('app.ready');
        this.emit('ready');
      }
    });
  }
  isReady(): boolean {
    return this.ready;
  }
  getPath(name: string): string {
    const known = this.paths[name];
    if (known) return known;
    const dir = mkdtempSync(join(tmpdir(), `fake-electron-${name}-`));
    this.paths[name] = dir;
    return dir;
  }
  setPath(name: string, value: string): void {
    this.paths[name] = value;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  getName(): string {
    return this.name;
  }
  requestSingleInstanceLock(): boolean {
    calls.push('app.requestSingleInstanceLock');
    return this.gotLock;
  }
  setAsDefaultProtocolClient(scheme: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({ scheme, ...(path === undefined ? {} : { path }), ...(args === undefined ? {} : { args }) });
    return true;
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItemCalls.push(settings);
    this.loginItem = { ...this.loginItem, ...settings };
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { ...this.loginItem };
  }
  setBadgeCount(count = 0): boolean {
    this.badgeCounts.push(count);
    return true;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  focus(): void {}
  quit(): void {
    this.quitCalls++;
    calls.push('app.quit');
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.emit('will-quit', fakeEvent());
  }
  exit(code = 0): void {
    this.exitCode = code;
    calls.push(`app.exit ${code}`);
  }
}

// ───────────────────────────────────────────────────────────── IPC ──

type Handler = (event: unknown, ...args: unknown[]) => unknown;

/**
 * What crossing IPC does to a value, as Electron does it: the structured clone
 * algorithm (a function, a class instance's prototype, a symbol do not cross;
 * what cannot be cloned fails the call).
 */
function acrossIpc<T>(value: T): T {
  return structuredClone(value);
}

/**
 * How Electron hands the renderer an error thrown (or rejected) by an
 * `ipcMain.handle` handler: a new Error whose message wraps the original's
 * `toString()`; only that text crosses, not the class or any property.
 */
export function electronInvokeError(channel: string, error: unknown): Error {
  return new Error(`Error invoking remote method '${channel}': ${String(error)}`);
}

/** A handler's answer as the renderer's `invoke` sees it: cloned, or rejected with Electron's rewrap. */
async function answerAcrossIpc(channel: string, answer: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await answer();
    result = acrossIpc(result);
  } catch (error) {
    throw electronInvokeError(channel, error);
  }
  return result;
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /**
   * Test helper: the renderer's `ipcRenderer.invoke(channel, ...args)` from `frame` of `contents`,
   * as Electron carries it: the answer structured-cloned, a thrown error rewrapped. The arguments are
   * passed as given (not cloned), so a test can hand a handler what the clone would refuse to build here.
   */
  async invoke(channel: string, from: { contents: FakeWebContents; frame?: FakeFrame | null }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw electronInvokeError(channel, new Error(`No handler registered for '${channel}'`));
    const frame = from.frame === undefined ? from.contents.mainFrame : from.frame;
    return answerAcrossIpc(channel, () => handler({ sender: from.contents, senderFrame: frame, processId: 1, frameId: frame?.routingId ?? 0 }, ...args));
  }
  /** Test helper: the renderer's `ipcRenderer.send(channel, ...args)`. */
  sendFrom(channel: string, from: { contents: FakeWebContents; frame?: FakeFrame | null }, ...args: unknown[]): void {
    const frame = from.frame === undefined ? from.contents.mainFrame : from.frame;
    this.emit(channel, { sender: from.contents, senderFrame: frame, processId: 1, frameId: frame?.routingId ?? 0 }, ...args);
  }
}

class FakeIpcRenderer extends EventEmitter {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly sentToMain: Array<{ channel: string; args: unknown[] }> = [];
  /** How the fake main process answers invokes (cloned and rewrapped like a handler's answer). */
  answer: (channel: string, args: unknown[]) => unknown = () => undefined;
  /** When set, invokes go to the fake `ipcMain`'s handlers, as from this page (see `connectTo`). */
  page: { contents: FakeWebContents; frame?: FakeFrame | null } | null = null;
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    if (this.page) return ipcMain.invoke(channel, this.page, ...args);
    return answerAcrossIpc(channel, () => this.answer(channel, args));
  }
  /** Test helper: this renderer is the page of `contents`; its invokes reach the registered `ipcMain` handlers. */
  connectTo(contents: FakeWebContents, frame?: FakeFrame | null): void {
    this.page = frame === undefined ? { contents } : { contents, frame };
  }
  send(channel: string, ...args: unknown[]): void {
    this.sentToMain.push({ channel, args });
  }
  /** Test helper: the main process sends `payload` on `channel`. */
  fromMain(channel: string, payload: unknown): void {
    this.emit(channel, { sender: this, senderId: 0 }, payload);
  }
}

class FakeContextBridge {
  readonly exposed: Record<string, unknown> = {};
  exposeInMainWorld(key: string, api: unknown): void {
    if (key in this.exposed) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed[key] = api;
  }
}

// ───────────────────────────────────────────────────────────── images, menus, tray ──

export class FakeNativeImage {
  readonly representations: Array<{ scaleFactor: number; buffer: Buffer }> = [];
  constructor(
    readonly source: 'buffer' | 'bitmap' | 'empty' | 'path',
    readonly buffer: Buffer | null,
    readonly options: Record<string, unknown> = {},
  ) {}
  isEmpty(): boolean {
    return this.buffer === null || this.buffer.length === 0;
  }
  toPNG(): Buffer {
    return this.buffer ?? Buffer.alloc(0);
  }
  addRepresentation(rep: { scaleFactor: number; buffer: Buffer }): void {
    this.representations.push(rep);
  }
}

const nativeImage = {
  created: [] as FakeNativeImage[],
  createFromBuffer(buffer: Buffer, options: Record<string, unknown> = {}): FakeNativeImage {
    const image = new FakeNativeImage('buffer', buffer, options);
    nativeImage.created.push(image);
    return image;
  },
  createFromBitmap(buffer: Buffer, options: Record<string, unknown>): FakeNativeImage {
    return new FakeNativeImage('bitmap', buffer, options);
  },
  createEmpty(): FakeNativeImage {
    return new FakeNativeImage('empty', null);
  },
  createFromPath(path: string): FakeNativeImage {
    return new FakeNativeImage('path', null, { path });
  },
};

export interface FakeMenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: FakeMenu;
  click?: (...args: unknown[]) => unknown;
}

export class FakeMenu {
  readonly items: FakeMenuItem[];
  constructor(template: Array<Record<string, unknown>>) {
    this.items = template.map((t) => {
      const { submenu, ...rest } = t;
      const item = rest as FakeMenuItem;
      if (Array.isArray(submenu)) item.submenu = new FakeMenu(submenu as Array<Record<string, unknown>>);
      return item;
    });
  }
  /** Every item, submenus included. */
  all(): FakeMenuItem[] {
    return this.items.flatMap((i) => [i, ...(i.submenu ? i.submenu.all() : [])]);
  }
  byId(id: string): FakeMenuItem {
    const item = this.all().find((i) => i.id === id);
    if (!item) throw new Error(`no menu item ${id}; have ${this.all().map((i) => i.id ?? i.role ?? i.label ?? i.type).join(', ')}`);
    return item;
  }
  /** Test helper: clicks an item as a user would (disabled items do nothing). */
  click(id: string): void {
    const item = this.byId(id);
    if (item.enabled === false) throw new Error(`menu item ${id} is disabled`);
    item.click?.(item, undefined, {});
  }
}

const Menu = {
  applicationMenu: null as FakeMenu | null,
  buildFromTemplate(template: Array<Record<string, unknown>>): FakeMenu {
    return new FakeMenu(template);
  },
  setApplicationMenu(menu: FakeMenu | null): void {
    Menu.applicationMenu = menu;
  },
  getApplicationMenu(): FakeMenu | null {
    return Menu.applicationMenu;
  },
};

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  images: FakeNativeImage[] = [];
  tooltip = '';
  title = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: FakeNativeImage) {
    super();
    this.images.push(image);
    FakeTray.instances.push(this);
  }
  get image(): FakeNativeImage | undefined {
    return this.images[this.images.length - 1];
  }
  setImage(image: FakeNativeImage): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

// ───────────────────────────────────────────────────────────── notifications ──

export class FakeNotification extends EventEmitter {
  static supported = true;
  static instances: FakeNotification[] = [];
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  shown = false;
  closed = false;
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    FakeNotification.instances.push(this);
  }
  get title(): string {
    const title = this.options['title'];
    return typeof title === 'string' ? title : '';
  }
  get body(): string {
    const body = this.options['body'];
    return typeof body === 'string' ? body : '';
  }
  show(): void {
    this.shown = true;
    this.emit('show', fakeEvent());
  }
  close(): void {
    this.closed = true;
    this.emit('close', fakeEvent());
  }
  /** Test helper: the user clicks the alert. */
  click(): void {
    this.emit('click', fakeEvent());
  }
}

// ───────────────────────────────────────────────────────────── session, protocol ──

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: Record<string, unknown>) => boolean;
type HeadersListener = (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void;

class FakeSession extends EventEmitter {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  headersListener: HeadersListener | null = null;
  readonly webRequest = {
    onHeadersReceived: (filterOrListener: unknown, maybeListener?: HeadersListener) => {
      this.headersListener = (maybeListener ?? filterOrListener) as HeadersListener;
    },
  };
  reset(): void {
    this.permissionRequestHandler = null;
    this.permissionCheckHandler = null;
    this.devicePermissionHandler = null;
    this.headersListener = null;
    this.removeAllListeners();
  }
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void {
    this.devicePermissionHandler = handler;
  }
  /** Test helper: a page asks for `permission`; resolves with the answer. */
  requestPermission(permission: string, requestingUrl: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.permissionRequestHandler) throw new Error('no permission request handler: Electron would grant everything');
      this.permissionRequestHandler({}, permission, resolve, { requestingUrl });
    });
  }
  /** Test helper: the response headers a page would get. */
  headersFor(url: string, responseHeaders: Record<string, string[]> = {}): Record<string, string[]> | undefined {
    let out: Record<string, string[]> | undefined;
    this.headersListener?.({ url, responseHeaders }, (r) => {
      out = r.responseHeaders;
    });
    return out;
  }
}

const session = { defaultSession: new FakeSession() };

type ProtocolHandler = (request: Request) => Response | Promise<Response>;
const protocol = {
  privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean> }>,
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>): void {
    if (app.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    calls.push('protocol.registerSchemesAsPrivileged');
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    if (!app.ready) throw new Error('protocol.handle must be called after the app is ready');
    protocol.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    protocol.handlers.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return protocol.handlers.has(scheme);
  },
  /** Test helper: what the page gets for `url`. */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const handler = protocol.handlers.get(scheme);
    if (!handler) throw new Error(`no handler for ${scheme}:`);
    return handler(new Request(url, init));
  },
};

// ───────────────────────────────────────────────────────────── the rest ──

const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable(): boolean {
    return safeStorage.available;
  },
  getSelectedStorageBackend(): string {
    return safeStorage.backend;
  },
  /** Reversible but visibly not plain text: a prefix and the UTF-8 bytes reversed. */
  encryptString(text: string): Buffer {
    if (!safeStorage.available) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('FAKE-ENC:'), Buffer.from(text, 'utf8').reverse()]);
  },
  decryptString(data: Buffer): string {
    if (!safeStorage.available) throw new Error('Decryption is not available.');
    const prefix = Buffer.from('FAKE-ENC:');
    if (!data.subarray(0, prefix.length).equals(prefix)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(data.subarray(prefix.length)).reverse().toString('utf8');
  },
};

const shell = {
  opened: [] as string[],
  openedPaths: [] as string[],
  openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    return Promise.resolve();
  },
  openPath(path: string): Promise<string> {
    shell.openedPaths.push(path);
    return Promise.resolve('');
  },
  showItemInFolder(path: string): void {
    shell.openedPaths.push(path);
  },
};

const powerMonitor = new EventEmitter();

const screen = {
  displays: [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 }],
  getAllDisplays() {
    return screen.displays;
  },
  getPrimaryDisplay() {
    return screen.displays[0];
  },
  getDisplayMatching() {
    return screen.displays[0];
  },
};

const dialog = {
  errorBoxes: [] as Array<{ title: string; content: string }>,
  messageBoxes: [] as Array<Record<string, unknown>>,
  showErrorBox(title: string, content: string): void {
    dialog.errorBoxes.push({ title, content });
  },
  showMessageBox(windowOrOptions: unknown, maybeOptions?: Record<string, unknown>): Promise<{ response: number; checkboxChecked: boolean }> {
    dialog.messageBoxes.push(maybeOptions ?? (windowOrOptions as Record<string, unknown>));
    return Promise.resolve({ response: 0, checkboxChecked: false });
  },
};

const clipboard = {
  text: '',
  writeText(text: string): void {
    clipboard.text = text;
  },
  readText(): string {
    return clipboard.text;
  },
};

const net = {
  online: true,
  isOnline(): boolean {
    return net.online;
  },
};

const nativeTheme = { themeSource: 'system' as string, shouldUseDarkColors: false };

export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const ipcRenderer = new FakeIpcRenderer();
export const contextBridge = new FakeContextBridge();

export const fake = {
  app,
  BrowserWindow: FakeBrowserWindow,
  ipcMain,
  ipcRenderer,
  contextBridge,
  Menu,
  Tray: FakeTray,
  Notification: FakeNotification,
  nativeImage,
  nativeTheme,
  safeStorage,
  shell,
  session,
  protocol,
  powerMonitor,
  screen,
  dialog,
  clipboard,
  net,
  calls,
};
export type Fake = typeof fake;

/** What `vi.mock('electron', ...)` returns: the fake as the module's named exports. */
export function electronModule(): Fake & { default: Fake } {
  return { ...fake, default: fake };
}

/** A fresh Electron for the next test: forgets every window, handler, listener and record. */
export function resetFakeElectron(): void {
  calls.length = 0;
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  Object.assign(app, new FakeApp());
  app.removeAllListeners();
  ipcMain.removeAllListeners();
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoked.length = 0;
  ipcRenderer.sentToMain.length = 0;
  ipcRenderer.answer = () => undefined;
  ipcRenderer.page = null;
  for (const key of Object.keys(contextBridge.exposed)) delete contextBridge.exposed[key];
  Menu.applicationMenu = null;
  nativeImage.created.length = 0;
  nativeTheme.themeSource = 'system';
  session.defaultSession.reset();
  protocol.privileged.length = 0;
  protocol.handlers.clear();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  shell.opened.length = 0;
  shell.openedPaths.length = 0;
  powerMonitor.removeAllListeners();
  dialog.errorBoxes.length = 0;
  dialog.messageBoxes.length = 0;
  clipboard.text = '';
  net.online = true;
}

/** The dashboard window the app created (the first one). */
export function dashboard(): FakeBrowserWindow {
  const win = FakeBrowserWindow.instances[0];
  if (!win) throw new Error('no window was created');
  return win;
}

/** The app's tray icon. */
export function tray(): FakeTray {
  const t = FakeTray.instances[0];
  if (!t) throw new Error('no tray icon was created');
  return t;
}
