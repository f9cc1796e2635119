// `clinic-desk start` (what `npm start` runs): the Electron app when its binary is installed,
// otherwise the demo clinic, with an explanation. The Electron binary is a separate download
// (skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on CI and in this workplace).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiDialectUsageLines, takeApiDialectArg, type ApiDialectName } from '../demo/dialects/names';
import { TIME_ZONE_USAGE, takeTimeZoneArg } from '../demo/time-zone-arg';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

/** Where electron-vite would find the binary: node_modules/electron/path.txt. */
export function electronBinaryInstalled(): boolean {
  try {
    const electronDir = dirname(require.resolve('electron/package.json'));
    return existsSync(join(electronDir, 'path.txt'));
  } catch {
    return false;
  }
}

function runElectronPreview(argv: string[]): Promise<number> {
  const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'preview', ...argv], {
      cwd: projectRoot,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const USAGE = `usage: clinic-desk start [options]

Builds and runs the desktop app (electron-vite preview). Without the Electron binary
(node_modules/electron/path.txt), runs the same dashboard in the browser preview
(clinic-desk preview) instead. Other arguments go to electron-vite preview, or to
clinic-desk preview when it runs instead (see clinic-desk preview --help).

  --api-dialect NAME  the REST answers of the demo clinic ("Try the demo clinic", offered
                      when no clinic is configured), as another clinic's Laravel app gives
                      them (default: default):
${apiDialectUsageLines(22)}
  --time-zone NAME    ${TIME_ZONE_USAGE}
  --help              this text
`;

/**
 * The desktop app's command line under `electron-vite preview`: what follows `--` goes to
 * Electron, so the app reads `--api-dialect=NAME` from its own argv (src/main/index.ts).
 */
export function electronPreviewArgs(rest: readonly string[], dialect: ApiDialectName | undefined, timeZone?: string): string[] {
  const flags = [...(dialect === undefined ? [] : [`--api-dialect=${dialect}`]), ...(timeZone === undefined ? [] : [`--time-zone=${timeZone}`])];
  if (flags.length === 0) return [...rest];
  return rest.includes('--') ? [...rest, ...flags] : [...rest, '--', ...flags];
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dialect = takeApiDialectArg(argv);
  if (!dialect.ok) {
    process.stderr.write(`clinic-desk start: invalid options\n  ${dialect.message}\n\n${USAGE}`);
    return 2;
  }
  const zone = takeTimeZoneArg(dialect.rest);
  if (!zone.ok) {
    process.stderr.write(`clinic-desk start: invalid options\n  ${zone.message}\n\n${USAGE}`);
    return 2;
  }
  if (electronBinaryInstalled()) {
    return runElectronPreview(electronPreviewArgs(zone.rest, dialect.dialect, zone.timeZone));
  }
  process.stderr.write(
    'clinic-desk: the Electron binary is not installed (node_modules/electron/path.txt is missing,\n' +
      'e.g. because of ELECTRON_SKIP_BINARY_DOWNLOAD=1), so the desktop window cannot open here.\n' +
      'Starting the same dashboard in the browser preview instead: open the URL below.\n' +
      '(Install Electron with `npx install-electron`, which needs network access.)\n\n',
  );
  const preview = await import('./preview');
  return preview.run(argv);
}
