/**
 * Text as the cache stores it: well-formed Unicode. A lone UTF-16 surrogate
 * (half of an emoji cut in two, or a hostile payload) cannot be encoded as
 * UTF-8, so SQLite would store invalid bytes that read back differently;
 * it is replaced with U+FFFD, as `String.prototype.toWellFormed` does.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_SURROGATE = /[\uD800-\uDFFF]/;

export function wellFormed(text: string): string {
  // Most text has no surrogate at all: one cheap test instead of a replace.
  return HAS_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** `JSON.stringify` with every string, keys included, made well-formed first. */
export function wellFormedJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key: string, item: unknown) {
    if (typeof item === 'string') return wellFormed(item);
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.some(([k]) => HAS_SURROGATE.test(k))) return Object.fromEntries(entries.map(([k, v]) => [wellFormed(k), v]));
    }
    return item;
  });
}
