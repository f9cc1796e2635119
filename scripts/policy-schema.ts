/**
 * Writes docs/policy.schema.json, the JSON Schema of the admin policy, from
 * the zod schema the app validates policies with (`PolicyFile`), so the two
 * cannot disagree: `npm run docs:policy-schema`
 * (`node bin/run-ts.mjs scripts/policy-schema.ts`). With `--check` it writes
 * nothing and exits 1 when the committed file is not what it would write
 * (tests/integration/core/policy-schema.test.ts does the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PolicyFile } from '../src/main/core/policy/schema';

export const POLICY_SCHEMA_FILE = fileURLToPath(new URL('../docs/policy.schema.json', import.meta.url));

/** An identifier, not an address: the schema is published with the app (docs/), not on a web server. */
export const POLICY_SCHEMA_ID = 'urn:clinic-desk:policy';

/** The schema's text exactly as committed (two-space JSON with a final newline). */
export function policySchemaText(): string {
  const { $schema, ...generated } = z.toJSONSchema(PolicyFile, { io: 'input' });
  const schema = {
    $schema,
    $id: POLICY_SCHEMA_ID,
    title: 'Clinic Desk admin policy',
    description:
      'The machine-wide policy Clinic Desk reads at start (Windows: %ProgramData%\\ClinicDesk\\policy.json and HKLM\\Software\\Policies\\ClinicDesk; macOS: /Library/Application Support/ClinicDesk/policy.json and managed preferences for org.clinicdesk.desk; Linux: /etc/clinic-desk/policy.json). What it sets is locked in the app; "defaultSettings" are starting values users may change. A policy with any problem is not applied at all. Check one with: clinic-desk doctor --policy FILE. Generated from the app\'s own validation by scripts/policy-schema.ts: do not edit.',
    ...generated,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function main(args: string[]): number {
  const text = policySchemaText();
  if (args.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(POLICY_SCHEMA_FILE, 'utf8');
    } catch {
      // A missing file differs like any other.
    }
    if (committed === text) return 0;
    process.stderr.write(`${POLICY_SCHEMA_FILE} is out of date: run npm run docs:policy-schema\n`);
    return 1;
  }
  writeFileSync(POLICY_SCHEMA_FILE, text);
  process.stdout.write(`wrote ${POLICY_SCHEMA_FILE}\n`);
  return 0;
}

// Run as a script (bin/run-ts.mjs sets argv[1] to this file), not when a test imports it.
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
