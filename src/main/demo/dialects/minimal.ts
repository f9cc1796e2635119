import type { User } from '../../../shared/domain';
import { phpJsonEncode } from '../php-json';
import { CONTRACT_PRESENTERS, type ApiDialect } from './types';

/**
 * A clinic app that exposes only what Sanctum and broadcasting need:
 * `POST /api/login`, `POST /api/logout`, `GET /api/user` and
 * `POST /broadcasting/auth` (and `/up`). Every other `/api/...` route is
 * Laravel's 404, the staff actions' too. The presence callback returns
 * `['name' => $user->name]`.
 */
export const minimalDialect = (): ApiDialect => ({
  name: 'minimal',
  fullApi: false,
  encode: phpJsonEncode,
  present: CONTRACT_PRESENTERS,
  list(request) {
    throw new Error(`the minimal dialect has no list ${request.kind}`);
  },
  presenceUserInfo: (user: User) => ({ name: user.name }),
  wrapsUser: false,
  etags: false,
  doctorView: 'own',
  staffActions: null,
  options: 'router',
});
