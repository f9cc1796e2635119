import type { CheckReport } from '../../shared/desk-state';
import type { DeskConfig } from '../core/config/schema';
import type { TokenStore } from '../core/desk/desk-service';
import type { EchoFactory } from '../core/realtime/echo-instance';
import { runDoctor, type PolicyStatus } from '../core/doctor/doctor';
import type { EmbeddedDemo } from '../demo/demo-port';

/**
 * "Run checks" on the Diagnostics screen: the `doctor` command's checks,
 * against the clinic the desk is signed in to (the embedded demo's servers
 * for a demo session), with the session's own token, over the desk's own
 * Echo path (the factory its connection is built with); first, whether the
 * machine's admin policy was applied.
 */

export interface ChecksDeps {
  config: DeskConfig;
  tokens: TokenStore;
  demo: EmbeddedDemo | null;
  /** The signed-in session, or null. */
  session: () => { apiUrl: string; demo: boolean } | null;
  /** The machine's admin policy as loaded: its sources, and why it was not applied. */
  policy?: PolicyStatus;
}

export function desktopChecks(deps: ChecksDeps): (desk: { echo: EchoFactory }) => Promise<CheckReport> {
  return async ({ echo }) => {
    const session = deps.session();
    const stored = await deps.tokens.load();
    const info = session?.demo ? deps.demo?.clinic?.info : undefined;
    let config = deps.config;
    if (info) {
      config = { ...config, apiUrl: info.apiUrl, transport: { kind: 'reverb', key: info.appKey, host: info.wsHost, port: info.wsPort, scheme: 'http' } };
    } else if (session) {
      config = { ...config, apiUrl: session.apiUrl };
    }
    return runDoctor({ config, credentials: stored ? { token: stored.token } : null, echo, ...(deps.policy === undefined ? {} : { policy: deps.policy }) });
  };
}
