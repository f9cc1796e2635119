import { parseArgs } from 'node:util';
import { ConfigError, type ConfigIssue } from '../core/config/issues';
import type { TransportConfig, UpdatePolicy } from '../core/config/schema';
import { readPolicyFile } from '../core/policy/read';
import type { PolicyFile } from '../core/policy/schema';
import { validatePolicy } from '../core/policy/validate';
import { runDoctor } from '../core/doctor/doctor';
import { DEFAULT_SETTINGS, SETTING_KEYS, type SettingKey } from '../../shared/settings';
import { DESK_FLAGS_USAGE, DESK_FLAG_OPTIONS, UsageError, parseDeskArgs } from './desk-args';

/**
 * `clinic-desk doctor`: the seed's Troubleshooting checklist against a
 * configuration. Prints each check with the fix when it fails; exit code 0
 * only if every check passes (1 otherwise, 2 for bad usage).
 *
 * `doctor --policy FILE` checks an admin policy before it is rolled out: every
 * problem with the field and the fix, or what it sets, locks and leaves to the
 * user. No server is needed unless connection options ask for the checklist
 * too (then run with the policy applied).
 */

const USAGE = `usage: clinic-desk doctor [options]
       clinic-desk doctor --policy FILE [options]

Checks, in order: configuration (key and host set), the clinic API answers,
sign-in works, the WebSocket connects, every channel authorises, and a round
trip through the presence channel. Exit code 0 only if all pass.

With --policy FILE, first checks FILE as an admin policy before it is rolled
out: prints every problem with the field and the fix, or what the policy sets,
locks and leaves to the user. This needs no server; given connection options
(--api-url, --email, --token, ...) the checks above then run with the policy
applied. Exit code 0 when the policy is valid (and every check passes), 1 when
it is not.

${DESK_FLAGS_USAGE}  --policy FILE        check FILE as an admin policy (see above)
  --json               print the report as JSON
  --timeout MS         per-step time-out (default 8000)
  --help               this text
`;

const EXTRA_OPTIONS = { json: { type: 'boolean' }, timeout: { type: 'string' }, policy: { type: 'string' } } as const;

/** Flags that ask for the connection checklist next to `--policy` (the others only shape the output). */
const CONNECTION_FLAGS = Object.keys(DESK_FLAG_OPTIONS).filter((flag) => flag !== 'help' && flag !== 'cache' && flag !== 'config');

export async function run(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: argv, options: { ...DESK_FLAG_OPTIONS, ...EXTRA_OPTIONS }, strict: true }).values;
  } catch (error) {
    return usageFailure(error);
  }
  if (flags.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const json = flags.json === true;
  const policyFile = typeof flags.policy === 'string' ? flags.policy : undefined;
  let policyReport: PolicyReport | undefined;
  if (policyFile !== undefined) {
    if (flags.config !== undefined) return usageFailure(new UsageError('--policy and --config both name the policy layer: give one'));
    policyReport = checkPolicy(policyFile);
    const connection = CONNECTION_FLAGS.some((flag) => flags[flag] !== undefined);
    if (!policyReport.valid || !connection) {
      process.stdout.write(json ? `${JSON.stringify(policyReport, null, 2)}\n` : formatPolicyReport(policyReport));
      return policyReport.valid ? 0 : 1;
    }
    if (!json) process.stdout.write(formatPolicyReport(policyReport));
  }

  let args;
  try {
    args = parseDeskArgs(argv, env, EXTRA_OPTIONS, policyFile === undefined ? {} : { policyFile });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stdout.write(`✗ Configuration\n  ${error.message.split('\n').join('\n  ')}\n`);
      return 1;
    }
    return usageFailure(error);
  }
  const timeout = typeof args.extra.timeout === 'string' ? Number(args.extra.timeout) : 8000;
  if (!Number.isInteger(timeout) || timeout < 100) return usageFailure(new UsageError('--timeout must be a number of milliseconds (>= 100)'));
  const report = await runDoctor({ config: args.loaded.config, credentials: args.credentials, timeoutMs: timeout });
  if (json) {
    process.stdout.write(`${JSON.stringify(policyReport === undefined ? report : { policy: policyReport, report }, null, 2)}\n`);
  } else {
    for (const warning of args.loaded.warnings) process.stdout.write(`! ${warning}\n`);
    for (const check of report.checks) {
      process.stdout.write(`${check.ok ? (check.warning ? '!' : '✓') : '✗'} ${check.title}: ${check.detail}\n`);
      if ((!check.ok || check.warning) && check.fix) process.stdout.write(`  Fix: ${check.fix}\n`);
    }
    const limited = report.checks.filter((c) => c.ok && c.warning).length;
    process.stdout.write(
      !report.ok ? 'Some checks failed.\n' : limited > 0 ? `The required checks passed; ${limited} ${limited === 1 ? 'item needs' : 'items need'} attention (marked !).\n` : 'All checks passed.\n',
    );
  }
  return report.ok ? 0 : 1;
}

function usageFailure(error: unknown): number {
  process.stderr.write(`clinic-desk doctor: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  return 2;
}

// --------------------------------------------------------- --policy FILE ---

export interface PolicyReport {
  file: string;
  found: boolean;
  valid: boolean;
  /** Every problem, with the field and the fix (empty when valid). */
  problems: ConfigIssue[];
  /** What a valid policy does: fields it sets (users cannot change them), settings it locks, starting values, and what it leaves alone. */
  sets: Record<string, string>;
  locks: Record<string, string>;
  defaults: Record<string, string>;
  /** Settings users choose for themselves (not locked; a starting value may be set). */
  leftToUser: SettingKey[];
  /** Valid, but perhaps not what was meant. */
  notes: string[];
}

/** Checks FILE exactly as the desk would read it as its policy file. */
export function checkPolicy(file: string): PolicyReport {
  const report: PolicyReport = { file, found: true, valid: false, problems: [], sets: {}, locks: {}, defaults: {}, leftToUser: [], notes: [] };
  const discovered = readPolicyFile(file);
  if (discovered.sources.length === 0) {
    report.found = false;
    report.problems.push({ source: 'policy', field: file, file, message: 'does not exist', fix: 'give the path of the policy file to check' });
    return report;
  }
  const check = validatePolicy(discovered);
  if (!check.ok) {
    report.problems = check.problems;
    return report;
  }
  const { policy } = check;
  report.valid = true;
  if (policy.apiUrl !== undefined) report.sets.apiUrl = policy.apiUrl;
  if (policy.transport !== undefined) report.sets.transport = describeTransport(policy.transport);
  if (policy.allowedLinkHosts !== undefined) report.sets.allowedLinkHosts = policy.allowedLinkHosts.length === 0 ? '(none: links never open in the browser)' : policy.allowedLinkHosts.join(', ');
  if (policy.allowInsecureTokenStorage !== undefined) {
    report.sets.allowInsecureTokenStorage = policy.allowInsecureTokenStorage ? 'yes: without a keyring the token is kept in a file only the user can read' : 'no';
  }
  if (policy.allowEnvironmentOverrides !== undefined) {
    report.sets.allowEnvironmentOverrides = policy.allowEnvironmentOverrides
      ? 'yes: CLINIC_DESK_API_URL, PUSHER_*, REVERB_* on a desk replace the server and transport set here'
      : 'no: the server and transport set here stay, whatever the environment says';
  }
  if (policy.cacheRetentionDays !== undefined) report.sets.cacheRetentionDays = `${policy.cacheRetentionDays} days`;
  if (policy.updates !== undefined) report.sets.updates = describeUpdates(policy.updates);

  const locked = settingsOf(policy.settings);
  const starting = settingsOf(policy.defaultSettings);
  for (const key of SETTING_KEYS.options) {
    const lockedValue = locked[key];
    const startingValue = starting[key];
    if (lockedValue !== undefined) report.locks[key] = lockedValue;
    else report.leftToUser.push(key);
    if (startingValue !== undefined) {
      if (lockedValue !== undefined) report.notes.push(`defaultSettings.${key} has no effect: settings.${key} locks it (${lockedValue})`);
      else report.defaults[key] = startingValue;
    }
  }
  if (policy.transport === undefined && policy.apiUrl !== undefined) {
    report.notes.push('no transport: unless the environment sets one, the desk polls the API instead of using a WebSocket');
  }
  return report;
}

/** Each setting a policy group names, as people read it (`alerts` in full: the policy locks the whole group). */
function settingsOf(patch: PolicyFile['settings']): Partial<Record<SettingKey, string>> {
  const described: Partial<Record<SettingKey, string>> = {};
  if (patch === undefined) return described;
  for (const key of SETTING_KEYS.options) {
    if (!(key in patch)) continue;
    if (key === 'alerts') {
      const alerts = { ...DEFAULT_SETTINGS.alerts, ...patch.alerts };
      described.alerts = Object.entries(alerts)
        .map(([name, on]) => `${name} ${on ? 'on' : 'off'}`)
        .join(', ');
      continue;
    }
    const value = patch[key];
    described[key] = typeof value === 'boolean' ? (value ? 'on' : 'off') : value === null ? 'off' : String(value);
  }
  return described;
}

function describeTransport(transport: TransportConfig): string {
  switch (transport.kind) {
    case 'pusher':
      return `Pusher Channels, key ${transport.key}, cluster ${transport.cluster}`;
    case 'reverb':
      return `a self-hosted Pusher-protocol server (Reverb, Soketi) at ${transport.scheme === 'https' ? 'wss' : 'ws'}://${transport.host}:${transport.port}${transport.path ?? ''}, key ${transport.key}`;
    case 'polling':
      return 'no WebSocket: the desk polls the API';
  }
}

function describeUpdates(updates: UpdatePolicy): string {
  if (updates.enabled === false) return 'off';
  if (updates.url === undefined) return 'off (no update url)';
  const parts = [`from ${updates.url}`, `channel ${updates.channel ?? 'stable'}`, `checked every ${updates.checkIntervalHours ?? 4} h`];
  if (updates.pinVersion !== undefined) parts.push(`pinned to ${updates.pinVersion}`);
  if (updates.force === true) parts.push('installed at once (forced)');
  return parts.join(', ');
}

function formatPolicyReport(report: PolicyReport): string {
  const lines: string[] = [];
  if (!report.found) return `✗ Policy ${report.file} does not exist.\n`;
  if (!report.valid) {
    lines.push(`✗ Policy ${report.file} is not valid: Clinic Desk would ignore all of it and run on its defaults.`);
    for (const problem of report.problems) {
      lines.push(`  ✗ ${problem.field} ${problem.message}${problem.file !== undefined && problem.file !== report.file ? ` (${problem.file})` : ''}`);
      lines.push(`    Fix: ${problem.fix}`);
    }
    lines.push(report.problems.length === 1 ? '1 problem.' : `${report.problems.length} problems.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`✓ Policy ${report.file} is valid.`);
  const section = (title: string, entries: Record<string, string>) => {
    const keys = Object.keys(entries);
    if (keys.length === 0) return;
    const width = Math.max(...keys.map((k) => k.length));
    lines.push(`  ${title}:`);
    for (const key of keys) lines.push(`    ${key.padEnd(width)}  ${entries[key] ?? ''}`);
  };
  section('Sets (users cannot change it)', report.sets);
  section('Locks in Settings', report.locks);
  section('Starting values (users may change them)', report.defaults);
  lines.push(`  Left to the user: ${report.leftToUser.length === 0 ? 'nothing' : report.leftToUser.join(', ')}`);
  for (const note of report.notes) lines.push(`  ! ${note}`);
  return `${lines.join('\n')}\n`;
}
