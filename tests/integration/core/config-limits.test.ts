/**
 * Settings and policy files are read bounded: a wrong path to a huge file, a
 * FIFO or a depth bomb is reported as a problem with its fix, never read
 * whole, blocked on, or walked recursively (the policy's paths are).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import { loadConfig } from '../../../src/main/core/config/load';
import { MAX_CONFIG_FILE_BYTES, readConfigJson } from '../../../src/main/core/config/read-config-json';
import { readPolicyFile } from '../../../src/main/core/policy/read';
import { readManagedPreferences } from '../../../src/main/core/policy/sources';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-config-limits-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bomb = (depth: number) => `{"settings":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('bounded JSON files', () => {
  it('a policy nested thousands deep is a problem with its fix (and the start goes on)', () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, bomb(100_000));
    expect(readConfigJson(file)).toEqual({ kind: 'error', issue: expect.objectContaining({ file, message: `nests deeper than ${MAX_JSON_DEPTH} levels` }) });
    const policy = readPolicyFile(file);
    expect(policy.problems).toEqual([expect.objectContaining({ source: 'policy', message: `nests deeper than ${MAX_JSON_DEPTH} levels` })]);
    const loaded = loadConfig({ env: {}, policyFile: file });
    expect(loaded.policyProblems.map((p) => p.message)).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    // Right at the limit is read (and then judged by the policy's schema as usual).
    writeFileSync(file, bomb(MAX_JSON_DEPTH - 1));
    expect(readConfigJson(file).kind).toBe('ok');
  });

  it('a user settings file over the size limit is not read; the user is told, defaults apply', () => {
    const file = join(dir, 'settings.json');
    writeFileSync(file, `{"theme":"dark","pad":"${'x'.repeat(MAX_CONFIG_FILE_BYTES)}"}`);
    const read = readConfigJson(file);
    expect(read).toEqual({ kind: 'error', issue: expect.objectContaining({ message: expect.stringMatching(/^is too large \(\d+ bytes; at most 1048576 are read\)$/) }) });
    const loaded = loadConfig({ env: {}, userFile: file });
    expect(loaded.warnings.join('\n')).toMatch(/ignored the user settings: .*is too large/);
  });

  it('a FIFO is refused without blocking on it', () => {
    const fifo = join(dir, 'policy.json');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this system
    }
    expect(readConfigJson(fifo)).toEqual({ kind: 'error', issue: expect.objectContaining({ message: 'is not a regular file' }) });
  });

  it('managed preferences (macOS, through plutil) are bounded the same way', () => {
    const plist = join(dir, 'org.clinicdesk.desk.plist');
    writeFileSync(plist, '<plist/>');
    const deep = readManagedPreferences(plist, () => bomb(50_000));
    expect(deep.problems).toEqual([expect.objectContaining({ message: `nests deeper than ${MAX_JSON_DEPTH} levels` })]);
    const big = readManagedPreferences(plist, () => `{"x":"${'y'.repeat(MAX_CONFIG_FILE_BYTES)}"}`);
    expect(big.problems[0]?.message).toMatch(/^is too large/);
  });
});
