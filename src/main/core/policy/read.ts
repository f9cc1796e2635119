import type { ConfigIssue } from '../config/issues';
import { readConfigJson } from '../config/read-config-json';

/**
 * The admin policy as read, before it is validated (validate.ts): where it
 * came from and which source set each value. One JSON file here; the
 * machine's sources (the file, the registry, managed preferences) in sources.ts.
 */

/** Where a machine's policy is kept: the JSON file, the Windows registry, macOS managed preferences. */
export type PolicySourceKind = 'file' | 'registry' | 'managed-preferences';

export interface PolicySource {
  kind: PolicySourceKind;
  /** For people: the file's path, `registry HKLM\Software\Policies\ClinicDesk`, `managed preferences /Library/…plist`. */
  label: string;
}

/** The admin policy as read from its sources, not yet validated (sources.ts reads the machine's). */
export interface DiscoveredPolicy {
  /** The merged policy; undefined when no source holds one. */
  value: unknown;
  /** The sources that hold a policy (readable or not), lowest precedence first. */
  sources: PolicySource[];
  /** Which source set each value, by dotted path (`transport.port`), so a problem names the right one. */
  origins: Record<string, PolicySource>;
  /** Sources that exist but could not be read. */
  problems: ConfigIssue[];
}

export const NO_POLICY: DiscoveredPolicy = { value: undefined, sources: [], origins: {}, problems: [] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The dotted paths of every value in a JSON object (a list is one value). */
export function valuePaths(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return prefix === '' ? [] : [prefix];
  const paths = Object.entries(value).flatMap(([key, child]) => valuePaths(child, prefix === '' ? key : `${prefix}.${key}`));
  // An empty object is still something the source set (and may be wrong).
  return paths.length === 0 && prefix !== '' ? [prefix] : paths;
}

/** A policy in one JSON file (the CLI's `--config`, `doctor --policy`, tests); a missing file is no policy. */
export function readPolicyFile(file: string): DiscoveredPolicy {
  const source: PolicySource = { kind: 'file', label: file };
  const read = readConfigJson(file);
  switch (read.kind) {
    case 'missing':
      return NO_POLICY;
    case 'error':
      return { value: undefined, sources: [source], origins: {}, problems: [{ source: 'policy', ...read.issue }] };
    case 'ok':
      return { value: read.value, sources: [source], origins: Object.fromEntries(valuePaths(read.value).map((path) => [path, source])), problems: [] };
  }
}
