/**
 * The dashboard window: remembered position (only while on a screen),
 * close-to-tray, show-and-focus, and reload after a renderer crash or hang.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../src/main/core/log';
import { takeReload } from '../../src/main/electron/renderer-recovery';
import { placeWindow, readWindowState } from '../../src/main/electron/window-state';
import { DashboardWindows } from '../../src/main/electron/windows';
import { dashboard, fake, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };

describe('window placement', () => {
  it('uses the saved bounds while they are on a screen', () => {
    expect(placeWindow({ x: 100, y: 50, width: 1400, height: 900, maximized: false }, [SCREEN])).toEqual({ x: 100, y: 50, width: 1400, height: 900 });
  });
  it('forgets a position on a monitor that is gone', () => {
    expect(placeWindow({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, [SCREEN])).toEqual({ width: 1280, height: 800 });
  });
  it('shrinks a window larger than its screen', () => {
    expect(placeWindow({ x: 0, y: 0, width: 4000, height: 3000, maximized: false }, [SCREEN])).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
  });
  it('uses the default size, centred, without a saved state', () => {
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1024, height: 700 }])).toEqual({ width: 1024, height: 700 });
  });
});

describe('the dashboard window', () => {
  let dir: string;
  let closeToTray: boolean;
  let notices: string[];
  let logger: ReturnType<typeof memoryLogger>;
  let windows: DashboardWindows;

  beforeEach(() => {
    resetFakeElectron();
    dir = mkdtempSync(join(tmpdir(), 'clinic-desk-windows-'));
    closeToTray = true;
    notices = [];
    logger = memoryLogger();
    windows = new DashboardWindows({
      url: 'app://desk/',
      preload: '/out/preload/index.cjs',
      devTools: false,
      stateFile: join(dir, 'window-state.json'),
      closeToTray: () => closeToTray,
      logger,
      notify: (m) => notices.push(m),
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens where it was, maximised if it was, and shows when ready (not before)', () => {
    writeFileSync(join(dir, 'window-state.json'), JSON.stringify({ x: 40, y: 30, width: 1300, height: 850, maximized: true }));
    windows.create(true);
    const win = dashboard();
    expect(win.options).toMatchObject({ x: 40, y: 30, width: 1300, height: 850, show: false });
    expect(win.isMaximized()).toBe(true);
    expect(win.isVisible()).toBe(false);
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(true);
    expect(win.webContents.getURL()).toBe('app://desk/');
  });

  it('ignores a corrupt state file', () => {
    writeFileSync(join(dir, 'window-state.json'), '{"x": "left"');
    expect(readWindowState(join(dir, 'window-state.json'))).toBeNull();
    windows.create(true);
    expect(dashboard().options).toMatchObject({ width: 1280, height: 800 });
  });

  it('close hides to the tray and remembers the bounds; show brings it back in front', () => {
    windows.create(true);
    const win = dashboard();
    win.setBounds({ x: 10, y: 20, width: 1111, height: 777 });
    win.show();
    expect(win.close()).toBe(false);
    expect(win.isVisible()).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8'))).toEqual({ x: 10, y: 20, width: 1111, height: 777, maximized: false });
    win.minimize();
    windows.show();
    expect(win.isVisible() && win.isFocused() && !win.isMinimized()).toBe(true);
    expect(fake.BrowserWindow.instances).toHaveLength(1);
  });

  it('closes for real without close-to-tray, or when quitting; show then makes a new one', () => {
    closeToTray = false;
    windows.create(true);
    expect(dashboard().close()).toBe(true);
    expect(windows.mainWindow).toBeNull();
    windows.show();
    expect(fake.BrowserWindow.instances).toHaveLength(2);
    closeToTray = true;
    windows.setQuitting();
    expect(fake.BrowserWindow.instances[1]!.close()).toBe(true);
  });

  it('focus stops an urgent flash', () => {
    windows.create(true);
    dashboard().focus();
    expect(dashboard().flashing).toEqual([false]);
  });

  it('a crashed renderer is reloaded and the user told; a clean exit is left alone', () => {
    windows.create(true);
    const contents = dashboard().webContents;
    contents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(contents.reloads).toBe(0);
    contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: -1 });
    expect(contents.reloads).toBe(1);
    expect(notices).toEqual(['The Clinic Desk window stopped unexpectedly and was reloaded. Nothing was lost: the desk kept running.']);
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'error', message: 'dashboard renderer gone', fields: { reason: 'oom', exitCode: -1 } }));
  });

  it('a renderer that keeps crashing is not reloaded in a loop', () => {
    windows.create(true);
    const contents = dashboard().webContents;
    for (let i = 0; i < 5; i++) contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(contents.reloads).toBe(3);
    expect(notices.at(-1)).toMatch(/quit and restart/);
  });

  it('a hung renderer is killed and reloaded after the grace period, unless it recovers', () => {
    vi.useFakeTimers();
    windows.create(true);
    const win = dashboard();
    win.emit('unresponsive');
    vi.advanceTimersByTime(5000);
    win.emit('responsive');
    vi.advanceTimersByTime(10_000);
    expect(win.webContents.crashed).toBe(0);
    win.emit('unresponsive');
    vi.advanceTimersByTime(10_000);
    expect(win.webContents.crashed).toBe(1);
    expect(win.webContents.reloads).toBe(1);
    expect(notices).toEqual(['The Clinic Desk window stopped responding and was reloaded. Nothing was lost: the desk kept running.']);
  });

  it('reload budget: three per five minutes', () => {
    const history: number[] = [];
    expect([0, 1000, 2000, 3000].map((t) => takeReload(history, t, 3, 300_000))).toEqual([true, true, true, false]);
    expect(takeReload(history, 300_001, 3, 300_000)).toBe(true);
  });
});
