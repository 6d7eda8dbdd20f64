import type { MetricDefinition } from './types.js';

/**
 * The SDK's queue and background-job metrics (`obs.queue(name)`): what a Celery/BullMQ-style worker
 * reports so that backlog, failures and absent workers can alert. `queue` is the name given to
 * obs.queue(), bounded like every label.
 */

/** Background jobs run from a few ms to many minutes. */
export const QUEUE_JOB_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] as const;

export const queueJobDuration = {
  name: 'obs_queue_job_duration_seconds',
  type: 'histogram',
  source: 'sdk',
  help: 'Duration of background jobs, by queue and result (success or failure).',
  unit: 'seconds',
  labels: ['queue', 'result'],
  buckets: QUEUE_JOB_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

export const queueDepth = {
  name: 'obs_queue_depth',
  type: 'gauge',
  source: 'sdk',
  help: 'Jobs waiting in the queue, as last reported by the application.',
  unit: '',
  labels: ['queue'],
} as const satisfies MetricDefinition;

export const queueWorkers = {
  name: 'obs_queue_workers',
  type: 'gauge',
  source: 'sdk',
  help: 'Workers of the queue running in this process.',
  unit: '',
  labels: ['queue'],
} as const satisfies MetricDefinition;

export const QUEUE_METRICS: readonly MetricDefinition[] = [queueJobDuration, queueDepth, queueWorkers];
