import { describe, expect, it } from 'vitest';
import { QUEUE_METRICS } from '../../src/catalog/queues.js';
import { dependencyAlerts } from '../../src/generate/prometheus/ops/dependencies.js';
import { DEFAULT_THRESHOLDS } from '../../src/model/ops-types.js';
import type { Service } from '../../src/model/types.js';
import { parsePromQL } from '../../src/promql/parse.js';
import { OVERFLOW_VALUE } from '../../src/sdk/index.js';
import { series, testObs, value } from './helpers.js';

const JOBS = 'obs_queue_job_duration_seconds';

class MailError extends Error {}

describe('queues', () => {
  it('times jobs by result and passes results and errors through unchanged', async () => {
    const obs = testObs();
    const emails = obs.queue('emails');
    expect(await emails.job(async () => 42)).toBe(42);
    expect(await emails.job(() => 'sync')).toBe('sync');
    const error = new MailError('smtp down');
    await expect(emails.job(async () => Promise.reject(error))).rejects.toBe(error);
    emails.record(12.5, false);
    const text = await obs.metrics();
    expect(value(text, `${JOBS}_count`, 'queue="emails"', 'result="success"')).toBe(2);
    expect(value(text, `${JOBS}_count`, 'queue="emails"', 'result="failure"')).toBe(2);
    expect(value(text, `${JOBS}_bucket`, 'queue="emails"', 'result="failure"', 'le="10"')).toBe(1);
    expect(value(text, `${JOBS}_bucket`, 'queue="emails"', 'result="failure"', 'le="30"')).toBe(2);
  });

  it('reports the backlog, and running workers until they stop', async () => {
    const obs = testObs();
    const ingest = obs.queue('ingest');
    expect(obs.queue('ingest')).toBe(ingest);
    // Before any worker: 0, so "no worker" is a value and not only a missing series.
    expect(value(await obs.metrics(), 'obs_queue_workers', 'queue="ingest"')).toBe(0);
    ingest.depth(17);
    const a = ingest.worker();
    const b = ingest.worker();
    let text = await obs.metrics();
    expect(value(text, 'obs_queue_depth', 'queue="ingest"')).toBe(17);
    expect(value(text, 'obs_queue_workers', 'queue="ingest"')).toBe(2);
    a.stop();
    a.stop(); // idempotent
    ingest.depth(3);
    text = await obs.metrics();
    expect(value(text, 'obs_queue_workers', 'queue="ingest"')).toBe(1);
    expect(value(text, 'obs_queue_depth', 'queue="ingest"')).toBe(3);
    b.stop();
    expect(value(await obs.metrics(), 'obs_queue_workers', 'queue="ingest"')).toBe(0);
  });

  it('ignores values that are not counts or durations, and bounds queue names', async () => {
    const obs = testObs({ limits: { queue: 2 } });
    const q = obs.queue('a');
    q.depth(Number.NaN);
    q.depth(-1);
    q.record(Number.POSITIVE_INFINITY, true);
    q.record(-3, true);
    let text = await obs.metrics();
    expect(series(text, 'obs_queue_depth')).toEqual([]);
    expect(series(text, `${JOBS}_count`)).toEqual([]);
    for (const name of ['b', 'c', 'd']) obs.queue(name).depth(1);
    text = await obs.metrics();
    expect(series(text, 'obs_queue_depth').map((l) => /queue="([^"]*)"/.exec(l)![1]).sort()).toEqual(['b', 'c', OVERFLOW_VALUE]);
    expect(value(text, 'obs_metric_label_overflow_total', 'metric="obs_queue_depth"', 'label="queue"')).toBeGreaterThan(0);
    expect(series(text, 'obs_sdk_errors_total')).toEqual([]);
  });

  it('exports exactly the names and labels the queue alerts query', async () => {
    const obs = testObs();
    const q = obs.queue('emails');
    q.depth(1);
    q.worker();
    await q.job(() => undefined);
    const text = await obs.metrics();
    for (const def of QUEUE_METRICS) {
      const name = def.type === 'histogram' ? `${def.name}_count` : def.name;
      const lines = series(text, name);
      expect(lines.length, name).toBeGreaterThan(0);
      for (const label of def.labels) expect(lines[0], `${name} ${label}`).toContain(`${label}="`);
    }
    const service: Service = {
      name: 'sdk-test',
      selector: { job: 'sdk-test' },
      labels: {},
      ops: { thresholds: DEFAULT_THRESHOLDS, dependencies: { queues: { names: [] }, certificates: [], endpoints: [], blackboxJob: 'blackbox' } },
    };
    const queried = dependencyAlerts(service).flatMap((a) => parsePromQL(a.expr).selectors);
    expect(queried.length).toBeGreaterThan(0);
    for (const selector of queried) {
      expect(QUEUE_METRICS.some((d) => selector.metric === d.name || selector.metric?.startsWith(`${d.name}_`)), selector.metric).toBe(true);
      for (const m of selector.matchers) if (m.label !== 'job') expect(text, `${selector.metric} ${m.label}`).toContain(`${m.label}="`);
    }
  });
});
