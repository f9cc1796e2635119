/**
 * The application icon, drawn by the same code as the tray icon
 * (src/main/electron/tray-icon.ts), written to build/icon.png for the
 * installer (electron-builder turns a 512 px PNG into .ico and .icns).
 * Regenerate with `node bin/run-ts.mjs build/icons.ts`; a test checks the
 * committed file is current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drawAppIcon } from '../src/main/electron/tray-icon';

export const APP_ICON_FILE = fileURLToPath(new URL('./icon.png', import.meta.url));

export function appIconPng(): Buffer {
  return drawAppIcon(512).png();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(APP_ICON_FILE, appIconPng());
  process.stdout.write(`wrote ${APP_ICON_FILE}\n`);
}
