import { afterEach, describe, expect, it } from 'vitest';
import { embeddedDemo } from '../../../src/main/demo/demo-port';
import { quietDemoLogger } from '../../../src/main/demo/logger';
import { fixedClock, startTestClinic } from '../../helpers/demo';
import { createDesk } from '../../helpers/desk';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('"Try the demo clinic"', () => {
  it('starts the embedded demo on first use and signs in as the chosen role', async () => {
    const placeholder = await startTestClinic(); // only to build a desk config; the demo brings its own servers
    cleanups.push(() => placeholder.close());
    const demo = embeddedDemo({ seed: 42, now: fixedClock, logger: quietDemoLogger, scenario: { autoStart: false } });
    cleanups.push(() => demo.close());
    const t = createDesk(placeholder, { demo });
    cleanups.push(() => t.close());

    expect((await t.desk.listDemoAccounts()).map((a) => a.role)).toEqual(['reception', 'doctor', 'admin']);
    expect(demo.clinic).toBeNull();
    const result = await t.desk.signInDemo({ role: 'doctor' });
    if (!result.ok) throw new Error(result.message);
    expect(result.user.role).toBe('doctor');
    expect(demo.clinic?.info.apiUrl).not.toBe(placeholder.info.apiUrl);
    const session = await t.waitFor('session', (e) => e.session.status === 'signed-in');
    expect(session.session.status === 'signed-in' && session.session.demo).toBe(true);
    await t.waitFor('channel', (e) => e.channel.name === `private-appointments.doctor.${result.user.doctor_id}` && e.channel.state === 'subscribed');
  });
});
