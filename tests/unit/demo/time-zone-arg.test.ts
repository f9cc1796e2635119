import { describe, expect, it } from 'vitest';
import { takeTimeZoneArg } from '../../../src/main/demo/time-zone-arg';

describe('takeTimeZoneArg (clinic-desk start and the desktop app)', () => {
  it('takes --time-zone NAME and --time-zone=NAME out, leaving the rest as it was', () => {
    expect(takeTimeZoneArg(['--seed', '3', '--time-zone', 'Asia/Kathmandu', '--verbose'])).toEqual({ ok: true, timeZone: 'Asia/Kathmandu', rest: ['--seed', '3', '--verbose'] });
    expect(takeTimeZoneArg(['--time-zone=America/Los_Angeles'])).toEqual({ ok: true, timeZone: 'America/Los_Angeles', rest: [] });
    expect(takeTimeZoneArg(['--api-dialect', 'nested'])).toEqual({ ok: true, timeZone: undefined, rest: ['--api-dialect', 'nested'] });
  });

  it('stops at --: what follows belongs to someone else', () => {
    expect(takeTimeZoneArg(['--', '--time-zone', 'Mars/Olympus'])).toEqual({ ok: true, timeZone: undefined, rest: ['--', '--time-zone', 'Mars/Olympus'] });
  });

  it('refuses a missing or unknown zone with a message that names the flag', () => {
    const missing = takeTimeZoneArg(['--time-zone']);
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.message).toMatch(/--time-zone needs/);
    const unknown = takeTimeZoneArg(['--time-zone', 'Mars/Olympus']);
    expect(!unknown.ok && unknown.message).toBe('--time-zone: unknown time zone "Mars/Olympus"; give an IANA name such as Europe/London or America/Los_Angeles');
    expect(takeTimeZoneArg(['--time-zone', '--verbose']).ok).toBe(false);
  });
});
