import type { DemoAccount } from '../../shared/bridge';
import type { DemoPort } from '../core/desk/desk-service';
// Types only: the clinic itself (its world, the REST app, the Pusher server, the `pusher`
// SDK and `ws`) is imported on the first start(), so a desk that never tries the demo never
// loads it. tests/build/main-bundle.test.ts checks the built main entry for this.
import type { DemoClinic, DemoClinicOptions } from './demo-clinic';
import type { DemoLogger } from './logger';

/**
 * The embedded demo clinic as the desk sees it ("Try the demo clinic"):
 * started on first use on free loopback ports, with the scenario running so
 * the board moves, and stopped with the host. The options are the clinic's
 * (`startDemoClinic`): `seed`, `apiDialect` (the REST dialect it answers in;
 * `clinic-desk preview|start --api-dialect NAME`), `timeZone` (the clinic's
 * zone, default this computer's; `--time-zone NAME`), `scenario`, ...
 *
 * The port is small: `accounts()` answers without the clinic, and the clinic's
 * module is loaded by a dynamic `import()` on the first `start()`.
 */
export interface EmbeddedDemo extends DemoPort {
  /** The running clinic, once started (tests and the preview host trigger events through it). */
  readonly clinic: DemoClinic | null;
  close(): Promise<void>;
}

export function embeddedDemo(options: DemoClinicOptions & { logger?: DemoLogger } = {}): EmbeddedDemo {
  let starting: Promise<DemoClinic> | null = null;
  let clinic: DemoClinic | null = null;
  const ROLES: DemoAccount['role'][] = ['reception', 'doctor', 'admin'];

  const start = () =>
    (starting ??= import('./demo-clinic')
      .then(({ startDemoClinic }) => startDemoClinic({ scenario: { autoStart: true, ratePerMinute: 12 }, ...options }))
      .then((c) => {
        clinic = c;
        return c;
      }));

  return {
    get clinic() {
      return clinic;
    },
    accounts: () =>
      ROLES.map((role) => ({
        role,
        // Names are generated per seed; the role is what the picker shows.
        name: role === 'doctor' ? 'Doctor (Northside)' : role === 'admin' ? 'Admin (Northside)' : 'Reception (Northside)',
        email: `${role}${role === 'admin' ? '' : '1'}@northside.clinic.test`,
      })),
    async start(role) {
      const c = await start();
      const email = `${role}${role === 'admin' ? '' : '1'}@northside.clinic.test`;
      const user = c.info.users.find((u) => u.email === email);
      if (!user) throw new Error(`the demo clinic has no ${role} account`);
      return {
        apiUrl: c.info.apiUrl,
        transport: { kind: 'reverb', key: c.info.appKey, host: c.info.wsHost, port: c.info.wsPort, scheme: 'http' },
        email: user.email,
        password: user.password,
      };
    },
    async close() {
      const c = clinic ?? (starting ? await starting.catch(() => null) : null);
      await c?.close();
    },
  };
}
