import type { UpdatePolicy } from '../config/schema';

/**
 * What the admin policy's `updates` block means for this desk, decided once at
 * start and without I/O: either no update traffic at all (`off`, with the
 * reason for the log and the Settings screen), or how electron-updater is to
 * be set up and which offered versions the desk may take.
 */

/**
 * How this copy was installed, which decides whether it may replace itself:
 * - `installer`: the NSIS installer on Windows (it leaves an uninstaller next
 *   to the app), the app bundle on macOS;
 * - `appimage`: a Linux AppImage (a file the user owns);
 * - `managed`: deb/rpm/pacman or an MSI: the package manager or the
 *   deployment tool owns the files and updates them;
 * - `portable`: the Windows portable exe;
 * - `store`: Mac App Store, Microsoft Store, Snap;
 * - `unknown`: none of these could be recognised.
 */
export const INSTALL_KINDS = ['installer', 'appimage', 'managed', 'portable', 'store', 'unknown'] as const;
export type InstallKind = (typeof INSTALL_KINDS)[number];

export interface UpdateContext {
  currentVersion: string;
  /** false under `electron-vite dev` or `electron .`: there is no installer to update. */
  packaged: boolean;
  platform: NodeJS.Platform;
  install: InstallKind;
}

export type PolicyChannel = NonNullable<UpdatePolicy['channel']>;

/** What the Settings and Diagnostics screens say about the policy, on or off. */
export interface UpdateFacts {
  channel: PolicyChannel | null;
  pinnedVersion: string | null;
  forced: boolean;
}

export interface UpdatesOff extends UpdateFacts {
  kind: 'off';
  reason: string;
}

export interface UpdatesOn extends UpdateFacts {
  kind: 'check';
  channel: PolicyChannel;
  /** The generic provider's folder: the policy's url, or its `<pinVersion>/` subfolder. */
  feedUrl: string;
  /** electron-builder's name of the channel file (`latest` → latest.yml, latest-mac.yml, latest-linux.yml). */
  feedChannel: string;
  allowPrerelease: boolean;
  allowDowngrade: boolean;
  /** Whether an offered version may be downloaded and installed. */
  accept: (version: string) => boolean;
  /** `accept`'s rule in words, for the log line of a refused version. */
  acceptRule: string;
  install: 'on-quit-or-consent' | 'forced';
  intervalMs: number;
}

export type UpdateDecision = UpdatesOff | UpdatesOn;

const DEFAULT_CHECK_INTERVAL_HOURS = 4;
const HOUR_MS = 3_600_000;

export function decideUpdates(policy: UpdatePolicy, context: UpdateContext): UpdateDecision {
  const channel: PolicyChannel = policy.channel ?? 'stable';
  const facts = { pinnedVersion: policy.pinVersion ?? null, forced: policy.force === true };
  const off = (reason: string): UpdatesOff => ({ kind: 'off', reason, channel: null, ...facts });

  if (policy.enabled === false) return off('the administrator turned updates off (updates.enabled is false)');
  if (policy.url === undefined) return off('no update server is configured (updates.url in the admin policy)');
  if (!context.packaged) return off('this is a development build, which has no installer to update');
  const unsupported = installProblem(context);
  if (unsupported !== null) return off(unsupported);
  if (parseVersion(context.currentVersion) === null) return off(`the running version "${context.currentVersion}" is not a release version`);

  const base = policy.url.replace(/\/+$/, '');
  const intervalMs = (policy.checkIntervalHours ?? DEFAULT_CHECK_INTERVAL_HOURS) * HOUR_MS;
  const install = facts.forced ? ('forced' as const) : ('on-quit-or-consent' as const);
  const pin = policy.pinVersion;

  if (pin !== undefined) {
    if (compareVersions(pin, context.currentVersion) === 0) return off(`the administrator pins version ${pin}, which is running`);
    // Each release is also uploaded into a folder named after its version, so the
    // pinned release's own channel file is found whatever was published since.
    return {
      kind: 'check',
      ...facts,
      channel,
      feedUrl: `${base}/${encodeURIComponent(pin)}/`,
      feedChannel: channelFileOf(pin),
      allowPrerelease: isPrerelease(pin),
      allowDowngrade: true,
      accept: (version) => compareVersions(version, pin) === 0,
      acceptRule: `the administrator pins version ${pin}`,
      install,
      intervalMs,
    };
  }

  const beta = channel === 'beta';
  const current = context.currentVersion;
  return {
    kind: 'check',
    ...facts,
    channel,
    feedUrl: `${base}/`,
    feedChannel: beta ? 'beta' : 'latest',
    allowPrerelease: beta,
    // Leaving beta for stable waits for the next stable release; pin a version to go back at once.
    allowDowngrade: false,
    accept: (version) => {
      const newer = compareVersions(version, current);
      return newer !== null && newer > 0 && (beta || !isPrerelease(version));
    },
    acceptRule: beta ? `only versions newer than ${current}` : `only stable versions newer than ${current}`,
    install,
    intervalMs,
  };
}

/** Why this installation must not replace itself, or null when it may. */
function installProblem({ platform, install }: UpdateContext): string | null {
  if (platform !== 'win32' && platform !== 'darwin' && platform !== 'linux') return `Clinic Desk does not update itself on ${platform}`;
  switch (install) {
    case 'installer':
      return platform === 'linux' ? 'on Linux only the AppImage updates itself' : null;
    case 'appimage':
      return platform === 'linux' ? null : 'an AppImage outside Linux cannot update itself';
    case 'managed':
      return platform === 'win32'
        ? 'Clinic Desk was installed from the MSI package, so your deployment tool (Group Policy, Intune, SCCM) updates it'
        : "Clinic Desk was installed with the system's package manager (deb, rpm), which updates it";
    case 'portable':
      return 'this is the portable copy, which cannot update itself: replace the file with the new version';
    case 'store':
      return 'Clinic Desk was installed from an app store, which updates it';
    case 'unknown':
      return platform === 'linux'
        ? 'on Linux only the AppImage updates itself; this copy is not one'
        : 'Clinic Desk could not tell how it was installed, so it does not replace itself';
  }
}

// ── versions ──

interface Version {
  core: [number, number, number];
  pre: Array<number | string>;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text);
  if (!m) return null;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre };
}

export function isPrerelease(version: string): boolean {
  return (parseVersion(version)?.pre.length ?? 0) > 0;
}

/**
 * Semantic-versioning precedence: negative when `a` is older than `b`, 0 when
 * they are the same release, null when either is not a version.
 */
export function compareVersions(a: string, b: string): number | null {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return null;
  for (let i = 0; i < 3; i++) {
    const d = (x.core[i] ?? 0) - (y.core[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  // A release outranks its own pre-releases.
  if (x.pre.length === 0 || y.pre.length === 0) return Math.sign(y.pre.length - x.pre.length);
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return Math.sign(p - q);
    if (typeof p === 'number') return -1;
    if (typeof q === 'number') return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** The channel electron-builder writes a release's channel file under: `1.5.0-beta.3` → beta, `1.4.2` → latest. */
function channelFileOf(version: string): string {
  const first = parseVersion(version)?.pre[0];
  return typeof first === 'string' ? first : 'latest';
}
