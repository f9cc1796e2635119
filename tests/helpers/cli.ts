import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../bin/clinic-desk.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `clinic-desk <args>` to the end. The caller's own broadcasting and
 * clinic variables are left out, so only `env` configures the run.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProgram(process.execPath, [CLI_BIN, ...args], env);
}

/** Runs `command args` to the end, with the same clean environment as `runCli`. */
export function runProgram(command: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PUSHER|REVERB|VITE_|BROADCAST|CLINIC_DESK|ELECTRON_RUN_AS_NODE)/.test(k)));
    const child = spawn(command, args, { env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
