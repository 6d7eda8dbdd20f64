import type { MetricDefinition } from './types.js';

/**
 * Metrics of the standard exporters that our alerts and dashboards query, named exactly as the exporters
 * export them. test/exporters-live.test.ts scrapes the real Debian exporters and fails on any name here
 * that they do not export (exceptions are listed there with their reason).
 */
export const EXPORTER_METRICS: readonly MetricDefinition[] = [];
