/**
 * The scenario keeps the demo clinic in session at any hour, over real
 * sockets: colleagues come online as soon as it starts (never as the accounts
 * a newcomer signs in with), their messages come with typing whispers, and the
 * happenings act on the clinic's local day around now, the same for the same
 * seed, clock and zone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../../src/shared/channels';
import { MessagePayload, TYPING_CLIENT_EVENT } from '../../../src/shared/payloads';
import { DEMO_SIGN_IN_EMAILS, type DemoClinic } from '../../../src/main/demo/demo-clinic';
import type { Happening } from '../../../src/main/demo/scenario';
import { wallClock } from '../../../src/main/demo/world';
import { DemoHarness, account, ajaxAuthorization, clientFor, subscribe } from '../../helpers/demo';

const harness = new DemoHarness();
afterEach(() => harness.cleanup());

const SYDNEY = 'Australia/Sydney';
const LATE = wallClock('2026-11-26', 23, 40, SYDNEY);
const shape = (h: Happening) => ({ kind: h.kind, ref: h.ref, summary: h.summary });

const presenceCount = (clinic: DemoClinic, clinicId: number) =>
  clinic.realtime?.channelInfo(clinic.info.appId, channels.presenceClinic(clinicId).fullName).userCount ?? 0;

describe('colleagues online', () => {
  it('start() brings two colleagues of each clinic online at once, never a sign-in account; stop() takes them offline', async () => {
    const clinic = await harness.clinic({ timeZone: SYDNEY, now: () => LATE });
    clinic.scenario.start(0.01); // the timer itself stays quiet: only the gathering runs
    await expect.poll(() => [presenceCount(clinic, 1), presenceCount(clinic, 2)], { timeout: 5000 }).toEqual([2, 2]);
    const online = clinic.scenario.colleaguesOnline;
    expect(online).toHaveLength(4);
    const reserved = DEMO_SIGN_IN_EMAILS.map((email) => account(clinic, email).id);
    expect(online.filter((id) => reserved.includes(id))).toEqual([]);
    expect(online.every((id) => clinic.store.accountById(id)?.role !== 'patient')).toBe(true);
    clinic.scenario.stop();
    await expect.poll(() => [presenceCount(clinic, 1), presenceCount(clinic, 2)], { timeout: 5000 }).toEqual([0, 0]);
    expect(clinic.scenario.colleaguesOnline).toEqual([]);
  });

  it('gathers the same colleagues for the same seed', async () => {
    const a = await harness.clinic({ seed: 9 });
    const b = await harness.clinic({ seed: 9 });
    const first = await a.scenario.gatherColleagues(2);
    expect(await b.scenario.gatherColleagues(2)).toEqual(first);
    expect(first).toHaveLength(4);
  });

  it('a colleague at their desk types before their message: "is typing…", then message-sent', async () => {
    const clinic = await harness.clinic({ seed: 42 });
    const reception = await clientFor(clinic, 'reception1@northside.clinic.test');
    const client = await harness.pusherJs(clinic, ajaxAuthorization(clinic, reception.token));
    const log: Array<{ event: string; conversation: number; userId: number; messageId?: number }> = [];
    for (const row of clinic.store.conversationsWhere((c) => c.clinic_id === 1)) {
      const name = channels.conversation(row.id).fullName;
      expect((await subscribe(client, name)).ok).toBe(true);
      const channel = client.channel(name);
      channel.bind(TYPING_CLIENT_EVENT, (p: { data: { user_id: number } }) => log.push({ event: 'typing', conversation: row.id, userId: p.data.user_id }));
      channel.bind('message-sent', (p: unknown) => {
        const payload = MessagePayload.parse(p);
        const message = (payload.data as { message: { id: number; sender_id: number } }).message;
        log.push({ event: 'sent', conversation: row.id, userId: message.sender_id, messageId: message.id });
      });
    }
    await clinic.scenario.gatherColleagues(3);
    let typed: { conversation: number; userId: number; messageId: number } | null = null;
    for (let i = 0; i < 300 && typed === null; i++) {
      const h = await clinic.scenario.step();
      if (h.kind !== 'message') continue;
      const row = clinic.store.conversationsWhere((c) => c.clinic_id === 1).find((c) => clinic.store.messagesOf(c.id, null, 1000).some((m) => m.id === h.ref));
      const message = row ? clinic.store.messagesOf(row.id, null, 1000).find((m) => m.id === h.ref) : undefined;
      if (row && message && clinic.scenario.colleaguesOnline.includes(message.sender_id)) typed = { conversation: row.id, userId: message.sender_id, messageId: message.id };
    }
    if (typed === null) throw new Error('no colleague at their desk wrote in 300 happenings');
    const found = typed;
    await expect.poll(() => log.some((e) => e.event === 'sent' && e.messageId === found.messageId), { timeout: 3000 }).toBe(true);
    await expect.poll(() => log.some((e) => e.event === 'typing' && e.conversation === found.conversation && e.userId === found.userId), { timeout: 3000 }).toBe(true);
    clinic.scenario.stop();
  });
});

describe('happenings on the local day, around now', () => {
  it('at 23:40 in Sydney: acts on today\'s local appointments, checks in the next patients, and plays the same for the same seed, clock and zone', async () => {
    const a = await harness.clinic({ seed: 42, timeZone: SYDNEY, now: () => LATE });
    const b = await harness.clinic({ seed: 42, timeZone: SYDNEY, now: () => LATE });
    const dayA = await a.scenario.run(60);
    const dayB = await b.scenario.run(60);
    expect(dayB.map(shape)).toEqual(dayA.map(shape));
    expect(b.store.allAppointments()).toEqual(a.store.allAppointments());

    const kinds = new Set(dayA.map((h) => h.kind));
    for (const kind of ['appointment.checked_in', 'consultation.started', 'consultation.completed', 'message', 'notification'] as const) expect(kinds, kind).toContain(kind);
    const today = a.today();
    expect(today).toBe('2026-11-26');
    for (const h of dayA.filter((x) => x.kind.startsWith('appointment.'))) {
      const row = a.store.appointment(h.ref);
      expect(row && a.store.isOnDay(row, today), `${h.summary}`).toBe(true);
    }
    // Arrivals are for the next appointments (due within the half hour before now or later), not for tomorrow's.
    for (const h of dayA.filter((x) => x.kind === 'appointment.checked_in')) {
      expect(Date.parse(a.store.appointment(h.ref)?.appointment_date ?? '')).toBeGreaterThanOrEqual(LATE - 30 * 60_000);
    }
  });

  it('stays in session as the hours pass: after the day\'s bookings run out, and past local midnight, patients walk in', async () => {
    const zone = 'America/Los_Angeles';
    let now = wallClock('2026-11-26', 10, 0, zone);
    const clinic = await harness.clinic({ seed: 42, timeZone: zone, now: () => now });
    for (const [day, hour, minute] of [['2026-11-26', 20, 45], ['2026-11-27', 0, 30]] as const) {
      now = wallClock(day, hour, minute, zone);
      expect(clinic.today()).toBe(day);
      const happenings = await clinic.scenario.run(80);
      const walkIns = happenings.filter((h) => h.kind === 'appointment.walk_in');
      expect(walkIns.length, `${day} ${hour}:${minute}`).toBeGreaterThan(0);
      for (const h of walkIns) {
        const row = clinic.store.appointment(h.ref);
        expect(row && clinic.store.isOnDay(row, day)).toBe(true);
        expect(Date.parse(row?.appointment_date ?? '')).toBeLessThanOrEqual(now);
        expect(Date.parse(row?.appointment_date ?? '')).toBeGreaterThan(now - 60_000);
      }
      // Walk-ins are seen: some have a consultation opened by now.
      const opened = clinic.store.consultationsWhere((c) => walkIns.some((h) => h.ref === c.appointment_id));
      expect(opened.length, `${day} ${hour}:${minute}`).toBeGreaterThan(0);
    }
  });

  it('in another zone at the same instant, the same seed plays another (local) day', async () => {
    const sydney = await harness.clinic({ seed: 42, timeZone: SYDNEY, now: () => LATE });
    const la = await harness.clinic({ seed: 42, timeZone: 'America/Los_Angeles', now: () => LATE });
    expect(la.today()).toBe('2026-11-26');
    expect(sydney.today()).toBe('2026-11-26');
    expect(la.store.appointmentsOn(1, la.today()).map((x) => x.appointment_date)).not.toEqual(sydney.store.appointmentsOn(1, sydney.today()).map((x) => x.appointment_date));
  });
});
