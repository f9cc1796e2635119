/** Starting the clinic and the baseline client in their own processes. */
import type { ApiDialectName } from '../../src/main/demo/dialects';
import type { DemoServerInfo } from '../../src/main/demo/info';
import type { ClinicHandlers } from './clinic-host';
import { Remote } from './ipc';
import type { RawClientHandlers } from './raw-client-host';

export type RemoteClinic = Remote<ClinicHandlers> & { info: DemoServerInfo };

/** The demo clinic in its own process; `apiDialect` picks its REST dialect (default: the desk's contract). */
export async function startClinic(seed = 42, options: { apiDialect?: ApiDialectName } = {}): Promise<RemoteClinic> {
  const remote = Remote.start<ClinicHandlers>('clinic', 'bench/support/clinic-host.ts');
  try {
    const info = await remote.call.start({ seed, ...options });
    return Object.assign(remote, { info });
  } catch (error) {
    await remote.stop();
    throw error;
  }
}

export type RemoteRawClient = Remote<RawClientHandlers>;

/** A bare pusher-js client in its own process, subscribed to `channel`. */
export async function startRawClient(info: DemoServerInfo, channel: string): Promise<RemoteRawClient> {
  const remote = Remote.start<RawClientHandlers>('raw-client', 'bench/support/raw-client-host.ts');
  try {
    await remote.call.connect(info, channel);
    return remote;
  } catch (error) {
    await remote.stop();
    throw error;
  }
}
