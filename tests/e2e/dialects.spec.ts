import type { Page } from '@playwright/test';
import { API_DIALECTS } from '../../src/main/demo/dialects/names';
import { FEATURES } from '../../src/shared/features';
import { bell, connectionStatus, expect, expectAccessible, goTo, nav, screenshot, signInDemo, test, unreadCount, upcomingAppointment, type Preview } from './fixtures';

/**
 * The new clinic's scenario (tests/integration/core/dialects.test.ts) as staff
 * see it in the window, once per REST dialect of the demo clinic: the day on
 * the board, live updates on every screen, nothing lost across a socket-server
 * restart, a mark-read taken while the API fails sent once it answers. The
 * minimal back end (no lists at all) says so on the status chip and in
 * Diagnostics, and still shows what arrives live.
 */

const NOT_OFFERED = 'Not offered by this server — live updates only';

const board = (page: Page) => page.getByRole('region', { name: 'Appointment board' });
const cards = (page: Page) => board(page).locator('[data-appointment-id]');
const column = (page: Page, name: string) => page.locator('section', { has: page.getByRole('heading', { name, exact: true }) });

/** Reception's day, a colleague's conversation and an open consultation, made before the desk signs in. */
async function receptionDay(preview: Preview) {
  const { clinic } = preview;
  const me = preview.account('reception');
  const target = upcomingAppointment(preview);
  const day = clinic.store.appointmentsOn(me.clinicId, clinic.store.today());
  const other = day.find((a) => a.id !== target.id);
  if (!other) throw new Error('the demo day has fewer than two appointments');
  // The quiet demo has no consultation open today until one is opened.
  const { consultation } = await clinic.backend.openConsultation(other);
  const conversation = clinic.store.conversationsWhere((c) => c.participant_ids.includes(me.id) && c.participant_ids.some((id) => id !== me.id))[0];
  const sender = clinic.store.userById(conversation?.participant_ids.find((id) => id !== me.id) ?? 0);
  if (!conversation || !sender) throw new Error('reception1 has no conversation with a colleague');
  return { me, target, day, consultation, conversation, sender };
}

for (const dialect of API_DIALECTS) {
  test.describe(`a clinic whose API speaks the ${dialect} dialect`, () => {
    test.use({ apiDialect: dialect });

    if (dialect === 'minimal') {
      test('doctor: the chip says 5 features limited and leads to Diagnostics; appointment updates and notifications still arrive live', async ({ page, preview }) => {
        const { clinic } = preview;
        const doctor = preview.account('doctor');
        if (doctor.doctorId === undefined) throw new Error('doctor1 has no doctor id');
        const mine = upcomingAppointment(preview, { doctorId: doctor.doctorId });
        await signInDemo(page, preview, 'Doctor');

        // Live, but no list is served: said on the chip, one click from Diagnostics.
        await expect(connectionStatus(page)).toHaveAttribute('data-limited', String(FEATURES.length));
        const chip = page.getByTestId('limited-features');
        await expect(chip).toHaveText(`Live, ${FEATURES.length} features limited`);
        await chip.click();
        await expect(nav(page).getByRole('button', { name: 'Diagnostics', exact: true })).toHaveAttribute('aria-current', 'page');
        const table = page.getByTestId('feature-table');
        await expect(table.locator('[data-feature]')).toHaveCount(FEATURES.length);
        for (const feature of FEATURES) {
          const row = table.locator(`[data-feature="${feature}"]`);
          await expect(row).toHaveAttribute('data-state', 'not-offered');
          await expect(row.locator('[data-fact="state"]')).toHaveText(NOT_OFFERED);
        }
        await screenshot(page, `dialect-${dialect}-diagnostics`);
        await expectAccessible(page, `diagnostics (${dialect} dialect)`);

        // The doctor's own schedule channel: the appointment shows from its broadcast alone.
        await goTo(page, 'Board');
        await expect(cards(page)).toHaveCount(0);
        await clinic.backend.updateAppointment(mine.id, 'confirmed', { status: 'checked_in' });
        const card = board(page).locator(`[data-appointment-id="${mine.id}"]`);
        await expect(card).toHaveAttribute('data-status', 'checked_in');
        await expect(card).toContainText(mine.patient_name);

        const before = await unreadCount(page);
        await clinic.backend.notify({ user_id: doctor.id, type: 'system', title: 'Live only', message: 'The minimal back end still broadcasts.', action_url: null });
        await expect(bell(page, before + 1)).toBeVisible();
        await screenshot(page, `dialect-${dialect}-board`);
      });
      return;
    }

    test('reception: the day on the board, live updates on every screen, nothing lost across a socket-server restart, an offline mark-read sent', async ({ page, preview }) => {
      const { clinic } = preview;
      const { me, target, day, consultation, conversation, sender } = await receptionDay(preview);
      await signInDemo(page, preview, 'Reception');
      await expect(page.getByTestId('limited-features')).toHaveCount(0);
      // Live and caught up: the board is not marked stale.
      await expect(page.getByTestId('stale-banner')).toBeHidden();

      // The whole day (every page of it), one card per appointment.
      await expect(cards(page)).toHaveCount(day.length);
      // (The Node test project has no DOM types.)
      const shown = await cards(page).evaluateAll((els: Array<{ getAttribute(name: string): string | null }>) => els.map((el) => Number(el.getAttribute('data-appointment-id'))));
      expect(shown.sort((a, b) => a - b)).toEqual(day.map((a) => a.id).sort((a, b) => a - b));
      const card = board(page).locator(`[data-appointment-id="${target.id}"]`);
      await expect(card).toHaveAttribute('data-status', target.status);
      await screenshot(page, `dialect-${dialect}-board`);

      // An update broadcast on the doctor's channel.
      await clinic.backend.updateAppointment(target.id, 'confirmed', { status: 'checked_in' });
      await expect(card).toHaveAttribute('data-status', 'checked_in');

      // A consultation changes status.
      await goTo(page, 'Consultations');
      const consultationCard = (status: string) => column(page, status).locator(`[data-consultation-id="${consultation.id}"]`);
      await expect(consultationCard('Pending')).toBeVisible();
      await clinic.backend.setConsultationStatus(consultation.id, 'active');
      await expect(consultationCard('Active')).toBeVisible();
      await expect(consultationCard('Pending')).toHaveCount(0);

      // A colleague's message arrives in the open conversation.
      await goTo(page, 'Conversations');
      await page.getByRole('list', { name: 'Conversations' }).getByText(conversation.subject).first().click();
      const body = `Hello from the ${dialect} clinic`;
      await clinic.backend.postMessage(conversation.id, sender, body);
      await expect(page.getByText(body, { exact: true })).toBeVisible();

      // Five notifications created while the socket server is down: each shown once after it returns.
      const before = await unreadCount(page);
      await clinic.stopRealtime();
      await expect(connectionStatus(page)).not.toHaveAttribute('data-state', 'live');
      const missed: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const { notification, broadcast } = await clinic.backend.notify({ user_id: me.id, type: 'system', title: `Missed ${i} (${dialect})`, message: 'Sent while the socket server was down.', action_url: null });
        expect(broadcast).toBe(false);
        missed.push(notification.id);
      }
      await clinic.startRealtime();
      await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
      await expect(bell(page, before + missed.length)).toBeVisible();
      await goTo(page, 'Notifications');
      const list = page.getByRole('list', { name: 'Notifications' });
      for (const [i, id] of missed.entries()) {
        await expect(list.locator(`[data-notification-id="${id}"]`)).toHaveCount(1);
        await expect(list.locator(`[data-notification-id="${id}"]`)).toContainText(`Missed ${i + 1} (${dialect})`);
      }

      // Marked read while the API answers 503: waiting; sent once it answers again and the desk reconnects.
      const unread = missed[0] as number;
      const row = list.locator(`[data-notification-id="${unread}"]`);
      const readAt = () => clinic.store.listNotifications(me.id, unread - 1, 1).data[0]?.read_at ?? null;
      clinic.api.injectFault({ path: /^\/api\//, status: 503, times: 10_000 });
      await row.getByRole('button', { name: 'Mark read' }).click();
      await expect(row).toHaveAttribute('data-pending', 'read');
      await expect(row).toContainText('Marked read · waiting for the server');
      expect(readAt()).toBeNull();
      clinic.api.clearFaults();
      await goTo(page, 'Diagnostics');
      await page.getByRole('region', { name: 'Connection' }).getByRole('button', { name: 'Reconnect now' }).click();
      await expect.poll(readAt).not.toBeNull();
      await expect(connectionStatus(page)).toHaveAttribute('data-state', 'live');
      await goTo(page, 'Notifications');
      await expect(row).toHaveAttribute('data-read', 'true');
      await expect(row).toHaveAttribute('data-pending', '');
    });
  });
}
