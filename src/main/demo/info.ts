import { z } from 'zod';
import { Id } from '../../shared/ids';
import { Role } from '../../shared/domain';
import { API_DIALECTS } from './dialects/names';

/**
 * The one JSON line `clinic-desk demo-server` prints first: everything a
 * client, a test or a script needs to reach the demo clinic. Documented in the
 * README; additions are fine, renames are breaking.
 */
export const DemoUserInfo = z.object({
  id: Id,
  name: z.string(),
  email: z.email(),
  password: z.string(),
  role: Role,
  clinicId: Id,
  doctorId: Id.optional(),
});
export type DemoUserInfo = z.infer<typeof DemoUserInfo>;

export const DemoServerInfo = z.object({
  apiUrl: z.url(),
  wsHost: z.string(),
  wsPort: z.number().int().positive(),
  wsScheme: z.literal('ws'),
  appId: z.string(),
  appKey: z.string(),
  appSecret: z.string(),
  seed: z.number().int(),
  eventNaming: z.enum(['broadcast-as', 'class-name']),
  /** The REST dialect of the demo's Laravel app (docs/backend-contract.md, "Dialects of the demo clinic"). */
  apiDialect: z.enum(API_DIALECTS).default('default'),
  /** The clinic's IANA time zone: its local day is the demo's "today". */
  timeZone: z.string().min(1).max(64).default('UTC'),
  users: z.array(DemoUserInfo),
});
export type DemoServerInfo = z.infer<typeof DemoServerInfo>;
