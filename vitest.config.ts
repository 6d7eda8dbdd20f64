import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds against a hung process, not expectations: a shared 2-core machine under full load runs the
    // suite several times slower than a quiet one (measured: in-process generation twice took > 60 s).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Vitest's default on 2 cores is one worker (cores - 1): the files ran one after another, and the
    // live tests' minutes of waiting on real Prometheus/Alertmanager time (the e2e file alone waits most
    // of its ~2.5 min) held the whole machine idle. Three files at once overlap that waiting with the
    // CPU-bound files; test/promtool.test.ts still runs at most one promtool per core.
    maxWorkers: 3,
  },
});
