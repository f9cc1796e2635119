import { z } from 'zod';
import { BRIDGE_METHOD_NAMES, BridgeErrorKind, DeskEvent, type BridgeMethodName } from './bridge';

/**
 * `ClinicBridge` carried over a WebSocket, for the browser preview host: the
 * same methods and events as the Electron IPC bridge, as JSON frames. The
 * renderer cannot tell the two apart.
 *
 * The page connects to `ws://127.0.0.1:<port>/bridge`, authorised by the
 * session cookie the host set when the page was opened with the one-time
 * token in the URL it printed (so a reload reconnects without the token).
 */

export const PREVIEW_BRIDGE_PATH = '/bridge';

const MethodName = z.enum(BRIDGE_METHOD_NAMES as [BridgeMethodName, ...BridgeMethodName[]]);

/** Page → host: call a method. `input` is validated by the host with the method's schema. */
export const WireCall = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: MethodName,
  input: z.unknown().optional(),
});
export type WireCall = z.infer<typeof WireCall>;

/** Host → page: a method's answer, the host adapter's `BridgeEnvelope` with the call's id. */
export const WireResult = z.discriminatedUnion('ok', [
  // Optional: JSON drops `undefined`, the answer of signOut, reconnect and setTyping.
  z.object({ type: z.literal('result'), id: z.number().int().nonnegative(), ok: z.literal(true), value: z.unknown().optional() }),
  z.object({
    type: z.literal('result'),
    id: z.number().int().nonnegative(),
    ok: z.literal(false),
    error: z.object({ kind: BridgeErrorKind, message: z.string().min(1).max(2000) }),
  }),
]);
export type WireResult = z.infer<typeof WireResult>;

/** Host → page: a desk event. */
export const WireEvent = z.object({ type: z.literal('event'), event: DeskEvent });
export type WireEvent = z.infer<typeof WireEvent>;

export const HostFrame = z.union([WireResult, WireEvent]);
export type HostFrame = z.infer<typeof HostFrame>;
