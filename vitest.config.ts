import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds against a hung process, not expectations: a shared 2-core machine under full load runs the
    // suite several times slower than a quiet one (measured: in-process generation twice took > 60 s).
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
