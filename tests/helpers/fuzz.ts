/**
 * The fuzz engine of issue 11 (tests/integration/core/fuzz.test.ts, and
 * bench/fuzz.bench.ts for larger runs): seeded hostile and valid payloads,
 * delivered through the real socket path (demo Pusher server → pusher-js →
 * laravel-echo → the desk core → SQLite), then checked against the desk's
 * own counts and the rows it stored.
 *
 * Every case is built so that its outcome is known by construction, not by
 * asking the schemas: `accepted` (a valid event; a valid notification must
 * be stored exactly once, its text as the contract's hygiene leaves it),
 * `rejected` (refused on its channel, counted there), `dropped` (refused by
 * the socket screen without a channel to blame: a protocol frame or one that
 * names none) or `ignored` (a well-formed frame no channel listens to).
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { DeskEvent } from '../../src/shared/bridge';
import { MAX_JSON_DEPTH, MAX_JSON_NODES } from '../../src/shared/json-limits';
import { cleanText } from '../../src/shared/text';
import type { DeskService } from '../../src/main/core/desk/desk-service';
import { MAX_FRAME_CHARS, frameGuardStats } from '../../src/main/core/realtime/pusher-guard';
import type { DemoClinic } from '../../src/main/demo/demo-clinic';
import { phpJsonEncode } from '../../src/main/demo/php-json';
import { Rng } from '../../src/main/demo/rng';

export const DEFAULT_FUZZ_SEED = 20_261_126;

export type Outcome = 'accepted' | 'rejected' | 'dropped' | 'ignored';

export interface StoredNotification {
  id: number;
  user_id: number;
  type: string;
  title: string;
  message: string;
  action_url: string | null;
  created_at: string;
}

export interface FuzzCase {
  /** `publish`: a server event with `data` (a string, as Pusher's HTTP API takes it); `raw`: `data` is the whole frame's text. */
  via: 'publish' | 'raw';
  channel: string;
  event: string;
  data: string;
  kind: string;
  outcome: Outcome;
  /** For a valid notification: the row that must be stored for its id. */
  stores?: StoredNotification;
}

/** The channels a signed-in receptionist's desk is subscribed to, and who is who. */
export interface FuzzTargets {
  userId: number;
  otherUserId: number;
  peer: { id: number; name: string };
  notifications: string;
  conversations: Array<{ id: number; channel: string }>;
  consultations: Array<{ id: number; channel: string }>;
  appointments: string[];
  presence: string | null;
}

export const VALID_ID_BASE = 80_000_000;
/** Above every valid id: a barrier is always among the newest the desk names when it announces a batch. */
export const BARRIER_ID_BASE = 85_000_000;
export const INVALID_ID_BASE = 90_000_000;
const NOTIFICATION = 'general-notification';
const NOTIFICATION_CLASS = 'App\\Events\\NotificationBroadcast';
const DAY_MS = 86_400_000;

/** `[[[...]]]`, `{"a":{"a":...}}` or a mix, as text (built without recursion). */
export function nestedText(depth: number, shape: 'array' | 'object' | 'mixed', leaf = '0'): string {
  if (shape === 'array') return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    if (i % 2 === 0) {
      open += '[';
      close = `]${close}`;
    } else {
      open += '{"k":';
      close = `}${close}`;
    }
  }
  return `${open}${leaf}${close}`;
}

const WORDS = ['Lab', 'result', 'for', 'room', '3', 'is', 'free', 'Dr.', 'Okafor', 'reminder', 'potassium', 'Zoë', 'Müller', 'São', 'Paulo', '東京', 'クリニック', 'مرحبا', 'שלום', '😀', '👩‍⚕️', 'naïve', 'Ω', '∑', '—', '“quoted”', '<b>', '&amp;', '\\', '"', "'", '/'];
/** Characters the contract's text hygiene neutralises or repairs (a lone surrogate becomes U+FFFD). */
const HOSTILE_CHARS = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u202e', '\u2066', '\u2069', '\ud800', '\udfff', '\ud83d', '\u200b', '\ufeff', '\t', '\n', '\r'];
/** Keys that must never reach a prototype. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

class CaseMaker {
  private validId = VALID_ID_BASE;
  private invalidId = INVALID_ID_BASE;
  private readonly valids: FuzzCase[] = [];
  private hugeFramesLeft: number;

  constructor(
    private readonly rng: Rng,
    private readonly t: FuzzTargets,
    private readonly now: number,
    hugeFrames: number,
  ) {
    this.hugeFramesLeft = hugeFrames;
  }

  // ── building blocks ──

  private text(maxWords: number, hostile: boolean): string {
    const n = this.rng.int(1, maxWords);
    let out = '';
    for (let i = 0; i < n; i++) {
      out += (i > 0 ? ' ' : '') + this.rng.pick(WORDS);
      if (hostile && this.rng.chance(0.4)) out += this.rng.pick(HOSTILE_CHARS);
    }
    return out;
  }

  private createdAt(): string {
    // Within the last day of the desk's clock: inside any retention window, never in the future.
    return new Date(this.now - this.rng.int(0, DAY_MS - 60_000)).toISOString();
  }

  private encode(value: unknown): string {
    return this.rng.chance(0.5) ? phpJsonEncode(value) : JSON.stringify(value);
  }

  private anyChannel(): string {
    const all = [this.t.notifications, ...this.t.conversations.map((c) => c.channel), ...this.t.consultations.map((c) => c.channel), ...this.t.appointments];
    return this.rng.pick(all);
  }

  private notificationBody(id: number | string, hostile: boolean): Record<string, unknown> {
    return {
      id,
      user_id: this.rng.chance(0.2) ? String(this.t.userId) : this.t.userId,
      type: this.rng.chance(0.1) ? this.rng.pick(PROTO_KEYS) : this.rng.pick(['info', 'urgent', 'lab_result', 'appointment', 'x'.repeat(64)]),
      title: this.text(12, hostile),
      message: this.rng.chance(0.05) ? 'é'.repeat(5_000) : this.text(40, hostile),
      action_url: this.rng.chance(0.5) ? null : this.rng.pick(['https://clinic.example.org/appointments/42', '/notifications/7', 'javascript:alert(1)']),
      created_at: this.createdAt(),
    };
  }

  private expectation(body: Record<string, unknown>): StoredNotification {
    return {
      id: Number(body.id),
      user_id: this.t.userId,
      type: body.type as string,
      title: cleanText(body.title as string),
      message: cleanText(body.message as string),
      action_url: (body.action_url as string | null | undefined) ?? null,
      created_at: body.created_at as string,
    };
  }

  private publish(kind: string, channel: string, event: string, data: string, outcome: Outcome, stores?: StoredNotification): FuzzCase {
    return { via: 'publish', channel, event, data, kind, outcome, ...(stores ? { stores } : {}) };
  }

  private raw(kind: string, channel: string, frame: string, outcome: Outcome, stores?: StoredNotification): FuzzCase {
    return { via: 'raw', channel, event: '', data: frame, kind, outcome, ...(stores ? { stores } : {}) };
  }

  /** The last valid cases, for exact duplicates (bounded: a large run does not keep them all). */
  private remember(made: FuzzCase): void {
    this.valids.push(made);
    if (this.valids.length > 200) this.valids.shift();
  }

  // ── valid ──

  validNotification(kind = 'valid'): FuzzCase {
    const hostile = this.rng.chance(0.3);
    const id = ++this.validId;
    const body = this.notificationBody(this.rng.chance(0.15) ? String(id) : id, hostile);
    const stores = this.expectation(body);
    const event = this.rng.chance(0.2) ? NOTIFICATION_CLASS : NOTIFICATION;
    let data = this.encode(body);
    // A back end may encode twice: pusher-js then hands over a string of JSON.
    if (this.rng.chance(0.05)) data = JSON.stringify(data);
    const made = this.publish(hostile ? `${kind}-unicode` : kind, this.t.notifications, event, data, 'accepted', stores);
    this.remember(made);
    return made;
  }

  validWithExtras(): FuzzCase {
    const id = ++this.validId;
    const body = this.notificationBody(id, false);
    const stores = this.expectation(body);
    const extras = this.rng.pick([
      '"__proto__":{"polluted":"yes","isAdmin":true}',
      '"constructor":{"prototype":{"polluted":"yes"}}',
      '"prototype":{"polluted":"yes"}',
      '"__proto__":[1,2,3]',
      `"extra":${nestedText(MAX_JSON_DEPTH - 1, 'array')}`, // the deepest data accepted: MAX levels in all
      '"toString":"not a function","valueOf":1',
    ]);
    const data = `{${extras},${JSON.stringify(body).slice(1)}`;
    const made = this.publish('valid-extra-keys', this.t.notifications, NOTIFICATION, data, 'accepted', stores);
    this.remember(made);
    return made;
  }

  validAsRawObject(): FuzzCase {
    // `data` as an object in the frame (not a string): what some servers send.
    const id = ++this.validId;
    const body = this.notificationBody(id, this.rng.chance(0.3));
    const frame = JSON.stringify({ event: NOTIFICATION, channel: this.t.notifications, data: body });
    const made = this.raw('valid-object-data', this.t.notifications, frame, 'accepted', this.expectation(body));
    this.remember(made);
    return made;
  }

  duplicate(): FuzzCase {
    const previous = this.valids.length > 0 ? this.rng.pick(this.valids) : null;
    if (previous === null) return this.validNotification();
    return { ...previous, kind: 'valid-duplicate' };
  }

  validTyping(): FuzzCase {
    const conversation = this.rng.pick(this.t.conversations);
    const data = { user_id: this.t.peer.id, name: this.rng.chance(0.3) ? this.text(3, true) : this.t.peer.name, typing: this.rng.chance(0.5) };
    const payload = this.rng.chance(0.5) ? data : { conversation_id: conversation.id, type: 'typing', data, timestamp: this.createdAt() };
    return this.publish('valid-typing', conversation.channel, 'client-typing', this.encode(payload), 'accepted');
  }

  // ── refused on a channel ──

  private invalidBody(): Record<string, unknown> {
    return this.notificationBody(++this.invalidId, this.rng.chance(0.3));
  }

  missingField(): FuzzCase {
    const body = this.invalidBody();
    const field = this.rng.pick(['id', 'user_id', 'type', 'title', 'message', 'created_at']);
    delete body[field];
    return this.publish('missing-field', this.t.notifications, NOTIFICATION, this.encode(body), 'rejected');
  }

  wrongType(): FuzzCase {
    const body = this.invalidBody();
    const field = this.rng.pick(['id', 'user_id', 'type', 'title', 'message', 'created_at', 'action_url']);
    const wrong = this.rng.pick<unknown>(
      field === 'id' || field === 'user_id'
        ? ['abc', -5, 0, 1.5, 2 ** 60, '01', '1e3', true, null, [1], { id: 1 }, `${body.id as number}\ud800`, '']
        : field === 'created_at'
          ? ['yesterday', 1_700_000_000, '2026-13-45T99:99:99Z', '', null, '2026-11-26']
          : field === 'type'
            ? ['', 'x'.repeat(65), 7, null, ['info']]
            : field === 'action_url'
              ? [7, { href: 'x' }, 'x'.repeat(2_049)]
              : [7, null, true, ['a'], { __proto__: { polluted: 'yes' } }, { text: 'x' }],
    );
    body[field] = wrong;
    return this.publish(`wrong-type-${field}`, this.t.notifications, NOTIFICATION, this.encode(body), 'rejected');
  }

  wrongWholeData(): FuzzCase {
    const data = this.rng.pick(['7', 'null', 'true', '[]', '[1,2,3]', '""', '"just a string"', '{}', '0', '-1', '1e400']);
    return this.publish('wrong-data', this.anyChannel(), this.rng.pick([NOTIFICATION, 'consultation-status-changed', 'appointment-updated', 'message-sent', 'client-typing']), data, 'rejected');
  }

  otherUser(): FuzzCase {
    const body = this.invalidBody();
    body.user_id = this.t.otherUserId;
    return this.publish('other-user', this.t.notifications, NOTIFICATION, this.encode(body), 'rejected');
  }

  tooLong(): FuzzCase {
    const body = this.invalidBody();
    const field = this.rng.pick(['title', 'message', 'type', 'action_url']);
    const limit = { title: 500, message: 5_000, type: 64, action_url: 2_048 }[field] ?? 500;
    body[field] = 'L'.repeat(limit + this.rng.int(1, 3_000));
    return this.publish(`too-long-${field}`, this.t.notifications, NOTIFICATION, this.encode(body), 'rejected');
  }

  notJson(): FuzzCase {
    const good = this.encode(this.invalidBody());
    const data = this.rng.pick(['this is {not json', good.slice(0, Math.max(1, this.rng.int(1, good.length - 1))), '{"id":1,"title":"\\x"}', "{'id':1}", '{"id":1,}', 'undefined', 'NaN', '\u0000', `${good}garbage`]);
    return this.publish('not-json', this.anyChannel(), this.rng.pick([NOTIFICATION, 'client-typing', 'appointment-updated']), data, 'rejected');
  }

  wrongEvent(): FuzzCase {
    const body = this.encode(this.invalidBody());
    const channel = this.anyChannel();
    const event = this.rng.pick([
      'foo',
      'notification',
      '.general-notification',
      'GENERAL-NOTIFICATION',
      'App\\Events\\Unknown',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      `general-notification\ud800`,
      'é'.repeat(300),
      'message-sent',
      'consultation-status-changed',
      'client-other',
    ]);
    // A notification on a non-notification channel, or an unknown event anywhere: refused either way.
    if (channel === this.t.notifications && (event === 'foo' || event === NOTIFICATION)) return this.publish('wrong-event', channel, 'foo', body, 'rejected');
    return this.publish('wrong-event', channel, event === NOTIFICATION ? 'foo' : event, body, 'rejected');
  }

  typingOnWrongChannel(): FuzzCase {
    const data = this.encode({ user_id: this.t.peer.id, name: this.t.peer.name, typing: true });
    return this.publish('typing-wrong-channel', this.rng.pick([this.t.notifications, ...this.t.appointments]), 'client-typing', data, 'rejected');
  }

  invalidTyping(): FuzzCase {
    const conversation = this.rng.pick(this.t.conversations);
    const other = this.t.conversations.find((c) => c.id !== conversation.id);
    const data = this.rng.pick<unknown>([
      { user_id: 'x', name: 'A', typing: true },
      { user_id: this.t.peer.id, name: 'A', typing: 'yes' },
      { user_id: this.t.peer.id, name: 'n'.repeat(201), typing: true },
      { conversation_id: other?.id ?? 999_999, type: 'typing', data: { user_id: this.t.peer.id, name: 'A', typing: true }, timestamp: this.createdAt() },
      { conversation_id: conversation.id, type: 'typing', data: { user_id: this.t.peer.id, name: 'A', typing: true }, timestamp: 'soon' },
      { __proto__: { typing: true } },
      { constructor: { prototype: { polluted: 'yes' } }, typing: true },
    ]);
    return this.publish('invalid-typing', conversation.channel, 'client-typing', JSON.stringify(data), 'rejected');
  }

  depthBomb(): FuzzCase {
    const shape = this.rng.pick(['array', 'object', 'mixed'] as const);
    // Mostly under Pusher's 10 KB (the attack of issue 11), some far larger.
    const depth = this.rng.chance(0.85) ? this.rng.int(MAX_JSON_DEPTH + 1, shape === 'array' ? 4_900 : 1_600) : this.rng.int(5_000, 60_000);
    const bomb = nestedText(depth, shape);
    const where = this.rng.int(0, 3);
    if (where === 0) return this.publish(`depth-${shape}-whole`, this.anyChannel(), this.rng.pick([NOTIFICATION, 'client-typing', 'appointment-updated']), bomb, 'rejected');
    if (where === 1) {
      const conversation = this.rng.pick(this.t.conversations);
      const data = `{"conversation_id":${conversation.id},"type":"typing","data":{"user_id":${this.t.peer.id},"name":${bomb},"typing":true},"timestamp":"${this.createdAt()}"}`;
      return this.publish(`depth-${shape}-typing`, conversation.channel, 'client-typing', data, 'rejected');
    }
    const body = this.invalidBody();
    const field = this.rng.pick(['title', 'message', 'extra', '__proto__']);
    const data = `{${JSON.stringify(field)}:${bomb},${JSON.stringify(body).slice(1)}`;
    if (where === 2) return this.publish(`depth-${shape}-field`, this.t.notifications, NOTIFICATION, data, 'rejected');
    // The bomb at frame level (data as an object, not a string): attributed to its channel.
    return this.raw(`depth-${shape}-frame`, this.t.notifications, `{"event":"${NOTIFICATION}","channel":"${this.t.notifications}","data":${data}}`, 'rejected');
  }

  depthBoundary(): FuzzCase {
    // One level past the limit: refused (the deepest accepted is in validWithExtras).
    const body = this.invalidBody();
    const data = `{"extra":${nestedText(MAX_JSON_DEPTH, 'array')},${JSON.stringify(body).slice(1)}`;
    return this.publish('depth-boundary', this.t.notifications, NOTIFICATION, data, 'rejected');
  }

  wide(): FuzzCase {
    // Shallow but more values than the shape check walks.
    const body = this.invalidBody();
    const data = `{"extra":[${'0,'.repeat(MAX_JSON_NODES)}0],${JSON.stringify(body).slice(1)}`;
    return this.publish('too-many-values', this.t.notifications, NOTIFICATION, data, 'rejected');
  }

  oversize(): FuzzCase {
    const body = this.invalidBody();
    // Around Pusher's 10 KB limit (under and over), and far beyond it.
    const sizes = [10_239, 10_240, 10_241, 10_300, 20_000, 65_536, 100_000];
    if (this.rng.chance(0.02)) sizes.push(1_048_576);
    const size = this.rng.pick(sizes);
    const prefix = JSON.stringify({ ...body, message: '' });
    body.message = 'M'.repeat(Math.max(5_001, size - prefix.length));
    return this.publish(`oversize-${size}`, this.t.notifications, NOTIFICATION, JSON.stringify(body), 'rejected');
  }

  hugeFrame(): FuzzCase | null {
    if (this.hugeFramesLeft <= 0) return null;
    this.hugeFramesLeft -= 1;
    const body = this.invalidBody();
    body.message = 'H'.repeat(MAX_FRAME_CHARS);
    return this.publish('frame-over-limit', this.t.notifications, NOTIFICATION, JSON.stringify(body), 'rejected');
  }

  presenceJunk(): FuzzCase | null {
    const presence = this.t.presence;
    if (presence === null) return null;
    // Shaped well enough for pusher-js, not a member the desk can use: refused on the channel.
    const data = this.rng.pick([
      { user_id: 'not-a-number', user_info: { name: 'X' } },
      { user_id: 123_456, user_info: { name: '' } },
      { user_id: 123_457, user_info: null },
      { user_id: 'constructor', user_info: { name: 'C' } },
    ]);
    return this.publish('presence-junk', presence, 'pusher_internal:member_added', JSON.stringify(data), 'rejected');
  }

  protocolJunk(): FuzzCase {
    // What pusher-js would throw on inside its socket handler: dropped by the screen.
    const presence = this.t.presence ?? this.t.notifications;
    const choice = this.rng.int(0, 5);
    const frames: Array<[string, string]> = [
      [presence, JSON.stringify({ event: 'pusher_internal:member_added', channel: presence, data: 'null' })],
      [presence, JSON.stringify({ event: 'pusher_internal:member_removed', channel: presence, data: '{}' })],
      [presence, JSON.stringify({ event: 'pusher_internal:member_added', channel: presence, data: JSON.stringify({ user_id: '__proto__', user_info: { polluted: 'yes' } }) })],
      [this.t.notifications, JSON.stringify({ event: 'pusher_internal:subscription_count', channel: this.t.notifications, data: 'null' })],
      [this.t.notifications, JSON.stringify({ event: 'pusher:signin_success', data: 'null' })],
      [presence, JSON.stringify({ event: 'pusher_internal:member_added', channel: presence, data: nestedText(40, 'array') })],
    ];
    const [channel, frame] = frames[choice] ?? frames[0]!;
    return this.raw('protocol-junk', channel, frame, 'dropped');
  }

  rawJunk(): FuzzCase {
    const channel = this.t.notifications;
    const choice = this.rng.int(0, 6);
    switch (choice) {
      case 0:
        return this.raw('raw-not-json', channel, this.rng.pick(['{', 'hello', '', '\ud800', '{"event":"x"']), 'dropped');
      case 1:
        return this.raw('raw-array', channel, '[1,2,3]', 'dropped');
      case 2:
        return this.raw('raw-no-event', channel, JSON.stringify({ channel, data: '{}' }), 'dropped');
      case 3:
        return this.raw('raw-event-not-string', channel, JSON.stringify({ event: 7, channel, data: '{}' }), 'dropped');
      case 4:
        return this.raw('raw-deep-no-channel', channel, `{"event":"${NOTIFICATION}","data":${nestedText(3_000, 'array')}}`, 'dropped');
      case 5:
        // Well-formed, but on no channel: pusher-js hands it to no channel handler.
        return this.raw('raw-channel-less', channel, JSON.stringify({ event: NOTIFICATION, data: '{}' }), 'ignored');
      default:
        return this.raw('raw-unknown-channel', channel, JSON.stringify({ event: NOTIFICATION, channel: 'private-notifications.999999', data: '{}' }), 'ignored');
    }
  }

  next(): FuzzCase {
    for (;;) {
      const kind = this.rng.weighted<() => FuzzCase | null>([
        [() => this.validNotification(), 9],
        [() => this.validWithExtras(), 2],
        [() => this.validAsRawObject(), 1],
        [() => this.duplicate(), 1],
        [() => this.validTyping(), 3],
        [() => this.missingField(), 7],
        [() => this.wrongType(), 12],
        [() => this.wrongWholeData(), 4],
        [() => this.otherUser(), 3],
        [() => this.tooLong(), 4],
        [() => this.notJson(), 5],
        [() => this.wrongEvent(), 6],
        [() => this.typingOnWrongChannel(), 2],
        [() => this.invalidTyping(), 3],
        [() => this.depthBomb(), 14],
        [() => this.depthBoundary(), 1],
        [() => this.wide(), 0.2],
        [() => this.oversize(), 4],
        [() => this.presenceJunk(), 2],
        [() => this.protocolJunk(), 3],
        [() => this.rawJunk(), 4],
      ]);
      const made = kind();
      if (made !== null) return made;
    }
  }

  /** The one frame over the screen's size limit, if it has not been placed yet. */
  huge(): FuzzCase | null {
    return this.hugeFrame();
  }
}

/**
 * `count` cases from `seed`, made one at a time (a large run never holds them
 * all): the same sequence for the same seed and targets. `hugeFrames` frames
 * over the screen's size limit (4 MiB) are placed at seeded positions
 * (default 1); `validOnly` makes only valid notifications (a baseline).
 */
export function* fuzzCases(seed: number, count: number, targets: FuzzTargets, now: number, options: { hugeFrames?: number; validOnly?: boolean } = {}): Generator<FuzzCase> {
  const hugeFrames = options.validOnly === true ? 0 : (options.hugeFrames ?? 1);
  const rng = new Rng(seed);
  const generator = new CaseMaker(rng, targets, now, hugeFrames);
  const at = new Set<number>();
  for (let i = 0; i < hugeFrames; i++) at.add(rng.int(0, Math.max(0, count - 1)));
  for (let i = 0; i < count; i++) {
    if (options.validOnly === true) yield generator.validNotification();
    else yield (at.has(i) ? generator.huge() : null) ?? generator.next();
  }
}

/** `fuzzCases` as a list (for runs small enough to hold). */
export function generateFuzz(seed: number, count: number, targets: FuzzTargets, now: number, hugeFrames = 1): FuzzCase[] {
  return [...fuzzCases(seed, count, targets, now, { hugeFrames })];
}

/** The targets of a desk signed in as `userId`, from its snapshot's channels. */
export function targetsFrom(channelNames: readonly string[], who: { userId: number; otherUserId: number; peer: { id: number; name: string } }): FuzzTargets {
  const pick = (re: RegExp) => channelNames.flatMap((name) => {
    const m = re.exec(name);
    return m ? [{ id: Number(m[1]), channel: name }] : [];
  });
  const notifications = channelNames.find((n) => n === `private-notifications.${who.userId}`);
  if (notifications === undefined) throw new Error(`the desk is not subscribed to its notifications channel; it has ${channelNames.join(', ')}`);
  const conversations = pick(/^private-conversation\.(\d+)$/);
  if (conversations.length === 0) throw new Error('the desk is subscribed to no conversation channel');
  return {
    ...who,
    notifications,
    conversations,
    consultations: pick(/^private-consultations\.(\d+)$/),
    appointments: channelNames.filter((n) => n.startsWith('private-appointments.')),
    presence: channelNames.find((n) => n.startsWith('presence-')) ?? null,
  };
}

export interface FuzzResult {
  seed: number;
  cases: number;
  barriers: number;
  byKind: Record<string, number>;
  byOutcome: Record<Outcome, number>;
  /** Delivering every case and waiting for each batch's barrier, in ms (making the cases not counted). */
  ms: number;
  perSecond: number;
  /** From the desk's channel statuses: events accepted and payloads rejected during the run. */
  accepted: number;
  rejected: number;
  /** Frames the socket screen dropped (no channel to blame) during the run. */
  dropped: number;
  expectedAccepted: number;
  expectedRejected: number;
  expectedDropped: number;
  /**
   * Notifications the desk announced as new, by id (`notification.upserted`, or among the
   * newest of a `notifications.synced` batch, which names at most 20 of them).
   */
  newTimes: Map<number, number>;
  /** Every notification the desk inserted during the run (batches counted in full). */
  insertedTotal: number;
  /** Expected rows by id (valid cases and barriers). */
  expected: Map<number, StoredNotification>;
}

/** Publishes one case the way it is meant to reach the desk. */
function deliver(clinic: DemoClinic, c: FuzzCase): void {
  const server = clinic.realtime;
  if (!server) throw new Error('the demo clinic runs no socket server');
  if (c.via === 'raw') server.injectRaw(clinic.info.appId, c.channel, c.data);
  else server.publish(clinic.info.appId, [c.channel], c.event, c.data);
}

async function channelCounts(desk: DeskService): Promise<{ events: number; rejected: number }> {
  const channels = (await desk.getSnapshot()).channels;
  return channels.reduce((sum, c) => ({ events: sum.events + c.eventCount, rejected: sum.rejected + c.rejectedCount }), { events: 0, rejected: 0 });
}

/**
 * Sends every case (a barrier notification after each `barrierEvery`, waited
 * for, so the socket never holds more than one batch), and counts what the
 * desk did. Checks nothing itself: see `checkStored` and the test.
 */
export async function runFuzz(options: {
  clinic: DemoClinic;
  desk: DeskService;
  targets: FuzzTargets;
  cases: Iterable<FuzzCase>;
  seed: number;
  now: number;
  barrierEvery?: number;
  /** Cases sent per turn of the event loop. */
  chunk?: number;
  barrierTimeoutMs?: number;
  /** Rejects on the first fault of the process (an uncaught exception): the run stops at once with it. */
  faulted?: Promise<never>;
}): Promise<FuzzResult> {
  const { clinic, desk, targets, cases } = options;
  const barrierEvery = options.barrierEvery ?? 500;
  const chunk = options.chunk ?? 100;
  const newTimes = new Map<number, number>();
  let insertedTotal = 0;
  const seen = new Set<number>();
  const waiters = new Map<number, () => void>();
  const note = (id: number, isNew: boolean) => {
    if (isNew) newTimes.set(id, (newTimes.get(id) ?? 0) + 1);
    seen.add(id);
    waiters.get(id)?.();
  };
  const off = desk.on((e: DeskEvent) => {
    if (e.kind === 'notification.upserted') {
      if (e.isNew) insertedTotal += 1;
      note(e.notification.id, e.isNew);
    } else if (e.kind === 'notifications.synced') {
      insertedTotal += e.inserted;
      for (const n of e.newest) note(n.id, true);
    }
  });
  const expected = new Map<number, StoredNotification>();
  const byKind: Record<string, number> = {};
  const byOutcome: Record<Outcome, number> = { accepted: 0, rejected: 0, dropped: 0, ignored: 0 };
  let count = 0;
  const before = await channelCounts(desk);
  const guardBefore = frameGuardStats();
  let barriers = 0;
  /** Time spent delivering and waiting for the desk; making the cases is not counted. */
  let ms = 0;
  const iterator = cases[Symbol.iterator]();
  try {
    for (;;) {
      const batch: FuzzCase[] = [];
      for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
        batch.push(next.value);
        if (batch.length === barrierEvery) break;
      }
      if (batch.length === 0) break;
      for (const c of batch) {
        count += 1;
        byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
        byOutcome[c.outcome] += 1;
        if (c.stores) expected.set(c.stores.id, c.stores);
      }
      const id = BARRIER_ID_BASE + ++barriers;
      const barrier: StoredNotification = { id, user_id: targets.userId, type: 'barrier', title: `Barrier ${barriers}`, message: '', action_url: null, created_at: new Date(options.now - 1_000).toISOString() };
      expected.set(id, barrier);
      const started = performance.now();
      for (let i = 0; i < batch.length; i++) {
        deliver(clinic, batch[i] as FuzzCase);
        if (i % chunk === chunk - 1) await turn();
      }
      const arrived = new Promise<void>((resolve, reject) => {
        if (seen.has(id)) return resolve();
        const timer = setTimeout(() => reject(new Error(`seed ${options.seed}: barrier ${barriers} (after case ${count}) did not arrive`)), options.barrierTimeoutMs ?? 30_000);
        waiters.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      deliver(clinic, { via: 'publish', channel: targets.notifications, event: NOTIFICATION, data: JSON.stringify(barrier), kind: 'barrier', outcome: 'accepted' });
      await (options.faulted ? Promise.race([arrived, options.faulted]) : arrived);
      ms += performance.now() - started;
      waiters.delete(id);
      if (batch.length < barrierEvery) break;
    }
  } finally {
    off();
  }
  const after = await channelCounts(desk);
  const guardAfter = frameGuardStats();
  return {
    seed: options.seed,
    cases: count,
    barriers,
    byKind,
    byOutcome,
    ms,
    perSecond: count / (ms / 1000),
    accepted: after.events - before.events,
    rejected: after.rejected - before.rejected,
    dropped: guardAfter.dropped - guardBefore.dropped,
    expectedAccepted: byOutcome.accepted + barriers,
    expectedRejected: byOutcome.rejected,
    expectedDropped: byOutcome.dropped,
    newTimes,
    insertedTotal,
    expected,
  };
}

/** Every notification in the desk's cache, through the bridge method the page uses (newest first, paged). */
export async function storedNotifications(desk: DeskService): Promise<Array<StoredNotification & Record<string, unknown>>> {
  const all: Array<StoredNotification & Record<string, unknown>> = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await desk.listNotifications({ limit: 200, unreadOnly: false, ...(beforeId === undefined ? {} : { beforeId }) });
    all.push(...(page.items as Array<StoredNotification & Record<string, unknown>>));
    if (!page.hasMore || page.items.length === 0) return all;
    beforeId = page.items[page.items.length - 1]?.id;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What is wrong with the stored rows, in words (empty when nothing is):
 * a valid row missing, different, or announced as new more than once; a row
 * from an invalid case stored; text that is not well-formed.
 */
export function checkStored(result: FuzzResult, rows: ReadonlyArray<StoredNotification & Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const byId = new Map<number, StoredNotification & Record<string, unknown>>();
  for (const row of rows) {
    if (byId.has(row.id)) problems.push(`row ${row.id} listed twice`);
    byId.set(row.id, row);
    if (row.id >= INVALID_ID_BASE && row.id < INVALID_ID_BASE + 10_000_000) problems.push(`row ${row.id} stored from an invalid payload`);
    for (const field of ['title', 'message', 'type'] as const) {
      if (typeof row[field] === 'string' && LONE_SURROGATE.test(row[field])) problems.push(`row ${row.id}: ${field} is not well-formed Unicode`);
    }
  }
  for (const [id, want] of result.expected) {
    const row = byId.get(id);
    if (!row) {
      problems.push(`valid notification ${id} not stored`);
      continue;
    }
    for (const field of ['user_id', 'type', 'title', 'message', 'action_url'] as const) {
      if (row[field] !== want[field]) problems.push(`row ${id}: ${field} is ${JSON.stringify(row[field])?.slice(0, 80)}, sent ${JSON.stringify(want[field])?.slice(0, 80)}`);
    }
    if (Date.parse(row.created_at) !== Date.parse(want.created_at)) problems.push(`row ${id}: created_at ${row.created_at}, sent ${want.created_at}`);
    const announced = result.newTimes.get(id) ?? 0;
    if (announced > 1) problems.push(`valid notification ${id} announced as new ${announced} times`);
  }
  // Each valid id (and barrier) inserted once: no more, no fewer inserts than distinct ids.
  if (result.insertedTotal !== result.expected.size) problems.push(`${result.insertedTotal} notifications inserted for ${result.expected.size} distinct valid ids`);
  return problems;
}
