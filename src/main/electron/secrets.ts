import { rmSync } from 'node:fs';
import { safeStorage } from 'electron';
import { z } from 'zod';
import type { StoredSession, TokenStore } from '../core/desk/desk-service';
import { readJsonFile, writeJsonFileAtomic } from '../core/config/json-file';
import type { Logger } from '../core/log';
import type { DesktopPlatform } from './app-paths';

/**
 * The bearer token between runs, encrypted with `safeStorage` (Keychain on
 * macOS, DPAPI on Windows, the Secret Service or KWallet on Linux) in a file
 * in userData. Where the OS has no secret store (Linux without a keyring, where
 * Electron falls back to a key hard-coded in Chromium: `basic_text`), the token
 * is written only if the admin policy says so (`allowInsecureTokenStorage`);
 * otherwise it is kept in memory for this run only and the user is told that
 * they will have to sign in again after a restart.
 */

const SessionShape = z.object({
  apiUrl: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1).max(4096),
  userId: z.number().int().nonnegative(),
  demo: z.boolean(),
});

const SessionFile = z.object({
  version: z.literal(1),
  protection: z.enum(['safeStorage', 'none']),
  /** base64 of the encrypted JSON (safeStorage), or the JSON itself (none). */
  data: z.string().max(100_000),
});

export interface SecureStoreStatus {
  secure: boolean;
  /** Why not, in words for the user and the log. */
  reason: string | null;
}

export function secureStoreStatus(platform: DesktopPlatform): SecureStoreStatus {
  if (!safeStorage.isEncryptionAvailable()) return { secure: false, reason: 'this computer offers no secure storage for passwords' };
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return { secure: false, reason: 'no keyring (GNOME Keyring or KWallet) is running, so passwords cannot be stored securely' };
  }
  return { secure: true, reason: null };
}

export interface TokenStoreOptions {
  file: string;
  platform: DesktopPlatform;
  /** The admin policy's `allowInsecureTokenStorage`. */
  allowInsecure: boolean;
  logger: Logger;
  /** Called once, the first time a token could not be kept on disk. */
  onNotPersisted: (reason: string) => void;
}

export function safeStorageTokenStore(options: TokenStoreOptions): TokenStore {
  const { file, logger } = options;
  let memory: StoredSession | null = null;
  let told = false;

  // Atomic (fsync'd, a unique temp name), readable by this user only.
  const write = (content: z.infer<typeof SessionFile>) => writeJsonFileAtomic(file, content, { mode: 0o600 });
  const remove = () => rmSync(file, { force: true });

  const readFile = (): z.infer<typeof SessionFile> | null => {
    const read = readJsonFile(file);
    if (read.kind === 'missing') return null;
    // Not this user's to read (or a folder): not theirs to delete either; they sign in again.
    if (read.kind === 'error' && (read.problem.kind === 'unreadable' || read.problem.kind === 'not-a-file')) return null;
    if (read.kind === 'ok') {
      const parsed = SessionFile.safeParse(read.value);
      if (parsed.success) return parsed.data;
    }
    logger.warn('the stored session file is unreadable; signing in again', { file });
    remove();
    return null;
  };

  return {
    async load() {
      if (memory) return memory;
      const stored = readFile();
      if (!stored) return null;
      let json: string;
      if (stored.protection === 'none') {
        if (!options.allowInsecure) {
          logger.warn('removed a token stored without encryption: the policy does not allow it', { file });
          remove();
          return null;
        }
        json = stored.data;
      } else {
        if (!secureStoreStatus(options.platform).secure) {
          // Perhaps the keyring is locked for now; keep the file for a later run.
          logger.warn('the secure store is unavailable; the stored session cannot be read this time');
          return null;
        }
        try {
          json = safeStorage.decryptString(Buffer.from(stored.data, 'base64'));
        } catch (error) {
          logger.warn('the stored session could not be decrypted; signing in again', { error: String(error) });
          remove();
          return null;
        }
      }
      try {
        const session = SessionShape.safeParse(JSON.parse(json));
        if (session.success) return (memory = session.data);
      } catch {
        // fall through
      }
      logger.warn('the stored session is invalid; signing in again');
      remove();
      return null;
    },

    async save(session) {
      memory = session;
      const status = secureStoreStatus(options.platform);
      if (status.secure) {
        write({ version: 1, protection: 'safeStorage', data: safeStorage.encryptString(JSON.stringify(session)).toString('base64') });
        return;
      }
      if (options.allowInsecure) {
        logger.warn('token stored without encryption, as the admin policy allows', { reason: status.reason });
        write({ version: 1, protection: 'none', data: JSON.stringify(session) });
        return;
      }
      remove();
      logger.warn('token kept in memory only: no secure store, and the policy does not allow storing it unencrypted', { reason: status.reason });
      if (!told) {
        told = true;
        options.onNotPersisted(status.reason ?? 'no secure storage');
      }
    },

    async clear() {
      memory = null;
      remove();
    },
  };
}
