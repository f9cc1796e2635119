import type { Role } from '../../../shared/domain';
import { PresenceMember } from '../../../shared/payloads';
import { describeIssues } from './validate';

/**
 * Who is on a presence channel, keyed by numeric user id.
 *
 * Laravel sends `user_id` in `channel_data` as a string while REST ids are
 * numbers, and Echo's `here/joining/leaving` callbacks hand over only
 * `user_info` (no id at all), so members are taken from the pusher-js channel
 * (`members.each`, `pusher:member_added` give `{id, info}`) and keyed by
 * `Number(id)`. One user on several connections is one member: the server
 * already sends `member_added` once per user, and keying by number keeps a
 * second add (or `"5"` next to `5`) from counting twice here.
 */

export interface OnlinePresenceMember {
  id: number;
  name: string;
  /** Null when `user_info` carries no role: the session takes it from the members list, else "staff". */
  role: Role | null;
}

export type ParsedMember = { ok: true; member: OnlinePresenceMember } | { ok: false; reason: string };

/** `{id, info: {name, role}}` as pusher-js hands it over. */
export function parseMember(raw: unknown): ParsedMember {
  const parsed = PresenceMember.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  return { ok: true, member: { id: parsed.data.id, name: parsed.data.info.name, role: parsed.data.info.role ?? null } };
}

/** The id of a leaving member; `member_removed` carries only what pusher-js remembered. */
export function parseMemberId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  const id = raw.id;
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^[1-9]\d{0,15}$/.test(id) ? Number(id) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export class PresenceRoster {
  private readonly members = new Map<number, OnlinePresenceMember>();

  /** Replaces everyone (a fresh `subscription_succeeded`); duplicates collapse to one. */
  reset(members: readonly OnlinePresenceMember[]): OnlinePresenceMember[] {
    this.members.clear();
    for (const member of members) this.members.set(member.id, { ...member });
    return this.list();
  }

  /** True when the member is new; an already present id only refreshes name and role. */
  add(member: OnlinePresenceMember): boolean {
    const isNew = !this.members.has(member.id);
    this.members.set(member.id, { ...member });
    return isNew;
  }

  /** The member that left, or null when the id was not here. */
  remove(id: number): OnlinePresenceMember | null {
    const member = this.members.get(id);
    if (member === undefined) return null;
    this.members.delete(id);
    return { ...member };
  }

  has(id: number): boolean {
    return this.members.has(id);
  }

  /** Sorted by id, so that two snapshots of the same room compare equal. */
  list(): OnlinePresenceMember[] {
    return [...this.members.values()].sort((a, b) => a.id - b.id).map((m) => ({ ...m }));
  }

  clear(): void {
    this.members.clear();
  }

  get size(): number {
    return this.members.size;
  }
}
