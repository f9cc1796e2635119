/**
 * IPC input arrives structured-cloned at any depth: a depth bomb is refused
 * (and logged without its contents) before zod or anything recursive sees it,
 * and the desk is never called.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHOD_NAMES, ipcChannel } from '../../src/shared/bridge';
import { MAX_JSON_DEPTH } from '../../src/shared/json-limits';
import type { DeskMethods } from '../../src/main/core/desk/desk-service';
import { createHostAdapter } from '../../src/main/core/desk/host-adapter';
import { memoryLogger } from '../../src/main/core/log';
import { isAppUrl } from '../../src/main/electron/app-protocol';
import { registerBridge } from '../../src/main/electron/ipc';
import { fake, FakeBrowserWindow, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

let win: FakeBrowserWindow;
let logger: ReturnType<typeof memoryLogger>;
let calls: string[];

beforeEach(async () => {
  resetFakeElectron();
  win = new FakeBrowserWindow({});
  await win.loadURL('app://desk/');
  logger = memoryLogger();
  calls = [];
  const desk = Object.fromEntries(BRIDGE_METHOD_NAMES.map((name) => [name, async () => void calls.push(name)])) as unknown as DeskMethods;
  registerBridge({ adapter: createHostAdapter(desk, logger), senders: { contents: () => [win.webContents] as never, isAppUrl: (url) => isAppUrl(url, new URL('app://desk/')) }, logger, onSubscribe: () => undefined });
});

/** `[[[...]]]` `depth` levels deep, built without recursion. */
function nested(depth: number, leaf: unknown = 'Jane Roe'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('IPC input depth', () => {
  it('refuses an input nested deeper than the limit before validating it, and logs no contents', async () => {
    for (const input of [{ id: nested(100_000) }, nested(5_000), { conversationId: 1, body: 'x', clientId: 'c', extra: nested(MAX_JSON_DEPTH + 1) }]) {
      await expect(fake.ipcMain.invoke(ipcChannel('sendMessage'), { contents: win.webContents }, input)).resolves.toEqual({
        ok: false,
        error: { kind: 'invalid-input', message: `Invalid input for sendMessage: nested deeper than ${MAX_JSON_DEPTH} levels` },
      });
    }
    expect(calls).toEqual([]);
    const logged = logger.records.filter((r) => r.message === 'bridge input rejected');
    expect(logged).toHaveLength(3);
    expect(JSON.stringify(logged)).not.toContain('Jane Roe');
    // An ordinary input still goes through.
    await fake.ipcMain.invoke(ipcChannel('markNotificationRead'), { contents: win.webContents }, { id: 5 });
    expect(calls).toEqual(['markNotificationRead']);
  });

  it('a cyclic object (structured clone keeps cycles) ends the walk at the value limit', async () => {
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    await expect(fake.ipcMain.invoke(ipcChannel('markNotificationRead'), { contents: win.webContents }, cyclic)).resolves.toMatchObject({
      ok: false,
      error: { kind: 'invalid-input', message: expect.stringMatching(/^Invalid input for markNotificationRead: nested deeper than/) },
    });
    expect(calls).toEqual([]);
  });
});
