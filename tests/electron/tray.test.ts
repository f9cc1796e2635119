/**
 * The tray: icon per connection state with the unread count drawn where the
 * OS has no badge, tooltip, menu (last five unread, mark all read, Do Not
 * Disturb, connection line, reconnect, sign out, quit) and the badges each OS
 * has, first as pure functions, then through the controller and the fake Tray.
 */
import { inflateSync } from 'node:zlib';
import { clockIn, systemTimeZone, zoneLabel } from '../../src/shared/clinic-time';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeskEvent } from '../../src/shared/bridge';
import type { Appointment } from '../../src/shared/domain';
import type { ConnectionInfo, DeskSnapshot, NotificationItem } from '../../src/shared/desk-state';
import type { PendingStaffAction } from '../../src/shared/staff-actions';
import { DEFAULT_SETTINGS, type SettingsView } from '../../src/shared/settings';
import { memoryLogger } from '../../src/main/core/log';
import { PNG_SIGNATURE } from '../../src/main/electron/png';
import { badgeLabel, COLORS, drawBadge, drawTrayIcon, type TrayStatus } from '../../src/main/electron/tray-icon';
import { dndUntil, trayMenuTemplate, trayStatus, trayTooltip, type TrayActions, type TrayView } from '../../src/main/electron/tray-menu';
import { TrayController } from '../../src/main/electron/tray';
import { fake, FakeBrowserWindow, FakeMenu, resetFakeElectron, tray } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const NOW = Date.parse('2026-11-26T10:00:00Z');
const connection = (status: ConnectionInfo['status'], transport: ConnectionInfo['transport'] = 'reverb'): ConnectionInfo => ({
  status,
  since: '2026-11-26T09:00:00Z',
  transport,
  socketId: null,
  lastEventAt: null,
  lastSyncAt: null,
  nextRetryAt: status === 'offline' ? '2026-11-26T10:05:00Z' : null,
  detail: null,
  limitedFeatures: [],
  broadcastWarning: null,
});
const note = (id: number, title = `Notification ${id}`): NotificationItem => ({
  id,
  user_id: 4,
  type: 'info',
  title,
  message: 'm',
  action_url: null,
  created_at: '2026-11-26T09:00:00Z',
  read_at: null,
  pending: null,
});
const view = (extra: Partial<TrayView> = {}): TrayView => ({
  signedIn: true,
  connection: connection('live'),
  unread: 0,
  recent: [],
  canCallIn: false,
  waiting: [],
  dndUntil: null,
  dndLocked: false,
  now: NOW,
  zone: systemTimeZone(),
  ...extra,
});
const appointment = (id: number, status: string, at: string, doctorId = 31): Appointment => ({
  id,
  clinic_id: 1,
  doctor_id: doctorId,
  patient_id: 500 + id,
  patient_name: `Patient ${id}`,
  status,
  appointment_date: at,
  duration_minutes: 30,
  reason: null,
  updated_at: '2026-11-26T08:00:00Z',
});
const pending = (appointmentId: number, kind: PendingStaffAction['kind'], status: string | null): PendingStaffAction => ({
  id: crypto.randomUUID(),
  kind,
  appointmentId,
  consultationId: null,
  status,
  previousStatus: 'checked_in',
  createdAt: '2026-11-26T09:59:00Z',
  state: 'sending',
  undoUntil: null,
  undoes: null,
});

/** Decodes our own PNGs (8-bit RGBA, filter 0) back to pixels. */
function decodePng(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  return { width, height, pixel: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)] };
}

describe('tray state', () => {
  it.each<[ConnectionInfo['status'], ConnectionInfo['transport'], TrayStatus]>([
    ['live', 'reverb', 'connected'],
    ['polling', 'polling', 'connected'],
    ['polling', 'reverb', 'reconnecting'],
    ['connecting', 'pusher', 'reconnecting'],
    ['reconnecting', 'pusher', 'reconnecting'],
    ['offline', 'reverb', 'offline'],
    ['idle', 'reverb', 'signed-out'],
  ])('%s over %s shows as %s', (status, transport, expected) => {
    expect(trayStatus({ signedIn: true, connection: connection(status, transport) })).toBe(expected);
  });
  it('signed out shows as signed out', () => {
    expect(trayStatus({ signedIn: false, connection: null })).toBe('signed-out');
  });
});

describe('tray icon', () => {
  const centreOfDot = 32 * 0.78;
  it.each<TrayStatus>(['connected', 'reconnecting', 'offline', 'signed-out'])('has a %s-coloured status dot', (status) => {
    const png = decodePng(drawTrayIcon({ status, unread: 0, drawCount: true }, 32).png());
    expect(png.width).toBe(32);
    expect(png.pixel(Math.floor(centreOfDot), Math.floor(centreOfDot))).toEqual([...COLORS.status[status], 255]);
  });

  it('draws the count in a red badge on Windows and Linux, not on macOS (the dock and menu bar show it)', () => {
    const plain = drawTrayIcon({ status: 'connected', unread: 0, drawCount: true });
    const withCount = drawTrayIcon({ status: 'connected', unread: 3, drawCount: true });
    const mac = drawTrayIcon({ status: 'connected', unread: 3, drawCount: false });
    expect(Buffer.from(withCount.data).equals(Buffer.from(plain.data))).toBe(false);
    expect(Buffer.from(mac.data).equals(Buffer.from(plain.data))).toBe(true);
    const badgeArea = [...Array(8).keys()].flatMap((dy) => [...Array(8).keys()].map((dx) => withCount.pixel(20 + dx, 2 + dy)));
    expect(badgeArea).toContainEqual([...COLORS.badge, 255]);
    expect(badgeArea).toContainEqual([255, 255, 255, 255]);
    const counts = [1, 5, 9, 10, 250].map((n) => Buffer.from(drawTrayIcon({ status: 'connected', unread: n, drawCount: true }).data).toString('base64'));
    expect(new Set(counts).size).toBe(4); // 10 and 250 both read "9+"
  });

  it('badge labels', () => {
    expect([0, 1, 9, 10, 1000].map(badgeLabel)).toEqual(['', '1', '9', '9+', '9+']);
    expect(decodePng(drawBadge(4, 32).png()).pixel(2, 16)[0]).toBe(COLORS.badge[0]);
  });
});

describe('tooltip and menu', () => {
  const actions = (): TrayActions & { log: string[] } => {
    const log: string[] = [];
    return {
      log,
      openDashboard: () => log.push('open'),
      openNotification: (id) => log.push(`notification ${id}`),
      callIn: (id) => log.push(`call in ${id}`),
      markAllRead: () => log.push('mark all read'),
      setDnd: (choice) => log.push(`dnd ${choice}`),
      reconnect: () => log.push('reconnect'),
      signOut: () => log.push('sign out'),
      quit: () => log.push('quit'),
    };
  };

  it('tooltip: state and count, and Do Not Disturb', () => {
    expect(trayTooltip(view({ unread: 3 }))).toBe('Clinic Desk: Connected\n3 unread notifications');
    expect(trayTooltip(view({ unread: 1, connection: connection('reconnecting') }))).toBe('Clinic Desk: Reconnecting…\n1 unread notification');
    expect(trayTooltip(view({ signedIn: false, connection: null }))).toBe('Clinic Desk: Signed out');
    expect(trayTooltip(view({ dndUntil: '2026-11-26T11:00:00Z' }))).toMatch(/Do Not Disturb until/);
    expect(trayTooltip(view({ dndUntil: '2026-11-26T09:00:00Z' }))).not.toMatch(/Do Not Disturb/);
  });

  it('lists the last five unread (click opens one), with mark all read, DND, connection, reconnect, sign out, quit', () => {
    const a = actions();
    const menu = new FakeMenu(trayMenuTemplate(view({ unread: 7, recent: [1, 2, 3, 4, 5, 6].map((id) => note(id)) }), a) as never);
    expect(menu.items.map((i) => i.id ?? i.type)).toEqual([
      'open',
      'separator',
      'unread-header',
      'notification-1',
      'notification-2',
      'notification-3',
      'notification-4',
      'notification-5',
      'mark-all-read',
      'separator',
      'dnd',
      'separator',
      'connection',
      'reconnect',
      'separator',
      'sign-out',
      'quit',
    ]);
    expect(menu.byId('unread-header').label).toBe('Unread notifications (7)');
    for (const id of ['open', 'notification-3', 'mark-all-read', 'dnd-hour', 'dnd-tomorrow', 'dnd-off', 'reconnect', 'sign-out', 'quit']) menu.click(id);
    expect(a.log).toEqual(['open', 'notification 3', 'mark all read', 'dnd hour', 'dnd tomorrow', 'dnd off', 'reconnect', 'sign out', 'quit']);
    expect(menu.byId('connection')).toMatchObject({ label: 'Connected', enabled: false });
  });

  it('a doctor who may call in sees the patients waiting, each a click from being called in', () => {
    const a = actions();
    const waiting = [1, 2, 3, 4, 5, 6].map((i) => ({ appointmentId: 40 + i, patientName: `Patient & ${i}`, at: `2026-11-26T0${i + 2}:30:00Z`, callingIn: i === 2 }));
    const menu = new FakeMenu(trayMenuTemplate(view({ canCallIn: true, waiting, zone: 'UTC' }), a) as never);
    const ids = menu.items.map((i) => i.id ?? i.type);
    expect(ids.slice(ids.indexOf('waiting-header'), ids.indexOf('dnd'))).toEqual(['waiting-header', 'call-in-41', 'call-in-42', 'call-in-43', 'call-in-44', 'call-in-45', 'separator']);
    expect(menu.byId('waiting-header')).toMatchObject({ label: 'Waiting (6)', enabled: false });
    expect(menu.byId('call-in-41').label).toBe(`Call in Patient && 1 (${clockIn('2026-11-26T03:30:00Z', 'UTC')})`);
    // One already on its way cannot be called twice.
    expect(menu.byId('call-in-42')).toMatchObject({ enabled: false });
    expect(menu.byId('call-in-42').label).toMatch(/^Calling in Patient && 2/);
    menu.click('call-in-43');
    expect(a.log).toEqual(['call in 43']);
    expect(new FakeMenu(trayMenuTemplate(view({ canCallIn: true }), a) as never).byId('waiting-header').label).toBe('No patients waiting');
    // Reception (or a server without call-in): no waiting list at all.
    expect(new FakeMenu(trayMenuTemplate(view({ canCallIn: false, waiting }), a) as never).all().some((i) => i.id?.startsWith('call-in') || i.id === 'waiting-header')).toBe(false);
  });

  it('no unread: mark all read is disabled; signed out: no notifications, no sign out, reconnect disabled', () => {
    expect(new FakeMenu(trayMenuTemplate(view(), actions()) as never).byId('mark-all-read').enabled).toBe(false);
    const out = new FakeMenu(trayMenuTemplate(view({ signedIn: false, connection: null }), actions()) as never);
    expect(out.all().map((i) => i.id)).not.toContain('sign-out');
    expect(out.all().map((i) => i.id)).not.toContain('mark-all-read');
    expect(out.byId('reconnect').enabled).toBe(false);
    expect(out.byId('connection').label).toBe('Not signed in');
  });

  it('connection lines say what is going on', () => {
    const line = (c: ConnectionInfo) => new FakeMenu(trayMenuTemplate(view({ connection: c }), actions()) as never).byId('connection').label;
    expect(line(connection('offline'))).toMatch(/^Offline; next try at /);
    expect(line(connection('polling', 'reverb'))).toMatch(/interrupted/);
    expect(line(connection('reconnecting'))).toBe('Reconnecting…');
  });

  it('Do Not Disturb shows its end, and is disabled when the policy sets it', () => {
    const on = new FakeMenu(trayMenuTemplate(view({ dndUntil: '2026-11-26T11:00:00Z' }), actions()) as never);
    expect(on.byId('dnd').label).toMatch(/^Do Not Disturb \(until .+\)$/);
    expect(on.byId('dnd-off').checked).toBe(false);
    const locked = new FakeMenu(trayMenuTemplate(view({ dndLocked: true }), actions()) as never);
    expect(locked.byId('dnd').enabled).toBe(false);
  });

  it('DND choices: one hour, tomorrow 8:00 on the clinic’s clock, off', () => {
    expect(dndUntil('hour', NOW)).toBe('2026-11-26T11:00:00.000Z');
    // 10:00 UTC on 26 November: in Los Angeles it is 02:00 on the 26th, in Sydney 21:00 on the 26th, in Kathmandu 15:45.
    expect(dndUntil('tomorrow', NOW, 'America/Los_Angeles')).toBe('2026-11-27T16:00:00.000Z');
    expect(dndUntil('tomorrow', NOW, 'Australia/Sydney')).toBe('2026-11-26T21:00:00.000Z');
    expect(dndUntil('tomorrow', NOW, 'Asia/Kathmandu')).toBe('2026-11-27T02:15:00.000Z');
    expect(dndUntil('off', NOW)).toBeNull();
  });

  it('reads its times on the clinic’s clock, naming the zone when this computer’s differs', () => {
    const until = '2026-11-26T16:00:00.000Z';
    const here = new FakeMenu(trayMenuTemplate(view({ dndUntil: until, zone: systemTimeZone() }), actions()) as never);
    expect(here.byId('dnd').label).toBe(`Do Not Disturb (until ${clockIn(until, systemTimeZone())})`);
    const away = systemTimeZone() === 'Asia/Kathmandu' ? 'America/Los_Angeles' : 'Asia/Kathmandu';
    const there = new FakeMenu(trayMenuTemplate(view({ dndUntil: until, zone: away }), actions()) as never);
    expect(there.byId('dnd').label).toBe(`Do Not Disturb (until ${clockIn(until, away)} ${zoneLabel(away, Date.parse(until))})`);
  });

  it('titles are one line, shortened, and an & is not taken as an access key', () => {
    const menu = new FakeMenu(trayMenuTemplate(view({ unread: 1, recent: [note(1, `Smith & Jones\n${'x'.repeat(100)}`)] }), actions()) as never);
    const label = menu.byId('notification-1').label ?? '';
    expect(label.startsWith('Smith && Jones x')).toBe(true);
    expect(label.endsWith('…')).toBe(true);
    expect(label.length).toBeLessThanOrEqual(61);
  });
});

describe('the tray controller', () => {
  let snapshot: DeskSnapshot;
  let unreadItems: NotificationItem[];
  let settings: SettingsView;
  let win: FakeBrowserWindow;
  const noop = () => undefined;
  const controller = (platform: 'linux' | 'darwin' | 'win32') =>
    new TrayController({
      desk: {
        getSnapshot: async () => snapshot,
        listNotifications: async (q) => ({ items: unreadItems.slice(0, q.limit), hasMore: false, unread: unreadItems.length }),
      },
      settings: () => settings,
      actions: { openDashboard: noop, openNotification: noop, callIn: noop, markAllRead: noop, setDnd: noop, reconnect: noop, signOut: noop, quit: noop },
      platform,
      mainWindow: () => win as never,
      now: () => NOW,
      logger: memoryLogger(),
    });

  beforeEach(() => {
    resetFakeElectron();
    win = new FakeBrowserWindow({});
    unreadItems = [note(11), note(10)];
    settings = { values: DEFAULT_SETTINGS, locked: [] };
    snapshot = {
      session: { status: 'signed-in', user: { id: 4, name: 'Dr. G', email: 'g@x.test', role: 'doctor', clinic_id: 1, doctor_id: 31, time_zone: null }, apiUrl: 'https://clinic.example.org', demo: false, timeZone: { zone: 'UTC', source: 'os', note: null } },
      connection: connection('live'),
      board: null,
      consultations: [],
      presence: { clinicId: 1, members: [], roster: [] },
      conversations: [],
      outgoing: [],
      pendingActions: [],
      staffActions: [],
      unreadNotifications: 2,
      channels: [],
      features: [],
    };
  });

  it('on Linux: count in the icon, setBadgeCount, menu from the desk', async () => {
    const c = controller('linux');
    c.start();
    await c.refresh();
    expect(tray().tooltip).toBe('Clinic Desk: Connected\n2 unread notifications');
    expect(tray().menu?.byId('notification-11')).toBeDefined();
    expect(fake.app.badgeCounts.at(-1)).toBe(2);
    const icon = decodePng(tray().image!.buffer!);
    expect(tray().image?.options).toEqual({ scaleFactor: 2 });
    expect([...Array(10).keys()].map((i) => icon.pixel(20 + (i % 5), 3 + Math.floor(i / 5)))).toContainEqual([...COLORS.badge, 255]);
    // A click on the icon opens the dashboard (the menu is on right-click).
    expect(tray().listenerCount('click')).toBe(1);
  });

  it('redraws the icon only when its state changes, and follows the desk', async () => {
    const c = controller('linux');
    c.start();
    await c.refresh();
    const images = tray().images.length;
    await c.refresh();
    expect(tray().images.length).toBe(images);
    snapshot = { ...snapshot, connection: connection('offline') };
    await c.refresh();
    expect(tray().images.length).toBe(images + 1);
    expect(tray().tooltip).toMatch(/^Clinic Desk: Offline/);
  });

  it('on macOS: dock badge and the count as the menu-bar title, no count in the icon', async () => {
    const c = controller('darwin');
    c.start();
    await c.refresh();
    expect(fake.app.badgeCounts.at(-1)).toBe(2);
    expect(tray().title).toBe('2');
    expect(tray().listenerCount('click')).toBe(0);
    snapshot = { ...snapshot, unreadNotifications: 0 };
    unreadItems = [];
    await c.refresh();
    expect(tray().title).toBe('');
    expect(fake.app.badgeCounts.at(-1)).toBe(0);
  });

  it('on Windows: the taskbar overlay with the count, cleared at zero', async () => {
    const c = controller('win32');
    c.start();
    await c.refresh();
    expect(win.overlays.at(-1)?.description).toBe('2 unread notifications');
    expect(win.overlays.at(-1)?.image).not.toBeNull();
    expect(fake.app.badgeCounts).toEqual([]);
    snapshot = { ...snapshot, unreadNotifications: 0 };
    await c.refresh();
    expect(win.overlays.at(-1)).toEqual({ image: null, description: '' });
  });

  it('signed out: grey icon, no count, no notifications in the menu', async () => {
    snapshot = { ...snapshot, session: { status: 'signed-out', reason: null } };
    const c = controller('linux');
    c.start();
    await c.refresh();
    expect(tray().tooltip).toBe('Clinic Desk: Signed out');
    expect(tray().menu?.all().some((i) => i.id?.startsWith('notification-'))).toBe(false);
    expect(decodePng(tray().image!.buffer!).pixel(24, 24)).toEqual([...COLORS.status['signed-out'], 255]);
  });

  it("a doctor's waiting list comes from the board: their checked-in patients, earliest first, with their own pending actions applied", async () => {
    snapshot = {
      ...snapshot,
      staffActions: ['call-in', 'start-consultation', 'complete-consultation'],
      board: {
        date: '2026-11-26',
        doctors: [],
        syncedAt: null,
        stale: false,
        appointments: [
          appointment(1, 'checked_in', '2026-11-26T11:00:00Z'),
          appointment(2, 'checked_in', '2026-11-26T09:00:00Z'),
          appointment(3, 'scheduled', '2026-11-26T08:00:00Z'),
          appointment(4, 'checked_in', '2026-11-26T08:30:00Z', 32),
          appointment(5, 'checked_in', '2026-11-26T10:00:00Z'),
          appointment(6, 'checked_in', '2026-11-26T10:30:00Z'),
        ],
      },
      // 5 is being started (it leaves the list at once); 6 is being called in.
      pendingActions: [pending(5, 'start-consultation', 'in_consultation'), pending(6, 'call-in', null)],
    };
    const c = controller('linux');
    c.start();
    await c.refresh();
    expect(c.current.waiting.map((w) => [w.appointmentId, w.callingIn])).toEqual([
      [2, false],
      [6, true],
      [1, false],
    ]);
    expect(tray().menu?.byId('waiting-header').label).toBe('Waiting (3)');
    // Without call-in on this server, none.
    snapshot = { ...snapshot, staffActions: ['start-consultation'] };
    await c.refresh();
    expect(c.current).toMatchObject({ canCallIn: false, waiting: [] });
    expect(tray().menu?.all().some((i) => i.id === 'waiting-header')).toBe(false);
  });

  it("follows the board only while a doctor's waiting list is shown", async () => {
    vi.useFakeTimers();
    try {
      const c = controller('linux');
      c.start();
      await c.refresh();
      const refresh = vi.spyOn(c, 'refresh');
      const update: DeskEvent = { kind: 'appointment.updated', appointment: appointment(1, 'checked_in', '2026-11-26T11:00:00Z'), action: 'confirmed', changed: ['status'] };
      // No call-in here (reception, or a server without it): the board's changes do not touch the tray.
      c.onEvent(update);
      await vi.advanceTimersByTimeAsync(100);
      expect(refresh).not.toHaveBeenCalled();
      // Once call-in is offered, the list is shown and follows the board.
      snapshot = { ...snapshot, staffActions: ['call-in'] };
      c.onEvent({ kind: 'staff-actions.offered', actions: ['call-in'] });
      await vi.advanceTimersByTimeAsync(100);
      expect(c.current.canCallIn).toBe(true);
      c.onEvent(update);
      await vi.advanceTimersByTimeAsync(100);
      expect(refresh).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refreshes after the events that change it, once per burst', async () => {
    vi.useFakeTimers();
    try {
      const c = controller('linux');
      c.start();
      const refresh = vi.spyOn(c, 'refresh');
      for (let i = 0; i < 20; i++) c.onEvent({ kind: 'notifications.unread', unread: i });
      c.onEvent({ kind: 'typing', conversationId: 1, typing: { user_id: 2, name: 'A', typing: true } });
      await vi.advanceTimersByTimeAsync(100);
      expect(refresh).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
