import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../shared/json-limits';

/**
 * The few pieces of Laravel's HTTP behaviour the desk depends on: JSON error
 * bodies only for requests that ask for JSON (`Accept: application/json`),
 * redirects otherwise, 422 bodies with per-field messages, and body parsing
 * for both JSON and form posts (pusher-js posts the auth request as a form).
 */

export const MAX_BODY_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class ValidationError extends Error {
  constructor(readonly errors: Record<string, string[]>) {
    const messages = Object.values(errors).flat();
    const first = messages[0] ?? 'The given data was invalid.';
    super(messages.length > 1 ? `${first} (and ${messages.length - 1} more error${messages.length > 2 ? 's' : ''})` : first);
  }
}

/** Laravel's `expectsJson()`: an Accept header asking for JSON, or an XHR. */
export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /\/json|\+json/.test(accept) || req.headers['x-requested-with'] === 'XMLHttpRequest';
}

/** `encode` is JSON.stringify unless the caller speaks like PHP's json_encode (see php-json.ts). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  encode: (body: unknown) => string = JSON.stringify,
): void {
  const text = encode(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}): void {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 0 });
  res.end();
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The rest of the body is left unread, so the connection cannot carry another request.
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Payload Too Large', { Connection: 'close' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  // What is parsed may be stored and encoded again; JSON.stringify recurses.
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new HttpError(400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

/** Validates input like a Laravel FormRequest: a failure is a 422 with field messages. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  // Zod 4 leaves `issue.input` out unless asked; without it every wrong type would read "required".
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    const label = field.replace(/_/g, ' ');
    // Laravel's `required` fails for a missing field and for null alike.
    const missing = issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null);
    const text = missing ? `The ${label} field is required.` : `The ${label} field is invalid: ${issue.message}.`;
    (errors[field] ??= []).push(text);
  }
  throw new ValidationError(errors);
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
  path: string;
}

/**
 * Laravel's `Router::$verbs`, in its order: the order in which a 405's
 * "Supported methods" and an OPTIONS answer's `Allow` list a route's methods.
 */
export const LARAVEL_VERBS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The methods Laravel says a path has: a `Route::get` also answers HEAD; in
 * `Router::$verbs` order, without `except` (the request's own method).
 */
export function laravelMethods(registered: readonly string[], except?: string): string[] {
  const methods = new Set(registered.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])));
  return LARAVEL_VERBS.filter((verb) => methods.has(verb) && verb !== except);
}

/** Routes like `/api/notifications/{id}/read`; `{id}` matches digits only, as `whereNumber` would. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return '(\\d{1,15})';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler, path });
    return this;
  }

  /** The methods registered for a path (empty: no route has it, a 404). */
  methodsAt(pathname: string): string[] {
    return this.routes.filter((route) => route.pattern.test(pathname)).map((route) => route.method);
  }

  /** The route's handler; `allowed` (Laravel's list, HEAD with GET) when the path exists for other methods only; null for no route. */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | null {
    const registered: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      if (route.method !== method) {
        registered.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = m[i + 1] ?? ''));
      return { handler: route.handler, params };
    }
    return registered.length > 0 ? { allowed: laravelMethods(registered, method) } : null;
  }
}
