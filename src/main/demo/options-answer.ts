import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OptionsAnswer } from './dialects/types';
import { HttpError, laravelMethods, type Router } from './http-kit';

/**
 * An OPTIONS request, as a Laravel app answers it: its router answers 200
 * with an empty body and `Allow: GET,HEAD,PATCH` (the route's methods in
 * `Router::$verbs` order, no spaces), or a route 404; no authentication, as
 * no route middleware runs. An app with a hand-written CORS middleware in
 * front answers every OPTIONS under /api/ itself: 204, CORS headers, no
 * `Allow`, whether or not a route is there. The desk reads what an action is
 * offered from this (docs/backend-contract.md, "Capabilities").
 */

/** What such a middleware sends (`Access-Control-Allow-Headers` echoes the preflight's request, as CORS middlewares do). */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const asked = req.headers['access-control-request-headers'];
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': typeof asked === 'string' && asked !== '' ? asked : 'Accept, Authorization, Content-Type, X-Requested-With, X-Socket-ID, Idempotency-Key',
    'Access-Control-Max-Age': '86400',
  };
}

export function answerOptions(kind: OptionsAnswer, router: Router, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  if (kind === 'cors' && pathname.startsWith('/api/')) {
    res.writeHead(204, corsHeaders(req)).end();
    return;
  }
  const methods = laravelMethods(router.methodsAt(pathname), 'OPTIONS');
  if (methods.length === 0) throw new HttpError(404, `The route ${pathname.slice(1)} could not be found.`);
  res.writeHead(200, { Allow: methods.join(','), 'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-cache, private', 'Content-Length': 0 }).end();
}
