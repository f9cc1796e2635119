import type Database from 'better-sqlite3';
import { z } from 'zod';
import { SendMessageInput } from '../../../shared/bridge';
import { Id } from '../../../shared/ids';
import { AppointmentStatus } from '../../../shared/domain';
import { ActionId, StaffActionRequest } from '../../../shared/staff-actions';
import { IsoDateTime } from '../../../shared/time';
import { wellFormed, wellFormedJson } from './text';
import type { Logger } from '../log';

/**
 * The durable outbox: actions the user took that the server has not confirmed
 * yet, kept in the cache file so they survive a restart, sent oldest first.
 * Each row's action is stored as JSON and parsed with `OutboxAction` when read
 * back; a row that no longer parses is logged and skipped.
 */

/** An undo of a check-in, no-show or cancel that was sent: the appointment goes back to `status`. */
export const UndoRequest = z.object({
  kind: z.literal('undo'),
  appointmentId: Id,
  undoes: ActionId,
  /** The status before the action: where the undo takes the appointment. */
  status: AppointmentStatus,
  /** The status the undone action set: the server may refuse the undo (409) when the card moved on meanwhile. */
  expectedStatus: AppointmentStatus,
});
export type UndoRequest = z.infer<typeof UndoRequest>;

/**
 * A staff action as the outbox keeps it: its id (the dedupe key, and the
 * `Idempotency-Key` of every try), what was asked, and the appointment's
 * status before it (what the card goes back to, and an undo).
 */
export const StaffActionEntry = z.object({
  kind: z.literal('staff-action'),
  actionId: ActionId,
  request: z.union([StaffActionRequest, UndoRequest]),
  appointmentId: Id.nullable(),
  previousStatus: AppointmentStatus.nullable(),
});
export type StaffActionEntry = z.infer<typeof StaffActionEntry>;

export const OutboxAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('read'), notificationId: Id }),
  z.object({ kind: z.literal('read-all'), at: IsoDateTime }),
  z.object({ kind: z.literal('delete'), notificationId: Id }),
  SendMessageInput.extend({ kind: z.literal('send-message') }),
  z.object({ kind: z.literal('conversation-read'), conversationId: Id }),
  StaffActionEntry,
]);
export type OutboxAction = z.infer<typeof OutboxAction>;
export type OutboxKind = OutboxAction['kind'];

export interface OutboxEntry {
  id: number;
  action: OutboxAction;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

const OutboxRow = z.object({
  id: Id,
  action: z.string(),
  attempts: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
  created_at: IsoDateTime,
});

/** Errors are kept for diagnostics, not as an archive. */
const MAX_ERROR_LENGTH = 1000;

function targetOf(action: OutboxAction): number | null {
  return action.kind === 'read' || action.kind === 'delete' ? action.notificationId : null;
}

/** Enqueueing the same intent twice keeps the first entry (and its place in the queue). */
function dedupeKeyOf(action: OutboxAction): string | null {
  switch (action.kind) {
    case 'read':
    case 'delete':
      return `${action.kind}:${action.notificationId}`;
    case 'send-message':
      return `send-message:${action.clientId}`;
    case 'conversation-read':
      return `conversation-read:${action.conversationId}`;
    case 'staff-action':
      return `staff-action:${action.actionId}`;
    case 'read-all':
      return null;
  }
}

export function parseOutboxRow(raw: unknown, logger: Logger): OutboxEntry | null {
  const row = OutboxRow.safeParse(raw);
  if (!row.success) {
    logger.warn('cache: skipped an outbox row that does not parse', { reason: z.prettifyError(row.error) });
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(row.data.action);
  } catch (error) {
    logger.warn('cache: skipped an outbox row with invalid JSON', { id: row.data.id, reason: String(error) });
    return null;
  }
  const action = OutboxAction.safeParse(json);
  if (!action.success) {
    logger.warn('cache: skipped an outbox row with an unknown action', { id: row.data.id, reason: z.prettifyError(action.error) });
    return null;
  }
  return {
    id: row.data.id,
    action: action.data,
    attempts: row.data.attempts,
    lastError: row.data.last_error,
    createdAt: row.data.created_at,
  };
}

/** The outbox table's statements; `DeskCache` owns the transactions around them. */
export class OutboxStore {
  private readonly insertStmt: Database.Statement;
  private readonly byKeyStmt: Database.Statement<[string], number>;
  private readonly byIdStmt: Database.Statement<[number]>;
  private readonly allStmt: Database.Statement<[]>;
  private readonly deleteStmt: Database.Statement<[number]>;
  private readonly failStmt: Database.Statement<[string, number]>;
  private readonly countStmt: Database.Statement<[], number>;
  private readonly pendingDeletesStmt: Database.Statement<[], number>;
  private readonly pendingReadsStmt: Database.Statement<[], { notification_id: number; created_at: string }>;

  constructor(
    db: Database.Database,
    private readonly logger: Logger,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (kind, notification_id, dedupe_key, action, attempts, last_error, created_at)
       VALUES (@kind, @notificationId, @dedupeKey, @action, @attempts, @lastError, @createdAt)`,
    );
    this.byKeyStmt = db.prepare<[string], number>('SELECT id FROM outbox WHERE dedupe_key = ?').pluck();
    this.byIdStmt = db.prepare<[number]>('SELECT id, action, attempts, last_error, created_at FROM outbox WHERE id = ?');
    this.allStmt = db.prepare<[]>('SELECT id, action, attempts, last_error, created_at FROM outbox ORDER BY id');
    this.deleteStmt = db.prepare<[number]>('DELETE FROM outbox WHERE id = ?');
    this.failStmt = db.prepare<[string, number]>('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?');
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM outbox').pluck();
    this.pendingDeletesStmt = db.prepare<[], number>("SELECT notification_id FROM outbox WHERE kind = 'delete'").pluck();
    this.pendingReadsStmt = db.prepare("SELECT notification_id, created_at FROM outbox WHERE kind = 'read' AND notification_id IS NOT NULL");
  }

  /** The id of the same intent already queued, if any. */
  existing(action: OutboxAction): number | null {
    const dedupeKey = dedupeKeyOf(action);
    return dedupeKey === null ? null : (this.byKeyStmt.get(dedupeKey) ?? null);
  }

  /**
   * Returns the new entry's id, or the id of the same intent already queued
   * (and `created: false`). `carry`: attempts and last error of an entry moved
   * here from elsewhere (memory, or the outbox of a file set aside).
   */
  add(action: OutboxAction, createdAt: string, carry: { attempts: number; lastError: string | null } = { attempts: 0, lastError: null }): { id: number; created: boolean } {
    const existing = this.existing(action);
    if (existing !== null) return { id: existing, created: false };
    const info = this.insertStmt.run({
      kind: action.kind,
      notificationId: targetOf(action),
      dedupeKey: dedupeKeyOf(action),
      action: wellFormedJson(action),
      attempts: carry.attempts,
      lastError: carry.lastError === null ? null : wellFormed(carry.lastError.slice(0, MAX_ERROR_LENGTH)),
      createdAt,
    });
    return { id: Number(info.lastInsertRowid), created: true };
  }

  get(id: number): OutboxEntry | null {
    const raw = this.byIdStmt.get(id);
    return raw === undefined ? null : parseOutboxRow(raw, this.logger);
  }

  all(): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const raw of this.allStmt.iterate()) {
      const entry = parseOutboxRow(raw, this.logger);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  remove(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }

  fail(id: number, error: string): boolean {
    return this.failStmt.run(wellFormed(error.slice(0, MAX_ERROR_LENGTH)), id).changes > 0;
  }

  count(): number {
    return this.countStmt.get() ?? 0;
  }

  /** Notification ids with a delete waiting: an upsert must not bring them back. */
  pendingDeletes(): Set<number> {
    return new Set(this.pendingDeletesStmt.all());
  }

  /**
   * Reads of one id waiting, by id, with when each was queued: a row that
   * arrives after its read was queued (an outbox recovered from a damaged
   * file, before catch-up refills the cache) shows as read.
   */
  pendingReads(): Map<number, string> {
    return new Map(this.pendingReadsStmt.all().map((row) => [row.notification_id, row.created_at]));
  }
}
