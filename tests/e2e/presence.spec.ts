import { quietDemoLogger } from '../../src/main/demo/logger';
import { SimulatedDesk } from '../../src/main/demo/simulated-desk';
import { expect, expectAccessible, goTo, screenshot, signInDemo, test } from './fixtures';

test('a colleague coming online and leaving shows in presence', async ({ page, preview }) => {
  const { clinic } = preview;
  await signInDemo(page, preview, 'Reception');
  await goTo(page, 'Presence');
  const online = page.getByRole('list', { name: 'Online now' });
  const me = preview.account('reception');
  await expect(online.locator(`[data-member-id="${me.id}"]`)).toBeVisible();

  const colleague = preview.account('doctor');
  const desk = new SimulatedDesk(
    colleague.id,
    colleague.clinicId,
    clinic.store.issueToken(colleague.id),
    { apiUrl: clinic.info.apiUrl, wsHost: clinic.info.wsHost, wsPort: clinic.info.wsPort, appKey: clinic.info.appKey },
    quietDemoLogger,
  );
  try {
    await desk.goOnline();
    const item = online.locator(`[data-member-id="${colleague.id}"]`);
    await expect(item).toBeVisible();
    await expect(item).toContainText(colleague.name);
    await screenshot(page, 'presence');
    await expectAccessible(page, 'presence');

    desk.goOffline();
    await expect(item).toHaveCount(0);
    await expect(online.locator(`[data-member-id="${me.id}"]`)).toBeVisible();
  } finally {
    desk.goOffline();
  }
});
