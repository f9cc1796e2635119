/**
 * json-file.ts on real files: a read says where a syntax error is (line,
 * column, what was expected, what was found); a write goes through a unique,
 * fsync'd temp file and a rename, so no reader ever sees half a file and no
 * temp file is left behind, and the file gets the mode asked for.
 */
import { spawn } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_JSON_DEPTH } from '../../../src/shared/json-limits';
import { readJsonFile, writeJsonFileAtomic } from '../../../src/main/core/config/json-file';

const JSON_FILE_MODULE = fileURLToPath(new URL('../../../src/main/core/config/json-file.ts', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../../../bin/run-ts.mjs', import.meta.url));
const posix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinic-desk-json-file-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const fileWith = (text: string, name = 'file.json') => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('readJsonFile', () => {
  it('reads the value; strict JSON semantics (a "__proto__" key is an ordinary key); a byte-order mark is skipped', () => {
    expect(readJsonFile(fileWith('{"theme": "dark", "alerts": {"messages": false}}'))).toEqual({ kind: 'ok', value: { theme: 'dark', alerts: { messages: false } } });
    expect(readJsonFile(fileWith('\ufeff{"a": 1}\r\n'))).toEqual({ kind: 'ok', value: { a: 1 } });
    const read = readJsonFile(fileWith('{"__proto__": {"polluted": true}}'));
    expect(read.kind).toBe('ok');
    const value = (read as { value: Record<string, unknown> }).value;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('a missing file is `missing`, not an error', () => {
    expect(readJsonFile(join(dir, 'nope.json'))).toEqual({ kind: 'missing' });
    expect(readJsonFile(join(dir, 'no-folder', 'nope.json'))).toEqual({ kind: 'missing' });
  });

  it.each([
    ['a trailing comma in an object', '{\n  "a": 1,\n}\n', "a trailing comma before '}' (JSON allows none)", 3, 1],
    ['a trailing comma in a list', '{"a": [1, 2,]}', "a trailing comma before ']' (JSON allows none)", 1, 13],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', "expected a comma, found '\"b\"'", 3, 3],
    ['a misspelt literal', '{\n  "allowInsecureTokenStorage": tru\n}', `expected a value (a "string", a number, true, false, null, an object or a list), found 'tru'`, 2, 32],
    ['an unquoted key', '{ theme: "dark" }', "expected a property name in double quotes, found 'theme'", 1, 3],
    ['a single-quoted key', "{'theme': 'dark'}", "expected a property name in double quotes, found ''theme''", 1, 2],
    ['a missing colon', '{"a" 1}', "expected ':' after the property name, found '1'", 1, 6],
    ['a line comment', '{\n  // the server\n  "a": 1\n}', "a comment (JSON allows none): '// the server'", 2, 3],
    ['a block comment', '{"a": /* one */ 1}', "a comment (JSON allows none): '/* one */'", 1, 7],
    ['a string left open at the end of the line', '{\n  "apiUrl": "https://clinic.example.org\n}', 'a string without its closing quote: \'"https://clinic.example.org\'', 2, 13],
    ['the end of the file inside an object', '{"a": 1', "expected ',' or '}', found the end of the file", 1, 8],
    ['the end of the file inside a list', '[1, 2', "expected ',' or ']', found the end of the file", 1, 6],
    ['something after the value', '{"a": 1} x', "unexpected 'x'", 1, 10],
    ['an incomplete number', '{"a": 1.}', "an incomplete number: '1.'", 1, 7],
    ['a tab inside a string', '{"a": "x\ty"}', "a tab or control character inside the string '\"x\\ty\"' (write it as \\t, \\n or \\u00XX)", 1, 7],
    ['an unknown escape', '{"a": "\\q"}', "an unknown backslash escape in '\"\\q\"'", 1, 7],
    ['Windows line ends', '{\r\n  "a": 1,\r\n}\r\n', "a trailing comma before '}' (JSON allows none)", 3, 1],
  ])('%s: located by line and column, with what was expected', (_case, text, reason, line, column) => {
    expect(readJsonFile(fileWith(text))).toEqual({ kind: 'error', problem: { kind: 'syntax', reason, line, column } });
  });

  it('every text JSON.parse refuses is located (never a position-less error)', () => {
    const broken = ['{', '}', '[', ']', '{"a"}', '{"a":}', '{,}', '[,1]', '{"a":1,,"b":2}', 'nul', '-', '01', '"\\u12"', '{"a": NaN}', '[1 2]', '{"a": -}', '"abc'];
    for (const text of broken) {
      const read = readJsonFile(fileWith(text));
      expect(read, text).toMatchObject({ kind: 'error', problem: { kind: 'syntax', line: 1, column: expect.any(Number) } });
      const problem = (read as { problem: { reason: string; column: number } }).problem;
      expect(problem.column, text).toBeGreaterThanOrEqual(1);
      expect(problem.column, text).toBeLessThanOrEqual(text.length + 1);
      expect(problem.reason, text).not.toMatch(/Expected$|^[A-Z]\w+ at/);
    }
  });

  it('an empty file, one too large, one nested too deep, a folder: each its own problem, none read whole', () => {
    expect(readJsonFile(fileWith(' \n'))).toEqual({ kind: 'error', problem: { kind: 'empty' } });
    expect(readJsonFile(fileWith(`{"pad":"${'x'.repeat(2000)}"}`), { maxBytes: 1000 })).toEqual({ kind: 'error', problem: { kind: 'too-large', size: 2010, limit: 1000 } });
    const bomb = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(readJsonFile(fileWith(bomb))).toEqual({ kind: 'error', problem: { kind: 'too-deep', limit: MAX_JSON_DEPTH } });
    expect(readJsonFile(fileWith('[[[]]]'), { maxDepth: 2 })).toEqual({ kind: 'error', problem: { kind: 'too-deep', limit: 2 } });
    expect(readJsonFile(dir)).toEqual({ kind: 'error', problem: { kind: 'unreadable', code: 'EISDIR' } });
  });
});

describe('writeJsonFileAtomic', () => {
  it('writes indented JSON with a final newline, creating the folder, and reads back', () => {
    const file = join(dir, 'deep', 'er', 'settings.json');
    writeJsonFileAtomic(file, { theme: 'dark', alerts: { messages: false } });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "theme": "dark",\n  "alerts": {\n    "messages": false\n  }\n}\n');
    expect(readJsonFile(file)).toEqual({ kind: 'ok', value: { theme: 'dark', alerts: { messages: false } } });
    expect(readdirSync(join(dir, 'deep', 'er'))).toEqual(['settings.json']);
  });

  it.runIf(posix)('gives the file the mode asked for (0o600 by default), also when replacing a file with another mode', () => {
    const file = join(dir, 'session.json');
    writeJsonFileAtomic(file, { a: 1 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '{}', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    writeJsonFileAtomic(file, { a: 2 }, { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeJsonFileAtomic(join(dir, 'shared.json'), { a: 3 }, { mode: 0o640 });
    expect(statSync(join(dir, 'shared.json')).mode & 0o777).toBe(0o640);
  });

  it('writes through a temp file with a new name each time, beside the target, fsync’d before the rename', () => {
    const file = join(dir, 'settings.json');
    const opened: string[] = [];
    const synced: number[] = [];
    const open = fs.openSync;
    vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      opened.push(String(args[0]));
      return open(...args);
    });
    const fsync = fs.fsyncSync;
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
      synced.push(fd);
      fsync(fd);
    });
    for (let n = 0; n < 20; n++) writeJsonFileAtomic(file, { n });
    expect(opened).toHaveLength(20);
    expect(new Set(opened).size).toBe(20);
    for (const temp of opened) {
      expect(temp).not.toBe(file);
      expect(temp.startsWith(`${file}.`)).toBe(true);
    }
    expect(synced).toHaveLength(20);
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(readJsonFile(file)).toEqual({ kind: 'ok', value: { n: 19 } });
  });

  it('a write the disk refuses half-way leaves the old file whole and no temp file', () => {
    const file = join(dir, 'settings.json');
    writeJsonFileAtomic(file, { theme: 'light' });
    const write = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown) => {
      write(fd, String(data).slice(0, 5));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(() => writeJsonFileAtomic(file, { theme: 'dark', pad: 'x'.repeat(10_000) })).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect(readJsonFile(file)).toEqual({ kind: 'ok', value: { theme: 'light' } });
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('a rename that fails (a folder in the way) leaves no temp file', () => {
    const blocked = join(dir, 'settings.json');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'keep'), '');
    expect(() => writeJsonFileAtomic(blocked, { a: 1 })).toThrow();
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('refuses a value that is not JSON instead of writing "undefined"', () => {
    expect(() => writeJsonFileAtomic(join(dir, 'x.json'), undefined)).toThrow(TypeError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('processes writing the same file at once: every read sees one whole value, and no temp file is left', async () => {
    const file = join(dir, 'shared.json');
    writeJsonFileAtomic(file, { writer: -1, n: 0, pad: '' });
    const script = join(dir, 'writer.ts');
    writeFileSync(
      script,
      [
        `import { writeJsonFileAtomic } from ${JSON.stringify(JSON_FILE_MODULE)};`,
        'const writer = Number(process.argv[2]);',
        `for (let n = 1; n <= 60; n++) writeJsonFileAtomic(${JSON.stringify(file)}, { writer, n, pad: String(writer).repeat(50_000 + n) });`,
      ].join('\n'),
    );
    const children = [0, 1, 2, 3].map(
      (writer) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [RUN_TS, script, String(writer)], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('exit', resolve);
        }),
    );
    let running = true;
    const done = Promise.all(children).then((codes) => {
      running = false;
      return codes;
    });
    // Judged after the writers are done, so a failure never leaves them running.
    let reads = 0;
    const torn: string[] = [];
    while (running) {
      const read = readJsonFile(file);
      reads++;
      if (read.kind !== 'ok') torn.push(JSON.stringify(read));
      else {
        const value = read.value as { writer: number; n: number; pad: string };
        if (value.writer >= 0 && value.pad !== String(value.writer).repeat(50_000 + value.n)) torn.push(`writer ${value.writer}, write ${value.n}: pad of ${value.pad.length}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await done).toEqual([0, 0, 0, 0]);
    expect(reads).toBeGreaterThan(10);
    expect(torn).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['shared.json', 'writer.ts']);
    expect(readJsonFile(file)).toMatchObject({ kind: 'ok', value: { n: 60 } });
  }, 60_000);
});
