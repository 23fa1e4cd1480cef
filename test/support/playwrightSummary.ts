import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** Prints the plain closing line CI reads, and each skip's reason. */
export default class Summary implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed') this.passed++;
    else if (result.status === 'skipped') {
      this.skipped++;
      const why = test.annotations.find((a) => a.type === 'skip')?.description;
      process.stdout.write(`skipped: ${test.title}${why ? `: ${why}` : ''}\n`);
    } else if (result.retry === test.retries) this.failed++;
  }

  onEnd(): void {
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped\n`);
  }
}
