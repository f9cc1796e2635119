import { basename } from 'node:path';
import { readJsonFile, type JsonFileProblem } from './json-file';
import type { ConfigIssue } from './issues';

export type FileRead = { kind: 'missing' } | { kind: 'ok'; value: unknown } | { kind: 'error'; issue: Omit<ConfigIssue, 'source'> };

/**
 * Largest settings or policy file read. They hold a few kilobytes; the bound
 * keeps a wrong path (a log, a disk image, a device) from being read whole.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** The fix for each way a settings or policy file can be unusable (json-file.ts reads it). */
function fileIssue(file: string, problem: JsonFileProblem): Omit<ConfigIssue, 'source'> {
  const at = (message: string, fix: string) => ({ field: file, file, message, fix });
  switch (problem.kind) {
    case 'too-large':
      return at(`is too large (${problem.size} bytes; at most ${problem.limit} are read)`, 'a settings or policy file holds a few kilobytes: point the path at the right file');
    case 'not-a-file':
      return at('is not a regular file', 'point the path at a JSON file');
    case 'unreadable':
      return at(
        `cannot be read (${problem.code})`,
        problem.code === 'EISDIR' ? 'point the path at a JSON file, not a folder' : 'make the file readable by the user running Clinic Desk, or remove it',
      );
    case 'too-deep':
      return at(`nests deeper than ${problem.limit} levels`, 'a settings or policy file nests a few levels at most: check that this is the right file');
    case 'empty':
      return at('is empty', 'write a JSON object into it (at least {}), or remove the file');
    case 'syntax':
      return at(
        `is not valid JSON: ${problem.reason} at line ${problem.line}, column ${problem.column}`,
        `correct the JSON at line ${problem.line} of ${basename(file)} (a missing comma or quote, a trailing comma, or a comment are the usual causes)`,
      );
  }
}

/** A settings or policy file, read bounded (json-file.ts), its problem worded with the fix. */
export function readConfigJson(file: string): FileRead {
  const read = readJsonFile(file, { maxBytes: MAX_CONFIG_FILE_BYTES });
  return read.kind === 'error' ? { kind: 'error', issue: fileIssue(file, read.problem) } : read;
}
