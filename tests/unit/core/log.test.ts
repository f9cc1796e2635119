import { describe, expect, it } from 'vitest';
import { jsonLinesLogger } from '../../../src/main/core/log';

describe('the command line log (doctor, watch, preview)', () => {
  it('masks secrets as the app log does: a token, a password or an Authorization header never reach stderr', () => {
    const lines: string[] = [];
    const log = jsonLinesLogger((line) => lines.push(line), 'debug');
    log.warn('channel authorization refused', { token: '1|abc', request: { headers: { Authorization: 'Bearer 1|abc' } }, tries: [{ password: 'pw' }], status: 403 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('abc');
    expect(lines[0]).not.toContain('pw');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', message: 'channel authorization refused', token: '***', request: { headers: { Authorization: '***' } }, tries: [{ password: '***' }], status: 403 });
  });

  it('drops what is under its level', () => {
    const lines: string[] = [];
    const log = jsonLinesLogger((line) => lines.push(line), 'warn');
    log.info('connected');
    log.error('failed', { error: new Error('boom') });
    expect(lines.map((l) => JSON.parse(l) as { message: string; error: string })).toEqual([expect.objectContaining({ message: 'failed', error: 'boom' })]);
  });
});
