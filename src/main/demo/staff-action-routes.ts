import type { IncomingMessage } from 'node:http';
import type { User } from '../../shared/domain';
import type { DemoBackend } from './demo-backend';
import type { Presenters, StaffActionRoutes } from './dialects/types';
import { HttpError, ValidationError, readBody, type RequestContext, type Router } from './http-kit';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, type IdempotencyStore } from './idempotency';
import {
  ConsultationUpdateRequest,
  StartConsultationRequest,
  StatusChangeRequest,
  authorize,
  checkCompletion,
  checkStatusChange,
  consultationConflict,
  isTheDoctor,
  mayChangeStatus,
  requireCheckedIn,
  validateRequest,
} from './staff-action-rules';

/**
 * The staff actions' routes (docs/backend-contract.md, "Staff actions"), as
 * controllers that load the record, authorize, validate, check the rules
 * (staff-action-rules.ts), change it through the back end's services (which
 * broadcast, leaving out the `X-Socket-ID` socket) and answer `{data}` in the
 * dialect's record shape. Every one honours `Idempotency-Key`. Where they are
 * and with which method is the dialect's (`StaffActionRoutes`).
 */

/** One action's answer: what is sent, and what a repeat of its `Idempotency-Key` gets again. */
export interface ActionAnswer {
  status: number;
  body: unknown;
}

export interface StaffActionRouteOptions {
  router: Router;
  backend: DemoBackend;
  routes: StaffActionRoutes;
  present: Presenters;
  /** The signed-in user, or the 401. */
  user: (ctx: RequestContext) => User;
  send: (ctx: RequestContext, answer: ActionAnswer) => void;
  idempotency: IdempotencyStore<ActionAnswer>;
}

export function addStaffActionRoutes(options: StaffActionRouteOptions): void {
  const { router, backend, routes, present, idempotency } = options;
  const store = backend.store;
  const notFound = (model: string, id: number) => new HttpError(404, `No query results for model [App\\Models\\${model}] ${id}`);
  const idOf = (ctx: RequestContext) => Number(ctx.params.id);
  // Route model binding: an id that is not there is Laravel's 404, before any policy.
  const appointmentOf = (id: number) => {
    const found = store.appointment(id);
    if (!found) throw notFound('Appointment', id);
    return found;
  };
  const consultationOf = (id: number) => {
    const found = store.consultation(id);
    if (!found) throw notFound('Consultation', id);
    return found;
  };

  /** An action behind Sanctum and the idempotency middleware: the first answer to a key is every repeat's answer. */
  const action = (method: string, path: string, handle: (ctx: RequestContext, u: User, socketId: string | undefined) => Promise<ActionAnswer>) =>
    router.on(method, path, async (ctx) => {
      const u = options.user(ctx);
      const key = idempotencyKeyOf(ctx.req.headers[IDEMPOTENCY_HEADER]);
      const run = () => handle(ctx, u, socketIdOf(ctx.req));
      const answer = key === undefined ? await run() : await idempotency.once({ userId: u.id, key, method, path: ctx.url.pathname }, run);
      options.send(ctx, answer);
    });

  action(routes.appointmentUpdate, '/api/appointments/{id}', async (ctx, u, socketId) => {
    const appointment = appointmentOf(idOf(ctx));
    authorize(mayChangeStatus(u, appointment));
    const input = validateRequest(StatusChangeRequest, await readBody(ctx.req));
    const broadcastAs = checkStatusChange(store, appointment, input);
    const changed = await backend.updateAppointment(appointment.id, broadcastAs, { status: input.status }, { by: u.id, reason: input.reason ?? null, socketId });
    return { status: 200, body: { data: present.appointment(changed.appointment) } };
  });

  if (routes.callIn) {
    action('POST', '/api/appointments/{id}/call-in', async (ctx, u, socketId) => {
      const appointment = appointmentOf(idOf(ctx));
      authorize(isTheDoctor(u, appointment));
      requireCheckedIn(appointment, 'call-in');
      await backend.callIn(appointment, u, socketId);
      return { status: 200, body: { data: present.appointment(appointment) } };
    });
  }

  action('POST', '/api/consultations', async (ctx, u, socketId) => {
    // Only doctors open consultations: the policy's `create`, before the form request.
    authorize(u.role === 'doctor');
    const input = validateRequest(StartConsultationRequest, await readBody(ctx.req));
    const appointment = store.appointment(input.appointment_id);
    if (!appointment) throw new ValidationError({ appointment_id: ['The selected appointment id is invalid.'] });
    authorize(isTheDoctor(u, appointment));
    const running = store.consultationsWhere((c) => c.appointment_id === appointment.id && c.status === 'active')[0];
    if (running) throw consultationConflict(store, running);
    requireCheckedIn(appointment, 'start');
    const started = await backend.startConsultation(appointment, u, socketId);
    return { status: 201, body: { data: present.consultation(started.consultation) } };
  });

  action('PATCH', '/api/consultations/{id}', async (ctx, u, socketId) => {
    const consultation = consultationOf(idOf(ctx));
    authorize(isTheDoctor(u, consultation));
    validateRequest(ConsultationUpdateRequest, await readBody(ctx.req));
    checkCompletion(store, consultation);
    const moved = await backend.moveConsultation(consultation.id, 'completed', { by: u.id, socketId });
    return { status: 200, body: { data: present.consultation(moved.consultation) } };
  });
}

/** Laravel Echo's `X-Socket-ID`: the sender's socket, left out of the broadcasts (`toOthers()`). */
export function socketIdOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-socket-id'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
