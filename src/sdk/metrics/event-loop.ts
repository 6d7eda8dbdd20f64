import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { OpenMetricsContentType, Registry as PromRegistry } from 'prom-client';
import { eventLoopDelay } from '../../catalog/sdk-metrics.js';
import type { Safety } from '../safe.js';
import { CatalogHistogram } from './instruments.js';
import type { GuardFactory } from './labels.js';

type Registry = PromRegistry<OpenMetricsContentType>;

/** prom-client's reset-per-scrape lag gauges, replaced by the histogram below. */
export const PROM_CLIENT_LAG_GAUGES = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

/**
 * Every second, observes the worst event-loop delay of that second into a histogram. The timer is
 * unref'd (it never keeps the process alive) and the monitor samples every 10 ms. (Node drops the first
 * interval after a reset: a stall starting in the very tick of our reset goes unseen; any other is seen.)
 */
export function monitorEventLoop(core: { readonly registry: Registry }, guards: GuardFactory, safety: Safety): () => void {
  const histogram = new CatalogHistogram(eventLoopDelay, core.registry, guards);
  const child = histogram.child([]);
  const monitor = monitorEventLoopDelay({ resolution: 10 });
  monitor.enable();
  const timer = setInterval(() => {
    safety.run(
      'event_loop',
      () => {
        // The monitor reports nanoseconds and includes its own 10 ms resolution: subtract it.
        if (monitor.count > 0) child.observe(Math.max(0, monitor.max / 1e9 - 0.01));
        monitor.reset();
      },
      undefined,
    );
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    monitor.disable();
  };
}
