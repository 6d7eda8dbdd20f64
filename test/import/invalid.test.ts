import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/spec/errors.js';
import { loadConfig } from '../../src/spec/load.js';

/**
 * Invalid Sloth and OpenSLO specs: loadConfig must refuse them with the user's own field paths and the
 * line they are on, exactly as the CLI prints them.
 */

/** The message loadConfig throws for this YAML, saved as bad.yml. */
async function errorFor(yaml: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-import-invalid-'));
  writeFileSync(join(dir, 'bad.yml'), yaml);
  const error = await loadConfig(join(dir, 'bad.yml'), dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

const lines = (...l: string[]) => l.join('\n');

describe('invalid Sloth specs', () => {
  it('rejects an objective of 100%', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objective: 100
    sli:
      events:
        error_query: sum(rate(errors_total[{{.window}}]))
        total_query: sum(rate(requests_total[{{.window}}]))
`;
    expect(await errorFor(yaml)).toBe('bad.yml:5: slos[0].objective: must be > 0 and < 100, got 100');
  });

  it('rejects an objective written as a string, and a label name Prometheus would refuse', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
labels:
  team-name: core
slos:
  - name: availability
    objective: "99.9"
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:4: labels.team-name: is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
        'bad.yml:7: slos[0].objective: must be a percentage such as 99.9, got "99.9"',
      ),
    );
  });

  it('requires the service', async () => {
    const yaml = `version: "prometheus/v1"
slos:
  - name: availability
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
`;
    expect(await errorFor(yaml)).toBe('bad.yml:1: service: is required (a string)');
  });

  it('explains that SLI plugins are not supported', async () => {
    const yaml = `version: "prometheus/v1"
service: k8s-apiserver
slos:
  - name: availability
    objective: 99.9
    sli:
      plugin:
        id: "sloth-common/kubernetes/apiserver/availability"
        options:
          filter: 'verb!="WATCH"'
`;
    expect(await errorFor(yaml)).toBe(
      'bad.yml:8: slos[0].sli.plugin: SLI plugins are not supported; write the SLI as events (error_query, total_query) or raw (error_ratio_query)',
    );
  });

  it('requires events or raw', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli: {}
`;
    expect(await errorFor(yaml)).toBe('bad.yml:6: slos[0].sli: needs events (error_query, total_query) or raw (error_ratio_query)');
  });

  it('requires total_query', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(errors_total[{{.window}}]))
`;
    expect(await errorFor(yaml)).toBe('bad.yml:8: slos[0].sli.events.total_query: is required (a PromQL query)');
  });

  it('rejects an SLO name used twice in a service, within a document and across documents', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
  - name: availability
    objective: 99
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
---
version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objective: 99.5
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:9: slos[1].name: SLO "availability" of service "myservice" is already defined (slos[0])',
        'bad.yml:18: slos[0].name: SLO "availability" of service "myservice" is already defined (document 1)',
      ),
    );
  });

  it('names unknown fields and suggests the right one', async () => {
    const yaml = `version: "prometheus/v1"
service: myservice
slos:
  - name: availability
    objetive: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
    alerting:
      page_alert:
        disabled: true
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:4: slos[0].objective: is required (a percentage such as 99.9)',
        'bad.yml:11: slos[0].alerting.page_alert.disabled: unknown field; did you mean disable?',
        'bad.yml:5: slos[0].objetive: unknown field; did you mean objective?',
      ),
    );
  });

  it('checks every document of a multi-document file', async () => {
    const yaml = `version: "prometheus/v1"
service: a
slos:
  - name: availability
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))
---
version: "prometheus/v2"
service: b
slos: []
`;
    // Another version's fields mean other things: only its version is reported.
    expect(await errorFor(yaml)).toBe(
      'bad.yml:10: version: is an unknown Sloth spec version (obs imports Sloth\'s prometheus/v1), got "prometheus/v2"',
    );
  });
});

describe('invalid OpenSLO specs', () => {
  it('rejects calendar windows, percent targets and non-Prometheus sources', async () => {
    const yaml = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: web
  indicator:
    metadata:
      name: good
    spec:
      ratioMetric:
        good:
          metricSource:
            type: Datadog
            spec:
              query: sum:requests.ok{*}.as_count()
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(requests_total[5m]))
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: 2024-01-01 00:00:00
        timeZone: UTC
  objectives:
    - target: 99.5
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:24: spec.timeWindow[0].isRolling: only rolling windows are supported (isRolling: true); obs budgets over a rolling period',
        'bad.yml:29: spec.objectives[0].target: must be > 0 and < 1 (a ratio such as 0.995), got 99.5',
        'bad.yml:14: spec.indicator.spec.ratioMetric.good.metricSource.type: only Prometheus metric sources can be imported (obs generates Prometheus rules), got "Datadog"',
      ),
    );
  });

  it('rejects a month window and a threshold objective without op (v1alpha)', async () => {
    const yaml = `apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: latency
spec:
  service: web
  timeWindows:
    - unit: Month
      count: 1
      isRolling: true
  indicator:
    thresholdMetric:
      source: prometheus
      queryType: promql
      query: histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))
  objectives:
    - target: 0.99
      value: 0.5
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:8: spec.timeWindows[0].unit: months, quarters and years have no fixed length; use Day or Week (e.g. unit: Day, count: 30), got "Month"',
        'bad.yml:17: spec.objectives[0].op: is required with a thresholdMetric (lt, lte, gt or gte)',
      ),
    );
  });

  it('rejects a period shorter than 7 days and an indicatorRef to a missing SLI', async () => {
    const yaml = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: web
  indicatorRef: web-good
  timeWindow:
    - duration: 1d
      isRolling: true
  objectives:
    - target: 0.99
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:9: spec.timeWindow[0].duration: must be whole days from 7d to 90d (e.g. 28d or 30d), got "1d"',
        'bad.yml:7: spec.indicatorRef: must name a kind: SLI document of this file, got "web-good"',
      ),
    );
  });

  it('reports problems of a referenced SLI in its own document', async () => {
    const yaml = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: web-good
spec:
  ratioMetric:
    good:
      metricSource:
        type: CloudWatch
        spec:
          query: x
    total:
      metricSource:
        type: Prometheus
        spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: web
  indicatorRef: web-good
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - target: 0.99
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:9: spec.ratioMetric.good.metricSource.type: only Prometheus metric sources can be imported (obs generates Prometheus rules), got "CloudWatch"',
        'bad.yml:15: spec.ratioMetric.total.metricSource.spec.query: is required (a PromQL query)',
      ),
    );
  });

  it('rejects a raw ratio without rawType, and a v1alpha source that is not Prometheus', async () => {
    const yaml = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: logins
spec:
  service: auth
  indicator:
    metadata:
      name: logins
    spec:
      ratioMetric:
        raw:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(login_errors_total[5m])) / sum(rate(logins_total[5m]))
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.99
---
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: checkout
spec:
  service: shop
  timeWindows:
    - unit: Day
      count: 28
      isRolling: true
  objectives:
    - target: 0.999
      ratioMetrics:
        good:
          source: newrelic
          queryType: nrql
          query: SELECT count(*) FROM Transaction WHERE error IS false
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(checkout_total[5m]))
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:12: spec.indicator.spec.ratioMetric.rawType: is required with raw (success or failure)',
        'bad.yml:37: spec.objectives[0].ratioMetrics.good.source: only Prometheus metric sources can be imported (obs generates Prometheus rules), got "newrelic"',
      ),
    );
  });

  it('rejects an SLO name that an objective without displayName already takes', async () => {
    const yaml = `apiVersion: openslo/v1
kind: SLI
metadata:
  name: good-requests
spec:
  ratioMetric:
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(requests_total{code!~"5.."}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(requests_total[5m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: web
  indicatorRef: good-requests
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.99
    - target: 0.9
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability-1
spec:
  service: web
  indicatorRef: good-requests
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.99
`;
    expect(await errorFor(yaml)).toBe('bad.yml:35: metadata.name: SLO "availability-1" of service "web" is defined twice');
  });

  it('rejects an unknown kind and a document of another format', async () => {
    const yaml = `apiVersion: openslo/v1
kind: Slo
metadata:
  name: typo
---
version: prometheus/v1
service: web
`;
    expect(await errorFor(yaml)).toBe(
      lines(
        'bad.yml:2: kind: must be one of SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget, got "Slo"',
        'bad.yml:6: apiVersion: must be openslo/v1 or openslo/v1alpha, got nothing',
      ),
    );
  });
});
