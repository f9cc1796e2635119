import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { BUNDLED_DEPENDENCIES } from './build/bundled-deps';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // Main process: ESM (package.json "type": "module"). Dependencies stay external
  // (electron-vite's `build.externalizeDeps`), so better-sqlite3's native addon is
  // loaded from node_modules at run time, never bundled; except the pure-JS packages
  // of build/bundled-deps.ts, bundled so that Node does not load them file by file
  // at every start (bench/README.md, "Start"). Two entries: the
  // app (out/main/index.js) and the installed app's command line (out/main/cli.js,
  // run as Node by the wrappers in resources/bin); code both use goes into shared
  // chunks, and tests/build/main-bundle.test.ts checks that cli.js never loads
  // index.js or `electron`.
  main: {
    build: {
      externalizeDeps: { exclude: [...BUNDLED_DEPENDENCIES] },
      lib: {
        entry: {
          index: resolve(root, 'src/main/index.ts'),
          cli: resolve(root, 'src/main/cli-entry.ts'),
        },
        formats: ['es'],
      },
    },
  },
  // Preload: a sandboxed preload (sandbox: true) is not loaded as an ES module, so it
  // must be a single self-contained CommonJS file. With "type": "module" electron-vite
  // would emit ESM (index.mjs); forcing format 'cjs' and a .cjs file name makes it
  // out/preload/index.cjs. Nothing but `electron` may be required at run time in a
  // sandbox, so every dependency is bundled (externalizeDeps: false) into one chunk.
  preload: {
    build: {
      externalizeDeps: false,
      lib: {
        entry: resolve(root, 'src/preload/index.ts'),
        formats: ['cjs'],
        fileName: () => 'index.cjs',
      },
      rolldownOptions: {
        output: {
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      rolldownOptions: {
        input: resolve(root, 'src/renderer/index.html'),
      },
    },
    plugins: [vue()],
  },
});
