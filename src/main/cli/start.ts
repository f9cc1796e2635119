// `clinic-desk start` (what `npm start` runs): the Electron app when its binary is installed,
// otherwise the demo clinic, with an explanation. The Electron binary is a separate download
// (skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on CI and in this workplace).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: clinic-desk start [args]\n\n' +
        'Builds and runs the desktop app (electron-vite preview). Without the Electron binary\n' +
        '(node_modules/electron/path.txt), runs the same dashboard in the browser preview\n' +
        '(clinic-desk preview) instead; args go to it.\n',
    );
    return 0;
  }
  if (electronBinaryInstalled()) {
    return runElectronPreview(argv);
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
