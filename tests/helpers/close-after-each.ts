import { afterEach } from 'vitest';

export interface Closeable {
  close(): Promise<void> | void;
}

/**
 * What a test opens (a demo clinic, a desk, a temp folder) is closed after
 * it, newest first, even when the test fails: `open.push(thing)` as it is made.
 */
export function closeAfterEach(): { push(item: Closeable): void } {
  const open: Closeable[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return { push: (item) => void open.push(item) };
}
