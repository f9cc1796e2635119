import { clipboard, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { Logger } from '../core/log';
import type { DesktopPlatform } from './app-paths';

/**
 * The application menu: the standard edit and window roles (copy and paste
 * need them on macOS), and Help with what support asks for first: the logs
 * folder, and the core's diagnostics report on the clipboard. The report
 * carries no token, password or app secret, and names the server without a
 * user name, password or query (`DeskService.diagnosticsReport`, checked by
 * tests/integration/core/diagnostics-report.test.ts).
 */

export interface HelpActions {
  openLogsFolder(): void;
  copyDiagnostics(): void;
}

export interface HelpDeps {
  logsDir: string;
  diagnosticsReport: () => Promise<{ text: string }>;
  logger: Logger;
}

export function helpActions(deps: HelpDeps): HelpActions & { copyDiagnosticsNow(): Promise<void> } {
  const copyDiagnosticsNow = async () => {
    const { text } = await deps.diagnosticsReport();
    clipboard.writeText(text);
    deps.logger.info('diagnostics copied to the clipboard', { chars: text.length });
  };
  return {
    openLogsFolder() {
      shell.openPath(deps.logsDir).then(
        (problem) => {
          if (problem !== '') deps.logger.warn('could not open the logs folder', { problem });
        },
        (error: unknown) => deps.logger.warn('could not open the logs folder', { error: String(error) }),
      );
    },
    copyDiagnostics() {
      copyDiagnosticsNow().catch((error: unknown) => deps.logger.warn('could not copy diagnostics', { error: String(error) }));
    },
    copyDiagnosticsNow,
  };
}

export function appMenuTemplate(platform: DesktopPlatform, devTools: boolean, help: HelpActions): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    { role: 'reload' },
    ...(devTools ? ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(platform === 'darwin' ? ([{ role: 'appMenu' }] as MenuItemConstructorOptions[]) : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { id: 'copy-diagnostics', label: 'Copy Diagnostics', click: () => help.copyDiagnostics() },
        { id: 'open-logs', label: 'Open Logs Folder', click: () => help.openLogsFolder() },
      ],
    },
  ];
}

export function installAppMenu(platform: DesktopPlatform, devTools: boolean, help: HelpActions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(platform, devTools, help)));
}
