import type { Role } from '../../../shared/domain';
import { actionsForRole, type StaffActionKind } from '../../../shared/staff-actions';
import type { AllowProbe } from '../api/client';
import type { ActionRoute, ProfileAction } from '../api/profile';
import type { Logger } from '../log';
import { NOT_OFFERED_RECHECK_MS } from './features';
import type { PartContext } from './part';

/**
 * Which staff actions this desk offers its user (docs/backend-contract.md,
 * "Staff actions", Capabilities): their role's, less what the server does not
 * offer and what the admin's profile switched off. What the server offers is
 * read from `OPTIONS` on each action's path at sign-in, in parallel and
 * without holding anything up, and again when the features are detected
 * again; an action's first request that meets a missing route hides it for
 * the session.
 */

/** The endpoint each action uses, and the profile switch that turns it off. */
export const ACTION_ENDPOINTS: Readonly<Record<StaffActionKind, { route: ActionRoute; switch: ProfileAction }>> = {
  'check-in': { route: 'appointmentUpdate', switch: 'checkIn' },
  'no-show': { route: 'appointmentUpdate', switch: 'noShow' },
  cancel: { route: 'appointmentUpdate', switch: 'cancel' },
  'call-in': { route: 'appointmentCallIn', switch: 'callIn' },
  'start-consultation': { route: 'consultationStart', switch: 'startConsultation' },
  'complete-consultation': { route: 'consultationUpdate', switch: 'completeConsultation' },
};

/** What staff would call each action, to say why it is not offered. */
const ACTION_WORDS: Readonly<Record<StaffActionKind, string>> = {
  'check-in': 'checking patients in',
  'no-show': 'marking a no-show',
  cancel: 'cancelling appointments',
  'call-in': 'calling patients in',
  'start-consultation': 'starting consultations',
  'complete-consultation': 'completing consultations',
};

/**
 * What the server said of one endpoint: `offered` (its `Allow` names the
 * method), `not-offered` (the route is missing, or `Allow` leaves the method
 * out), `assumed` (it answered without `Allow`: offered until a request says
 * otherwise), `unknown` (not asked yet, or no answer: offered meanwhile,
 * asked again).
 */
export type RouteVerdict = 'offered' | 'not-offered' | 'assumed' | 'unknown';

export function verdictOf(probe: AllowProbe, method: string): RouteVerdict {
  switch (probe.kind) {
    case 'allow':
      return probe.methods.includes(method.toUpperCase()) ? 'offered' : 'not-offered';
    case 'route-missing':
      return 'not-offered';
    case 'no-allow':
      return 'assumed';
    case 'unanswered':
      return 'unknown';
  }
}

export interface OfferInputs {
  role: Role;
  /** Endpoints not listed are `unknown`. */
  verdicts: ReadonlyMap<ActionRoute, RouteVerdict>;
  /** Endpoints whose request met a missing route this session. */
  hidden: ReadonlySet<ActionRoute>;
  switches: Readonly<Record<ProfileAction, boolean>>;
}

/** Why the user may not take `kind` here, in a sentence for them; null when they may. */
export function whyNotOffered(kind: StaffActionKind, input: OfferInputs): string | null {
  const words = ACTION_WORDS[kind];
  const sentence = `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
  if (!actionsForRole(input.role).includes(kind)) return `${sentence} is not offered to a${/^[aeiou]/i.test(input.role) ? 'n' : ''} ${input.role} account.`;
  const { route, switch: key } = ACTION_ENDPOINTS[kind];
  if (!input.switches[key]) return `${sentence} is switched off by your administrator.`;
  if (input.hidden.has(route) || input.verdicts.get(route) === 'not-offered') return `This clinic server does not offer ${words}.`;
  return null;
}

/** The actions the user may take, in the role's order. */
export function offeredActions(input: OfferInputs): StaffActionKind[] {
  return actionsForRole(input.role).filter((kind) => whyNotOffered(kind, input) === null);
}

export interface StaffActionOffersDeps {
  ctx: PartContext;
  now: () => number;
  logger: Logger;
}

export class StaffActionOffers {
  private readonly verdicts = new Map<ActionRoute, RouteVerdict>();
  private readonly hidden = new Set<ActionRoute>();
  private lastDetectionMs: number | null = null;
  private detecting: Promise<void> | null = null;
  /** The list the window has: the snapshot's, then each `staff-actions.offered`. */
  private announced: string;

  constructor(private readonly d: StaffActionOffersDeps) {
    this.announced = JSON.stringify(this.list());
  }

  list(): StaffActionKind[] {
    return offeredActions(this.inputs());
  }

  whyNot(kind: StaffActionKind): string | null {
    return whyNotOffered(kind, this.inputs());
  }

  /**
   * Whether the next catch-up should ask again: at sign-in and on the catch-ups
   * that detect every feature again (`force`), while an endpoint has not
   * answered, and as often as a feature the server does not offer is asked again.
   */
  due(force: boolean): boolean {
    if (this.detecting !== null) return false;
    if (force || this.lastDetectionMs === null) return true;
    if (this.probedRoutes().some((route) => (this.verdicts.get(route) ?? 'unknown') === 'unknown')) return true;
    return this.d.now() - this.lastDetectionMs >= NOT_OFFERED_RECHECK_MS;
  }

  /**
   * One `OPTIONS` per path the user's actions use (actions sharing an endpoint
   * share it), all at once. Never throws; the window hears of a change.
   */
  detect(): Promise<void> {
    this.detecting ??= this.probeAll().finally(() => {
      this.detecting = null;
    });
    return this.detecting;
  }

  /** A request met a missing route (a 404 of the router, a 405): its actions are hidden for the rest of the session. */
  hide(route: ActionRoute, why: string): void {
    if (this.hidden.has(route)) return;
    this.hidden.add(route);
    this.d.logger.warn('a staff action met a missing route; hidden for this session', { route, why });
    this.announce();
  }

  private async probeAll(): Promise<void> {
    const { api } = this.d.ctx;
    this.lastDetectionMs = this.d.now();
    const byPath = new Map<string, ActionRoute[]>();
    for (const route of this.probedRoutes()) {
      const { path } = api.actionRoute(route);
      byPath.set(path, [...(byPath.get(path) ?? []), route]);
    }
    await Promise.all(
      [...byPath.values()].map(async (routes) => {
        const [first] = routes;
        if (first === undefined) return;
        const probe = await api.allowedMethods(first).catch((): AllowProbe => ({ kind: 'unanswered' }));
        for (const route of routes) this.verdicts.set(route, verdictOf(probe, api.actionRoute(route).method));
      }),
    );
    this.d.logger.debug('staff actions: the server was asked what it offers', { verdicts: Object.fromEntries(this.verdicts) });
    this.announce();
  }

  /** The endpoints of the actions the user's role may take and the profile leaves on. */
  private probedRoutes(): ActionRoute[] {
    const switches = this.d.ctx.api.actionSwitches;
    const routes = actionsForRole(this.d.ctx.user.role)
      .filter((kind) => switches[ACTION_ENDPOINTS[kind].switch])
      .map((kind) => ACTION_ENDPOINTS[kind].route);
    return [...new Set(routes)];
  }

  private inputs(): OfferInputs {
    return { role: this.d.ctx.user.role, verdicts: this.verdicts, hidden: this.hidden, switches: this.d.ctx.api.actionSwitches };
  }

  private announce(): void {
    const actions = this.list();
    const key = JSON.stringify(actions);
    if (key === this.announced) return;
    this.announced = key;
    this.d.ctx.emit({ kind: 'staff-actions.offered', actions });
  }
}
