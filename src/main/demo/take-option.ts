/**
 * One `--name VALUE` or `--name=VALUE` option taken out of a command line
 * (before a `--`, which ends the options): its value, checked by `accept`,
 * and the other arguments as they were, for the next reader. The demo's
 * `--api-dialect` and `--time-zone` are read this way by `clinic-desk start`,
 * which passes the rest on, and by the desktop app from its own command line.
 */
export function takeOption<T>(
  argv: readonly string[],
  flag: string,
  accept: (value: string) => { ok: true; value: T } | { ok: false; message: string },
  missing: string,
): { ok: true; value: T | undefined; rest: string[] } | { ok: false; message: string } {
  const rest: string[] = [];
  let taken: T | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (arg === flag) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { ok: false, message: `${flag} ${missing}` };
      i++;
    } else if (arg.startsWith(`${flag}=`)) {
      value = arg.slice(flag.length + 1);
    } else {
      rest.push(arg);
      continue;
    }
    const checked = accept(value);
    if (!checked.ok) return { ok: false, message: `${flag}: ${checked.message}` };
    taken = checked.value;
  }
  return { ok: true, value: taken, rest };
}
