import { defineConfig } from 'vitest/config';

// Tests talk to real Redis, real worker processes and real ONNX sessions: give them room, and run
// files in separate forks so one test's worker processes never share an event loop with another's.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['test/global-setup.ts'],
  },
});
