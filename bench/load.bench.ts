/**
 * Load benchmark: `node bin/run-ts.mjs bench/load.bench.ts [--desks N] [--presence-rounds N] [--notifications N] [--rate N]`.
 *
 * The seed's "100+ concurrent users": N (default 200) full desk cores
 * (DeskService: REST sign-in, laravel-echo + pusher-js with real
 * `/broadcasting/auth`, SQLite cache, catch-up) in this process, signed in at
 * once to one demo clinic running in its own process. The demo world has 9
 * staff accounts (a patient account cannot use the desk); one clinic-1 staff
 * member is kept back as the "new colleague", and the N desks are spread
 * round-robin over the other 8 (each account signs in N/8 times, each desk with
 * its own token and cache file). Measured:
 *  (a) connect: from starting all sign-ins to each desk live, every channel
 *      subscribed and caught up (per desk p50/p99, and all N);
 *  (b) presence: the new colleague comes online (a pusher-js client joining
 *      `presence-clinic.1` through `/broadcasting/auth`, in the clinic's process);
 *      from the server's first send of the `member_added` frame (the start of its
 *      fan-out) to `presence.joined` at each clinic-1 desk; then goes offline
 *      (`member_removed` → `presence.left`); `--presence-rounds` times;
 *  (c) notifications: 1,000 `general-notification`s through the official SDK's
 *      `trigger` (HTTP API), paced at `--rate`/s (default 100), spread round-robin
 *      over the 8 users; from just before `trigger` to `notification.upserted` at
 *      each desk of that user (N/8 desks per notification).
 * No target in the issue beyond "works for 100+ users"; figures are the record.
 * Writes bench/results/load.json and prints a table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchDesk, NotificationTracker, signInLive, type BenchDesk } from './support/desk';
import { hr } from './support/ipc';
import { BENCH_ID_BASE } from './support/payloads';
import { startClinic } from './support/remote';
import { LOAD_NOTE, contention, ownCpuMs, fmt, headline, loadavg, machine, median, printTable, revision, round, sleep, summarize, until, writeResults } from './support/report';

const { values } = parseArgs({
  options: {
    desks: { type: 'string' },
    'presence-rounds': { type: 'string' },
    notifications: { type: 'string' },
    rate: { type: 'string' },
  },
});
const DESKS = Number(values.desks ?? 200);
const PRESENCE_ROUNDS = Number(values['presence-rounds'] ?? 10);
const NOTIFICATIONS = Number(values.notifications ?? 1_000);
const RATE = Number(values.rate ?? 100);
const SDK_CONCURRENCY = 8;
const NEWCOMER = 'doctor3@northside.clinic.test';

const began = Date.now();
const progress = (what: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${what}\n`);

interface DeskSlot {
  d: BenchDesk;
  email: string;
  userId: number;
  clinicId: number;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const meter = contention();
  const ownCpu0 = ownCpuMs();
  const clinic = await startClinic();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-desk-load-bench-'));
  const slots: DeskSlot[] = [];
  try {
    const info = clinic.info;
    const newcomer = info.users.find((u) => u.email === NEWCOMER);
    if (!newcomer) throw new Error(`no ${NEWCOMER}`);
    const staff = info.users.filter((u) => u.role !== 'patient' && u.id !== newcomer.id);
    for (let i = 0; i < DESKS; i++) {
      const u = staff[i % staff.length];
      if (!u) throw new Error('no staff');
      slots.push({ d: createBenchDesk(info, { cacheDir: dir, cacheFile: path.join(dir, `desk-${i}.sqlite`) }), email: u.email, userId: u.id, clinicId: u.clinicId });
    }
    const rssBefore = process.memoryUsage().rss;

    // (a) connect
    progress(`signing in ${DESKS} desks`);
    const cpu0 = ownCpuMs();
    const serverCpu0 = await clinic.call.cpu();
    const t0 = hr();
    const ready = await Promise.all(slots.map((s) => signInLive(s.d, info, s.email, 120_000)));
    const connectCpuMs = ownCpuMs() - cpu0;
    const connectServerCpuMs = (await clinic.call.cpu()) - serverCpu0;
    const readyMs = ready.map((r) => r.readyAt - t0);
    const liveMs = ready.map((r) => r.liveAt - t0);
    const subscribedMs = ready.map((r) => r.subscribedAt - t0);
    const allReadyMs = Math.max(...readyMs);
    const serverAfterConnect = await clinic.call.stats();
    const presence1 = await clinic.call.channelInfo('presence-clinic.1');
    const channelsPerDesk = median(await Promise.all(slots.map(async (s) => (await s.d.desk.getSnapshot()).channels.length)));
    progress(`all ready in ${round(allReadyMs)} ms; ${serverAfterConnect?.connections} connections`);
    await until(() => slots.every((s) => hr() - s.d.lastEventAt > 500), 30_000, 'all desks quiet', 50);
    const rssConnected = process.memoryUsage().rss;

    // (b) presence
    const clinic1 = slots.filter((s) => s.clinicId === newcomer.clinicId);
    const joinedDeliveries: number[] = [];
    const leftDeliveries: number[] = [];
    const joinedAll: number[] = [];
    const leftAll: number[] = [];
    let presenceMissing = 0;
    for (let r = 0; r < PRESENCE_ROUNDS; r++) {
      for (const kind of ['joined', 'left'] as const) {
        const got = new Map<BenchDesk, number>();
        const offs = clinic1.map((s) =>
          s.d.on((e, at) => {
            const hit = kind === 'joined' ? e.kind === 'presence.joined' && e.member.id === newcomer.id : e.kind === 'presence.left' && e.memberId === newcomer.id;
            if (hit && !got.has(s.d)) got.set(s.d, at);
          }),
        );
        // From the server's first send of the member_added/member_removed frame (the start of its fan-out).
        const serverAt =
          kind === 'joined'
            ? (await clinic.call.joinPresence({ userId: newcomer.id, clinicId: newcomer.clinicId })).fanOutAt
            : (await clinic.call.leavePresence({ userId: newcomer.id, clinicId: newcomer.clinicId })).fanOutAt;
        await until(() => got.size === clinic1.length, 10_000, `presence.${kind} at every clinic-1 desk`, 2).catch(() => undefined);
        for (const off of offs) off();
        presenceMissing += clinic1.length - got.size;
        const deliveries = [...got.values()].map((at) => at - serverAt);
        (kind === 'joined' ? joinedDeliveries : leftDeliveries).push(...deliveries);
        (kind === 'joined' ? joinedAll : leftAll).push(Math.max(...deliveries));
        await sleep(100);
      }
    }
    progress(`presence: ${PRESENCE_ROUNDS} rounds`);

    // (c) notifications through the SDK
    const deskUserIds = [...new Set(slots.map((s) => s.userId))];
    const firstId = BENCH_ID_BASE;
    const expectedFor = (userId: number) => {
      let n = 0;
      for (let i = 0; i < NOTIFICATIONS; i++) if (deskUserIds[i % deskUserIds.length] === userId) n++;
      return n;
    };
    const trackers = slots.map((s) => ({ s, t: new NotificationTracker(s.d, firstId, NOTIFICATIONS), expected: expectedFor(s.userId) }));
    const cpu1 = ownCpuMs();
    const serverCpu1 = await clinic.call.cpu();
    const sent = await clinic.call.triggerSdk({ userIds: deskUserIds, firstId, count: NOTIFICATIONS, concurrency: SDK_CONCURRENCY, ratePerSec: RATE });
    await Promise.all(trackers.map(({ t, expected }) => t.waitEmitted(expected, 30_000)));
    const notifyCpuMs = ownCpuMs() - cpu1;
    const notifyServerCpuMs = (await clinic.call.cpu()) - serverCpu1;
    const deliveries: number[] = [];
    const lastDeskPerNotification = new Map<number, number>();
    let delivered = 0;
    let expectedTotal = 0;
    for (const { t, expected } of trackers) {
      t.stop();
      expectedTotal += expected;
      delivered += t.emitAt.size;
      deliveries.push(...t.latencies());
      for (const [id, at] of t.emitAt) {
        const latency = at - (t.sentAt.get(id) ?? at);
        lastDeskPerNotification.set(id, Math.max(lastDeskPerNotification.get(id) ?? 0, latency));
      }
    }
    progress(`notifications: ${delivered} of ${expectedTotal} deliveries`);
    const rssEnd = process.memoryUsage().rss;
    const loadAfter = loadavg();
    const machineLoad = meter.stop(ownCpuMs() - ownCpu0 + (await clinic.call.cpu()));

    const connect = summarize(readyMs);
    const joined = summarize(joinedDeliveries);
    const left = summarize(leftDeliveries);
    const notify = summarize(deliveries);
    const notifyAll = summarize([...lastDeskPerNotification.values()]);
    const warnings = slots.flatMap((s) => s.d.logger.warnings).slice(0, 10);
    const results = {
      benchmark: 'load',
      date: new Date().toISOString(),
      machine: machine(),
      node: process.version,
      revision: revision(),
      load: { before: loadBefore, after: loadAfter, note: LOAD_NOTE, during: machineLoad },
      setup: {
        desks: DESKS,
        deskKind: 'full DeskService per desk (REST sign-in, laravel-echo + pusher-js, /broadcasting/auth for every private/presence channel, own SQLite cache file, catch-up), all in this one Node process',
        accounts: `${deskUserIds.length} staff accounts round-robin (${DESKS / deskUserIds.length} desks each); ${NEWCOMER} kept back as the new colleague`,
        clinic1Desks: clinic1.length,
        channelsPerDeskMedian: channelsPerDesk,
        processes: 'demo clinic (socket server + REST API) in its own Node process',
      },
      connect: {
        what: `all ${DESKS} sign-ins started at once; per desk: start → live; → last channel subscribed; → ready (every channel subscribed and a catch-up ended after the last subscription)`,
        allReadyMs: round(allReadyMs),
        perDeskReadyMs: connect,
        perDeskLiveMs: summarize(liveMs),
        perDeskAllSubscribedMs: summarize(subscribedMs),
        allSubscribedMs: round(Math.max(...subscribedMs)),
        cpuMs: { desks: round(connectCpuMs), clinic: round(connectServerCpuMs), note: 'CPU time of this process (all 200 desks) and of the clinic process during the connect phase; desks CPU ≈ wall time means the figure is bound by simulating every desk on one event loop' },
        server: { connections: serverAfterConnect?.connections ?? 0, presenceClinic1: presence1 },
      },
      presence: {
        what: `${PRESENCE_ROUNDS} rounds of ${NEWCOMER} joining then leaving presence-clinic.1; from the server's first send of the member_added/member_removed frame (start of its fan-out to ${clinic1.length} sockets) → presence.joined/left at each clinic-1 desk`,
        joined: { perDesk: joined, allDesksMs: summarize(joinedAll) },
        left: { perDesk: left, allDesksMs: summarize(leftAll) },
        missing: presenceMissing,
      },
      notifications: {
        what: `${NOTIFICATIONS} notifications via the pusher SDK trigger, ${RATE}/s, ${SDK_CONCURRENCY} in flight, round-robin over ${deskUserIds.length} users; sent → notification.upserted at each desk of the user`,
        delivered,
        expected: expectedTotal,
        failures: sent.failures,
        publisherMaxLagMs: round(sent.maxLagMs),
        perDelivery: notify,
        allDesksOfTheUser: notifyAll,
        cpuMs: { desks: round(notifyCpuMs), clinic: round(notifyServerCpuMs) },
      },
      memory: { rssBeforeMB: round(rssBefore / 2 ** 20, 1), rssConnectedMB: round(rssConnected / 2 ** 20, 1), rssEndMB: round(rssEnd / 2 ** 20, 1), perDeskMB: round((rssConnected - rssBefore) / DESKS / 2 ** 20, 2) },
      target: 'none numeric in the issue ("100+ concurrent users"): recorded for regressions',
      warnings,
    };
    const out = writeResults('load', results, [
      headline(`load: ${DESKS} desks, all ready after starting together`, connect.max, 'ms'),
      headline('load: notification delivery per desk, p99', notify.p99, 'ms'),
      headline('load: presence joined per desk, p99', joined.p99, 'ms'),
    ]);
    printTable(`load benchmark: ${results.machine.cpu} x${results.machine.cores}, node ${results.node}, load ${loadBefore.join(' ')}; ${DESKS} DeskServices in one process`, [
      [`connect: all ${DESKS} subscribed / ready`, `${fmt(Math.max(...subscribedMs))} / ${fmt(allReadyMs)} ms`, `ready per desk p50 ${fmt(connect.p50)} / p99 ${fmt(connect.p99)} ms; ${channelsPerDesk} channels each (median)`],
      [`presence joined (${clinic1.length} desks) p50/p99`, `${joined.p50} / ${joined.p99} ms`, `all desks: median ${median(joinedAll).toFixed(2)} ms, max ${joined.max} ms; missing ${presenceMissing}`],
      ['presence left p50/p99', `${left.p50} / ${left.p99} ms`, `all desks: median ${median(leftAll).toFixed(2)} ms`],
      [`notifications (${fmt(NOTIFICATIONS)} @ ${RATE}/s) p50/p99`, `${notify.p50} / ${notify.p99} ms`, `${fmt(delivered)} of ${fmt(expectedTotal)} deliveries; max ${notify.max} ms`],
      ['  all desks of the user p50/p99', `${notifyAll.p50} / ${notifyAll.p99} ms`, ''],
      ['CPU during connect: desks / clinic', `${fmt(connectCpuMs)} / ${fmt(connectServerCpuMs)} ms`, `wall ${fmt(allReadyMs)} ms`],
      ['RSS: before / connected', `${results.memory.rssBeforeMB} / ${results.memory.rssConnectedMB} MB`, `~${results.memory.perDeskMB} MB per desk`],
    ]);
    process.stdout.write(`other load on the machine during the run: ${machineLoad.otherCores} cores\nresults: ${out}\n`);
  } finally {
    await Promise.all(slots.map((s) => s.d.close().catch(() => undefined)));
    await clinic.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
