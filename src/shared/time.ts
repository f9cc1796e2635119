import { z } from 'zod';

/**
 * ISO 8601 date-time as Laravel sends it. Carbon serialises with microseconds
 * (`2026-11-26T09:00:00.000000Z`) and some back ends send an offset instead of
 * `Z`, so both are accepted; the value is kept as the server wrote it.
 */
export const IsoDateTime = z.iso.datetime({ offset: true });
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** A calendar day, `YYYY-MM-DD`, as the appointments endpoint takes it. */
export const IsoDate = z.iso.date();
export type IsoDate = z.infer<typeof IsoDate>;

/**
 * Milliseconds since the epoch for an ISO timestamp, keeping sub-millisecond
 * order: two Laravel timestamps in the same millisecond differ only in their
 * microseconds, and "newest wins" must still pick the right one.
 */
export function isoToMicros(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return Number.NaN;
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const micros = Number((fraction + '000000').slice(3, 6));
  return ms * 1000 + micros;
}

/** Compares two ISO timestamps; negative when `a` is older than `b`. */
export function compareIso(a: string, b: string): number {
  return isoToMicros(a) - isoToMicros(b);
}

/** Laravel's Carbon serialisation of a JS time: microsecond precision, UTC. */
export function toLaravelIso(ms: number, micros = 0): string {
  const base = new Date(ms).toISOString(); // 2026-11-26T09:00:00.123Z
  const extra = String(Math.max(0, Math.min(999, Math.trunc(micros)))).padStart(3, '0');
  return `${base.slice(0, -1)}${extra}Z`;
}
