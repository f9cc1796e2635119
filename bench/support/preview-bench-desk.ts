/**
 * A desk core as `clinic-desk preview` builds it (`createPreviewDesk`), for
 * the benchmarks that run the preview: its own settings file and SQLite cache
 * in a temp directory, "Try the demo clinic" on the given embedded demo
 * (several desks may share one: its clinic starts once), and a logger that
 * drops debug and info but keeps errors, so a run can fail on any (as the
 * e2e fixture does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskService } from '../../src/main/core/desk/desk-service';
import type { Logger } from '../../src/main/core/log';
import type { EmbeddedDemo } from '../../src/main/demo/demo-port';
import { createPreviewDesk } from '../../src/main/preview/preview-desk';

export interface ErrorCountingLogger extends Logger {
  errors: Array<{ message: string; fields: Record<string, unknown> }>;
}

export function errorCountingLogger(): ErrorCountingLogger {
  const errors: ErrorCountingLogger['errors'] = [];
  return {
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields = {}) => void errors.push({ message, fields }),
  };
}

export interface PreviewBenchDesk {
  desk: DeskService;
  logger: ErrorCountingLogger;
  /** Closes the desk and deletes its files (the demo is its owner's to close). */
  close(): Promise<void>;
}

export function createPreviewBenchDesk(demo: EmbeddedDemo, prefix = 'clinic-desk-bench-'): PreviewBenchDesk {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const logger = errorCountingLogger();
  const { desk } = createPreviewDesk({
    env: {},
    settingsFile: join(base, 'settings.json'),
    cacheDir: join(base, 'cache'),
    demo,
    logger,
    appVersion: 'bench',
  });
  return {
    desk,
    logger,
    async close() {
      await desk.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
