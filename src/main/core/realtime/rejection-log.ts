import type { RejectedPayload } from '../../../shared/desk-state';
import { clip } from './validate';

/**
 * The one log of payloads the desk refused (`validate.ts` says why), grouped
 * by channel, event and reason with a count and the last time. The desk
 * (`DeskService`) keeps one for its whole life and hands it to each
 * session's `Realtime`, which records into it; the Diagnostics screen, the
 * diagnostics report and `clinic-desk watch` (each `rejected` event carries
 * its group's count) all read this one. Bounded: a server sending endless
 * variants cannot grow it without limit, the group seen longest ago goes
 * first. How many a channel refused in all is its `rejectedCount` in the
 * channel table.
 */
export class RejectionLog {
  private readonly groups = new Map<string, RejectedPayload>();

  constructor(private readonly maxGroups = 200) {}

  /** Returns the group after recording, so callers can decide how loudly to log. */
  record(channel: string, event: string, reason: string, at: string): RejectedPayload {
    const entry = { channel: clip(channel, 200), event: clip(event, 200), reason: clip(reason, 1000) };
    const key = JSON.stringify([entry.channel, entry.event, entry.reason]);
    const previous = this.groups.get(key);
    const group: RejectedPayload = { ...entry, count: (previous?.count ?? 0) + 1, lastAt: at };
    // Re-inserting keeps the map in least-recently-seen order for eviction.
    this.groups.delete(key);
    this.groups.set(key, group);
    if (this.groups.size > this.maxGroups) {
      const oldest = this.groups.keys().next();
      if (oldest.done !== true) this.groups.delete(oldest.value);
    }
    return { ...group };
  }

  /** Another user signs in: what this one's channels refused is not theirs to read. */
  clear(): void {
    this.groups.clear();
  }

  /** Most recently seen first. */
  list(): RejectedPayload[] {
    return [...this.groups.values()].reverse().map((g) => ({ ...g }));
  }
}
