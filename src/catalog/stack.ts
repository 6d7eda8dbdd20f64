import type { MetricDefinition } from './types.js';

/** Metrics Prometheus and Alertmanager export about themselves, and the backup-job contract. */
export const STACK_METRICS: readonly MetricDefinition[] = [];
