/**
 * Node.js saturation: the SDK's event-loop delay histogram and heap limit, and prom-client's default
 * process metrics (heap used, CPU) that createObs registers unless `defaultMetrics: false`.
 */
import {
  eventLoopDelay,
  heapSizeLimit,
  heapSizeUsed,
  labelOverflow,
  processCpu as processCpuSeconds,
  processStartTime,
  sdkErrors,
  traceSpansDropped,
} from '../../catalog/sdk-metrics.js';
import { selector } from '../../promql/build.js';
import { quantileOf, rateOf, type Selector, sumBy } from './common.js';

/** The q-quantile of the worst event-loop delay of each second, per instance (EventLoopDelay alert). */
export function eventLoopDelayQuantile(q: number, sel: Selector, range: string, by: readonly string[] = ['instance']): string {
  return quantileOf(q, eventLoopDelay.name, sel, range, by);
}

/** CPU seconds per second (1 = one core busy), per instance. */
export function processCpu(sel: Selector, range: string, by: readonly string[] = ['instance']): string {
  return rateOf(processCpuSeconds.name, sel, range, by);
}

/** V8 heap in use, bytes, per instance. */
export function heapUsed(sel: Selector, by: readonly string[] = ['instance']): string {
  return `${sumBy(by)} (${selector(heapSizeUsed.name, sel)})`;
}

/** Heap in use as a share of V8's limit, averaged over the range (HeapNearLimit alert: 10m). */
export function heapUsedRatio(sel: Selector, range: string): string {
  return `avg_over_time(${selector(heapSizeUsed.name, sel)}[${range}]) / avg_over_time(${selector(heapSizeLimit.name, sel)}[${range}])`;
}

/** 1 while Prometheus scrapes each instance, 0 when the scrape fails (ServiceTargetDown: 0 for 5m). */
export function instanceUp(sel: Selector): string {
  return selector('up', sel);
}

/** Process starts per instance over the range: each change of the start time is a restart (ServiceRestarting: 1h). */
export function processRestarts(sel: Selector, range: string): string {
  return `changes(${selector(processStartTime.name, sel)}[${range}])`;
}

/** The SDK's own trouble counters, each with the labels that say where (ObsSdkErrors, ObsTraceSpansDropped, ObsMetricLabelOverflow). */
export const SDK_TROUBLE = {
  errors: { metric: sdkErrors.name, by: ['component'] },
  spansDropped: { metric: traceSpansDropped.name, by: ['reason'] },
  labelOverflow: { metric: labelOverflow.name, by: ['metric', 'label'] },
} as const;

/** Events per second of one SDK trouble counter (the alerts fire when it rises at all over 10m). */
export function sdkTroubleRate(trouble: keyof typeof SDK_TROUBLE, sel: Selector, range: string): string {
  const { metric, by } = SDK_TROUBLE[trouble];
  return rateOf(metric, sel, range, by);
}
