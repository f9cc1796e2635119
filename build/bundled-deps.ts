/**
 * The packages the main process build (electron.vite.config.ts) bundles into
 * out/main instead of leaving them to be loaded from node_modules at run time.
 *
 * Why: Node loads an external ES module package file by file (zod 4 alone is
 * about a hundred files, date-fns and laravel-echo add more), resolving and
 * translating each; at start that was ~150 ms of the desk's ~440 ms to its
 * cached board (bench/README.md, "Start"). Bundled, they are part of the few
 * chunks Node reads anyway, and rolldown drops what the desk does not use.
 *
 * Only pure JavaScript goes here. Staying external, loaded from node_modules:
 * better-sqlite3 (a native addon), electron (the runtime), electron-updater
 * (imported lazily, only when the policy turns updates on), electron-log (reads
 * its own package files at run time; the app's logger only, not the core), and
 * the demo clinic's `pusher` SDK and `ws` (its lazily loaded chunk; see
 * tests/build/main-bundle.test.ts). The packages stay in "dependencies", so
 * the packaged app still holds them (tests/build/package-smoke.test.ts).
 *
 * bench/start.bench.ts bundles its probe with the same list, so the start
 * benchmark measures what ships.
 */
export const BUNDLED_DEPENDENCIES = [
  'zod',
  'date-fns',
  '@date-fns/tz',
  'laravel-echo',
  'pusher-js',
  'jsonc-parser',
  'fastest-levenshtein',
  'write-file-atomic',
  // write-file-atomic's only dependency.
  'signal-exit',
] as const;
