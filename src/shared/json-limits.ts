/**
 * Bounds for JSON that crosses a boundary (socket frames, the preview bridge,
 * IPC, configuration files), checked before anything recursive touches it.
 *
 * V8's `JSON.parse` is iterative and accepts any depth; `JSON.stringify`,
 * structured clone, zod's error formatting and any recursive walk are not:
 * about 4,500 nested arrays (9 KB of text) overflow the stack. Nothing the
 * desk exchanges legitimately nests deeper than a handful of levels, so a
 * depth far above that is refused outright, by functions that themselves
 * recurse into nothing.
 */

/** Deepest nesting of arrays and objects accepted at any boundary. */
export const MAX_JSON_DEPTH = 32;

/** Most values (containers, keys' values, items) one parsed message may hold. */
export const MAX_JSON_NODES = 100_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * The deepest nesting of `[`/`{` in JSON text, strings skipped; one linear
 * pass, and it stops as soon as the depth passes `limit` (it then returns a
 * value above `limit`). Not a validator: malformed text gets some number,
 * and `JSON.parse` still decides whether it is JSON.
 */
export function jsonTextDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: a bracket inside it is text, not structure.
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return max;
}

/** Why JSON text is refused before parsing (too long or too deep), or null. */
export function jsonTextProblem(text: string, limits: { maxDepth?: number; maxChars?: number } = {}): string | null {
  const maxChars = limits.maxChars ?? Number.POSITIVE_INFINITY;
  if (text.length > maxChars) return `${text.length} characters exceeds ${maxChars}`;
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  return jsonTextDepth(text, maxDepth) > maxDepth ? `nested deeper than ${maxDepth} levels` : null;
}

/**
 * Why an already parsed (or structured-cloned) value is refused, or null:
 * nested deeper than `maxDepth`, or more than `maxNodes` values (which also
 * ends a walk over a cyclic object). Iterative; own enumerable keys only,
 * read without invoking getters' prototypes (`__proto__` as parsed by
 * JSON.parse is an own key and is walked like any other).
 */
export function valueShapeProblem(value: unknown, limits: { maxDepth?: number; maxNodes?: number } = {}): string | null {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const maxNodes = limits.maxNodes ?? MAX_JSON_NODES;
  if (typeof value !== 'object' || value === null) return null;
  const stack: Array<{ value: object; depth: number }> = [{ value, depth: 1 }];
  let nodes = 1;
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    if (top.depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    const children: unknown[] = Array.isArray(top.value) ? top.value : Object.values(top.value);
    nodes += children.length;
    if (nodes > maxNodes) return `more than ${maxNodes} values`;
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: top.depth + 1 });
    }
  }
  return null;
}
