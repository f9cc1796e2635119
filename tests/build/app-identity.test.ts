/**
 * The packaging and the app agree: the installer's app id is the Windows
 * AppUserModelID the app sets for its notifications, and the link scheme the
 * installers register is the one the app handles.
 */
import { describe, expect, it, vi } from 'vitest';
import { APP_ID, builderConfig, LINK_SCHEME } from '../../build/electron-builder.config';

vi.mock('electron', async () => (await import('../helpers/fake-electron')).electronModule());

const { APP_USER_MODEL_ID } = await import('../../src/main/index');
const { DEEP_LINK_SCHEME } = await import('../../src/main/electron/deep-links');

describe('packaging and app agree', () => {
  it('appId is the AppUserModelID the app sets (toasts and taskbar grouping on Windows)', () => {
    expect(APP_ID).toBe(APP_USER_MODEL_ID);
    expect(builderConfig({}).appId).toBe(APP_USER_MODEL_ID);
  });

  it('the registered scheme is the one the app handles', () => {
    expect(LINK_SCHEME).toBe(DEEP_LINK_SCHEME);
    expect(builderConfig({}).protocols).toEqual([expect.objectContaining({ schemes: [DEEP_LINK_SCHEME] })]);
  });
});
