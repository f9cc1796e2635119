/**
 * The REST dialects the demo clinic can speak (`startDemoClinic({ apiDialect })`,
 * `clinic-desk demo-server --api-dialect NAME`). Kept apart from the dialect
 * modules so the demo's `info` schema and the CLI can name them cheaply.
 */
export const API_DIALECTS = ['default', 'resource', 'paginate', 'cursor', 'nested', 'minimal'] as const;
export type ApiDialectName = (typeof API_DIALECTS)[number];

/** One line per dialect, for the CLI's usage text and the docs. */
export const API_DIALECT_DESCRIPTIONS: Readonly<Record<ApiDialectName, string>> = {
  default: 'the desk contract: {data, meta?} lists, notifications paged by after_id/per_page',
  resource: 'API Resource collections over paginate(): {data, links, meta}; per_page capped at 50; notifications newest first',
  paginate: 'plain paginate() at top level; per_page above 25 is a 422',
  cursor: 'cursorPaginate() with ?cursor=; per_page above 100 is a 422; every id is a numeric string',
  nested: 'other field names, relations nested as objects ({clinic:{id}}, {doctor:{id,name}}), lists without meta',
  minimal: 'only sign-in, the current user and channel authorization; every other /api route is a 404',
};

export function isApiDialect(name: string): name is ApiDialectName {
  return (API_DIALECTS as readonly string[]).includes(name);
}
