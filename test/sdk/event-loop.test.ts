import { describe, expect, it } from 'vitest';
import { createObs } from '../../src/sdk/index.js';
import { testConfig, value } from './helpers.js';

const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop delay', () => {
  it('is a histogram of each second\'s worst delay, not a gauge that resets at every scrape', async () => {
    const obs = createObs(testConfig());
    try {
      await sleep(300);
      block(300); // a stall inside a second that the monitor is watching
      await sleep(1_900);
      const first = await obs.metrics();
      const second = await obs.metrics(); // a second scraper sees the same history
      for (const text of [first, second]) {
        expect(text).not.toContain('nodejs_eventloop_lag_seconds');
        const all = value(text, 'obs_nodejs_eventloop_delay_seconds_count');
        const underQuarter = value(text, 'obs_nodejs_eventloop_delay_seconds_bucket', 'le="0.25"');
        expect(all).toBeGreaterThanOrEqual(2);
        expect(all - underQuarter).toBeGreaterThanOrEqual(1); // the planted stall (a loaded CI box may add its own)
      }
      expect(first).toContain('process_cpu_seconds_total'); // the rest of prom-client's defaults stay
    } finally {
      await obs.shutdown();
    }
  });
});
