import type { DemoClinic, DemoClinicOptions } from '../../../src/main/demo/demo-clinic';
import { DemoHarness } from '../../helpers/demo';

/**
 * The demo clinic's zone is this computer's unless told; these suites read
 * the fixed clock's day as UTC's (`TODAY`, 10:00 UTC in office hours), so
 * they pin the clinic to UTC and pass in every zone the test runs in (`TZ=...`).
 */
export const PINNED_ZONE = 'UTC';

export class UtcHarness extends DemoHarness {
  override clinic(options: DemoClinicOptions = {}): Promise<DemoClinic> {
    return super.clinic({ timeZone: PINNED_ZONE, ...options });
  }
}
