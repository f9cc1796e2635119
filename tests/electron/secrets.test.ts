/**
 * The token at rest: encrypted with safeStorage when the OS has a secret
 * store; otherwise refused (kept in memory for this run, the user told)
 * unless the admin policy allows storing it unencrypted.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from '../../src/main/core/desk/desk-service';
import { memoryLogger } from '../../src/main/core/log';
import { safeStorageTokenStore, secureStoreStatus } from '../../src/main/electron/secrets';
import { fake, resetFakeElectron } from '../helpers/fake-electron';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const SESSION: StoredSession = { apiUrl: 'https://clinic.example.org', token: '17|s3cr3t-sanctum-token', userId: 4, demo: false };
let dir: string;
let file: string;
let told: string[];
let logger: ReturnType<typeof memoryLogger>;

const store = (allowInsecure = false, platform: 'linux' | 'win32' | 'darwin' = 'linux') =>
  safeStorageTokenStore({ file, platform, allowInsecure, logger, onNotPersisted: (reason) => told.push(reason) });

beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-secrets-'));
  file = join(dir, 'session.json');
  told = [];
  logger = memoryLogger();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('with a secure store', () => {
  it('writes the session encrypted and reads it back after a restart', async () => {
    await store().save(SESSION);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('s3cr3t');
    expect(JSON.parse(text)).toMatchObject({ version: 1, protection: 'safeStorage' });
    expect(await store().load()).toEqual(SESSION);
    expect(told).toEqual([]);
  });

  it('the file is readable by this user only, and saving again leaves no temp file beside it (core/json-file.ts writes it)', async () => {
    const s = store();
    await s.save(SESSION);
    await s.save({ ...SESSION, userId: 5 });
    expect(readdirSync(dir)).toEqual(['session.json']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store().load()).toEqual({ ...SESSION, userId: 5 });
  });

  it('clear removes it', async () => {
    const s = store();
    await s.save(SESSION);
    await s.clear();
    expect(existsSync(file)).toBe(false);
    expect(await store().load()).toBeNull();
  });

  it('a file that does not decrypt or parse is dropped, not trusted', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, protection: 'safeStorage', data: Buffer.from('garbage').toString('base64') }));
    expect(await store().load()).toBeNull();
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, '{ not json');
    expect(await store().load()).toBeNull();
  });
});

describe('without a secure store', () => {
  it.each([
    ['no encryption at all', () => void (fake.safeStorage.available = false)],
    ['Linux without a keyring (basic_text)', () => void (fake.safeStorage.backend = 'basic_text')],
  ])('%s: the token is not written, the user is told once, and the session lasts this run only', async (_case, setUp) => {
    setUp();
    expect(secureStoreStatus('linux').secure).toBe(false);
    const s = store();
    await s.save(SESSION);
    await s.save(SESSION);
    expect(existsSync(file)).toBe(false);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/secure|keyring/);
    expect(await s.load()).toEqual(SESSION);
    expect(await store().load()).toBeNull();
    expect(logger.records).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/kept in memory only/) }));
  });

  it('basic_text is only a Linux backend name: elsewhere encryption available means secure', () => {
    fake.safeStorage.backend = 'basic_text';
    expect(secureStoreStatus('win32').secure).toBe(true);
  });

  it('the admin policy may allow storing it unencrypted', async () => {
    fake.safeStorage.available = false;
    await store(true).save(SESSION);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ protection: 'none' });
    expect(await store(true).load()).toEqual(SESSION);
    expect(told).toEqual([]);
  });

  it('an unencrypted token left from a policy that no longer allows it is removed', async () => {
    fake.safeStorage.available = false;
    await store(true).save(SESSION);
    expect(await store(false).load()).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('an encrypted file is kept for later when the store is only unavailable now (a locked keyring)', async () => {
    await store().save(SESSION);
    fake.safeStorage.available = false;
    expect(await store().load()).toBeNull();
    expect(existsSync(file)).toBe(true);
    fake.safeStorage.available = true;
    expect(await store().load()).toEqual(SESSION);
  });
});
