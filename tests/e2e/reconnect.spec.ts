import type { Notification } from '../../src/shared/domain';
import { bell, connectionStatus, expect, goTo, screenshot, signInDemo, test, unreadCount } from './fixtures';

test('the socket server restarts: reconnecting, then live, with the notifications created meanwhile present once', async ({ page, preview }) => {
  test.setTimeout(60_000);
  const { clinic } = preview;
  const me = preview.account('reception');
  await signInDemo(page, preview, 'Reception');
  const before = await unreadCount(page);

  await clinic.stopRealtime();
  await expect(connectionStatus(page)).toHaveAttribute('data-state', /^(reconnecting|connecting|offline|polling)$/);
  await expect(connectionStatus(page)).toHaveText(/^(Reconnecting…|Connecting…|Offline|Offline — polling)$/);
  // The board is marked stale while not live.
  await expect(page.getByTestId('stale-banner')).toBeVisible();
  await expect(page.getByTestId('stale-banner')).toContainText(/Stale since \d{2}:\d{2}/);
  await screenshot(page, 'reconnecting');

  // Created while the socket server is down: the broadcast fails, only REST knows them.
  const missed: Notification[] = [];
  for (const title of ['Missed while offline 1', 'Missed while offline 2']) {
    const { notification, broadcast } = await clinic.backend.notify({ user_id: me.id, type: 'system', title, message: 'Sent while the socket server was down.', action_url: null });
    expect(broadcast).toBe(false);
    missed.push(notification);
  }

  await clinic.startRealtime();
  await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await expect(connectionStatus(page)).toHaveText('Live');
  await expect(page.getByTestId('stale-banner')).toBeHidden();
  await expect(bell(page, before + missed.length)).toBeVisible();

  await goTo(page, 'Notifications');
  const list = page.getByRole('list', { name: 'Notifications' });
  for (const n of missed) {
    await expect(list.locator(`[data-notification-id="${n.id}"]`)).toHaveCount(1);
    await expect(list.locator(`[data-notification-id="${n.id}"]`)).toContainText(n.title);
  }
});
