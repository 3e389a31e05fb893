import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests bind real sockets and spawn real processes, so they get room to breathe
// on a 2-core machine; each package's vitest.config.ts starts from this. The
// JSON report feeds the one-line total that `npm test` prints at the end. A
// package's run fails when its tests leave a process of this checkout running.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: [fileURLToPath(new URL('./scripts/leftover-processes.mjs', import.meta.url))],
    reporters: ['default', ['json', { outputFile: '.test-report.json' }]],
  },
});
