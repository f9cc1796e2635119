import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../../src/main/core/policy/validate';

/**
 * The admin guide is copied from by people rolling out many desks: every policy
 * it shows must be one the app accepts, the examples it shows must be the
 * files it links, and every file it links must exist.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
const guide = readFileSync(join(DOCS, 'admin-guide.md'), 'utf8');

const jsonBlocks = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/admin-guide.md', () => {
  it('every JSON block is a valid policy', () => {
    expect(jsonBlocks.length).toBeGreaterThanOrEqual(3);
    for (const block of jsonBlocks) {
      const check = validatePolicy({ value: JSON.parse(block) as unknown, sources: [{ kind: 'file', label: 'docs/admin-guide.md' }], origins: {}, problems: [] });
      expect(check.ok ? [] : check.problems.map((p) => `${p.field} ${p.message}`), block).toEqual([]);
    }
  });

  it('shows each example policy exactly as its file has it', () => {
    for (const name of ['policy-pusher.json', 'policy-reverb.json']) {
      const file = readFileSync(join(DOCS, 'examples', name), 'utf8').trim();
      expect(jsonBlocks.map((b) => b.trim()), name).toContain(file);
    }
  });

  it('links only to files that exist', () => {
    const links = [...guide.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? '').filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(join(dirname(join(DOCS, 'admin-guide.md')), link)), link).toBe(true);
  });
});
