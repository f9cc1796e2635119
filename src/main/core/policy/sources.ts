import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../../shared/json-limits';
import type { ConfigIssue } from '../config/issues';
import { MAX_CONFIG_FILE_BYTES } from '../config/read-config-json';
import { readPolicyFile, valuePaths, type DiscoveredPolicy, type PolicySource } from './read';
import { PolicyFile } from './schema';
import { validatePolicy } from './validate';

/**
 * Finds the machine's admin policy. Plain Node: everything the OS decides
 * (paths, the user, how to run `reg` and `plutil`) can be injected, so every
 * platform is tested on any platform.
 *
 * | OS | lowest precedence first |
 * |---|---|
 * | Windows | `%ProgramData%\ClinicDesk\policy.json` < the registry `HKLM\Software\Policies\ClinicDesk` (Group Policy) |
 * | macOS | `/Library/Application Support/ClinicDesk/policy.json` < `/Library/Managed Preferences/org.clinicdesk.desk.plist` < `/Library/Managed Preferences/<user>/org.clinicdesk.desk.plist` |
 * | Linux | `/etc/clinic-desk/policy.json` |
 *
 * Sources are merged value by value: a higher source's value replaces the
 * same value of a lower one, objects (`settings`, `settings.alerts`,
 * `updates`, ...) are merged key by key, lists replace lists. A `transport`
 * of another `kind` replaces the lower one whole: a Pusher cluster means
 * nothing to a Reverb server.
 *
 * Registry values (`reg query <key> /s`): value names are the policy's keys
 * (any case), nested objects are subkeys (`transport`, `settings`,
 * `settings\alerts`, `defaultSettings`, `defaultSettings\alerts`, `updates`);
 * REG_SZ and REG_EXPAND_SZ are text, REG_DWORD and REG_QWORD numbers,
 * REG_MULTI_SZ lists. A number 0 or 1 where the policy expects true/false is
 * read as false/true (Group Policy has no boolean type; plists made by some
 * MDM tools neither), found from the policy's JSON Schema rather than a list.
 *
 * A missing file, key or plist is no policy from that source; one that exists
 * but cannot be read is a problem, and then none of the policy is applied.
 */

export type DesktopPlatform = 'win32' | 'darwin' | 'linux';

export const POLICY_REGISTRY_KEY = 'HKLM\\Software\\Policies\\ClinicDesk';
/** The app's bundle id (electron-builder `appId`), the managed preferences' domain. */
export const MANAGED_PREFERENCES_DOMAIN = 'org.clinicdesk.desk';
export const MANAGED_PREFERENCES_DIR = '/Library/Managed Preferences';

/** The admin policy file of this OS. */
export function policyFilePath(platform: DesktopPlatform, env: Record<string, string | undefined>): string {
  switch (platform) {
    case 'win32':
      return win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'ClinicDesk', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/ClinicDesk/policy.json';
    case 'linux':
      return '/etc/clinic-desk/policy.json';
  }
}

/** Runs a program and returns its stdout; throws (with `status` and `stderr`, as `execFileSync` does) when it fails. */
export type RunProgram = (file: string, args: readonly string[]) => string;

export interface PolicyDiscovery {
  platform: DesktopPlatform;
  env?: Record<string, string | undefined>;
  /** The JSON file, instead of the OS's (tests). */
  file?: string;
  /** Runs `reg` (Windows) and `plutil` (macOS); default: `execFileSync`. */
  run?: RunProgram;
  /** Windows: the key to read. */
  registryKey?: string;
  /** macOS: where managed preferences are (tests). */
  managedPreferencesDir?: string;
  /** macOS: the user whose managed preferences apply; default: the user running the app. */
  userName?: string;
}

const defaultRun: RunProgram = (file, args) =>
  execFileSync(file, [...args], { encoding: 'utf8', timeout: 10_000, windowsHide: true, maxBuffer: 4 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });

/** Reads and merges every policy source of this OS (not validated: see `validatePolicy`). */
export function discoverPolicy(discovery: PolicyDiscovery): DiscoveredPolicy {
  const env = discovery.env ?? {};
  const run = discovery.run ?? defaultRun;
  const layers: DiscoveredPolicy[] = [readPolicyFile(discovery.file ?? policyFilePath(discovery.platform, env))];
  if (discovery.platform === 'win32') {
    // An absolute path: a `reg.exe` planted earlier in PATH must not get to supply the policy.
    const reg = win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'reg.exe');
    layers.push(readRegistryPolicy(discovery.registryKey ?? POLICY_REGISTRY_KEY, (args) => run(reg, args), env));
  }
  if (discovery.platform === 'darwin') {
    const dir = discovery.managedPreferencesDir ?? MANAGED_PREFERENCES_DIR;
    const user = discovery.userName ?? safeUserName();
    const plists = [posix.join(dir, `${MANAGED_PREFERENCES_DOMAIN}.plist`)];
    if (user !== undefined) plists.push(posix.join(dir, user, `${MANAGED_PREFERENCES_DOMAIN}.plist`));
    for (const plist of plists) layers.push(readManagedPreferences(plist, (args) => run('/usr/bin/plutil', args)));
  }
  return mergePolicies(layers);
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------- merging ---

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__` (validation then reports it as unknown instead of it changing a prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mergeValues(lower: unknown, higher: unknown): unknown {
  if (!isPlainObject(lower) || !isPlainObject(higher)) return higher;
  if (Object.hasOwn(lower, 'kind') && Object.hasOwn(higher, 'kind') && lower.kind !== higher.kind) return higher;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lower)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(higher)) setOwn(merged, key, Object.hasOwn(lower, key) ? mergeValues(lower[key], value) : value);
  return merged;
}

/** Lowest precedence first. A source that is not a JSON object is reported rather than merged. */
export function mergePolicies(layers: DiscoveredPolicy[]): DiscoveredPolicy {
  let value: unknown;
  const merged: DiscoveredPolicy[] = [];
  const sources: PolicySource[] = [];
  const problems: ConfigIssue[] = [];
  for (const layer of layers) {
    sources.push(...layer.sources);
    problems.push(...layer.problems);
    if (layer.value === undefined) continue;
    if (!isPlainObject(layer.value)) {
      // Validated on its own, so the problem names this source and the value it holds.
      const check = validatePolicy({ ...layer, problems: [] });
      if (!check.ok) problems.push(...check.problems);
      continue;
    }
    value = value === undefined ? layer.value : mergeValues(value, layer.value);
    merged.push(layer);
  }
  // Each value is the highest source's that has it.
  const origins: Record<string, PolicySource> = {};
  for (const path of valuePaths(value)) {
    const source = merged.findLast((layer) => Object.hasOwn(layer.origins, path))?.origins[path];
    if (source !== undefined) setOwn(origins, path, source);
  }
  return { value, sources, origins, problems };
}

// --------------------------------------------- what the policy expects ---

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

let policySchema: SchemaNode | undefined;

/** The policy's JSON Schema (input side), the one docs/policy.schema.json publishes. */
function schema(): SchemaNode {
  policySchema ??= z.toJSONSchema(PolicyFile, { io: 'input' }) as SchemaNode;
  return policySchema;
}

function alternatives(node: SchemaNode): SchemaNode[] {
  return [node, ...[...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])].flatMap(alternatives)];
}

/** The schemas a path may have (a union has several). */
function nodesAt(path: readonly string[]): SchemaNode[] {
  let nodes = [schema()];
  for (const key of path) {
    nodes = nodes.flatMap(alternatives).flatMap((n) => (n.properties?.[key] === undefined ? [] : [n.properties[key]]));
  }
  return nodes.flatMap(alternatives);
}

function typesAt(path: readonly string[]): Set<string> {
  return new Set(nodesAt(path).flatMap((n) => (n.type === undefined ? [] : Array.isArray(n.type) ? n.type : [n.type])));
}

/** The key as the policy spells it (registry names are case-insensitive), or as given when unknown. */
function canonicalKey(parent: readonly string[], name: string): string {
  const known = nodesAt(parent).flatMap((n) => Object.keys(n.properties ?? {}));
  return known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** 0/1 where the policy expects true/false (and nothing else) are false/true. */
function coerceBooleans(value: unknown, path: string[] = []): unknown {
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerceBooleans(v, [...path, k])]));
  if (value === 0 || value === 1) {
    const types = typesAt(path);
    if (types.has('boolean') && !types.has('number') && !types.has('integer')) return value === 1;
  }
  return value;
}

// ---------------------------------------------------- Windows registry ---

export interface RegistryValue {
  /** Subkeys below the policy key (`['settings', 'alerts']`). */
  path: string[];
  name: string;
  type: string;
  data: string;
}

const HIVES: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKCR: 'HKEY_CLASSES_ROOT', HKU: 'HKEY_USERS', HKCC: 'HKEY_CURRENT_CONFIG' };

/**
 * Parses `reg query <key> /s`: a line with a key's full name
 * (`HKEY_LOCAL_MACHINE\…`), then one line per value of that key, indented by
 * four spaces: `name    REG_TYPE    data`. Keys are the queried one and its
 * subkeys; values of any other key are not ours.
 */
export function parseRegQuery(output: string, key: string): RegistryValue[] {
  const [hive = '', ...rest] = key.split('\\');
  const base = [HIVES[hive.toUpperCase()] ?? hive, ...rest].join('\\').toLowerCase();
  const values: RegistryValue[] = [];
  let path: string[] | null = null;
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      const name = line.trim();
      const lower = name.toLowerCase();
      path = lower === base ? [] : lower.startsWith(`${base}\\`) ? name.slice(base.length + 1).split('\\') : null;
      continue;
    }
    const match = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (match === null || path === null) continue;
    const [, name = '', type = '', data = ''] = match;
    values.push({ path, name, type, data });
  }
  return values;
}

function expandEnv(text: string, env: Record<string, string | undefined>): string {
  const byName = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  return text.replace(/%([^%]+)%/g, (whole, name: string) => byName.get(name.toLowerCase()) ?? whole);
}

/** Reads the policy key; a key that does not exist is no policy. */
export function readRegistryPolicy(key: string, reg: (args: readonly string[]) => string, env: Record<string, string | undefined> = {}): DiscoveredPolicy {
  const source: PolicySource = { kind: 'registry', label: `registry ${key}` };
  let output: string;
  try {
    output = reg(['query', key, '/s']);
  } catch (error) {
    const failure = error as { status?: number | null; stderr?: string | Buffer; code?: string; message?: string };
    const stderr = String(failure.stderr ?? '').trim();
    // `reg query` exits with 1 for a missing key (with a message in the system's language); a refusal says "denied".
    if (failure.status === 1 && !/denied/i.test(stderr)) return { value: undefined, sources: [], origins: {}, problems: [] };
    return {
      value: undefined,
      sources: [source],
      origins: {},
      problems: [
        {
          source: 'policy',
          field: key,
          file: source.label,
          message: `cannot be read (${stderr || failure.code || failure.message || 'reg query failed'})`,
          fix: 'let every user read the key (Group Policy keys under HKLM\\Software\\Policies are readable by all users by default)',
        },
      ],
    };
  }
  const root: Record<string, unknown> = {};
  const origins: Record<string, PolicySource> = {};
  const problems: ConfigIssue[] = [];
  for (const entry of parseRegQuery(output, key)) {
    // The key's unnamed value ("(Default)", in the system's language) is no policy value.
    if (/^\(.*\)$/.test(entry.name)) continue;
    const path: string[] = [];
    let node: Record<string, unknown> | undefined = root;
    for (const segment of entry.path) {
      const name = canonicalKey(path, segment);
      path.push(name);
      const child: unknown = Object.hasOwn(node, name) ? node[name] : undefined;
      if (child !== undefined && !isPlainObject(child)) {
        // reg lists a key's values before its subkeys, so the value came first.
        if (!problems.some((p) => p.field === path.join('.'))) problems.push({
          source: 'policy',
          field: path.join('.'),
          file: source.label,
          message: 'is both a value and a subkey',
          fix: `keep one: a subkey "${entry.path.slice(0, path.length).join('\\')}" for an object, or a value for the rest`,
        });
        node = undefined;
        break;
      }
      if (isPlainObject(child)) node = child;
      else {
        const created: Record<string, unknown> = {};
        setOwn(node, name, created);
        node = created;
      }
    }
    if (node === undefined) continue;
    const name = canonicalKey(path, entry.name);
    const field = [...path, name].join('.');
    const data = registryData(entry, env);
    if (data === undefined) {
      problems.push({
        source: 'policy',
        field,
        file: source.label,
        message: `is a ${entry.type} value, which Clinic Desk does not read`,
        fix: 'use REG_SZ for text, REG_DWORD for numbers and for true/false (1/0), REG_MULTI_SZ for lists',
      });
      continue;
    }
    setOwn(node, name, data);
    setOwn(origins, field, source);
  }
  return { value: coerceBooleans(root), sources: [source], origins, problems };
}

function registryData(entry: RegistryValue, env: Record<string, string | undefined>): unknown {
  switch (entry.type) {
    case 'REG_SZ':
      return entry.data;
    case 'REG_EXPAND_SZ':
      return expandEnv(entry.data, env);
    case 'REG_DWORD':
    case 'REG_QWORD':
      return /^0x[0-9a-f]+$/i.test(entry.data) ? Number.parseInt(entry.data.slice(2), 16) : Number(entry.data);
    case 'REG_MULTI_SZ':
      // `reg query` shows the strings of a list separated by a literal "\0".
      return entry.data === '' ? [] : entry.data.split('\\0').filter((item) => item !== '');
    default:
      return undefined;
  }
}

// ------------------------------------------- macOS managed preferences ---

/** Reads a managed preferences plist (`plutil -convert json -o - <file>`); a missing file is no policy. */
export function readManagedPreferences(file: string, plutil: (args: readonly string[]) => string): DiscoveredPolicy {
  if (!existsSync(file)) return { value: undefined, sources: [], origins: {}, problems: [] };
  const source: PolicySource = { kind: 'managed-preferences', label: `managed preferences ${file}` };
  const problem = (message: string, fix: string): DiscoveredPolicy => ({
    value: undefined,
    sources: [source],
    origins: {},
    problems: [{ source: 'policy', field: file, file: source.label, message, fix }],
  });
  let text: string;
  try {
    text = plutil(['-convert', 'json', '-o', '-', file]);
  } catch (error) {
    const failure = error as { stderr?: string | Buffer; message?: string };
    const reason = String(failure.stderr ?? '').trim() || failure.message || 'plutil failed';
    // plutil cannot put dates or data into JSON, and the policy has none.
    return problem(`cannot be read (${reason})`, 'check the configuration profile: only text, numbers, true/false, lists and dictionaries (no <date> or <data>)');
  }
  // As for a policy file (json-file.ts readJsonFile): bounded before the recursive walks below.
  if (text.length > MAX_CONFIG_FILE_BYTES) return problem(`is too large (more than ${MAX_CONFIG_FILE_BYTES} bytes of JSON)`, 'check the configuration profile: a Clinic Desk policy holds a few kilobytes');
  if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return problem(`nests deeper than ${MAX_JSON_DEPTH} levels`, 'check the configuration profile: a Clinic Desk policy nests a few levels at most');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem('cannot be read (plutil gave no JSON)', 'check the file with `plutil -lint`, or reinstall the configuration profile');
  }
  return { value: coerceBooleans(value), sources: [source], origins: Object.fromEntries(valuePaths(value).map((p) => [p, source])), problems: [] };
}
