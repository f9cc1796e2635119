import { BRIDGE_METHOD_NAMES, BridgeEnvelope, type BridgeErrorKind, type ClinicBridge, type HostBridge } from './bridge';

/**
 * How the renderer unwraps the host adapter's envelopes, in one place for both
 * hosts (`getBridge()` in src/renderer/src/bridge/index.ts wraps the Electron
 * preload's `window.clinic` and the preview client alike): a method resolves to
 * its value, or rejects with a `BridgeError` whose message is the clean one
 * the host wrote for staff. Anything else that reaches here (a rejected IPC
 * call, a malformed answer) is not shown as is: it is logged to the console
 * and becomes a generic `internal` error.
 */
export class BridgeError extends Error {
  readonly kind: BridgeErrorKind;

  constructor(kind: BridgeErrorKind, message: string) {
    super(message);
    this.name = 'BridgeError';
    this.kind = kind;
  }
}

export const UNREACHABLE_MESSAGE = 'Clinic Desk could not complete this request; the details are in its log.';

export function unwrapEnvelope<T>(method: string, answer: unknown): T {
  const envelope = BridgeEnvelope.safeParse(answer);
  if (!envelope.success) {
    console.warn(`clinic-desk: malformed answer to ${method}`, envelope.error.message);
    throw new BridgeError('internal', UNREACHABLE_MESSAGE);
  }
  if (!envelope.data.ok) throw new BridgeError(envelope.data.error.kind, envelope.data.error.message);
  return envelope.data.value as T;
}

export function unwrapBridge(host: HostBridge): ClinicBridge {
  const call = async (method: string, input: unknown): Promise<unknown> => {
    let answer: unknown;
    try {
      const fn = (host as unknown as Partial<Record<string, (input?: unknown) => Promise<unknown>>>)[method];
      if (!fn) throw new Error(`the host has no method ${method}`);
      answer = await fn(input);
    } catch (error) {
      if (error instanceof BridgeError) throw error;
      console.warn(`clinic-desk: ${method} failed in transit`, error);
      throw new BridgeError('internal', UNREACHABLE_MESSAGE);
    }
    return unwrapEnvelope(method, answer);
  };
  const methods = Object.fromEntries(BRIDGE_METHOD_NAMES.map((method) => [method, (input?: unknown) => call(method, input)]));
  return { ...methods, onEvent: (listener) => host.onEvent(listener) } as ClinicBridge;
}
