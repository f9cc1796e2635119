/**
 * The electron-builder configuration: one typed object for every platform.
 * `npm run dist` (build/dist.ts) passes `builderConfig(process.env)` to
 * electron-builder's API; the default export lets the CLI use the same file:
 * `npx electron-builder --config build/electron-builder.config.ts`.
 *
 * Only two things depend on the environment, and neither is a secret: which
 * signing service electron-builder is pointed at (build/signing.ts decides;
 * certificates, passwords and keys stay in the environment, where
 * electron-builder and Azure's tooling read them) and the update feed URL.
 * docs/packaging.md explains every choice below for the release engineer.
 */
import type { Configuration } from 'electron-builder';
import { ELECTRON_FUSES } from './fuses';
import { ENV, envValue, signingPlan, signingRequired, type Env } from './signing';

export const APP_ID = 'org.clinicdesk.desk';
export const PRODUCT_NAME = 'Clinic Desk';
/** The link scheme the app handles (DEEP_LINK_SCHEME in src/main/electron/deep-links.ts). */
export const LINK_SCHEME = 'clinicdesk';
/**
 * Written to app-update.yml when CLINIC_DESK_UPDATE_URL is unset. `.invalid`
 * never resolves (RFC 6761), so a build made without a feed cannot reach
 * anyone's server by accident; the app takes the real feed from the admin
 * policy (`updates.url`) at run time anyway.
 */
export const UPDATE_URL_PLACEHOLDER = 'https://updates.clinic-desk.invalid/desk/';

export const ENTITLEMENTS_FILE = 'build/entitlements.mac.plist';
export const NSIS_INCLUDE_FILE = 'build/installer.nsh';
export const ICONS = { win: 'build/icon.ico', mac: 'build/icon.icns', linux: 'build/icon.png' } as const;

/**
 * Parts of production dependencies the packaged app never loads. better-sqlite3 ships its C
 * sources and the SQLite amalgamation (10 MB) to compile at install time, plus a test addon;
 * only build/Release/better_sqlite3.node and lib/ run. tsx (and esbuild, a 10 MB executable)
 * is a dependency for the command line in bin/, which is not packaged: the main bundle does
 * not import it (tests/build/package-smoke.test.ts checks every import of the bundle resolves).
 */
export const PACKAGED_NODE_MODULES_EXCLUDED = [
  '!**/node_modules/better-sqlite3/{deps,src}/**',
  '!**/node_modules/better-sqlite3/build/Release/{obj,obj.target,.deps}/**',
  '!**/node_modules/better-sqlite3/build/Release/test_extension.node',
  '!**/node_modules/better-sqlite3/build/{deps/**,*.mk,Makefile,config.gypi}',
  '!**/node_modules/{tsx,esbuild,@esbuild}/**',
] as const;

/**
 * The installed app's command line (`clinic-desk doctor`, `watch`, `--version`): out/main/cli.js
 * inside app.asar (packaged with the rest of out/), and a wrapper per OS in resources/bin that
 * runs the app binary on it with ELECTRON_RUN_AS_NODE=1, as VS Code's `code` does.
 * docs/admin-guide.md ("The command line") gives the paths per OS.
 */
export const CLI_SCRIPT = 'out/main/cli.js';
export const CLI_WRAPPERS = {
  win: { from: 'build/bin/clinic-desk.cmd', to: 'bin/clinic-desk.cmd' },
  posix: { from: 'build/bin/clinic-desk', to: 'bin/clinic-desk' },
} as const;

export interface UpdateFeed {
  readonly url: string;
  readonly placeholder: boolean;
  readonly warnings: readonly string[];
}

/** The generic-provider URL for app-update.yml: CLINIC_DESK_UPDATE_URL, or the placeholder. */
export function updateFeed(env: Env): UpdateFeed {
  const given = envValue(env, ENV.updateUrl);
  if (given === null) {
    return {
      url: UPDATE_URL_PLACEHOLDER,
      placeholder: true,
      warnings: [`${ENV.updateUrl} is not set: app-update.yml points at the placeholder ${UPDATE_URL_PLACEHOLDER}; the app must get its feed from the admin policy (updates.url).`],
    };
  }
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`${ENV.updateUrl} is not a URL: ${given}`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${ENV.updateUrl} must be an https:// URL (http:// only on loopback, for testing): ${given}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    // Anything here would be baked into every installer's app-update.yml.
    throw new Error(`${ENV.updateUrl} must not carry credentials, a query or a fragment.`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { url: url.href, placeholder: false, warnings: url.protocol === 'http:' ? [`${ENV.updateUrl} is plain http (loopback testing only).`] : [] };
}

/** Electron's fuses (build/fuses.ts), plus re-sealing the ad-hoc signature of an unsigned Mac app after they are flipped. */
export function electronFuses(env: Env): NonNullable<Configuration['electronFuses']> {
  return {
    ...ELECTRON_FUSES,
    // Flipping fuses edits the Electron binary, which breaks its ad-hoc signature, and Apple
    // silicon refuses to start a binary with a broken signature. A signed build is re-signed
    // right after the flip anyway, so the reset is only needed when nothing else signs.
    resetAdHocDarwinSignature: signingPlan(env, 'darwin').unsigned,
  };
}

export function builderConfig(env: Env = {}): Configuration {
  const win = signingPlan(env, 'win32');
  const mac = signingPlan(env, 'darwin');
  const feed = updateFeed(env);

  return {
    appId: APP_ID,
    productName: PRODUCT_NAME,
    copyright: 'Copyright © Clinic Desk',
    directories: { output: 'dist', buildResources: 'build' },
    extraMetadata: {
      // package.json has no author: electron-builder takes the Windows CompanyName, the MSI
      // Manufacturer and the Linux vendor from it.
      author: { name: PRODUCT_NAME },
      // Electron uses this as the Wayland app_id / WM_CLASS and for the Unity launcher badge
      // count; it must name the .desktop file the Linux packages install (syncDesktopName).
      desktopName: 'clinic-desk.desktop',
    },

    // The bundles electron-vite writes; production node_modules are added by electron-builder
    // (main keeps its dependencies external). Nothing else of the repository is packaged.
    files: ['out/**/*', ...PACKAGED_NODE_MODULES_EXCLUDED],
    asar: true,
    // better-sqlite3's addon must sit outside app.asar to be loaded; Electron redirects the
    // require into app.asar.unpacked. Any other native addon added later is covered too.
    asarUnpack: ['**/*.node'],
    // Rebuild native addons (better-sqlite3) against Electron's ABI with @electron/rebuild,
    // preferring the prebuilt binaries published for Electron over compiling from source.
    npmRebuild: true,
    nativeRebuilder: 'sequential',
    buildDependenciesFromSource: false,
    electronFuses: electronFuses(env),

    protocols: [{ name: `${PRODUCT_NAME} link`, schemes: [LINK_SCHEME], role: 'Viewer' }],
    fileAssociations: [],

    // electron-updater's generic provider. Only app-update.yml (url, publisherName, cache folder)
    // comes from here: the app overrides the URL from the admin policy at run time, but Windows
    // signature checks of downloaded updates use the publisherName written next to it.
    publish: [{ provider: 'generic', url: feed.url }],
    // A stable release also writes beta.yml (and alpha.yml), so beta desks move on to it; a
    // 1.5.0-beta.1 writes only beta.yml and alpha.yml, never latest.yml.
    detectUpdateChannel: true,
    generateUpdatesFilesForAllChannels: true,
    forceCodeSigning: signingRequired(env),

    // Names without spaces (they go into silent-install commands and URLs); docs/admin-guide.md quotes them.
    artifactName: 'Clinic-Desk-${version}-${arch}.${ext}',

    win: {
      target: [
        { target: 'nsis', arch: ['x64'] },
        { target: 'msi', arch: ['x64'] },
      ],
      icon: ICONS.win,
      extraResources: [CLI_WRAPPERS.win],
      verifyUpdateCodeSignature: true,
      // electron-builder signs .exe files only; better-sqlite3's addon in app.asar.unpacked is
      // code we ship too, outside ASAR integrity, and application-control policies
      // (WDAC, AppLocker) check it. Electron's own DLLs keep their signatures.
      signExts: ['.node'],
      ...(win.azure === null
        ? {
            signtoolOptions: {
              // SHA-1 signatures are only for Windows 7, which Electron no longer supports.
              signingHashAlgorithms: ['sha256'],
              ...(win.windowsPublisherName === null ? {} : { publisherName: win.windowsPublisherName }),
            },
          }
        : { azureSignOptions: { ...win.azure } }),
    },
    // One installer for both install modes: it asks "only for me" (per user, the default, no
    // admin rights, updates install silently) or "anyone who uses this computer" (per machine,
    // Program Files, needs elevation). Silent: /S /currentuser or /S /allusers.
    nsis: {
      oneClick: false,
      perMachine: false,
      allowElevation: true,
      allowToChangeInstallationDirectory: true,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      shortcutName: PRODUCT_NAME,
      runAfterFinish: true,
      deleteAppDataOnUninstall: false,
      include: NSIS_INCLUDE_FILE,
      artifactName: 'Clinic-Desk-Setup-${version}.${ext}',
    },
    // For Group Policy / Intune / SCCM: per machine only (a computer-assigned package installs as
    // SYSTEM), no UI, never starts the app as the installing account.
    msi: {
      oneClick: true,
      perMachine: true,
      runAfterFinish: false,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      shortcutName: PRODUCT_NAME,
      artifactName: 'Clinic-Desk-${version}.${ext}',
    },

    mac: {
      // Separate Intel and Apple silicon builds: a universal app would have to merge two
      // better-sqlite3 addons. electron-updater picks the file whose name has the Mac's arch.
      target: [
        { target: 'dmg', arch: ['x64', 'arm64'] },
        { target: 'zip', arch: ['x64', 'arm64'] },
      ],
      category: 'public.app-category.medical',
      icon: ICONS.mac,
      extraResources: [CLI_WRAPPERS.posix],
      hardenedRuntime: true,
      gatekeeperAssess: false,
      entitlements: ENTITLEMENTS_FILE,
      // Helpers (renderer, GPU) run V8 too; without this electron-builder would give them its
      // default file, which also disables library validation.
      entitlementsInherit: ENTITLEMENTS_FILE,
      darkModeSupport: true,
      // Alerts that stay until dismissed: macOS shows a notification's buttons (a doctor's "Call in")
      // only in this style, and only for a signed app.
      extendInfo: { NSUserNotificationAlertStyle: 'alert' },
      // Without credentials: skip signing instead of picking whatever identity the keychain of
      // the build machine holds, so the banner's "unsigned" is true.
      ...(mac.unsigned ? { identity: null } : {}),
      // The zip (what the updater and MDM tools take); the DMG has its own name below.
      artifactName: 'Clinic-Desk-${version}-${arch}-mac.${ext}',
    },
    dmg: {
      title: '${productName} ${version}',
      artifactName: 'Clinic-Desk-${version}-${arch}.${ext}',
    },

    linux: {
      target: [
        { target: 'AppImage', arch: ['x64'] },
        { target: 'deb', arch: ['x64'] },
        { target: 'rpm', arch: ['x64'] },
      ],
      icon: ICONS.linux,
      extraResources: [CLI_WRAPPERS.posix],
      category: 'Office',
      executableName: 'clinic-desk',
      syncDesktopName: true,
      synopsis: 'Live clinic dashboard for reception and doctors',
      maintainer: `${PRODUCT_NAME} <dev@clinic-desk.invalid>`,
      vendor: PRODUCT_NAME,
      artifactName: 'Clinic-Desk-${version}-${arch}.${ext}',
    },
    // The distributions' own naming, which their tools and admins expect.
    deb: { artifactName: '${name}_${version}_${arch}.${ext}' },
    rpm: { artifactName: '${name}-${version}.${arch}.${ext}' },
  };
}

/** For the CLI (`--config build/electron-builder.config.ts`): read when electron-builder loads it, not on import. */
export default function config(): Configuration {
  return builderConfig(process.env);
}
