import type { ClinicStore } from '../clinic-store';
import { cursorDialect } from './cursor';
import { defaultDialect } from './default';
import { minimalDialect } from './minimal';
import type { ApiDialectName } from './names';
import { nestedDialect } from './nested';
import { paginateDialect } from './paginate';
import { resourceDialect } from './resource';
import type { ApiDialect } from './types';

/**
 * The demo clinic's REST dialects: each reshapes requests and answers of the
 * one shared app (store, authorization, broadcasting). See
 * docs/backend-contract.md, "Dialects of the demo clinic".
 */
export { API_DIALECTS, API_DIALECT_DESCRIPTIONS, isApiDialect, type ApiDialectName } from './names';
export type { ApiDialect, ListKind, ListRequest } from './types';

const DIALECTS: Readonly<Record<ApiDialectName, (store: ClinicStore) => ApiDialect>> = {
  default: defaultDialect,
  resource: resourceDialect,
  paginate: paginateDialect,
  cursor: cursorDialect,
  nested: nestedDialect,
  minimal: minimalDialect,
};

export function createApiDialect(name: ApiDialectName, store: ClinicStore): ApiDialect {
  return DIALECTS[name](store);
}
