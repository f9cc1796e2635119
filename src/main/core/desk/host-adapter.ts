import { z } from 'zod';
import { BRIDGE_ERROR_MESSAGE_MAX, BRIDGE_METHODS, DeskEvent, type BridgeEnvelope, type BridgeErrorKind, type BridgeMethodName } from '../../../shared/bridge';
import { valueShapeProblem } from '../../../shared/json-limits';
import {
  ApiError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotAClinicError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
  ValidationFailedError,
} from '../api/client';
import type { DeskMethods } from './desk-service';
import { DeskRefusal } from './refusal';
import type { Logger } from '../log';

/**
 * The one host adapter between the core and a window, used by both hosts (the
 * Electron IPC handlers and the browser preview's WebSocket bridge). It checks
 * every call against the contract once: the method name, the input (the
 * method's input schema), the desk's answer (its output schema), and every
 * event before it goes to a window. A call never throws: it answers with a
 * `BridgeEnvelope`, so the window shows the same clear message in both hosts.
 * Internals (stack traces, schema mismatches, unknown errors) stay in the log.
 */

export interface HostAdapter {
  /** Never rejects. */
  call(method: string, rawInput: unknown): Promise<BridgeEnvelope>;
  /** The event as it may go to a window, or null (logged) when the desk emitted something the contract refuses. */
  event(e: DeskEvent): DeskEvent | null;
}

export const INTERNAL_MESSAGE = 'Something went wrong in Clinic Desk; the details are in its log.';

export function createHostAdapter(desk: DeskMethods, logger: Logger): HostAdapter {
  return {
    async call(method, rawInput) {
      if (!Object.hasOwn(BRIDGE_METHODS, method)) return failure('invalid-input', `Unknown method: ${method.slice(0, 64)}.`);
      const name = method as BridgeMethodName;
      const schemas = BRIDGE_METHODS[name];
      // Before zod: the input may arrive at any depth; nothing recursive may meet a depth bomb.
      const shape = valueShapeProblem(rawInput);
      if (shape !== null) {
        logger.warn('bridge input rejected', { method: name, reason: shape });
        return failure('invalid-input', `Invalid input for ${name}: ${shape}`);
      }
      const input = schemas.input.safeParse(rawInput);
      if (!input.success) {
        const reason = z.prettifyError(input.error);
        logger.warn('bridge input rejected', { method: name, reason });
        return failure('invalid-input', `Invalid input for ${name}: ${oneLine(reason)}`);
      }
      let output: unknown;
      try {
        // Input was parsed with this very method's schema just above; the method map is the contract.
        const fn = desk[name] as (this: DeskMethods, input: unknown) => Promise<unknown>;
        output = await fn.call(desk, input.data);
      } catch (error) {
        return failedCall(name, error, logger);
      }
      const checked = schemas.output.safeParse(output);
      if (!checked.success) {
        logger.error('the desk answered with an invalid result; not sent', { method: name, error: checked.error.message });
        return failure('internal', `The desk gave an invalid answer to ${name}.`);
      }
      return { ok: true, value: checked.data };
    },

    event(e) {
      const checked = DeskEvent.safeParse(e);
      if (!checked.success) {
        logger.error('the desk emitted an invalid event; not sent', { kind: (e as { kind?: unknown } | null)?.kind ?? null, error: checked.error.message });
        return null;
      }
      return checked.data;
    },
  };
}

/** A failure envelope with a clean, one-line message. */
export function failure(kind: BridgeErrorKind, message: string): BridgeEnvelope<never> {
  return { ok: false, error: { kind, message: clip(oneLine(message)) || INTERNAL_MESSAGE } };
}

function failedCall(method: BridgeMethodName, error: unknown, logger: Logger): BridgeEnvelope<never> {
  if (error instanceof DeskRefusal) return failure(error.kind, error.message);
  if (error instanceof ApiError) {
    logger.warn('bridge call failed', { method, error: error.name, message: error.message, status: error.status });
    return failure(apiErrorKind(error), error.message);
  }
  logger.error('bridge call failed unexpectedly', { method, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return failure('internal', INTERNAL_MESSAGE);
}

function apiErrorKind(error: ApiError): BridgeErrorKind {
  if (error instanceof UnauthorizedError) return 'unauthorized';
  if (error instanceof ForbiddenError) return 'forbidden';
  if (error instanceof NotFoundError) return 'not-found';
  if (error instanceof ConflictError) return 'conflict';
  if (error instanceof ValidationFailedError) return 'validation';
  if (error instanceof RateLimitedError) return 'rate-limited';
  if (error instanceof NetworkError) return 'network';
  if (error instanceof NotAClinicError) return 'not-a-clinic';
  if (error instanceof ServerError) return 'server';
  return 'server';
}

function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

function clip(message: string): string {
  return message.length <= BRIDGE_ERROR_MESSAGE_MAX ? message : `${message.slice(0, BRIDGE_ERROR_MESSAGE_MAX - 1)}…`;
}
