import { MAX_JSON_DEPTH, valueShapeProblem } from '../../shared/json-limits';

/** Encoding depth for the demo's own answers: well above anything it builds, far below a stack overflow. */
const MAX_ENCODE_DEPTH = 2 * MAX_JSON_DEPTH;

/**
 * `json_encode()` with PHP's default flags, as Laravel's Pusher broadcaster
 * sends payloads: `/` escaped as `\/` and non-ASCII as `\uXXXX`. Sending the
 * same bytes a real back end sends keeps the desk honest about parsing them.
 * Bounded like PHP's (whose default depth is 512): a value nested deeper than
 * `MAX_ENCODE_DEPTH` is refused with a RangeError (an HTTP 500 in the demo's
 * API) before `JSON.stringify` could overflow the stack of the whole server.
 */
export function phpJsonEncode(value: unknown): string {
  const problem = valueShapeProblem(value, { maxDepth: MAX_ENCODE_DEPTH });
  if (problem !== null) throw new RangeError(`json_encode: value ${problem}`);
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
