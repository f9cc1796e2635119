/**
 * The main side of the bridge: one handler per method of the shared map,
 * input validated with the method's schema before the desk sees it, and every
 * sender that is not the main frame of a dashboard window on our app URL
 * refused and logged. Events go to every dashboard page; a screen to open
 * waits for a page that listens.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHOD_NAMES, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL, ipcChannel, type DeskEvent } from '../../src/shared/bridge';
import type { DeskMethods } from '../../src/main/core/desk/desk-service';
import { createHostAdapter } from '../../src/main/core/desk/host-adapter';
import { memoryLogger } from '../../src/main/core/log';
import { isAppUrl } from '../../src/main/electron/app-protocol';
import { EventBroadcaster, registerBridge, type SenderPolicy } from '../../src/main/electron/ipc';
import { fake, FakeBrowserWindow, resetFakeElectron, type FakeWebContents } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const APP = new URL('app://desk/');
let win: FakeBrowserWindow;
let logger: ReturnType<typeof memoryLogger>;
let calls: Array<{ method: string; input: unknown }>;
let senders: SenderPolicy;

function recordingDesk(): DeskMethods {
  return Object.fromEntries(
    BRIDGE_METHOD_NAMES.map((name) => [
      name,
      async (input: unknown) => {
        calls.push({ method: name, input });
        // A valid answer for the methods that answer nothing; anything else fails its output schema.
        return name === 'signOut' || name === 'reconnect' || name === 'setTyping' || name === 'installUpdate' ? undefined : { answered: name };
      },
    ]),
  ) as unknown as DeskMethods;
}

beforeEach(async () => {
  resetFakeElectron();
  win = new FakeBrowserWindow({});
  await win.loadURL('app://desk/');
  logger = memoryLogger();
  calls = [];
  senders = { contents: () => [win.webContents] as never, isAppUrl: (url) => isAppUrl(url, APP) };
  registerBridge({ adapter: createHostAdapter(recordingDesk(), logger), senders, logger, onSubscribe: () => undefined });
});

const refused = (method: string) => ({ ok: false, error: { kind: 'refused', message: `${method}: refused` } });

const invoke = (method: string, input?: unknown, from: Parameters<typeof fake.ipcMain.invoke>[1] = { contents: win.webContents }) => fake.ipcMain.invoke(ipcChannel(method as never), from, input);

describe('handlers', () => {
  it('exist for exactly the methods of BRIDGE_METHODS, plus the subscribe signal', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(BRIDGE_METHOD_NAMES.map(ipcChannel).sort());
    expect(fake.ipcMain.eventNames()).toEqual([IPC_SUBSCRIBE_CHANNEL]);
  });

  it('forward the parsed input (defaults applied, unknown fields stripped) and answer with an envelope', async () => {
    expect(await invoke('setTyping', { conversationId: 3, typing: true, sneaky: 'x' })).toEqual({ ok: true });
    expect(calls).toEqual([{ method: 'setTyping', input: { conversationId: 3, typing: true } }]);
    await invoke('listNotifications', { unreadOnly: true, sneaky: 'x' });
    expect(calls.at(-1)).toEqual({ method: 'listNotifications', input: { limit: 50, unreadOnly: true } });
    await invoke('signOut');
    expect(calls.at(-1)).toEqual({ method: 'signOut', input: undefined });
  });

  it('never send an answer the output schema refuses: an internal error, the details only in the log', async () => {
    expect(await invoke('getSnapshot')).toEqual({ ok: false, error: { kind: 'internal', message: 'The desk gave an invalid answer to getSnapshot.' } });
    expect(logger.records.at(-1)).toMatchObject({ level: 'error', fields: { method: 'getSnapshot' } });
  });

  it.each([
    ['loadBoard', { date: '26/11/2026' }],
    ['markNotificationRead', { id: -1 }],
    ['markNotificationRead', { id: '5' }],
    ['signIn', { apiUrl: 'file:///etc/passwd', email: 'a@b.c', password: 'x' }],
    ['getSnapshot', { unexpected: true }],
    ['updateSettings', { closeToTray: 'yes' }],
    ['updateSettings', { madeUp: true }],
    ['sendMessage', { conversationId: 1, body: 'x'.repeat(5000), clientId: 'c' }],
  ])('refuse invalid input to %s and log why, without calling the desk', async (method, input) => {
    const answer = (await invoke(method, input)) as { ok: boolean; error: { kind: string; message: string } };
    expect(answer).toMatchObject({ ok: false, error: { kind: 'invalid-input', message: expect.stringMatching(new RegExp(`^Invalid input for ${method}: `)) } });
    expect(answer.error.message).not.toContain('\n');
    expect(calls).toEqual([]);
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'warn', message: 'bridge input rejected', fields: expect.objectContaining({ method }) }));
  });
});

describe('sender checks', () => {
  it('accept the main frame of a dashboard window on the app URL', async () => {
    await expect(invoke('signOut')).resolves.toEqual({ ok: true });
  });

  it('refuse another web contents, even one showing the app', async () => {
    const other = new FakeBrowserWindow({});
    await other.loadURL('app://desk/');
    await expect(invoke('getSnapshot', undefined, { contents: other.webContents })).resolves.toEqual(refused('getSnapshot'));
    expect(logger.records.at(-1)).toMatchObject({ message: 'IPC refused', fields: { method: 'getSnapshot', reason: 'not a dashboard window' } });
  });

  it('refuse a subframe of the dashboard', async () => {
    const frame = win.webContents.mainFrame.child('app://desk/embedded.html');
    await expect(invoke('signOut', undefined, { contents: win.webContents, frame })).resolves.toEqual(refused('signOut'));
    expect(logger.records.at(-1)?.fields).toMatchObject({ reason: 'not the main frame' });
  });

  it.each(['https://evil.example/', 'file:///app/out/renderer/index.html', 'app://other/', 'http://localhost:5173/'])('refuse the dashboard once it shows %s', async (url) => {
    win.webContents.mainFrame.url = url;
    await expect(invoke('getSnapshot')).resolves.toEqual(refused('getSnapshot'));
    expect(logger.records.at(-1)?.fields).toMatchObject({ reason: 'not the app', url });
    expect(calls).toEqual([]);
  });

  it('refuse a frame that is gone, and a destroyed window', async () => {
    await expect(invoke('getSnapshot', undefined, { contents: win.webContents, frame: null })).resolves.toEqual(refused('getSnapshot'));
    win.destroy();
    await expect(invoke('getSnapshot')).resolves.toEqual(refused('getSnapshot'));
    expect(calls).toEqual([]);
  });

  it('ignore a subscribe signal from a stranger', () => {
    const onSubscribe = vi.fn();
    resetFakeElectron();
    registerBridge({ adapter: createHostAdapter(recordingDesk(), logger), senders, logger, onSubscribe });
    const stranger = new FakeBrowserWindow({});
    fake.ipcMain.sendFrom(IPC_SUBSCRIBE_CHANNEL, { contents: stranger.webContents });
    expect(onSubscribe).not.toHaveBeenCalled();
    fake.ipcMain.sendFrom(IPC_SUBSCRIBE_CHANNEL, { contents: win.webContents });
    expect(onSubscribe).toHaveBeenCalledWith(win.webContents);
  });
});

describe('EventBroadcaster', () => {
  const unread = (n: number): DeskEvent => ({ kind: 'notifications.unread', unread: n });

  it('sends every event to every dashboard page, and to nothing else', async () => {
    const second = new FakeBrowserWindow({});
    await second.loadURL('app://desk/');
    const stray = new FakeBrowserWindow({});
    await stray.loadURL('https://evil.example/');
    const all = [win.webContents, second.webContents, stray.webContents] as FakeWebContents[];
    const broadcaster = new EventBroadcaster({ contents: () => all as never, isAppUrl: senders.isAppUrl }, createHostAdapter(recordingDesk(), logger));
    broadcaster.send(unread(2));
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL)).toEqual([unread(2)]);
    expect(second.webContents.sentOn(IPC_EVENT_CHANNEL)).toEqual([unread(2)]);
    expect(stray.webContents.sentOn(IPC_EVENT_CHANNEL)).toEqual([]);
  });

  it('keeps a screen to open until a page listens, and again after a reload', () => {
    const broadcaster = new EventBroadcaster(senders, createHostAdapter(recordingDesk(), logger));
    broadcaster.open({ screen: 'board', appointmentId: 42 });
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL)).toEqual([]);
    broadcaster.subscribed(win.webContents as never);
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL)).toEqual([{ kind: 'open', target: { screen: 'board', appointmentId: 42 } }]);
    broadcaster.open({ screen: 'settings' });
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL).at(-1)).toEqual({ kind: 'open', target: { screen: 'settings' } });

    win.webContents.reload();
    broadcaster.open({ screen: 'presence' });
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL)).toHaveLength(2);
    broadcaster.subscribed(win.webContents as never);
    expect(win.webContents.sentOn(IPC_EVENT_CHANNEL).at(-1)).toEqual({ kind: 'open', target: { screen: 'presence' } });
  });
});
