import type { Notification } from '../../../shared/domain';
import type { NotificationItem } from '../../../shared/desk-state';
import type { OutboxAction, OutboxEntry } from './outbox';

/**
 * What the cache could not write yet because the disk refused (full,
 * read-only, I/O error): every change in the order it was made, replayed into
 * the file in one transaction once it takes writes again, and meanwhile laid
 * over what the file holds, so the desk shows what the user did and what
 * arrived. Nothing here is ever dropped except notifications beyond
 * `MAX_ROWS` (the server still has them: catch-up fetches them again).
 */

/** Notifications kept in memory at most while the disk refuses writes (about 10 MB at worst). */
export const MAX_PENDING_ROWS = 10_000;

/** A change to what is shown that is not an outbox entry of its own. */
export type LocalOp =
  | { kind: 'read'; id: number; at: string }
  | { kind: 'read-all'; at: string }
  | { kind: 'delete'; id: number; at: string }
  /** A confirmed delete: the tombstone keeps no text. */
  | { kind: 'scrub'; id: number };

export type Deferred =
  | { kind: 'rows'; rows: Notification[]; receivedMs: number; live: boolean }
  | { kind: 'local'; op: LocalOp }
  /** `id` is negative: memory's own; replay gives it a file id. */
  | { kind: 'enqueue'; id: number; action: OutboxAction; createdAt: string }
  | { kind: 'complete'; id: number }
  | { kind: 'fail'; id: number; error: string };

interface PendingRow {
  row: Notification;
  /** Journal position of its first arrival: a read-all queued before it does not cover it. */
  seq: number;
}

export class PendingWrites {
  readonly journal: Deferred[] = [];
  /** Notifications the file does not have yet, latest copy by id. Copies of rows it has are in `updates`. */
  readonly rows = new Map<number, PendingRow>();
  /** Newer server copies of rows the file has. */
  readonly updates = new Map<number, Notification>();
  readonly snapshots = new Map<string, { value: string; savedAt: string; savedMs: number }>();
  readonly meta = new Map<string, number>();
  /** Notifications not kept because of `MAX_PENDING_ROWS`, this episode. */
  dropped = 0;
  private nextId = -1;

  get isEmpty(): boolean {
    return this.journal.length === 0 && this.snapshots.size === 0 && this.meta.size === 0;
  }

  /** Changes waiting, for the log and diagnostics. */
  get size(): number {
    return this.journal.length + this.snapshots.size + this.meta.size;
  }

  get rowCount(): number {
    return this.rows.size + this.updates.size;
  }

  clear(): void {
    this.journal.length = 0;
    this.rows.clear();
    this.updates.clear();
    this.snapshots.clear();
    this.meta.clear();
    this.dropped = 0;
  }

  /**
   * Keeps rows in memory; returns the ones new to the desk (neither in the file
   * nor here) and the lowest id that had to be dropped, if any. The journal
   * records where new rows arrived; the latest copy of each is in `rows` or
   * `updates`, and that is what replay writes.
   */
  addRows(rows: readonly Notification[], receivedMs: number, live: boolean, inFile: (id: number) => boolean): { inserted: Notification[]; updated: number; droppedBelow: number | null } {
    const inserted: Notification[] = [];
    const arrived: Notification[] = [];
    let updated = 0;
    let droppedBelow: number | null = null;
    const seq = this.journal.length;
    for (const row of rows) {
      if (this.deleted(row.id)) continue;
      const known = this.rows.get(row.id);
      if (known) {
        known.row = { ...row, read_at: row.read_at ?? known.row.read_at ?? null };
        updated++;
      } else if (inFile(row.id)) {
        const copy = this.updates.get(row.id);
        // Beyond the bound the file's copy stays: a newer copy of a row it holds is not new to anyone.
        if (!copy && this.rowCount >= MAX_PENDING_ROWS) continue;
        this.updates.set(row.id, { ...row, read_at: row.read_at ?? copy?.read_at ?? null });
        updated++;
      } else if (this.rowCount >= MAX_PENDING_ROWS) {
        this.dropped++;
        droppedBelow = Math.min(droppedBelow ?? row.id, row.id);
        // Shown live all the same; catch-up stores it once the disk takes writes.
        inserted.push(row);
      } else {
        this.rows.set(row.id, { row, seq });
        inserted.push(row);
        arrived.push(row);
      }
    }
    if (arrived.length > 0) this.journal.push({ kind: 'rows', rows: arrived, receivedMs, live });
    return { inserted, updated, droppedBelow };
  }

  /** The copy replay writes: the latest one. */
  latest(row: Notification): Notification {
    return this.rows.get(row.id)?.row ?? row;
  }

  local(op: LocalOp): void {
    this.journal.push({ kind: 'local', op });
  }

  enqueue(action: OutboxAction, createdAt: string): number {
    const id = this.nextId--;
    this.journal.push({ kind: 'enqueue', id, action, createdAt });
    return id;
  }

  /** The memory entry for the same intent (read or delete of one id, a message's clientId, a staff action's id), if queued here. */
  sameIntent(action: OutboxAction): number | null {
    if (action.kind === 'read-all') return null;
    for (const entry of this.entries()) {
      const queued = entry.action;
      if (queued.kind !== action.kind) continue;
      if ((queued.kind === 'read' || queued.kind === 'delete') && 'notificationId' in action && queued.notificationId === action.notificationId) return entry.id;
      if (queued.kind === 'send-message' && action.kind === 'send-message' && queued.clientId === action.clientId) return entry.id;
      if (queued.kind === 'staff-action' && action.kind === 'staff-action' && queued.actionId === action.actionId) return entry.id;
    }
    return null;
  }

  complete(id: number): void {
    this.journal.push({ kind: 'complete', id });
  }

  fail(id: number, error: string): void {
    this.journal.push({ kind: 'fail', id, error });
  }

  private completed(): Set<number> {
    const done = new Set<number>();
    for (const d of this.journal) if (d.kind === 'complete') done.add(d.id);
    return done;
  }

  /** Memory's own outbox entries not completed yet, oldest first, with their failures. */
  entries(): OutboxEntry[] {
    const done = this.completed();
    const entries: OutboxEntry[] = [];
    for (const d of this.journal) {
      if (d.kind === 'enqueue' && !done.has(d.id)) entries.push({ id: d.id, action: d.action, attempts: 0, lastError: null, createdAt: d.createdAt });
    }
    return this.withFailures(entries);
  }

  /** The file's entries as they stand after what happened in memory (completed ones gone, failures counted). */
  overFile(entries: OutboxEntry[]): OutboxEntry[] {
    const done = this.completed();
    return this.withFailures(entries.filter((e) => !done.has(e.id)));
  }

  private withFailures(entries: OutboxEntry[]): OutboxEntry[] {
    const failures = new Map<number, { count: number; error: string }>();
    for (const d of this.journal) {
      if (d.kind !== 'fail') continue;
      const f = failures.get(d.id);
      failures.set(d.id, { count: (f?.count ?? 0) + 1, error: d.error });
    }
    if (failures.size === 0) return entries;
    return entries.map((e) => {
      const f = failures.get(e.id);
      return f ? { ...e, attempts: e.attempts + f.count, lastError: f.error } : e;
    });
  }

  /** Whether a delete of `id` was made in memory (queued or local). */
  deleted(id: number): boolean {
    for (const { op } of this.ops()) if (op.kind === 'delete' && op.id === id) return true;
    return false;
  }

  /** Ids memory deleted. */
  deletedIds(): Set<number> {
    const ids = new Set<number>();
    for (const { op } of this.ops()) if (op.kind === 'delete') ids.add(op.id);
    return ids;
  }

  hasReadAll(): boolean {
    for (const op of this.ops()) if (op.op.kind === 'read-all') return true;
    return false;
  }

  /** Ids that memory reads, deletes or updates with a server read time. */
  touchedIds(): Set<number> {
    const ids = new Set<number>();
    for (const { op } of this.ops()) if (op.kind === 'read' || op.kind === 'delete') ids.add(op.id);
    for (const [id, row] of this.updates) if (row.read_at !== null) ids.add(id);
    return ids;
  }

  /** The local effects in order, from local ops and queued actions alike, with their journal position. */
  private *ops(): Generator<{ op: LocalOp; seq: number }> {
    for (let seq = 0; seq < this.journal.length; seq++) {
      const d = this.journal[seq];
      if (d?.kind === 'local') yield { op: d.op, seq };
      else if (d?.kind === 'enqueue') {
        const a = d.action;
        if (a.kind === 'read') yield { op: { kind: 'read', id: a.notificationId, at: d.createdAt }, seq };
        else if (a.kind === 'read-all') yield { op: { kind: 'read-all', at: a.at }, seq };
        else if (a.kind === 'delete') yield { op: { kind: 'delete', id: a.notificationId, at: d.createdAt }, seq };
      }
    }
  }

  /**
   * An item as the desk shows it with memory's changes: a newer server copy,
   * reads, deletes. `seq` is where it arrived in the journal (-1: the file had
   * it before anything here happened). Null when it is deleted and `keepDeleted` is false.
   */
  overlay(item: NotificationItem, seq: number, keepDeleted: boolean): NotificationItem | null {
    let shown = item;
    const copy = this.updates.get(item.id);
    if (copy) shown = { ...shown, ...copy, read_at: copy.read_at ?? shown.read_at };
    for (const { op, seq: at } of this.ops()) {
      if ((op.kind === 'read' && op.id === item.id) || (op.kind === 'read-all' && at > seq)) {
        if (shown.read_at === null) shown = { ...shown, read_at: op.at, pending: shown.pending ?? 'read' };
      } else if (op.kind === 'delete' && op.id === item.id) {
        if (!keepDeleted) return null;
        shown = { ...shown, pending: 'delete' };
      } else if (op.kind === 'scrub' && op.id === item.id) {
        shown = { ...shown, title: '', message: '', action_url: null };
      }
    }
    return shown;
  }
}
