/**
 * The admin policy's `updates` block, decided: when the desk makes no update
 * request at all, and otherwise which feed it reads and which versions it takes.
 */
import { describe, expect, it } from 'vitest';
import { UpdatePolicy } from '../../../src/main/core/config/schema';
import { compareVersions, decideUpdates, type UpdateContext, type UpdateDecision, type UpdatesOn } from '../../../src/main/core/updates/policy';

const URL = 'https://updates.clinic.example.org/clinic-desk';
const desk: UpdateContext = { currentVersion: '1.4.2', packaged: true, platform: 'win32', install: 'installer' };

function decide(policy: unknown, context: Partial<UpdateContext> = {}): UpdateDecision {
  // Through the real schema, as loadConfig hands it over.
  return decideUpdates(UpdatePolicy.parse(policy), { ...desk, ...context });
}

function on(policy: unknown, context: Partial<UpdateContext> = {}): UpdatesOn {
  const d = decide(policy, context);
  if (d.kind !== 'check') throw new Error(`expected updates on, got off: ${d.reason}`);
  return d;
}

describe('off: no update request at all', () => {
  it('without a url (the default policy {})', () => {
    expect(decide({})).toMatchObject({ kind: 'off', reason: expect.stringContaining('updates.url') });
  });

  it('when the policy turns updates off, even with a url', () => {
    expect(decide({ url: URL, enabled: false })).toMatchObject({ kind: 'off', reason: expect.stringContaining('updates.enabled is false') });
  });

  it('in a development build', () => {
    expect(decide({ url: URL }, { packaged: false })).toMatchObject({ kind: 'off', reason: expect.stringContaining('development build') });
  });

  it.each([
    ['linux', 'managed', /package manager/],
    ['linux', 'unknown', /only the AppImage/],
    ['linux', 'store', /app store/],
    ['win32', 'managed', /MSI/],
    ['win32', 'portable', /portable/],
    ['darwin', 'store', /app store/],
    ['freebsd', 'installer', /freebsd/],
  ] as const)('on %s installed as %s', (platform, install, reason) => {
    const d = decide({ url: URL }, { platform, install });
    expect(d.kind).toBe('off');
    expect(d.kind === 'off' && d.reason).toMatch(reason);
  });

  it('when the running version is not a release version', () => {
    expect(decide({ url: URL }, { currentVersion: 'dev' })).toMatchObject({ kind: 'off' });
  });
});

describe('on', () => {
  it.each([
    ['win32', 'installer'],
    ['darwin', 'installer'],
    ['linux', 'appimage'],
  ] as const)('for %s %s', (platform, install) => {
    expect(decide({ url: URL }, { platform, install }).kind).toBe('check');
  });

  it('stable by default: latest.yml in the url folder, every checkIntervalHours (default 4)', () => {
    const d = on({ url: `${URL}/` });
    expect(d).toMatchObject({
      feedUrl: `${URL}/`,
      feedChannel: 'latest',
      channel: 'stable',
      allowPrerelease: false,
      allowDowngrade: false,
      install: 'on-quit-or-consent',
      intervalMs: 4 * 3_600_000,
      pinnedVersion: null,
      forced: false,
    });
    expect(on({ url: URL, checkIntervalHours: 24 }).intervalMs).toBe(24 * 3_600_000);
  });

  it('stable accepts only newer stable releases', () => {
    const d = on({ url: URL, channel: 'stable' });
    expect(d.accept('1.4.3')).toBe(true);
    expect(d.accept('2.0.0')).toBe(true);
    expect(d.accept('1.5.0-beta.1')).toBe(false);
    expect(d.accept('1.4.2')).toBe(false);
    expect(d.accept('1.4.1')).toBe(false);
    expect(d.accept('not a version')).toBe(false);
  });

  it('beta reads beta.yml, allows pre-releases and takes newer ones of either kind', () => {
    const d = on({ url: URL, channel: 'beta' });
    expect(d).toMatchObject({ feedChannel: 'beta', channel: 'beta', allowPrerelease: true, allowDowngrade: false });
    expect(d.accept('1.5.0-beta.1')).toBe(true);
    expect(d.accept('1.4.3')).toBe(true);
    expect(d.accept('1.4.2-beta.9')).toBe(false);
  });

  it('beta on a beta build moves on to the release and later betas, not back', () => {
    const d = on({ url: URL, channel: 'beta' }, { currentVersion: '1.5.0-beta.2' });
    expect(d.accept('1.5.0-beta.3')).toBe(true);
    expect(d.accept('1.5.0')).toBe(true);
    expect(d.accept('1.5.0-beta.1')).toBe(false);
    expect(d.accept('1.4.9')).toBe(false);
  });

  it('forced installs without asking', () => {
    expect(on({ url: URL, force: true })).toMatchObject({ install: 'forced', forced: true });
  });
});

describe('pinned', () => {
  it('to the running version: off, no request', () => {
    expect(decide({ url: URL, pinVersion: '1.4.2' })).toMatchObject({ kind: 'off', pinnedVersion: '1.4.2', reason: expect.stringContaining('pins version 1.4.2') });
  });

  it("to another version: that version's own folder, downgrade allowed, only it accepted", () => {
    const d = on({ url: URL, pinVersion: '1.3.0' });
    expect(d).toMatchObject({ feedUrl: `${URL}/1.3.0/`, feedChannel: 'latest', allowDowngrade: true, allowPrerelease: false, pinnedVersion: '1.3.0' });
    expect(d.accept('1.3.0')).toBe(true);
    expect(d.accept('1.4.3')).toBe(false);
    expect(d.accept('1.3.1')).toBe(false);
    expect(d.accept('1.2.9')).toBe(false);
    expect(d.acceptRule).toMatch(/pins version 1\.3\.0/);
  });

  it('upwards too, and to a beta (whose folder holds beta.yml) whatever the channel', () => {
    expect(on({ url: URL, pinVersion: '1.4.5' }).accept('1.4.5')).toBe(true);
    const beta = on({ url: URL, channel: 'stable', pinVersion: '1.5.0-beta.3' });
    expect(beta).toMatchObject({ feedUrl: `${URL}/1.5.0-beta.3/`, feedChannel: 'beta', allowPrerelease: true });
    expect(beta.accept('1.5.0-beta.3')).toBe(true);
    expect(beta.accept('1.5.0')).toBe(false);
  });

  it('and forced: the pinned version installs after the countdown', () => {
    expect(on({ url: URL, pinVersion: '1.3.0', force: true }).install).toBe('forced');
  });

  it('still off when the policy turns updates off', () => {
    expect(decide({ url: URL, pinVersion: '1.3.0', enabled: false }).kind).toBe('off');
  });
});

describe('compareVersions (semantic versioning precedence)', () => {
  it.each([
    ['1.4.2', '1.4.2', 0],
    ['1.4.10', '1.4.9', 1],
    ['2.0.0', '10.0.0', -1],
    ['1.5.0-beta.1', '1.5.0', -1],
    ['1.5.0-alpha.1', '1.5.0-beta.1', -1],
    ['1.5.0-beta.2', '1.5.0-beta.10', -1],
    ['1.5.0-beta', '1.5.0-beta.1', -1],
    ['1.5.0-1', '1.5.0-beta', -1],
    ['1.4.2+build.7', '1.4.2', 0],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('is null for anything that is not a version', () => {
    expect(compareVersions('v1.4.2', '1.4.2')).toBeNull();
    expect(compareVersions('1.4', '1.4.2')).toBeNull();
  });
});
