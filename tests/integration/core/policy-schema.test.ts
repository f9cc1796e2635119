/**
 * The published policy JSON Schema (docs/policy.schema.json) is generated
 * from the zod schema the app validates with, and the example policies in
 * docs/examples are valid policies that point at it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPolicyFile } from '../../../src/main/core/policy/read';
import { validatePolicy } from '../../../src/main/core/policy/validate';
import { POLICY_SCHEMA_FILE, POLICY_SCHEMA_ID, policySchemaText } from '../../../scripts/policy-schema';

const EXAMPLES = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));
const example = (name: string) => resolve(EXAMPLES, name);

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  required?: string[];
  additionalProperties?: boolean;
}

describe('docs/policy.schema.json', () => {
  it('is what scripts/policy-schema.ts generates from PolicyFile', () => {
    const committed = existsSync(POLICY_SCHEMA_FILE) ? readFileSync(POLICY_SCHEMA_FILE, 'utf8') : '(missing)';
    expect(committed, 'docs/policy.schema.json is out of date: run `npm run docs:policy-schema` and commit the file').toBe(policySchemaText());
  });

  it('describes the policy: strict, every key with a description, the three transports', () => {
    const schema = JSON.parse(policySchemaText()) as SchemaNode & { $id: string; title: string; $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(POLICY_SCHEMA_ID);
    expect(schema.title).toBe('Clinic Desk admin policy');
    expect(schema.additionalProperties).toBe(false);
    const keys = Object.keys(schema.properties ?? {});
    expect(keys).toEqual(['$schema', 'apiUrl', 'transport', 'settings', 'defaultSettings', 'cacheRetentionDays', 'allowedLinkHosts', 'allowInsecureTokenStorage', 'updates', 'api', 'clinic', 'allowEnvironmentOverrides']);
    for (const key of keys) expect((schema.properties?.[key] as { description?: string }).description, key).toEqual(expect.any(String));
    expect(schema.properties?.transport?.oneOf?.map((t) => t.properties?.kind)).toEqual([
      { type: 'string', const: 'pusher' },
      { type: 'string', const: 'reverb' },
      { type: 'string', const: 'polling' },
    ]);
    expect(schema.properties?.settings?.properties?.alerts?.additionalProperties).toBe(false);
    expect(schema.properties?.updates?.additionalProperties).toBe(false);
  });
});

describe('docs/examples', () => {
  for (const name of ['policy-pusher.json', 'policy-reverb.json']) {
    it(`${name} is a valid policy that names the schema`, () => {
      const check = validatePolicy(readPolicyFile(example(name)));
      expect(check.ok ? [] : check.problems).toEqual([]);
      const raw = JSON.parse(readFileSync(example(name), 'utf8')) as { $schema?: string };
      expect(raw.$schema).toBe('../policy.schema.json');
      expect(resolve(dirname(example(name)), raw.$schema ?? '')).toBe(POLICY_SCHEMA_FILE);
    });
  }

  it('Pusher Channels: key and cluster', () => {
    const check = validatePolicy(readPolicyFile(example('policy-pusher.json')));
    expect(check.ok && check.policy.transport).toMatchObject({ kind: 'pusher', cluster: expect.any(String) });
  });

  it('self-hosted Reverb with updates, locked alerts and start at login, starting values, link hosts and retention', () => {
    const check = validatePolicy(readPolicyFile(example('policy-reverb.json')));
    if (!check.ok) throw new Error('the Reverb example is not valid');
    const { policy } = check;
    expect(policy.transport).toMatchObject({ kind: 'reverb', scheme: 'https' });
    expect(policy.updates?.url).toMatch(/^https:\/\//);
    expect(Object.keys(policy.settings ?? {})).toEqual(expect.arrayContaining(['alerts', 'startAtLogin']));
    expect(Object.keys(policy.defaultSettings ?? {}).length).toBeGreaterThan(0);
    expect(policy.allowedLinkHosts?.length).toBeGreaterThan(0);
    expect(policy.cacheRetentionDays).toEqual(expect.any(Number));
  });
});
