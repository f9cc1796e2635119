/**
 * build/signing.ts: what a build signs and notarizes, from the environment alone.
 */
import { describe, expect, it } from 'vitest';
import { signingBanner, signingPlan, type Env } from '../../build/signing';

const WIN_CERT: Env = { WIN_CSC_LINK: '/secure/clinic-desk.pfx', WIN_CSC_KEY_PASSWORD: 'pfx-pass' };
const AZURE: Env = {
  CLINIC_DESK_AZURE_ENDPOINT: 'https://weu.codesigning.azure.net',
  CLINIC_DESK_AZURE_ACCOUNT: 'clinicdesk',
  CLINIC_DESK_AZURE_PROFILE: 'public-trust',
  CLINIC_DESK_AZURE_PUBLISHER_NAME: 'Clinic Desk Ltd',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'azure-secret',
};
const MAC_CERT: Env = { CSC_LINK: '/secure/developer-id.p12', CSC_KEY_PASSWORD: 'p12-pass' };
const APPLE_API: Env = { APPLE_API_KEY: '/secure/AuthKey_ABC.p8', APPLE_API_KEY_ID: 'ABC', APPLE_API_ISSUER: 'issuer-uuid' };
const APPLE_ID: Env = { APPLE_ID: 'release@clinic.example', APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh', APPLE_TEAM_ID: 'TEAM123' };

describe('Windows signing plan', () => {
  it('without credentials: unsigned, loud warnings, no errors', () => {
    const plan = signingPlan({}, 'win32');
    expect(plan).toMatchObject({ signer: 'none', unsigned: true, azure: null, errors: [] });
    expect(plan.warnings.join('\n')).toMatch(/UNSIGNED/);
    expect(plan.summary.join('\n')).toMatch(/NOTHING is signed/);
  });

  it('a certificate file from WIN_CSC_LINK or CSC_LINK signs everything', () => {
    for (const env of [WIN_CERT, { CSC_LINK: 'base64-pfx', CSC_KEY_PASSWORD: 'x' }]) {
      const plan = signingPlan(env, 'win32');
      expect(plan).toMatchObject({ signer: 'windows-certificate', unsigned: false, errors: [], warnings: [] });
    }
  });

  it('a certificate without its password is signed but warned about', () => {
    const plan = signingPlan({ WIN_CSC_LINK: '/secure/x.pfx' }, 'win32');
    expect(plan.signer).toBe('windows-certificate');
    expect(plan.warnings.join('\n')).toMatch(/without WIN_CSC_KEY_PASSWORD or CSC_KEY_PASSWORD/);
  });

  it('CLINIC_DESK_WIN_PUBLISHER_NAME overrides the publisher for a certificate', () => {
    expect(signingPlan({ ...WIN_CERT, CLINIC_DESK_WIN_PUBLISHER_NAME: 'Clinic Desk Ltd' }, 'win32').windowsPublisherName).toBe('Clinic Desk Ltd');
    expect(signingPlan(WIN_CERT, 'win32').windowsPublisherName).toBeNull();
  });

  it('Azure Trusted Signing with all four settings; it wins over a certificate, with a warning', () => {
    const plan = signingPlan(AZURE, 'win32');
    expect(plan).toMatchObject({ signer: 'azure-trusted-signing', unsigned: false, errors: [], warnings: [] });
    expect(plan.azure).toEqual({
      endpoint: 'https://weu.codesigning.azure.net',
      codeSigningAccountName: 'clinicdesk',
      certificateProfileName: 'public-trust',
      publisherName: 'Clinic Desk Ltd',
    });
    const both = signingPlan({ ...AZURE, ...WIN_CERT }, 'win32');
    expect(both.signer).toBe('azure-trusted-signing');
    expect(both.warnings.join('\n')).toMatch(/WIN_CSC_LINK is set but ignored/);
  });

  it('half-configured Azure refuses the build and names what is missing', () => {
    const plan = signingPlan({ CLINIC_DESK_AZURE_ENDPOINT: 'https://weu.codesigning.azure.net', CLINIC_DESK_AZURE_ACCOUNT: 'a', ...WIN_CERT }, 'win32');
    expect(plan.signer).toBe('none');
    expect(plan.errors).toHaveLength(1);
    expect(plan.errors[0]).toMatch(/CLINIC_DESK_AZURE_PROFILE, CLINIC_DESK_AZURE_PUBLISHER_NAME missing/);
  });

  it('Azure without a service principal in AZURE_* warns (other Azure credentials may still work)', () => {
    const { AZURE_CLIENT_SECRET: _secret, ...rest } = AZURE;
    const plan = signingPlan(rest, 'win32');
    expect(plan.signer).toBe('azure-trusted-signing');
    expect(plan.warnings.join('\n')).toMatch(/AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH/);
  });

  it('blank values count as unset (CI passes empty strings for missing secrets)', () => {
    expect(signingPlan({ WIN_CSC_LINK: '  ', CSC_LINK: '' }, 'win32').signer).toBe('none');
  });

  it('CLINIC_DESK_REQUIRE_SIGNING turns unsigned into an error, not a warning', () => {
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: '1' }, 'win32').errors.join()).toMatch(/no Windows signing credentials/);
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: 'true', ...WIN_CERT }, 'win32').errors).toEqual([]);
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: '0' }, 'win32').errors).toEqual([]);
  });
});

describe('macOS signing plan', () => {
  it('without credentials: unsigned and not notarized', () => {
    const plan = signingPlan({}, 'darwin');
    expect(plan).toMatchObject({ signer: 'none', notarization: 'none', unsigned: true, errors: [] });
    expect(plan.warnings.join('\n')).toMatch(/UNSIGNED and NOT NOTARIZED/);
  });

  it('Developer ID from CSC_LINK or CSC_NAME, notarized with an API key', () => {
    expect(signingPlan({ ...MAC_CERT, ...APPLE_API }, 'darwin')).toMatchObject({
      signer: 'apple-developer-id',
      notarization: 'apple-api-key',
      unsigned: false,
      warnings: [],
      errors: [],
    });
    expect(signingPlan({ CSC_NAME: 'Developer ID Application: Clinic Desk (TEAM123)', ...APPLE_API }, 'darwin').signer).toBe('apple-developer-id');
  });

  it('notarization with an Apple ID, and electron-builder\'s precedence of Apple ID over an API key', () => {
    expect(signingPlan({ ...MAC_CERT, ...APPLE_ID }, 'darwin').notarization).toBe('apple-id');
    const both = signingPlan({ ...MAC_CERT, ...APPLE_ID, ...APPLE_API }, 'darwin');
    expect(both.notarization).toBe('apple-id');
    expect(both.warnings.join('\n')).toMatch(/APPLE_API_KEY\* are set but ignored/);
  });

  it('a notarytool keychain profile counts as notarization', () => {
    expect(signingPlan({ ...MAC_CERT, APPLE_KEYCHAIN_PROFILE: 'clinic-desk' }, 'darwin').notarization).toBe('apple-keychain-profile');
  });

  it('signed but not notarized: a warning (Gatekeeper), not unsigned', () => {
    const plan = signingPlan(MAC_CERT, 'darwin');
    expect(plan).toMatchObject({ signer: 'apple-developer-id', notarization: 'none', unsigned: false, errors: [] });
    expect(plan.warnings.join('\n')).toMatch(/NOT NOTARIZED/);
  });

  it('half-set notarization credentials refuse a signed build', () => {
    const plan = signingPlan({ ...MAC_CERT, APPLE_API_KEY: '/secure/key.p8', APPLE_API_KEY_ID: 'ABC' }, 'darwin');
    expect(plan.errors.join()).toMatch(/APPLE_API_ISSUER missing/);
    expect(signingPlan({ ...MAC_CERT, APPLE_ID: 'x@y.example' }, 'darwin').errors.join()).toMatch(/APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID missing/);
  });

  it('Windows-only credentials do not sign a Mac build (WIN_CSC_LINK is not CSC_LINK)', () => {
    expect(signingPlan(WIN_CERT, 'darwin').unsigned).toBe(true);
  });

  it('CLINIC_DESK_REQUIRE_SIGNING needs both a signature and notarization', () => {
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: '1' }, 'darwin').errors.join()).toMatch(/no macOS signing identity/);
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: '1', ...MAC_CERT }, 'darwin').errors.join()).toMatch(/no notarization credentials/);
    expect(signingPlan({ CLINIC_DESK_REQUIRE_SIGNING: '1', ...MAC_CERT, ...APPLE_API }, 'darwin').errors).toEqual([]);
  });
});

describe('Linux signing plan', () => {
  it('always unsigned (electron-builder signs no Linux package), never an error', () => {
    for (const env of [{}, { ...MAC_CERT, ...WIN_CERT, CLINIC_DESK_REQUIRE_SIGNING: '1' }]) {
      const plan = signingPlan(env, 'linux');
      expect(plan).toMatchObject({ signer: 'none', notarization: 'not-applicable', unsigned: true, errors: [] });
    }
  });
});

describe('the banner', () => {
  it('boxes every line at one width, leads with the verdict, and carries each warning', () => {
    const plan = signingPlan({}, 'win32');
    const banner = signingBanner(plan);
    expect(banner).not.toBeNull();
    const lines = banner!.split('\n');
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^#+$/);
    expect(lines.at(-1)).toMatch(/^#+$/);
    expect(lines[1]).toContain('UNSIGNED BUILD');
    const flat = lines.map((line) => line.slice(2, -2).trim()).join(' ').replace(/\s+/g, ' ');
    for (const warning of plan.warnings) expect(flat).toContain(warning.slice(0, 40));
  });

  it('on Linux says the packages are unsigned without calling them unfit to ship', () => {
    const banner = signingBanner(signingPlan({}, 'linux'));
    expect(banner).toContain('LINUX PACKAGES CARRY NO CODE SIGNATURE');
    expect(banner).not.toContain('NOT FOR DISTRIBUTION');
  });

  it('says the build is refused when the plan has errors', () => {
    expect(signingBanner(signingPlan({ CLINIC_DESK_AZURE_ENDPOINT: 'x' }, 'win32'))).toContain('BUILD REFUSED');
  });

  it('is absent for a fully signed and notarized build', () => {
    expect(signingBanner(signingPlan({ ...MAC_CERT, ...APPLE_API }, 'darwin'))).toBeNull();
    expect(signingBanner(signingPlan(AZURE, 'win32'))).toBeNull();
  });
});
