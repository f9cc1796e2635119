/**
 * `json_encode()` with PHP's default flags, as Laravel's Pusher broadcaster
 * sends payloads: `/` escaped as `\/` and non-ASCII as `\uXXXX`. Sending the
 * same bytes a real back end sends keeps the desk honest about parsing them.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
