import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../../src/main/core/policy/validate';

/**
 * The API profile examples in docs/backend-contract.md are what an admin
 * copies into the policy: each must be a policy the app accepts.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const contract = readFileSync(join(ROOT, 'docs', 'backend-contract.md'), 'utf8');
const section = contract.slice(contract.indexOf('### The API profile'), contract.indexOf('## Dialects of the demo clinic'));
const profiles = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/backend-contract.md, "The API profile"', () => {
  it('every example is a valid policy with an api profile', () => {
    expect(profiles.length).toBeGreaterThanOrEqual(3);
    for (const block of profiles) {
      const value = JSON.parse(block) as Record<string, unknown>;
      expect(value).toHaveProperty('api');
      const check = validatePolicy({ value, sources: [{ kind: 'file', label: 'docs/backend-contract.md' }], origins: {}, problems: [] });
      expect(check.ok ? [] : check.problems.map((p) => `${p.field} ${p.message}`), block).toEqual([]);
    }
  });
});
