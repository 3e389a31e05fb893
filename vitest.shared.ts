import { defineConfig } from 'vitest/config';

// Tests bind real sockets and spawn real processes, so they get room to breathe
// on a 2-core machine; each package's vitest.config.ts starts from this. The
// JSON report feeds the one-line total that `npm test` prints at the end.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.test-report.json' }]],
  },
});
