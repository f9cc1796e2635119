/**
 * The app's log (src/main/electron/app-log.ts): electron-log writing real
 * files in a temporary folder. JSON lines at or above the level, the scope of
 * the window's lines, secrets masked wherever they are nested, rotation by
 * size keeping a bounded number of files, nothing after close. The window's
 * lines through the bridge, end to end: desktop.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RendererLog } from '../../src/main/core/desk/renderer-log';
import { maskSecrets } from '../../src/main/core/log';
import { createAppLog } from '../../src/main/electron/app-log';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const linesOf = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the app log (electron-log)', () => {
  it('writes one JSON object per line at or above its level, secrets masked, errors as their message', () => {
    const log = createAppLog({ dir, now: () => Date.parse('2026-11-26T10:00:00Z') });
    log.debug('not written');
    log.warn('token refused', { token: 'abc', nested: { password: 'pw', host: 'x' }, error: new Error('boom') });
    log.info('100% of %s placeholders kept', { count: 2 });
    expect(log.file).toBe(join(dir, 'main.log'));
    expect(linesOf('main.log')).toEqual([
      { level: 'warn', time: '2026-11-26T10:00:00.000Z', message: 'token refused', token: '***', nested: { password: '***', host: 'x' }, error: 'boom' },
      { level: 'info', time: '2026-11-26T10:00:00.000Z', message: '100% of %s placeholders kept', count: 2 },
    ]);
    expect(maskSecrets({ Authorization: 'Bearer x', appKey: 'k' })).toEqual({ Authorization: '***', appKey: 'k' });
  });

  it("marks a scope's lines with it, in the same file", () => {
    const log = createAppLog({ dir, now: () => Date.parse('2026-11-26T10:00:00Z') });
    log.info('Clinic Desk starting');
    log.scope('renderer').error('TypeError: x is undefined', { source: 'vue', info: 'render function' });
    expect(linesOf('main.log')).toEqual([
      { level: 'info', time: '2026-11-26T10:00:00.000Z', message: 'Clinic Desk starting' },
      { level: 'error', time: '2026-11-26T10:00:00.000Z', scope: 'renderer', message: 'TypeError: x is undefined', source: 'vue', info: 'render function' },
    ]);
  });

  it('never writes a secret, however deep it is passed, in any of its files', () => {
    const log = createAppLog({ dir, maxBytes: 2000, keep: 2 });
    const secrets = ['s3cret-token', 'hunter2', 'Bearer abc.def', 'laravel_session=xyz', 'pusher-secret-1'];
    for (let i = 0; i < 50; i++) {
      log.warn('sign-in', {
        token: secrets[0],
        body: { email: 'reception1@northside.clinic.test', password: secrets[1] },
        requests: [{ headers: { Authorization: secrets[2], Cookie: secrets[3] } }],
        transport: { key: 'app-key', appSecret: secrets[4] },
        i,
      });
      log.scope('renderer').error('failed', { source: 'promise', stack: `at x (app://desk/assets/index.js:${i})` });
    }
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(1);
    const all = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).toContain('reception1@northside.clinic.test');
    expect(all).toContain('"Authorization":"***"');
  });

  it('rotates by size and keeps a bounded number of files, newest last', () => {
    const log = createAppLog({ dir, maxBytes: 400, keep: 2 });
    for (let i = 0; i < 60; i++) log.info(`line ${i}`, { pad: 'x'.repeat(50) });
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    const longest = Math.max(...readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').map((l) => Buffer.byteLength(l) + 1)));
    // electron-log rotates before a line once the file has grown past maxSize: at most one line over.
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).length, f).toBeLessThanOrEqual(400 + longest);
    const numbers = (file: string) => linesOf(file).map((l) => Number(String(l.message).slice(5)));
    const [older, old, current] = [numbers('main.2.log'), numbers('main.1.log'), numbers('main.log')];
    expect(current).toContain(59);
    // One continuous history across the files kept; everything before it is gone.
    expect([...older, ...old, ...current]).toEqual(Array.from({ length: older.length + old.length + current.length }, (_, k) => (older[0] ?? 0) + k));
    expect(older[0]).toBeGreaterThan(0);
  });

  it('a desk restarted with a full main.log rotates it before its first line', () => {
    writeFileSync(join(dir, 'main.log'), `${JSON.stringify({ level: 'info', message: 'from the last run', pad: 'y'.repeat(500) })}\n`);
    writeFileSync(join(dir, 'main.1.log'), 'older\n');
    const log = createAppLog({ dir, maxBytes: 400, keep: 2 });
    log.info('Clinic Desk starting');
    expect(readdirSync(dir).sort()).toEqual(['main.1.log', 'main.2.log', 'main.log']);
    expect(readFileSync(join(dir, 'main.2.log'), 'utf8')).toBe('older\n');
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toContain('from the last run');
    expect(linesOf('main.log').map((l) => l.message)).toEqual(['Clinic Desk starting']);
  });

  it('drops lines after close (the app is quitting)', () => {
    const log = createAppLog({ dir });
    const renderer = log.scope('renderer');
    log.info('last words');
    log.close();
    log.error('too late');
    renderer.error('too late as well');
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).not.toContain('too late');
  });
});

describe("the window's lines (RendererLog over the renderer scope)", () => {
  it('writes at most a few lines a minute; the rest are counted and the count written with the next minute', () => {
    let t = Date.parse('2026-11-26T10:00:00Z');
    const log = createAppLog({ dir, now: () => t });
    const lines = new RendererLog({ logger: log.scope('renderer'), now: () => t, perMinute: 3 });
    for (let i = 0; i < 10; i++) lines.write({ level: 'error', message: `boom ${i}`, source: 'window' });
    t += 61_000;
    lines.write({ level: 'warn', message: 'later', source: 'promise' });
    expect(linesOf('main.log').map((l) => [l.scope, l.level, l.message, l.dropped ?? null])).toEqual([
      ['renderer', 'error', 'boom 0', null],
      ['renderer', 'error', 'boom 1', null],
      ['renderer', 'error', 'boom 2', null],
      ['renderer', 'warn', 'window log lines dropped: more than 3 a minute', 7],
      ['renderer', 'warn', 'later', null],
    ]);
  });
});
