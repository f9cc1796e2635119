/**
 * What staff read when a call fails in the desktop app, through a faithful
 * fake `electron`: a handler's answer is structured-cloned and a thrown error
 * reaches the renderer only as Electron's rewrap ("Error invoking remote
 * method ..."). The handlers answer with envelopes instead, and the
 * renderer's one unwrap turns them into the clean message, as in the preview.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHOD_NAMES, ipcChannel, type ClinicBridge, type HostBridge } from '../../src/shared/bridge';
import { NetworkError } from '../../src/main/core/api/client';
import type { DeskMethods } from '../../src/main/core/desk/desk-service';
import { DeskRefusal } from '../../src/main/core/desk/refusal';
import { createHostAdapter, INTERNAL_MESSAGE } from '../../src/main/core/desk/host-adapter';
import { memoryLogger } from '../../src/main/core/log';
import { isAppUrl } from '../../src/main/electron/app-protocol';
import { registerBridge } from '../../src/main/electron/ipc';
import { buildBridge } from '../../src/preload/index';
import { BridgeError, UNREACHABLE_MESSAGE, unwrapBridge } from '../../src/shared/bridge-unwrap';
import { fake, FakeBrowserWindow, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

let win: FakeBrowserWindow;
let logger: ReturnType<typeof memoryLogger>;

/** A desk where every method answers nothing, except the ones a test overrides. */
function desk(overrides: Partial<Record<string, (input: unknown) => Promise<unknown>>>): DeskMethods {
  return Object.fromEntries(BRIDGE_METHOD_NAMES.map((name) => [name, overrides[name] ?? (async () => undefined)])) as unknown as DeskMethods;
}

/** The page's `window.clinic` (the real preload over the fake ipcRenderer, wired to the registered handlers), unwrapped as the renderer does. */
function page(): { host: HostBridge; clinic: ClinicBridge } {
  fake.ipcRenderer.connectTo(win.webContents);
  const host = buildBridge();
  return { host, clinic: unwrapBridge(host) };
}

function register(methods: Partial<Record<string, (input: unknown) => Promise<unknown>>>): void {
  registerBridge({
    adapter: createHostAdapter(desk(methods), logger),
    senders: { contents: () => [win.webContents] as never, isAppUrl: (url) => isAppUrl(url, new URL('app://desk/')) },
    logger,
    onSubscribe: () => undefined,
  });
}

async function rejection(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
}

beforeEach(async () => {
  resetFakeElectron();
  win = new FakeBrowserWindow({});
  await win.loadURL('app://desk/');
  logger = memoryLogger();
});

describe('the fake electron is faithful', () => {
  it('rewraps a thrown error as Electron does: only the text crosses, prefixed', async () => {
    class Refused extends Error {
      readonly kind = 'unavailable';
    }
    fake.ipcMain.handle('clinic:old', () => {
      throw new Refused('Not signed in.');
    });
    const error = await fake.ipcMain.invoke('clinic:old', { contents: win.webContents }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe("Error invoking remote method 'clinic:old': Error: Not signed in.");
    expect(error).not.toBeInstanceOf(Refused);
    expect(error).not.toHaveProperty('kind');
  });

  it('structured-clones the answer: prototypes are lost, and what cannot be cloned fails the call', async () => {
    class Board {
      constructor(readonly date: string) {}
      get label(): string {
        return this.date;
      }
    }
    fake.ipcMain.handle('clinic:board', () => new Board('2026-11-26'));
    const answer = await fake.ipcMain.invoke('clinic:board', { contents: win.webContents });
    expect(answer).not.toBeInstanceOf(Board);
    expect(answer).toEqual({ date: '2026-11-26' });

    fake.ipcMain.handle('clinic:fn', () => ({ ok: true, value: { format: () => 'x' } }));
    await expect(fake.ipcMain.invoke('clinic:fn', { contents: win.webContents })).rejects.toThrow(/^Error invoking remote method 'clinic:fn': DataCloneError: .*could not be cloned/);
  });

  it('the old way (a handler that throws) reaches the renderer as the rewrapped text: what staff would have read', async () => {
    fake.ipcMain.handle(ipcChannel('loadBoard'), () => {
      throw new Error('Not signed in.');
    });
    fake.ipcRenderer.connectTo(win.webContents);
    await expect(buildBridge().loadBoard({ date: '2026-11-26' })).rejects.toThrow("Error invoking remote method 'clinic:loadBoard': Error: Not signed in.");
  });
});

describe('the renderer reads the clean message in the desktop app', () => {
  it("a desk refusal: the desk's own words, not Electron's rewrap", async () => {
    register({
      loadBoard: async () => {
        throw new DeskRefusal('Not signed in.');
      },
    });
    const { host, clinic } = page();
    expect(await host.loadBoard({ date: '2026-11-26' })).toEqual({ ok: false, error: { kind: 'unavailable', message: 'Not signed in.' } });
    const error = await rejection(clinic.loadBoard({ date: '2026-11-26' }));
    expect(error.message).toBe('Not signed in.');
    expect(error.kind).toBe('unavailable');
    expect(error.message).not.toMatch(/Error invoking remote method/);
  });

  it("the API client's error: its user-safe message and its kind", async () => {
    register({
      markNotificationRead: async () => {
        throw new NetworkError('The clinic server could not be reached.', { status: 0, url: 'https://clinic.example/api/x', method: 'POST', timedOut: false, code: 'ECONNREFUSED' });
      },
    });
    const error = await rejection(page().clinic.markNotificationRead({ id: 5 }));
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'network', message: 'The clinic server could not be reached.' });
  });

  it('an unexpected error: a generic message; the details only in the log', async () => {
    register({
      listConversations: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id') at /opt/clinic/main.js:12");
      },
    });
    const error = await rejection(page().clinic.listConversations());
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'internal', message: INTERNAL_MESSAGE });
    expect(logger.records.at(-1)).toMatchObject({ level: 'error', fields: { method: 'listConversations', error: expect.stringContaining('/opt/clinic/main.js') } });
  });

  it('invalid input: a one-line message naming the method', async () => {
    register({});
    const error = await rejection(page().clinic.loadBoard({ date: 'tomorrow' }));
    expect(error.kind).toBe('invalid-input');
    expect(error.message).toMatch(/^Invalid input for loadBoard: /);
    expect(error.message).not.toContain('\n');
  });

  it('a refused sender: the kind says so', async () => {
    register({});
    fake.ipcRenderer.connectTo(win.webContents, win.webContents.mainFrame.child('app://desk/embedded.html'));
    const error = await rejection(unwrapBridge(buildBridge()).signOut());
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'refused', message: 'signOut: refused' });
  });

  it('a value is unwrapped, structured-cloned like the real thing', async () => {
    register({ listDemoAccounts: async () => [{ role: 'reception', name: 'Rita', email: 'rita@clinic.example' }] });
    expect(await page().clinic.listDemoAccounts()).toEqual([{ role: 'reception', name: 'Rita', email: 'rita@clinic.example' }]);
  });
});

describe('an answer that cannot be structured-cloned is caught', () => {
  it('the output schema keeps a function off the wire: stripped from an object, refused where a value was expected', async () => {
    register({
      listDemoAccounts: async () => [{ role: 'reception', name: 'Rita', email: 'rita@clinic.example', greet: () => 'hello' }],
      setTyping: async () => () => undefined,
    });
    const { clinic } = page();
    expect(await clinic.listDemoAccounts()).toEqual([{ role: 'reception', name: 'Rita', email: 'rita@clinic.example' }]);
    const error = await rejection(clinic.setTyping({ conversationId: 1, typing: true }));
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'internal', message: 'The desk gave an invalid answer to setTyping.' });
  });

  it("should one reach IPC anyway, the call fails in transit and the renderer shows a generic message, not Electron's text", async () => {
    fake.ipcMain.handle(ipcChannel('getSnapshot'), () => ({ ok: true, value: { at: () => Date.now() } }));
    fake.ipcRenderer.connectTo(win.webContents);
    const host = buildBridge();
    await expect(host.getSnapshot()).rejects.toThrow(/^Error invoking remote method 'clinic:getSnapshot': DataCloneError/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = await rejection(unwrapBridge(host).getSnapshot());
    warn.mockRestore();
    expect({ kind: error.kind, message: error.message }).toEqual({ kind: 'internal', message: UNREACHABLE_MESSAGE });
  });
});
