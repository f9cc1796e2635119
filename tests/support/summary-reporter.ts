import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the run's totals as one plain line (`vitest: 120 passed, 0 failed, 0 skipped`)
 * after vitest's own summary, so CI logs and scripts read the result without parsing
 * vitest's colourised table.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    process.stdout.write(`\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
