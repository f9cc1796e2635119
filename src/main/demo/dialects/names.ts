/**
 * The REST dialects the demo clinic can speak (`startDemoClinic({ apiDialect })`,
 * `clinic-desk demo-server --api-dialect NAME`). Kept apart from the dialect
 * modules so the demo's `info` schema and the CLI can name them cheaply.
 */
import { takeOption } from '../take-option';

export const API_DIALECTS = ['default', 'resource', 'paginate', 'cursor', 'nested', 'minimal'] as const;
export type ApiDialectName = (typeof API_DIALECTS)[number];

/** One line per dialect, for the CLI's usage text and the docs. */
export const API_DIALECT_DESCRIPTIONS: Readonly<Record<ApiDialectName, string>> = {
  default: 'the desk contract: {data, meta?} lists, notifications paged by after_id/per_page; user.clinic.timezone; ETag/304; doctors see their own schedule only',
  resource: 'API Resource collections over paginate(): {data, links, meta}; per_page capped at 50; notifications newest first; /api/user as {data}; ETag/304; doctors see and hear every colleague; OPTIONS is a CORS 204 without Allow',
  paginate: 'plain paginate() at top level; per_page above 25 is a 422; user.timezone; no ETag; doctors see their own schedule only',
  cursor: 'cursorPaginate() with ?cursor=; per_page above 100 is a 422; every id is a numeric string; user.timezone; no ETag; doctors see their own schedule only',
  nested: 'other field names, relations nested as objects ({clinic:{id}}, {doctor:{id,name}}), lists without meta; user.current_clinic.timezone; ETag/304; doctors see the clinic over REST, colleagues\' channels refused; status changes by PUT only, no call-in',
  minimal: 'only sign-in, the current user and channel authorization; every other /api route is a 404; no time zone; doctors on their own channel only; no staff actions',
};

/** Where each dialect's user answer (login's `user`, `GET /api/user`) says the clinic's time zone; null: it does not. */
export const API_DIALECT_ZONE_KEYS: Readonly<Record<ApiDialectName, string | null>> = {
  default: 'clinic.timezone',
  resource: 'clinic.timezone',
  paginate: 'timezone',
  cursor: 'timezone',
  nested: 'current_clinic.timezone',
  minimal: null,
};

export function isApiDialect(name: string): name is ApiDialectName {
  return (API_DIALECTS as readonly string[]).includes(name);
}

/** How every command refuses a name it does not know (`--api-dialect klingon`). */
export function unknownApiDialect(input: unknown): string {
  return `unknown dialect ${JSON.stringify(input)}; one of: ${API_DIALECTS.join(', ')}`;
}

/** The dialects, one a line under a command's `--api-dialect NAME` (`indent` spaces, then the name, then what it answers). */
export function apiDialectUsageLines(indent: number): string {
  return API_DIALECTS.map((name) => `${' '.repeat(indent)}${name.padEnd(9)} ${API_DIALECT_DESCRIPTIONS[name]}`).join('\n');
}

/** `--api-dialect NAME` or `--api-dialect=NAME` (see `takeOption`): the dialect's name, checked. */
export function takeApiDialectArg(argv: readonly string[]): { ok: true; dialect: ApiDialectName | undefined; rest: string[] } | { ok: false; message: string } {
  const taken = takeOption<ApiDialectName>(
    argv,
    '--api-dialect',
    (value) => (isApiDialect(value) ? { ok: true, value } : { ok: false, message: unknownApiDialect(value) }),
    `needs a name; one of: ${API_DIALECTS.join(', ')}`,
  );
  return taken.ok ? { ok: true, dialect: taken.value, rest: taken.rest } : taken;
}
