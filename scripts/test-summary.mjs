// Adds up the vitest JSON reports that `turbo run test` left in each package
// and prints one line per package and the total, so a run ends with a count
// of what was actually executed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function summarize(root, packageDirs) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  for (const dir of packageDirs) {
    const file = join(root, dir, '.test-report.json');
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const passed = r.numPassedTests ?? 0;
    // A file that failed before running any test (an import error, a failing
    // hook) has no test results of its own; count it once so it is not lost.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    const failed = (r.numFailedTests ?? 0) + brokenFiles;
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    total.passed += passed;
    total.failed += failed;
    total.skipped += skipped;
    lines.push(`  ${dir.padEnd(24)} ${passed} passed, ${failed} failed`);
  }
  lines.push(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return { lines, total };
}
