/**
 * The preload against the fake `electron`: it exposes exactly HostBridge on
 * window.clinic, each method forwarding to its channel from the shared map,
 * and events without the IPC event object; never ipcRenderer itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHOD_NAMES, BRIDGE_METHODS, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL, ipcChannel, type DeskEvent, type HostBridge } from '../../src/shared/bridge';
import { EVENT_CHANNEL, METHOD_NAMES, SUBSCRIBE_CHANNEL, methodChannel } from '../../src/preload/bridge-map';
import { fake } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

let exposed: HostBridge;
beforeAll(async () => {
  await import('../../src/preload/index');
  exposed = fake.contextBridge.exposed['clinic'] as HostBridge;
});
beforeEach(() => {
  fake.ipcRenderer.invoked.length = 0;
  fake.ipcRenderer.sentToMain.length = 0;
  fake.ipcRenderer.answer = () => undefined;
});

describe('the channel map', () => {
  it('the preload lists exactly the shared contract, with the same channels', () => {
    expect([...METHOD_NAMES].sort()).toEqual([...BRIDGE_METHOD_NAMES].sort());
    expect(Object.keys(BRIDGE_METHODS).sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(methodChannel(name)).toBe(ipcChannel(name));
    expect(EVENT_CHANNEL).toBe(IPC_EVENT_CHANNEL);
    expect(SUBSCRIBE_CHANNEL).toBe(IPC_SUBSCRIBE_CHANNEL);
  });
});

describe('window.clinic', () => {
  it('is the only thing exposed, and holds exactly the bridge methods and onEvent, all functions', () => {
    expect(Object.keys(fake.contextBridge.exposed)).toEqual(['clinic']);
    expect(Object.keys(exposed).sort()).toEqual([...BRIDGE_METHOD_NAMES, 'onEvent'].sort());
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function');
    for (const leak of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync', 'postMessage']) expect(exposed).not.toHaveProperty(leak);
  });

  it('each method invokes its own channel with its input, and nothing else', async () => {
    fake.ipcRenderer.answer = (channel) => `answer from ${channel}`;
    const methods = exposed as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of BRIDGE_METHOD_NAMES) {
      const result = await methods[name]!({ probe: name }, 'extra argument the page tried to pass');
      expect(result).toBe(`answer from ${ipcChannel(name)}`);
    }
    expect(fake.ipcRenderer.invoked).toEqual(BRIDGE_METHOD_NAMES.map((name) => ({ channel: ipcChannel(name), args: [{ probe: name }] })));
    await exposed.getSnapshot();
    expect(fake.ipcRenderer.invoked.at(-1)).toEqual({ channel: ipcChannel('getSnapshot'), args: [undefined] });
  });

  it('onEvent hands the page the event alone, tells the host once that the page listens, and unsubscribes', () => {
    const seen: DeskEvent[] = [];
    const seenArgs: unknown[][] = [];
    const off = exposed.onEvent((...args: unknown[]) => {
      seenArgs.push(args);
      seen.push(args[0] as DeskEvent);
    });
    const off2 = exposed.onEvent(() => undefined);
    expect(fake.ipcRenderer.sentToMain).toEqual([{ channel: IPC_SUBSCRIBE_CHANNEL, args: [] }]);
    const event: DeskEvent = { kind: 'notifications.unread', unread: 3 };
    fake.ipcRenderer.fromMain(IPC_EVENT_CHANNEL, event);
    expect(seen).toEqual([event]);
    expect(seenArgs[0]).toHaveLength(1);
    off();
    off2();
    fake.ipcRenderer.fromMain(IPC_EVENT_CHANNEL, event);
    expect(seen).toHaveLength(1);
    expect(fake.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
  });
});

describe('the built preload', () => {
  // The output of `npm run build` (out/ is not committed; `npm test` builds before the tests).
  it('is one CommonJS file that requires only electron and carries no zod', () => {
    if (!existsSync('out/preload/index.cjs')) throw new Error('out/preload/index.cjs is missing: run `npm run build` first (npm test does)');
    const code = readFileSync('out/preload/index.cjs', 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(code).not.toMatch(/ZodObject|safeParse/);
    expect(code.length).toBeLessThan(10_000);
  });
});
