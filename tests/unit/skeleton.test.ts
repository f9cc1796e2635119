import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/clinic-desk.mjs', import.meta.url));

// A real process, started from another directory: the command must not depend on the cwd.
function clinicDesk(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: fileURLToPath(new URL('../../bin/', import.meta.url)),
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.error) throw result.error;
  return result;
}

describe('clinic-desk command', () => {
  it('prints its usage and the commands on --help, exit 0', () => {
    const { status, stdout, stderr } = clinicDesk('--help');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: clinic-desk <command> \[args\]/);
    expect(stdout).toContain('demo-server');
    expect(stdout).toContain('start');
  });

  it('rejects an unknown command with the usage on stderr, exit 2', () => {
    const { status, stdout, stderr } = clinicDesk('no-such-command');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown command 'no-such-command'");
    expect(stderr).toContain('usage: clinic-desk <command> [args]');
  });

  it('prints the version of package.json on --version, exit 0, as the installed app does', () => {
    const { status, stdout, stderr } = clinicDesk('--version');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`);
  });

  it('prints the usage on stderr without a command, exit 2', () => {
    const { status, stderr } = clinicDesk();
    expect(status).toBe(2);
    expect(stderr).toContain('usage: clinic-desk');
  });
});
