import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Each test file starts real processes and keeps them busy for a time budget:
// one file at a time, so two budgets never share the machine's 2 cores.
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false, testTimeout: 180_000 } }));
