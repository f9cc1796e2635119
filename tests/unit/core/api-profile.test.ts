import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ApiProfile, DEFAULT_PAGE_SIZE, PROFILE_ACTIONS, PROFILE_METHODS, PROFILE_PARAMS, PROFILE_PATHS, pathWith, resolveProfile } from '../../../src/main/core/api/profile';

/** The issues of a profile that must be refused. */
function refused(input: unknown): z.core.$ZodIssue[] {
  const result = ApiProfile.safeParse(input);
  if (result.success) throw new Error(`expected the profile to be refused: ${JSON.stringify(input)}`);
  return result.error.issues;
}

const FULL = {
  paths: {
    login: '/api/auth/login',
    user: '/api/me',
    members: '/api/v2/staff',
    notifications: '/api/v2/notifications',
    notificationRead: '/api/v2/notifications/{id}/mark-read',
    appointments: '/api/v2/appointments',
    messages: '/api/v2/threads/{id}/messages',
    broadcastingAuth: '/api/broadcasting/auth',
  },
  methods: {
    notificationRead: 'PATCH',
    notificationsReadAll: 'PUT',
    notificationDelete: 'DELETE',
    sendMessage: 'POST',
    conversationRead: 'PATCH',
    appointmentUpdate: 'PUT',
    appointmentCallIn: 'POST',
    consultationStart: 'POST',
    consultationUpdate: 'PUT',
  },
  params: { afterId: 'since_id', perPage: 'limit', date: 'filter[date]', beforeId: 'before', status: 'filter.status' },
  pageSize: 100,
  fields: {
    'appointments.appointment_date': 'slot.begins',
    'appointments.doctor_id': 'physician.id',
    'notifications.message': 'data.text',
    'user.clinic_id': 'tenant_id',
  },
};

describe('ApiProfile', () => {
  it('accepts a full example as written', () => {
    expect(ApiProfile.parse(FULL)).toEqual(FULL);
  });

  it('accepts an empty profile', () => {
    expect(ApiProfile.parse({})).toEqual({});
  });

  it('refuses a path without a leading slash, saying how to write one', () => {
    const issues = refused({ paths: { appointments: 'api/appointments' } });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['paths', 'appointments']);
    expect(issues[0]?.message).toContain('must be a path starting with "/"');
  });

  it('refuses a full URL where a path goes', () => {
    const issues = refused({ paths: { notifications: 'https://clinic.example.org/api/notifications' } });
    expect(issues[0]?.path).toEqual(['paths', 'notifications']);
    expect(issues[0]?.message).toContain('starting with "/"');
  });

  it('refuses unknown keys at every level (strict)', () => {
    const top = refused({ page_size: 100 });
    expect(top[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['page_size'], path: [] });
    expect(top[0]?.message).toContain('page_size');
    expect(refused({ paths: { appointment: '/api/appointments' } })[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['appointment'], path: ['paths'] });
    expect(refused({ methods: { markRead: 'POST' } })[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['markRead'], path: ['methods'] });
    expect(refused({ params: { after: 'since' } })[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['after'], path: ['params'] });
    expect(refused({ actions: { checkin: false } })[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['checkin'], path: ['actions'] });
  });

  it('refuses a field key that is not <resource>.<field>, saying so in the message an admin sees', () => {
    for (const key of ['appointment.appointment_date', 'appointments', 'appointments.AppointmentDate', 'visits.date']) {
      const issues = refused({ fields: { [key]: 'starts_on' } });
      expect(issues[0]?.path).toEqual(['fields', key]);
      // The policy loader shows `issue.message`: it must say what a key looks like.
      expect(issues[0]?.message).toContain('must be <resource>.<field>');
    }
  });

  it('refuses a field source that is not a dotted path', () => {
    const issues = refused({ fields: { 'appointments.appointment_date': 'slot begins' } });
    expect(issues[0]?.path).toEqual(['fields', 'appointments.appointment_date']);
    expect(issues[0]?.message).toContain('must be a dotted path in the record');
    expect(refused({ fields: { 'appointments.appointment_date': 'slot..begins' } })[0]?.path).toEqual(['fields', 'appointments.appointment_date']);
    expect(refused({ fields: { 'appointments.appointment_date': '' } })[0]?.path).toEqual(['fields', 'appointments.appointment_date']);
  });

  it('refuses a method other than POST, PATCH, PUT and DELETE', () => {
    const issues = refused({ methods: { notificationRead: 'GET' } });
    expect(issues[0]?.path).toEqual(['methods', 'notificationRead']);
    expect(issues[0]?.message).toContain('POST');
    expect(issues[0]?.message).toContain('DELETE');
    expect(refused({ methods: { sendMessage: 'post' } })[0]?.path).toEqual(['methods', 'sendMessage']);
  });

  it('refuses a bad parameter name', () => {
    const issues = refused({ params: { afterId: 'after id' } });
    expect(issues[0]?.path).toEqual(['params', 'afterId']);
    expect(issues[0]?.message).toContain('query parameter name');
  });

  it('refuses a page size outside 1..1000 or not whole', () => {
    for (const pageSize of [0, 1001, 2.5, '100']) expect(refused({ pageSize })[0]?.path).toEqual(['pageSize']);
    expect(ApiProfile.parse({ pageSize: 1 })).toEqual({ pageSize: 1 });
    expect(ApiProfile.parse({ pageSize: 1000 })).toEqual({ pageSize: 1000 });
  });

  it('takes only booleans as action switches', () => {
    expect(refused({ actions: { callIn: 'no' } })[0]?.path).toEqual(['actions', 'callIn']);
    expect(refused({ actions: { callIn: 0 } })[0]?.path).toEqual(['actions', 'callIn']);
  });

  it('reports every bad entry, not only the first', () => {
    const issues = refused({ paths: { user: 'me' }, methods: { notificationDelete: 'GET' } });
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['methods.notificationDelete', 'paths.user']);
  });
});

describe('resolveProfile', () => {
  it('fills every default without a profile', () => {
    expect(resolveProfile(undefined)).toEqual({ paths: PROFILE_PATHS, methods: PROFILE_METHODS, params: PROFILE_PARAMS, actions: PROFILE_ACTIONS, pageSize: DEFAULT_PAGE_SIZE, fields: {} });
    expect(DEFAULT_PAGE_SIZE).toBe(500);
    expect(resolveProfile(undefined).paths.notifications).toBe('/api/notifications');
    expect(resolveProfile(undefined).params.afterId).toBe('after_id');
    expect(resolveProfile(undefined).methods.notificationDelete).toBe('DELETE');
  });

  it('staff actions: the contract’s paths and methods, every action on unless the profile switches it off', () => {
    const defaults = resolveProfile(undefined);
    expect(defaults.paths).toMatchObject({
      appointmentUpdate: '/api/appointments/{id}',
      appointmentCallIn: '/api/appointments/{id}/call-in',
      consultationStart: '/api/consultations',
      consultationUpdate: '/api/consultations/{id}',
    });
    expect(defaults.methods).toMatchObject({ appointmentUpdate: 'PATCH', appointmentCallIn: 'POST', consultationStart: 'POST', consultationUpdate: 'PATCH' });
    expect(Object.values(defaults.actions).every((on) => on)).toBe(true);
    const resolved = resolveProfile(ApiProfile.parse({ methods: { appointmentUpdate: 'PUT' }, actions: { callIn: false, noShow: true } }));
    expect(resolved.methods.appointmentUpdate).toBe('PUT');
    expect(resolved.actions).toEqual({ ...PROFILE_ACTIONS, callIn: false });
  });

  it('takes what the profile sets and defaults the rest', () => {
    const resolved = resolveProfile({ paths: { appointments: '/api/v2/appointments' }, methods: { notificationRead: 'PATCH' }, params: { afterId: 'since_id' }, pageSize: 100 });
    expect(resolved.paths).toEqual({ ...PROFILE_PATHS, appointments: '/api/v2/appointments' });
    expect(resolved.methods).toEqual({ ...PROFILE_METHODS, notificationRead: 'PATCH' });
    expect(resolved.params).toEqual({ ...PROFILE_PARAMS, afterId: 'since_id' });
    expect(resolved.pageSize).toBe(100);
    expect(resolved.fields).toEqual({});
  });

  it('resolves the full example', () => {
    const resolved = resolveProfile(ApiProfile.parse(FULL));
    expect(resolved.paths).toEqual({ ...PROFILE_PATHS, ...FULL.paths });
    expect(resolved.paths.consultations).toBe('/api/consultations');
    expect(resolved.methods).toEqual(FULL.methods);
    expect(resolved.params).toEqual(FULL.params);
    expect(resolved.pageSize).toBe(100);
    expect(resolved.fields).toEqual(FULL.fields);
  });

  it('keeps the default where the profile leaves a key undefined', () => {
    const resolved = resolveProfile({ paths: { appointments: undefined, user: '/api/me' }, params: { perPage: undefined } });
    expect(resolved.paths.appointments).toBe('/api/appointments');
    expect(resolved.paths.user).toBe('/api/me');
    expect(resolved.params.perPage).toBe('per_page');
  });

  it("copies the profile's fields instead of sharing them", () => {
    const profile: ApiProfile = { fields: { 'appointments.appointment_date': 'slot.begins' } };
    const resolved = resolveProfile(profile);
    profile.fields!['appointments.doctor_id'] = 'physician.id';
    expect(resolved.fields).toEqual({ 'appointments.appointment_date': 'slot.begins' });
  });

  it('never changes the defaults', () => {
    resolveProfile({ paths: { appointments: '/elsewhere' } });
    expect(PROFILE_PATHS.appointments).toBe('/api/appointments');
    expect(resolveProfile(undefined).paths.appointments).toBe('/api/appointments');
  });
});

describe('pathWith', () => {
  it('fills in the id', () => {
    expect(pathWith('/api/notifications/{id}/read', 42)).toBe('/api/notifications/42/read');
    expect(pathWith(PROFILE_PATHS.messages, 5)).toBe('/api/conversations/5/messages');
    expect(pathWith('/api/v2/notifications/{id}', 7)).toBe('/api/v2/notifications/7');
  });

  it('leaves a path without {id} as it is', () => {
    expect(pathWith('/api/notifications/read-all', 42)).toBe('/api/notifications/read-all');
  });
});
