import { bell, expect, expectAccessible, goTo, nav, screenshot, signInDemo, test, unreadCount } from './fixtures';

test('a notification raises the bell; mark read lowers it, and it stays read after a reload', async ({ page, preview }) => {
  const { clinic } = preview;
  const me = preview.account('reception');
  await signInDemo(page, preview, 'Reception');
  const before = await unreadCount(page);
  await expect(bell(page, before)).toBeVisible();

  const { notification } = await clinic.backend.notify({
    user_id: me.id,
    type: 'system',
    title: 'Lab results ready',
    message: 'The lab results for room 4 are in.',
    action_url: null,
  });
  await expect(bell(page, before + 1)).toBeVisible();
  await expect(page.getByTestId('unread-count')).toHaveText(String(before + 1));

  await goTo(page, 'Notifications');
  const list = page.getByRole('list', { name: 'Notifications' });
  const item = list.locator(`[data-notification-id="${notification.id}"]`);
  await expect(item).toHaveAttribute('data-read', 'false');
  await expect(item).toContainText('Lab results ready');
  await expect(page.getByRole('combobox', { name: 'Type' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark all read' })).toBeVisible();
  await screenshot(page, 'notifications');
  await expectAccessible(page, 'notifications');

  await item.getByRole('button', { name: 'Mark read' }).click();
  await expect(item).toHaveAttribute('data-read', 'true');
  await expect(bell(page, before)).toBeVisible();
  // Settled once the server took it: no 'read' (or 'delete') pending state, and no "waiting for the server" line.
  await expect(item).toHaveAttribute('data-pending', '');
  await expect(item).not.toContainText('waiting for the server');
  // The server has it too.
  await expect.poll(() => clinic.store.listNotifications(me.id, 0, 200).data.find((n) => n.id === notification.id)?.read_at ?? null).not.toBeNull();

  // A reload reconnects with the session cookie; the desk is still signed in and the item still read.
  await page.reload();
  await expect(nav(page)).toBeVisible();
  await expect(bell(page, before)).toBeVisible();
  await goTo(page, 'Notifications');
  await expect(page.getByRole('list', { name: 'Notifications' }).locator(`[data-notification-id="${notification.id}"]`)).toHaveAttribute('data-read', 'true');
});
