/**
 * Packaging inputs that live in build/: the Electron fuses (every value
 * asserted, so a change is deliberate) and the generated application icon.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ELECTRON_FUSES } from '../../build/fuses';
import { APP_ICON_FILE, appIconPng } from '../../build/icons';

describe('Electron fuses', () => {
  it('RunAsNode off, cookie encryption on, ASAR integrity on, only load from ASAR, no Node options or inspector, no file:// privileges', () => {
    expect(ELECTRON_FUSES).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(Object.isFrozen(ELECTRON_FUSES)).toBe(true);
  });
});

describe('the application icon', () => {
  it('build/icon.png is what build/icons.ts draws (regenerate: node bin/run-ts.mjs build/icons.ts)', () => {
    const png = readFileSync(APP_ICON_FILE);
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.equals(appIconPng())).toBe(true);
  });
});
