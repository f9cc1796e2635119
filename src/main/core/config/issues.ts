/**
 * A configuration problem as the user reads it: the layer and file it is in,
 * the field, what is wrong and how to fix it. `ConfigError` carries every
 * problem found, not just the first.
 */

export type ConfigSource = 'policy' | 'user' | 'env' | 'overrides';

export interface ConfigIssue {
  source: ConfigSource;
  /** Dotted path in the file or overrides (`transport.port`), or the environment variable (`REVERB_PORT`). */
  field: string;
  message: string;
  fix: string;
  /** The file the issue is in, for the policy and user layers. */
  file?: string;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function describeSource(issue: ConfigIssue): string {
  switch (issue.source) {
    case 'policy':
      return `admin policy${issue.file === undefined ? '' : ` (${issue.file})`}`;
    case 'user':
      return `user settings${issue.file === undefined ? '' : ` (${issue.file})`}`;
    case 'env':
      return 'environment';
    case 'overrides':
      return 'command line';
  }
}

/** One line per issue: where, what is wrong, and what to do. */
export function formatIssue(issue: ConfigIssue): string {
  return `${describeSource(issue)}: ${issue.field} ${issue.message}. Fix: ${issue.fix}`;
}

function formatIssues(issues: ConfigIssue[]): string {
  const head = issues.length === 1 ? 'Invalid configuration' : `Invalid configuration (${issues.length} problems)`;
  return `${head}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`;
}
