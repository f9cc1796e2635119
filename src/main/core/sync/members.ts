import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ClinicMember, type Role } from '../../../shared/domain';
import type { OnlineMember, Presence } from '../../../shared/desk-state';
import type { RealtimeEvents } from '../realtime/realtime';
import type { FeatureOutcome } from './features';
import type { PartContext } from './part';

const MemberList = z.array(ClinicMember);
const SNAPSHOT = 'members';
/** The role of someone whose `user_info` names none and whom the members list does not know. */
export const UNKNOWN_ROLE = 'staff';

/**
 * The clinic's people: the roster from the members list (when the server
 * offers one) and who is online from the presence channel. `user_info` may
 * carry no role; the roster supplies it.
 */
export class MembersPart {
  private roster: ClinicMember[] = [];
  private readonly online = new Map<number, OnlineMember>();
  /** Online members whose `user_info` named no role: the roster decides theirs, when it comes. */
  private readonly roleless = new Set<number>();
  /** The roster was read (and announced) once: a read that brings the same one changes nothing. */
  private listed = false;

  constructor(private readonly ctx: PartContext) {}

  list(): readonly ClinicMember[] {
    return this.roster;
  }

  presence(): Presence {
    const { user } = this.ctx;
    return {
      clinicId: user.role === 'patient' ? null : user.clinic_id,
      members: [...this.online.values()].sort((a, b) => a.name.localeCompare(b.name)),
      roster: this.roster,
    };
  }

  restore(): void {
    this.roster = this.ctx.loadSnapshot(SNAPSHOT, MemberList) ?? [];
  }

  async sync(): Promise<FeatureOutcome> {
    if (this.ctx.user.role === 'patient') return {};
    const listing = await this.ctx.api.members();
    // A reconciliation answered 304 (or with the same list): nothing to tell the window or save.
    if (this.listed && isDeepStrictEqual(listing.items, this.roster)) return listing;
    this.listed = true;
    this.roster = listing.items;
    for (const id of this.roleless) {
      const member = this.online.get(id);
      if (member) this.online.set(id, { ...member, role: this.roleOf({ id, role: null }) });
    }
    this.ctx.saveSnapshot(SNAPSHOT, this.roster, MemberList);
    this.ctx.emit({ kind: 'presence.replaced', presence: this.presence() });
    return listing;
  }

  onPresence(e: RealtimeEvents['presence']): void {
    const at = this.ctx.isoNow();
    if (e.kind === 'here') {
      const previous = new Map(this.online);
      this.online.clear();
      this.roleless.clear();
      for (const m of e.members) {
        if (m.role === null) this.roleless.add(m.id);
        this.online.set(m.id, { ...m, role: this.roleOf(m), onlineSince: previous.get(m.id)?.onlineSince ?? at });
      }
      this.ctx.emit({ kind: 'presence.replaced', presence: this.presence() });
    } else if (e.kind === 'joined') {
      if (this.online.has(e.member.id)) return;
      if (e.member.role === null) this.roleless.add(e.member.id);
      const member: OnlineMember = { ...e.member, role: this.roleOf(e.member), onlineSince: at };
      this.online.set(member.id, member);
      this.ctx.emit({ kind: 'presence.joined', member });
    } else {
      this.roleless.delete(e.member.id);
      if (!this.online.delete(e.member.id)) return;
      this.ctx.emit({ kind: 'presence.left', memberId: e.member.id, at });
    }
  }

  /** As `user_info` says, else from the roster, else "staff". */
  private roleOf(member: { id: number; role: Role | null }): Role {
    return member.role ?? this.roster.find((m) => m.id === member.id)?.role ?? UNKNOWN_ROLE;
  }
}
