import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openSloImporter } from '../../src/spec/import/openslo.js';
import type { ImportResult } from '../../src/spec/import/types.js';

/** Imports a fixture the way load.ts does: every non-empty YAML document, with its index. */
function importFixture(name: string): ImportResult {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url)), 'utf8');
  const documents = parseAllDocuments(text)
    .map((doc, index) => ({ data: doc.toJS() as unknown, index }))
    .filter((d) => d.data !== null && d.data !== undefined);
  expect(openSloImporter.detect(documents[0]!.data)).toBe(true);
  return openSloImporter.import(documents);
}

describe('OpenSLO importer', () => {
  it('imports v1 good/total from an SLI document referenced by indicatorRef, with a DataSource and a Service', () => {
    expect(importFixture('openslo-v1-ratio.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 3,
          config: {
            service: { name: 'web-shop', description: 'The customer-facing web shop.' },
            slos: {
              availability: {
                objective: 99.5,
                period: '28d',
                description: '99.5% of web shop requests succeed over 28 days.',
                sli: {
                  ratio: {
                    good: 'sum(rate(http_requests_total{job="web-shop",code!~"5.."}[5m]))',
                    total: 'sum(rate(http_requests_total{job="web-shop"}[5m]))',
                  },
                },
              },
            },
          },
        },
      ],
    });
  });

  it('imports v1alpha ratioMetrics and a thresholdMetric with two objectives', () => {
    expect(importFixture('openslo-v1alpha.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 1,
          config: {
            service: { name: 'payments', description: 'Payment processing API' },
            slos: {
              'payments-availability': {
                objective: 99.9,
                period: '28d',
                description: 'Successful payment API calls',
                sli: {
                  ratio: {
                    good: 'sum(rate(payment_requests_total{status="success"}[5m]))',
                    total: 'sum(rate(payment_requests_total[5m]))',
                  },
                },
              },
              'payments-latency-p99-under-500ms': {
                objective: 99,
                period: '30d',
                sli: {
                  threshold: {
                    query: 'histogram_quantile(0.99, sum by (le) (rate(payment_request_duration_seconds_bucket[5m])))',
                    op: 'lte',
                    value: 0.5,
                  },
                },
              },
              'payments-latency-p99-under-2s': {
                objective: 99.9,
                period: '30d',
                sli: {
                  threshold: {
                    query: 'histogram_quantile(0.99, sum by (le) (rate(payment_request_duration_seconds_bucket[5m])))',
                    op: 'lt',
                    value: 2,
                  },
                },
              },
            },
          },
        },
      ],
    });
  });

  it('imports v1 inline bad/total and thresholdMetric (4w → 28d, targetPercent, Timeslices)', () => {
    expect(importFixture('openslo-v1-threshold.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 0,
          config: {
            service: { name: 'checkout' },
            slos: {
              'checkout-errors': {
                objective: 99.9,
                period: '28d',
                description: 'Checkout requests without a server error.',
                sli: {
                  ratio: {
                    errors:
                      'sum(rate(http_server_request_duration_seconds_count{service="checkout",http_response_status_code=~"5.."}[5m]))',
                    total: 'sum(rate(http_server_request_duration_seconds_count{service="checkout"}[5m]))',
                  },
                },
              },
              'queue-lag': {
                objective: 99,
                period: '7d',
                sli: { threshold: { query: 'max(kafka_consumergroup_lag{consumergroup="checkout"})', op: 'lt', value: 1000 } },
              },
            },
          },
        },
      ],
    });
  });

  it('imports v1 raw ratios: failure as is, success as its complement', () => {
    expect(importFixture('openslo-v1-raw.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 0,
          config: {
            service: { name: 'auth' },
            slos: {
              'login-success': {
                objective: 99,
                period: '30d',
                sli: { errorRatio: { query: '1 - (sum(rate(logins_total{result="ok"}[5m])) / sum(rate(logins_total[5m])))' } },
              },
              'token-errors': {
                objective: 99.5,
                period: '30d',
                sli: { errorRatio: { query: 'sum(rate(token_issue_errors_total[5m])) / sum(rate(token_issue_requests_total[5m]))' } },
              },
            },
          },
        },
      ],
    });
  });

  it('turns targets into clean percentages', () => {
    const targets = [0.995, 0.999, 0.9995, 0.95, 0.9, 0.99999, 0.07];
    const objectives = targets.map((target) => {
      const result = openSloImporter.import([{ index: 0, data: slo({ objectives: [{ target }] }) }]);
      return result.ok ? result.configs[0]!.config.slos['x']!.objective : result.issues;
    });
    expect(objectives).toEqual([99.5, 99.9, 99.95, 95, 90, 99.999, 7]);
  });

  it('names several objectives by displayName slug, else by index', () => {
    const result = openSloImporter.import([
      { index: 0, data: slo({ objectives: [{ target: 0.99, displayName: 'Fast (p95)' }, { target: 0.9 }] }) },
    ]);
    expect(result.ok && Object.keys(result.configs[0]!.config.slos)).toEqual(['x-fast-p95', 'x-1']);
  });

  it('puts SLOs of different services in different configs', () => {
    const result = openSloImporter.import([
      { index: 0, data: slo({ service: 'a' }) },
      { index: 1, data: slo({ service: 'b' }) },
      { index: 2, data: { ...slo({ service: 'a' }), metadata: { name: 'y' } } },
    ]);
    expect(result.ok && result.configs.map((c) => [c.document, c.config.service.name, Object.keys(c.config.slos)])).toEqual([
      [0, 'a', ['x', 'y']],
      [1, 'b', ['x']],
    ]);
  });
});

/** A minimal v1 SLO named x, with overrides of its spec. */
function slo(spec: Record<string, unknown>) {
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'x' },
    spec: {
      service: 'svc',
      timeWindow: [{ duration: '30d', isRolling: true }],
      indicator: {
        metadata: { name: 'x' },
        spec: {
          ratioMetric: {
            bad: { metricSource: { type: 'Prometheus', spec: { query: 'sum(rate(e[5m]))' } } },
            total: { metricSource: { type: 'Prometheus', spec: { query: 'sum(rate(t[5m]))' } } },
          },
        },
      },
      objectives: [{ target: 0.99 }],
      ...spec,
    },
  };
}
