import type { PresenceChannel } from 'pusher-js';
import type { CheckReport, CheckResult } from '../../../shared/desk-state';
import type { ChannelRef } from '../../../shared/channels';
import type { User } from '../../../shared/domain';
import { ApiClient, ForbiddenError, NetworkError, NotAClinicError, UnauthorizedError, ValidationFailedError } from '../api/client';
import type { ConfigIssue } from '../config/issues';
import type { DeskConfig, TransportConfig } from '../config/schema';
import { compatibilityChecks } from './compatibility';
import { errorMessage } from '../realtime/channel-auth';
import { deskEchoFactory, openDeskEcho, subscribeDeskChannel, type EchoFactory, type EchoInstance } from '../realtime/echo-instance';
import { wantedChannels } from '../session/wanted-channels';
import { resolveClinicZone } from '../session/clinic-zone';
import { dayIn, systemTimeZone, type ClinicTimeZone } from '../../../shared/clinic-time';

/**
 * The seed's Troubleshooting checklist, run against a configuration: is the
 * key and host set, does the API answer like a clinic back end, does sign-in
 * work, does the WebSocket connect, does every channel authorise, and does a
 * round trip come back. Each failed check says what to do, in the admin's
 * words and the seed's terms (`VITE_PUSHER_APP_KEY`, `BROADCAST_DRIVER=log`).
 *
 * The socket, channel and round-trip checks connect the way the desk does:
 * the desk's Echo factory (the very one its sessions' `Realtime` is given,
 * when the desk runs the checks), its channel authorizer and options
 * (`openDeskEcho`), its channels subscribed the Laravel way
 * (`subscribeDeskChannel`). A fault on that path fails the checks too.
 */

export interface DoctorInput {
  config: DeskConfig;
  credentials: { email: string; password: string } | { token: string } | null;
  fetch?: typeof fetch;
  /** Builds the check's connection: the desk's Echo factory (`DeskService` hands its own to `runChecks`). Default `deskEchoFactory()`. */
  echo?: EchoFactory;
  timeoutMs?: number;
  now?: () => number;
  /** Slower than this for a round trip is reported as high latency (seed: "High Latency"). */
  latencyWarnMs?: number;
  /** The machine's admin policy as the desk loaded it (the desktop app); checked first when it has sources or problems. */
  policy?: PolicyStatus;
}

export interface PolicyStatus {
  sources: string[];
  /** Non-empty: the policy was not applied at all. */
  problems: ConfigIssue[];
}

export async function runDoctor(input: DoctorInput): Promise<CheckReport> {
  const now = input.now ?? Date.now;
  const timeoutMs = input.timeoutMs ?? 8000;
  const checks: CheckResult[] = [];
  const add = (c: CheckResult) => checks.push(c);
  const { config } = input;
  const finish = (): CheckReport => ({ ok: checks.every((c) => c.ok), ranAt: new Date(now()).toISOString(), checks });

  // 0. The admin policy: an invalid one is not applied, so the checks below run on the defaults.
  if (input.policy !== undefined && (input.policy.sources.length > 0 || input.policy.problems.length > 0)) add(policyCheck(input.policy));

  // 1. Configuration (seed: "Check .env has VITE_PUSHER_APP_KEY set").
  if (!config.apiUrl) {
    add(fail('config', 'Configuration', 'No clinic API URL is configured.', 'Set CLINIC_DESK_API_URL (or --api-url, or apiUrl in the policy file) to the clinic\'s Laravel app, e.g. https://clinic.example.org.'));
    return finish();
  }
  const transport = describeTransport(config.transport);
  add(transport);
  if (!transport.ok) return finish();

  // 2. API reachable and a clinic back end.
  const api = new ApiClient({
    baseUrl: config.apiUrl,
    timeoutMs: Math.min(timeoutMs, config.requestTimeoutMs),
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    ...(input.fetch ? { fetch: input.fetch } : {}),
    ...(config.api ? { profile: config.api } : {}),
    now,
    // A check run asks each endpoint once and reports what it answered: no gate that would hold the later
    // checks back as "not sent" after two failures.
    budget: { threshold: Number.POSITIVE_INFINITY },
  });
  const reach = await probeApi(api);
  add(reach);
  if (!reach.ok) return finish();

  // 3. Sign-in (seed: "Verify user authentication (broadcast channels are private)").
  if (!input.credentials) {
    add(fail('sign-in', 'Sign-in', 'No credentials were given, so channels cannot be checked.', 'Pass --email and --password (or --token) of a staff account.'));
    return finish();
  }
  let user: User;
  try {
    if ('token' in input.credentials) {
      api.setToken(input.credentials.token);
      user = await api.user();
    } else {
      const session = await api.login(input.credentials.email, input.credentials.password);
      api.setToken(session.token);
      user = session.user;
    }
    add(pass('sign-in', 'Sign-in', `Signed in as ${user.name} (${user.role}, clinic ${user.clinic_id}).`));
  } catch (error) {
    add(signInCheck(error));
    return finish();
  }

  try {
    // 4. What the REST API offers, feature by feature (none of it is a hard requirement).
    const zone = resolveClinicZone({ server: user.time_zone, policy: config.clinic?.timeZone, system: systemTimeZone() });
    add(clinicZoneCheck(zone));
    checks.push(...(await compatibilityChecks(api, user, dayIn(now(), zone.zone))));
    if (config.transport.kind === 'polling') {
      add(pass('websocket', 'WebSocket', 'Polling-only transport (BROADCAST_DRIVER=log): no WebSocket to check; the desk refreshes over the API.'));
      return finish();
    }
    await checkSocket(input, config.transport, api, user, add, timeoutMs);
    return finish();
  } finally {
    if (!('token' in input.credentials)) await api.logout().catch(() => undefined);
  }
}

function pass(id: string, title: string, detail: string): CheckResult {
  return { id, title, ok: true, detail, fix: null };
}

function fail(id: string, title: string, detail: string, fix: string): CheckResult {
  return { id, title, ok: false, detail, fix };
}

/** Which zone the desk's days are in, and why: a zone set aside, or the OS's used for want of any, is worth an admin's look. */
function clinicZoneCheck(zone: ClinicTimeZone): CheckResult {
  const from = { server: "named by the server's user answer", policy: "set by the policy's clinic.timeZone", os: "this computer's own (neither the server nor the policy names one)" }[zone.source];
  const detail = `The board's days and every time shown are in ${zone.zone} (${from}).${zone.note === null ? '' : ` ${zone.note}`}`;
  if (zone.source !== 'os' && zone.note === null) return pass('time-zone', 'Clinic time zone', detail);
  return { id: 'time-zone', title: 'Clinic time zone', ok: true, warning: true, detail, fix: 'Set "clinic": {"timeZone": "<IANA name>"} in the policy when the clinic is not in this computer\'s zone.' };
}

function policyCheck(policy: PolicyStatus): CheckResult {
  const from = policy.sources.length > 0 ? ` (${policy.sources.join(', ')})` : '';
  if (policy.problems.length === 0) return pass('policy', 'Admin policy', `Applied${from}.`);
  const where = (p: ConfigIssue) => (p.file !== undefined && policy.sources.length > 1 ? ` in ${p.file}` : '');
  return fail(
    'policy',
    'Admin policy',
    `Not applied${from}: Clinic Desk runs on its defaults. ${policy.problems.map((p) => `${p.field} ${p.message}${where(p)}`).join('; ')}.`,
    `${policy.problems.map((p) => `${p.field}: ${p.fix}`).join('; ')}. Check the corrected file with clinic-desk doctor --policy FILE before rolling it out.`,
  );
}

function describeTransport(t: TransportConfig): CheckResult {
  switch (t.kind) {
    case 'pusher':
      return t.key && t.cluster
        ? pass('config', 'Configuration', `Pusher Channels, key ${t.key}, cluster ${t.cluster}.`)
        : fail('config', 'Configuration', 'The Pusher key or cluster is missing.', 'Set PUSHER_APP_KEY and PUSHER_APP_CLUSTER (the seed\'s VITE_PUSHER_APP_KEY / VITE_PUSHER_APP_CLUSTER) from your Pusher dashboard.');
    case 'reverb':
      return t.key && t.host
        ? pass('config', 'Configuration', `Self-hosted Pusher protocol at ${t.scheme === 'https' ? 'wss' : 'ws'}://${t.host}:${t.port}${t.path ?? ''}, key ${t.key}.`)
        : fail('config', 'Configuration', 'The WebSocket key or host is missing.', 'Set REVERB_APP_KEY, REVERB_HOST, REVERB_PORT and REVERB_SCHEME to your Reverb/Soketi server.');
    case 'polling':
      return pass('config', 'Configuration', 'No WebSocket configured (BROADCAST_DRIVER=log): the desk will poll the API.');
  }
}

async function probeApi(api: ApiClient): Promise<CheckResult> {
  try {
    await api.user();
    return fail('api', 'Clinic API', `GET ${api.endpoint('user')} answered without a token, which a clinic back end never does.`, 'Check that the API URL points at the clinic\'s Laravel app and that /api routes use auth:sanctum.');
  } catch (error) {
    if (error instanceof UnauthorizedError) return pass('api', 'Clinic API', 'The clinic API answers (401 without a token, as expected).');
    if (error instanceof NetworkError) {
      return fail('api', 'Clinic API', `The API could not be reached: ${error.message}.`, 'Check the API URL, that the clinic server is running, and that this desk can reach it (firewall, VPN, proxy).');
    }
    if (error instanceof NotAClinicError) {
      return fail('api', 'Clinic API', `The server answered, but not like a clinic back end: ${error.message}.`, 'Check the API URL: it must be the Laravel app\'s base URL (without /api), and the app must answer JSON to requests with Accept: application/json.');
    }
    return fail('api', 'Clinic API', `Unexpected answer: ${error instanceof Error ? error.message : String(error)}.`, 'Check the clinic server\'s logs (storage/logs/laravel.log).');
  }
}

function signInCheck(error: unknown): CheckResult {
  if (error instanceof ValidationFailedError || error instanceof UnauthorizedError) {
    return fail('sign-in', 'Sign-in', 'The server refused these credentials.', 'Check the email and password (or token) of a staff account; a token may have been revoked.');
  }
  if (error instanceof ForbiddenError) return fail('sign-in', 'Sign-in', 'This account may not use the API.', 'Use a staff account (reception, doctor or admin).');
  return fail('sign-in', 'Sign-in', `Sign-in failed: ${error instanceof Error ? error.message : String(error)}.`, 'Check the clinic server\'s logs.');
}

async function checkSocket(input: DoctorInput, transport: Exclude<TransportConfig, { kind: 'polling' }>, api: ApiClient, user: User, add: (c: CheckResult) => void, timeoutMs: number): Promise<void> {
  const errors: string[] = [];
  let instance: EchoInstance;
  try {
    instance = openDeskEcho({
      echo: input.echo ?? deskEchoFactory(),
      transport,
      authorize: (socketId, channelName) => api.authorizeChannel(socketId, channelName),
      // The refusal reaches the channel's subscription_error with its message (which names the status).
      onRefused: () => undefined,
      onCallbackError: () => undefined,
    });
  } catch (error) {
    add(
      fail(
        'websocket',
        'WebSocket',
        `The WebSocket connection could not be set up: ${errorMessage(error)}.`,
        'Check the WebSocket settings: the key (PUSHER_APP_KEY or REVERB_APP_KEY), and the Pusher cluster or REVERB_HOST/REVERB_PORT/REVERB_SCHEME.',
      ),
    );
    return;
  }
  const connection = instance.pusher.connection;
  connection.bind('error', (e: { error?: { data?: { code?: number; message?: string } } }) => {
    const data = e.error?.data;
    if (data?.code !== undefined || data?.message) errors.push(`${data.code ?? ''} ${data.message ?? ''}`.trim());
  });
  try {
    const started = Date.now();
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      connection.bind('connected', () => {
        clearTimeout(timer);
        resolve(true);
      });
      // pusher-js gives up ("disconnected") on a refusal such as 4001, without a "failed".
      connection.bind('state_change', (s: { current: string }) => {
        if (s.current === 'failed' || s.current === 'disconnected') {
          clearTimeout(timer);
          resolve(false);
        }
      });
    });
    if (!connected) {
      const refusedKey = errors.some((e) => e.startsWith('4001'));
      add(
        fail(
          'websocket',
          'WebSocket',
          refusedKey ? `The socket server does not know this app key (${errors.join('; ')}).` : `No WebSocket connection within ${timeoutMs} ms${errors.length ? ` (${errors.join('; ')})` : ''}.`,
          refusedKey
            ? 'Verify the Pusher app credentials: the key must be the PUSHER_APP_KEY of the app the back end broadcasts to (and the right cluster).'
            : 'Check the WebSocket host, port and scheme (REVERB_HOST/REVERB_PORT/REVERB_SCHEME or the Pusher cluster), that the socket server runs, and that the network lets WebSockets through. To work without it meanwhile, use BROADCAST_DRIVER=log (polling).',
        ),
      );
      return;
    }
    add(pass('websocket', 'WebSocket', `Connected in ${Date.now() - started} ms (socket ${connection.socket_id}).`));

    const members = await api.members().then((l) => l.items, () => []);
    const refs = wantedChannels({ user, members, consultations: [], conversations: [] });
    const results = await Promise.all(refs.map((ref) => subscribeOnce(instance, ref, timeoutMs)));
    // A doctor asks for colleagues' schedules too; a clinic whose channel rules refuse them is a choice, not a fault.
    const optional = new Set(refs.filter((ref) => user.role === 'doctor' && ref.kind === 'doctor-appointments' && ref.id !== user.doctor_id).map((ref) => ref.fullName));
    const failed = results.filter((r) => !r.ok && !(optional.has(r.channel) && r.detail.includes('403')));
    const colleaguesRefused = results.filter((r) => !r.ok && !failed.includes(r)).map((r) => r.channel);
    if (failed.length === 0 && colleaguesRefused.length > 0) {
      const authorised = results.filter((r) => r.ok).map((r) => r.channel);
      add({
        id: 'channels',
        title: 'Channels',
        ok: true,
        warning: true,
        detail: `${authorised.length} channels authorised: ${authorised.join(', ')}. Colleagues' schedules refused (403): ${colleaguesRefused.join(', ')}; on this doctor's desk their columns refresh with the regular check instead of live.`,
        fix: "To show colleagues' columns live, let doctors join their clinic's appointments.doctor.{id} channels in routes/channels.php.",
      });
    } else add(
      failed.length === 0
        ? pass('channels', 'Channels', `All ${results.length} channels authorised: ${results.map((r) => r.channel).join(', ')}.`)
        : fail(
            'channels',
            'Channels',
            `${failed.length} of ${results.length} channels refused: ${failed.map((r) => `${r.channel} (${r.detail})`).join('; ')}.`,
            failed.some((r) => r.detail.includes('403'))
              ? 'Verify user authentication: broadcast channels are private. Check routes/channels.php gives this user these channels, and that /broadcasting/auth uses the same guard as the API (auth:sanctum).'
              : 'Check that /broadcasting/auth is reachable with the bearer token (Broadcast::routes([\'middleware\' => [\'auth:sanctum\']])) and that the app secret matches the socket server\'s.',
          ),
    );

    // Round trip: the server puts this desk in the presence channel and tells it so.
    const presence = results.find((r) => r.channel.startsWith('presence-') && r.ok);
    if (presence) {
      const channel = instance.pusher.channel(presence.channel) as PresenceChannel | undefined;
      const me = channel?.members.me as { id?: string | number } | undefined;
      const seen = me !== undefined && String(me.id) === String(user.id);
      const latency = presence.ms;
      const warn = input.latencyWarnMs ?? 1000;
      add(
        seen && latency <= warn
          ? pass('round-trip', 'Round trip', `The socket server put you in ${presence.channel} in ${latency} ms.`)
          : seen
            ? fail('round-trip', 'Round trip', `The round trip took ${latency} ms.`, 'High latency: check the network path to the socket server (a closer Pusher cluster, or a self-hosted Reverb server near the clinic).')
            : fail('round-trip', 'Round trip', 'Subscribed to the presence channel, but this user was not listed in it.', 'Check that the back end\'s presence callback returns user info for this user.'),
      );
    }
  } finally {
    instance.dispose();
  }
}

/** One channel subscribed as the desk subscribes it, and what came of it. */
function subscribeOnce(instance: EchoInstance, ref: ChannelRef, timeoutMs: number): Promise<{ channel: string; ok: boolean; detail: string; ms: number }> {
  const name = ref.fullName;
  const started = Date.now();
  return new Promise((resolve) => {
    const channel = subscribeDeskChannel(instance, ref);
    const timer = setTimeout(() => resolve({ channel: name, ok: false, detail: 'no answer', ms: Date.now() - started }), timeoutMs);
    channel.bind('pusher:subscription_succeeded', () => {
      clearTimeout(timer);
      resolve({ channel: name, ok: true, detail: 'ok', ms: Date.now() - started });
    });
    channel.bind('pusher:subscription_error', (e: { status?: number; error?: string }) => {
      clearTimeout(timer);
      resolve({ channel: name, ok: false, detail: e.status ? `HTTP ${e.status}` : (e.error ?? 'refused'), ms: Date.now() - started });
    });
  });
}
