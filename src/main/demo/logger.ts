/** What the demo clinic logs through; the CLI writes it to stderr, tests usually pass `quietDemoLogger`. */
export interface DemoLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Drops everything: the demo clinic's default, and what tests and benches pass. */
export const quietDemoLogger: DemoLogger = { info: () => undefined, warn: () => undefined };

/** One JSON object per line on stderr, so stdout stays the machine-readable channel. */
export function stderrLogger(minLevel: 'info' | 'warn' = 'info'): DemoLogger {
  const write = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => {
    if (minLevel === 'warn' && level === 'info') return;
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...fields })}\n`);
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f) };
}
