/**
 * Which artifacts a build signs and notarizes, decided from the environment
 * alone: no certificate, password or key is ever written into the repository
 * or into the electron-builder configuration. electron-builder reads the
 * secrets itself (CSC_LINK, CSC_KEY_PASSWORD, WIN_CSC_*, APPLE_*), Azure's
 * Invoke-TrustedSigning reads AZURE_*; this module only looks at which of
 * them are present so the build can say, before it starts, what it will
 * produce, and refuse a half-configured one instead of failing an hour in.
 *
 * Pure: no I/O, no process.env. docs/packaging.md has the table of variables.
 */

export type BuildPlatform = 'win32' | 'darwin' | 'linux';

export type Env = Readonly<Record<string, string | undefined>>;

export type Signer = 'windows-certificate' | 'azure-trusted-signing' | 'apple-developer-id' | 'none';

export type Notarization = 'apple-api-key' | 'apple-id' | 'apple-keychain-profile' | 'none' | 'not-applicable';

/** electron-builder's `win.azureSignOptions`, minus nothing secret: the Azure login stays in AZURE_*. */
export interface AzureSignSettings {
  readonly endpoint: string;
  readonly codeSigningAccountName: string;
  readonly certificateProfileName: string;
  readonly publisherName: string;
}

export interface SigningPlan {
  readonly platform: BuildPlatform;
  readonly signer: Signer;
  readonly notarization: Notarization;
  /** True when the installers and the app ship without a code signature. */
  readonly unsigned: boolean;
  /** Azure Trusted Signing settings when that is the signer. */
  readonly azure: AzureSignSettings | null;
  /** Overrides the publisher name electron-builder takes from the certificate (Windows, certificate file). */
  readonly windowsPublisherName: string | null;
  /** What will happen, one line each, for the console and the build summary. */
  readonly summary: readonly string[];
  /** Worth a loud mention, but the build may go on. */
  readonly warnings: readonly string[];
  /** Misconfiguration: the build must not start. */
  readonly errors: readonly string[];
}

/** Names of the variables this project defines (the others are electron-builder's, Apple's or Azure's own). */
export const ENV = {
  azureEndpoint: 'CLINIC_DESK_AZURE_ENDPOINT',
  azureAccount: 'CLINIC_DESK_AZURE_ACCOUNT',
  azureProfile: 'CLINIC_DESK_AZURE_PROFILE',
  azurePublisher: 'CLINIC_DESK_AZURE_PUBLISHER_NAME',
  windowsPublisher: 'CLINIC_DESK_WIN_PUBLISHER_NAME',
  requireSigning: 'CLINIC_DESK_REQUIRE_SIGNING',
  updateUrl: 'CLINIC_DESK_UPDATE_URL',
} as const;

/** Every variable that may hold a secret (a certificate, a password, a key): never logged, never in the config. */
export const SECRET_ENV_NAMES = [
  'CSC_LINK',
  'CSC_KEY_PASSWORD',
  'WIN_CSC_LINK',
  'WIN_CSC_KEY_PASSWORD',
  'CSC_INSTALLER_LINK',
  'CSC_INSTALLER_KEY_PASSWORD',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_PASSWORD',
  'APPLE_API_KEY',
  'APPLE_APP_SPECIFIC_PASSWORD',
] as const;

/** A variable counts as set when it has something besides white space (CI systems often pass empty strings). */
export function envValue(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? null : value;
}

function isSet(env: Env, name: string): boolean {
  return envValue(env, name) !== null;
}

/** CLINIC_DESK_REQUIRE_SIGNING=1|true|yes: a release pipeline that must never ship unsigned. */
export function signingRequired(env: Env): boolean {
  return /^(1|true|yes)$/i.test(envValue(env, ENV.requireSigning) ?? '');
}

const AZURE_SETTINGS = [ENV.azureEndpoint, ENV.azureAccount, ENV.azureProfile, ENV.azurePublisher] as const;

export function signingPlan(env: Env, platform: BuildPlatform): SigningPlan {
  switch (platform) {
    case 'win32':
      return windowsPlan(env);
    case 'darwin':
      return macPlan(env);
    case 'linux':
      return linuxPlan();
  }
}

function windowsPlan(env: Env): SigningPlan {
  const summary: string[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const certificate = isSet(env, 'WIN_CSC_LINK') ? 'WIN_CSC_LINK' : isSet(env, 'CSC_LINK') ? 'CSC_LINK' : null;
  const azureGiven = AZURE_SETTINGS.filter((name) => isSet(env, name));
  const publisherOverride = envValue(env, ENV.windowsPublisher);

  let signer: Signer = 'none';
  let azure: AzureSignSettings | null = null;

  if (azureGiven.length > 0) {
    const missing = AZURE_SETTINGS.filter((name) => !isSet(env, name));
    if (missing.length > 0) {
      errors.push(`Azure Trusted Signing is half configured: ${azureGiven.join(', ')} set but ${missing.join(', ')} missing.`);
    } else {
      signer = 'azure-trusted-signing';
      azure = {
        endpoint: envValue(env, ENV.azureEndpoint) ?? '',
        codeSigningAccountName: envValue(env, ENV.azureAccount) ?? '',
        certificateProfileName: envValue(env, ENV.azureProfile) ?? '',
        publisherName: envValue(env, ENV.azurePublisher) ?? '',
      };
      summary.push(
        `Windows: Clinic Desk.exe, the better-sqlite3 addon, the NSIS installer and the MSI are signed with Azure Trusted Signing (account ${azure.codeSigningAccountName}, profile ${azure.certificateProfileName}).`,
        `Windows: updates are accepted only when signed by "${azure.publisherName}" (publisherName in app-update.yml).`,
      );
      const login = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'].filter((name) => !isSet(env, name));
      const credential = isSet(env, 'AZURE_CLIENT_SECRET') || isSet(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
      if (login.length > 0 || !credential) {
        warnings.push(
          `Azure service principal incomplete (${[...login, ...(credential ? [] : ['AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH'])].join(', ')} not set): Invoke-TrustedSigning falls back to its other credentials (managed identity, Azure CLI login) and fails if there are none.`,
        );
      }
      if (certificate !== null) {
        warnings.push(`${certificate} is set but ignored: Azure Trusted Signing takes precedence over a certificate file.`);
      }
      if (publisherOverride !== null) {
        warnings.push(`${ENV.windowsPublisher} is ignored with Azure Trusted Signing; ${ENV.azurePublisher} names the publisher.`);
      }
    }
  }

  if (signer === 'none' && errors.length === 0 && certificate !== null) {
    signer = 'windows-certificate';
    summary.push(
      `Windows: Clinic Desk.exe, the better-sqlite3 addon, the NSIS installer and the MSI are signed with the certificate from ${certificate}.`,
      publisherOverride === null
        ? 'Windows: updates are accepted only when signed by the same publisher (the certificate\'s common name, written to app-update.yml).'
        : `Windows: updates are accepted only when signed by "${publisherOverride}" (${ENV.windowsPublisher}).`,
    );
    const password = certificate === 'WIN_CSC_LINK' ? ['WIN_CSC_KEY_PASSWORD', 'CSC_KEY_PASSWORD'] : ['CSC_KEY_PASSWORD'];
    if (!password.some((name) => isSet(env, name))) {
      warnings.push(`${certificate} is set without ${password.join(' or ')}: electron-builder tries an empty password.`);
    }
  }

  if (signer === 'none') {
    summary.push('Windows: NOTHING is signed.');
    if (errors.length === 0) {
      warnings.push(
        'Windows artifacts are UNSIGNED: SmartScreen warns every user ("unknown publisher"), and the app cannot check an update\'s signature (no publisherName in app-update.yml).',
        'To sign: WIN_CSC_LINK + WIN_CSC_KEY_PASSWORD (or CSC_LINK + CSC_KEY_PASSWORD), or Azure Trusted Signing (CLINIC_DESK_AZURE_*, AZURE_*). See docs/packaging.md.',
      );
    }
  }

  if (signingRequired(env) && signer === 'none' && errors.length === 0) {
    errors.push(`${ENV.requireSigning} is set but no Windows signing credentials are.`);
  }

  return {
    platform: 'win32',
    signer,
    notarization: 'not-applicable',
    unsigned: signer === 'none',
    azure,
    windowsPublisherName: signer === 'windows-certificate' ? publisherOverride : null,
    summary,
    warnings,
    errors,
  };
}

/** The notarization credentials electron-builder would use, in its own order of precedence (MacTargetHelper.getNotarizeOptions). */
function appleNotarization(env: Env, errors: string[], warnings: string[]): Exclude<Notarization, 'not-applicable'> {
  const appleIdVars = ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'];
  const apiKeyVars = ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'];
  const partial = (names: string[]) => names.filter((name) => !isSet(env, name));

  const apiKeyGiven = apiKeyVars.some((name) => isSet(env, name));
  if (isSet(env, 'APPLE_ID') || isSet(env, 'APPLE_APP_SPECIFIC_PASSWORD')) {
    const missing = partial(appleIdVars);
    if (missing.length > 0) {
      errors.push(`Notarization with an Apple ID is half configured: ${missing.join(', ')} missing.`);
      return 'none';
    }
    if (apiKeyGiven) warnings.push('APPLE_API_KEY* are set but ignored: electron-builder prefers APPLE_ID when both are given.');
    return 'apple-id';
  }
  if (apiKeyGiven) {
    const missing = partial(apiKeyVars);
    if (missing.length > 0) {
      errors.push(`Notarization with an App Store Connect API key is half configured: ${missing.join(', ')} missing.`);
      return 'none';
    }
    return 'apple-api-key';
  }
  if (isSet(env, 'APPLE_KEYCHAIN_PROFILE')) return 'apple-keychain-profile';
  return 'none';
}

function macPlan(env: Env): SigningPlan {
  const summary: string[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const identity = isSet(env, 'CSC_LINK') ? 'CSC_LINK' : isSet(env, 'CSC_NAME') ? 'CSC_NAME' : null;
  const notarizationErrors: string[] = [];
  const notarization = appleNotarization(env, notarizationErrors, warnings);

  if (identity === null) {
    summary.push('macOS: NOTHING is signed or notarized (the app keeps only an ad-hoc signature so it starts on Apple silicon).');
    warnings.push(
      'macOS artifacts are UNSIGNED and NOT NOTARIZED: Gatekeeper refuses to open the app on other Macs, and auto-update (Squirrel.Mac) cannot install updates.',
      'To sign: CSC_LINK + CSC_KEY_PASSWORD (Developer ID Application certificate, .p12) or CSC_NAME (an identity in the keychain); to notarize: APPLE_API_KEY + APPLE_API_KEY_ID + APPLE_API_ISSUER. See docs/packaging.md.',
    );
    if (notarization !== 'none') warnings.push('Apple notarization credentials are set but unused: an unsigned app cannot be notarized.');
    // Half-set notarization credentials are harmless when nothing is signed: electron-builder never reaches notarization.
  } else {
    errors.push(...notarizationErrors);
    summary.push(
      `macOS: the app (hardened runtime, build/entitlements.mac.plist, its helpers and native addons) is signed with the Developer ID identity from ${identity}.`,
    );
    if (identity === 'CSC_LINK' && !isSet(env, 'CSC_KEY_PASSWORD')) {
      warnings.push('CSC_LINK is set without CSC_KEY_PASSWORD: electron-builder tries an empty password.');
    }
    if (notarization === 'none') {
      if (notarizationErrors.length === 0) {
        summary.push('macOS: NOT notarized.');
        warnings.push(
          'macOS app is signed but NOT NOTARIZED: Gatekeeper blocks it on other Macs. Set APPLE_API_KEY + APPLE_API_KEY_ID + APPLE_API_ISSUER (or APPLE_ID + APPLE_APP_SPECIFIC_PASSWORD + APPLE_TEAM_ID).',
        );
      }
    } else {
      const how = { 'apple-api-key': 'an App Store Connect API key', 'apple-id': 'an Apple ID app-specific password', 'apple-keychain-profile': 'a notarytool keychain profile' }[notarization];
      summary.push(`macOS: the app is notarized with ${how} and the ticket stapled.`);
    }
  }

  if (signingRequired(env)) {
    if (identity === null) errors.push(`${ENV.requireSigning} is set but no macOS signing identity (CSC_LINK or CSC_NAME) is.`);
    else if (notarization === 'none' && notarizationErrors.length === 0) errors.push(`${ENV.requireSigning} is set but no notarization credentials are.`);
  }

  return {
    platform: 'darwin',
    signer: identity === null ? 'none' : 'apple-developer-id',
    notarization: identity === null ? 'none' : notarization,
    unsigned: identity === null,
    azure: null,
    windowsPublisherName: null,
    summary,
    warnings,
    errors,
  };
}

function linuxPlan(): SigningPlan {
  const warnings = [
    'Linux packages (AppImage, deb, rpm) are NOT SIGNED: electron-builder does not sign them. Sign the apt/yum repository metadata (or the .rpm with rpmsign) in the release pipeline.',
  ];
  return {
    platform: 'linux',
    signer: 'none',
    notarization: 'not-applicable',
    unsigned: true,
    azure: null,
    windowsPublisherName: null,
    summary: ['Linux: nothing is signed by the build (AppImage, deb and rpm carry no code signature).'],
    warnings,
    // There is nothing to configure for Linux, so requiring signatures must not block its build.
    errors: [],
  };
}

/**
 * The banner for stderr and the summary: a box that cannot be missed in a CI
 * log when the build is unsigned or something is off; null when all is well.
 */
export function signingBanner(plan: SigningPlan): string | null {
  if (!plan.unsigned && plan.warnings.length === 0 && plan.errors.length === 0) return null;
  const title =
    plan.errors.length > 0
      ? 'SIGNING MISCONFIGURED: BUILD REFUSED'
      : plan.unsigned
        ? plan.platform === 'linux'
          ? 'UNSIGNED BUILD: LINUX PACKAGES CARRY NO CODE SIGNATURE'
          : 'UNSIGNED BUILD: NOT FOR DISTRIBUTION TO CLINICS'
        : 'SIGNING WARNINGS';
  const lines = [title, '', ...plan.errors.map((e) => `ERROR: ${e}`), ...plan.warnings.map((w) => `! ${w}`)];
  const width = 76;
  const wrapped = lines.flatMap((line) => wrap(line, width));
  const bar = '#'.repeat(width + 4);
  return [bar, ...wrapped.map((line) => `# ${line.padEnd(width)} #`), bar].join('\n');
}

function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = `  ${line.slice(width)}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
