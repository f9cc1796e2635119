import { quietDemoLogger } from '../../src/main/demo/logger';
import { SimulatedDesk } from '../../src/main/demo/simulated-desk';
import { expect, expectAccessible, goTo, screenshot, signInDemo, test } from './fixtures';

test('conversations: send a message, and see a colleague typing', async ({ page, preview }) => {
  const { clinic } = preview;
  const me = preview.account('reception');
  const conversation = clinic.store.conversationsWhere((c) => c.participant_ids.includes(me.id) && c.participant_ids.some((id) => id !== me.id))[0];
  if (!conversation) throw new Error('seed 42 gives reception1 no conversation with a colleague');
  const colleagueId = conversation.participant_ids.find((id) => id !== me.id)!;
  const colleague = clinic.info.users.find((u) => u.id === colleagueId)!;

  await signInDemo(page, preview, 'Reception');
  await goTo(page, 'Conversations');
  const list = page.getByRole('list', { name: 'Conversations' });
  await list.getByText(conversation.subject).first().click();

  const body = `E2E hello ${Date.now()}`;
  await page.getByRole('textbox', { name: 'Message' }).fill(body);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText(body, { exact: true })).toBeVisible();
  await expect.poll(() => clinic.store.messagesOf(conversation.id, null, 50).some((m) => m.body === body)).toBe(true);

  const desk = new SimulatedDesk(
    colleague.id,
    colleague.clinicId,
    clinic.store.issueToken(colleague.id),
    { apiUrl: clinic.info.apiUrl, wsHost: clinic.info.wsHost, wsPort: clinic.info.wsPort, appKey: clinic.info.appKey },
    quietDemoLogger,
  );
  try {
    await desk.goOnline();
    await desk.typing(conversation.id, colleague.name, true, new Date().toISOString());
    await expect(page.getByText(`${colleague.name} is typing…`)).toBeVisible();
    await screenshot(page, 'conversation');
    await expectAccessible(page, 'conversation');
  } finally {
    desk.goOffline();
  }
});
