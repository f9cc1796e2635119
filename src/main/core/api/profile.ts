import { z } from 'zod';

/**
 * The API profile: what an admin writes (policy `api`, or `--config`) when the
 * clinic's Laravel app differs from the desk's default dialect in more than the
 * readers already tolerate. Paths, the method of each action, query parameter
 * names, the page size, and field mappings (a dotted path in the server's record
 * per desk field), and the staff actions switched off.
 * docs/backend-contract.md has worked examples.
 */

const ApiPath = z
  .string()
  .regex(/^\/[-A-Za-z0-9_./{}]*$/, 'must be a path starting with "/", e.g. /api/appointments (use {id} where the id goes)')
  .max(300);
const ParamName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.[\]-]{0,63}$/, 'must be a query parameter name such as after_id');
const WriteMethod = z.enum(['POST', 'PATCH', 'PUT', 'DELETE']);

export const PROFILE_PATHS = {
  login: '/api/login',
  logout: '/api/logout',
  user: '/api/user',
  members: '/api/clinic/members',
  notifications: '/api/notifications',
  notificationRead: '/api/notifications/{id}/read',
  notificationsReadAll: '/api/notifications/read-all',
  notificationDelete: '/api/notifications/{id}',
  appointments: '/api/appointments',
  consultations: '/api/consultations',
  conversations: '/api/conversations',
  messages: '/api/conversations/{id}/messages',
  conversationRead: '/api/conversations/{id}/read',
  broadcastingAuth: '/broadcasting/auth',
  appointmentUpdate: '/api/appointments/{id}',
  appointmentCallIn: '/api/appointments/{id}/call-in',
  consultationStart: '/api/consultations',
  consultationUpdate: '/api/consultations/{id}',
} as const;
export type ProfilePath = keyof typeof PROFILE_PATHS;

export const PROFILE_METHODS = {
  notificationRead: 'POST',
  notificationsReadAll: 'POST',
  notificationDelete: 'DELETE',
  sendMessage: 'POST',
  conversationRead: 'POST',
  appointmentUpdate: 'PATCH',
  appointmentCallIn: 'POST',
  consultationStart: 'POST',
  consultationUpdate: 'PATCH',
} as const satisfies Record<string, z.infer<typeof WriteMethod>>;
export type ProfileMethod = keyof typeof PROFILE_METHODS;

export const PROFILE_PARAMS = {
  afterId: 'after_id',
  perPage: 'per_page',
  date: 'date',
  beforeId: 'before_id',
  status: 'status',
} as const;
export type ProfileParam = keyof typeof PROFILE_PARAMS;

/** The endpoints of the staff actions: each is both a path and a method key. */
export const ACTION_ROUTES = ['appointmentUpdate', 'appointmentCallIn', 'consultationStart', 'consultationUpdate'] as const satisfies ReadonlyArray<ProfilePath & ProfileMethod>;
export type ActionRoute = (typeof ACTION_ROUTES)[number];

/**
 * The staff actions an admin may switch off (`"actions": {"callIn": false}`),
 * whatever the server offers; each is on unless switched off.
 */
export const PROFILE_ACTIONS = { checkIn: true, noShow: true, cancel: true, callIn: true, startConsultation: true, completeConsultation: true } as const;
export type ProfileAction = keyof typeof PROFILE_ACTIONS;

/** Resources whose records the desk reads; `fields` keys are `<resource>.<field>`. */
export const PROFILE_RESOURCES = ['user', 'members', 'notifications', 'appointments', 'consultations', 'conversations', 'messages'] as const;
export type ProfileResource = (typeof PROFILE_RESOURCES)[number];

const FIELD_KEY_RULE = `keys must be <resource>.<field>, resource one of ${PROFILE_RESOURCES.join(', ')}`;
const FieldKey = z.string().regex(new RegExp(`^(${PROFILE_RESOURCES.join('|')})\\.[a-z_]+$`), FIELD_KEY_RULE);
const SourcePath = z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'must be a dotted path in the record, e.g. doctor.id or details.duration');

function shape<T extends Record<string, unknown>, S extends z.ZodType>(keys: T, value: S) {
  return z.strictObject(Object.fromEntries(Object.keys(keys).map((k) => [k, value.optional()])) as { [K in keyof T]: z.ZodOptional<S> });
}

export const ApiProfile = z.strictObject({
  paths: shape(PROFILE_PATHS, ApiPath).optional().describe('Where each endpoint lives, when not at the default path.'),
  methods: shape(PROFILE_METHODS, WriteMethod).optional().describe('The HTTP method of each action, when not the default.'),
  params: shape(PROFILE_PARAMS, ParamName).optional().describe('Query parameter names, when not the default (e.g. since for after_id, limit for per_page).'),
  actions: shape(PROFILE_ACTIONS, z.boolean())
    .optional()
    .describe('Staff actions switched off on every desk, e.g. {"callIn": false}; each is on unless set to false (and offered only when the server offers it).'),
  pageSize: z.number().int().min(1).max(1000).optional().describe('Records asked for per page when catching up (default 500; a server that allows fewer is followed).'),
  fields: z
    .record(FieldKey, SourcePath, { error: (issue) => (issue.code === 'invalid_key' ? `${FIELD_KEY_RULE}, got ${JSON.stringify(issue.input)}` : undefined) })
    .optional().describe('Where a desk field is in the server\'s record, e.g. "appointments.appointment_date": "starts_on".'),
});
export type ApiProfile = z.infer<typeof ApiProfile>;

/** The profile with every default filled in, as the client uses it. */
export interface ResolvedProfile {
  paths: Record<ProfilePath, string>;
  methods: Record<ProfileMethod, z.infer<typeof WriteMethod>>;
  params: Record<ProfileParam, string>;
  /** Whether each staff action is on (the admin may switch one off). */
  actions: Record<ProfileAction, boolean>;
  pageSize: number;
  fields: Readonly<Record<string, string>>;
}

export const DEFAULT_PAGE_SIZE = 500;

export function resolveProfile(profile: ApiProfile | undefined): ResolvedProfile {
  const strip = <T extends object>(o: T | undefined): Partial<T> => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    paths: { ...PROFILE_PATHS, ...strip(profile?.paths) },
    methods: { ...PROFILE_METHODS, ...strip(profile?.methods) },
    params: { ...PROFILE_PARAMS, ...strip(profile?.params) },
    actions: { ...PROFILE_ACTIONS, ...strip(profile?.actions) },
    pageSize: profile?.pageSize ?? DEFAULT_PAGE_SIZE,
    fields: { ...profile?.fields },
  };
}

/** A path with its `{id}` filled in. */
export function pathWith(template: string, id: number): string {
  return template.replace('{id}', String(id));
}
