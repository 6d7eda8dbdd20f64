import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { slothImporter } from '../../src/spec/import/sloth.js';
import type { ImportResult } from '../../src/spec/import/types.js';

/** Imports a fixture the way load.ts does: every non-empty YAML document, with its index. */
function importFixture(name: string): ImportResult {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url)), 'utf8');
  const documents = parseAllDocuments(text)
    .map((doc, index) => ({ data: doc.toJS() as unknown, index }))
    .filter((d) => d.data !== null && d.data !== undefined);
  expect(slothImporter.detect(documents[0]!.data)).toBe(true);
  return slothImporter.import(documents);
}

describe('Sloth importer', () => {
  it('imports the getting-started spec: events → ratio, spec labels on every SLO, sloth_severity kept', () => {
    expect(importFixture('sloth-http-availability.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 0,
          config: {
            service: { name: 'myservice' },
            slos: {
              'requests-availability': {
                objective: 99.9,
                period: '30d',
                description: 'Common SLO based on availability for HTTP request responses.',
                labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2', category: 'availability' },
                sli: {
                  ratio: {
                    errors: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
                    total: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
                  },
                },
                alerting: {
                  name: 'MyServiceHighErrorRate',
                  labels: { category: 'availability' },
                  annotations: { summary: "High error rate on 'myservice' requests responses" },
                  // The user's severity label wins over ours; sloth_severity keeps Alertmanager routes working.
                  page: { labels: { sloth_severity: 'page', severity: 'pageteam', routing_key: 'myteam' } },
                  ticket: { labels: { sloth_severity: 'ticket', severity: 'slack', slack_channel: '#alerts-myteam' } },
                },
              },
              'instances-up': {
                objective: 99,
                period: '30d',
                description: 'Share of scrapes in which an instance of myservice was down.',
                labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2' },
                sli: {
                  ratio: {
                    errors: 'sum_over_time((count(up{job="myservice"} == 0))[{{.window}}:]) OR on() vector(0)',
                    total: 'sum_over_time((count(up{job="myservice"}))[{{.window}}:])',
                  },
                },
                alerting: { name: 'MyServiceInstancesDown', page: false, ticket: { labels: { sloth_severity: 'ticket' } } },
              },
            },
          },
        },
      ],
    });
  });

  it('imports one config per service from a multi-document file', () => {
    expect(importFixture('sloth-multi-doc.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 0,
          config: {
            service: { name: 'checkout' },
            slos: {
              'orders-availability': {
                objective: 99.95,
                period: '30d',
                description: 'Orders placed without a server error.',
                labels: { team: 'payments' },
                sli: {
                  ratio: {
                    errors: 'sum(rate(orders_total{service="checkout",result="error"}[{{.window}}]))',
                    total: 'sum(rate(orders_total{service="checkout"}[{{.window}}]))',
                  },
                },
                alerting: {
                  name: 'CheckoutOrdersErrors',
                  annotations: { runbook_url: 'https://runbooks.example.com/checkout/orders' },
                  page: { labels: { sloth_severity: 'page', routing_key: 'payments-oncall' } },
                  ticket: { labels: { sloth_severity: 'ticket' } },
                },
              },
            },
          },
        },
        {
          document: 1,
          config: {
            service: { name: 'search' },
            slos: {
              'query-success': {
                objective: 99.5,
                period: '30d',
                sli: {
                  ratio: {
                    errors: 'sum(rate(search_queries_total{outcome=~"error|timeout"}[{{.window}}]))',
                    total: 'sum(rate(search_queries_total[{{.window}}]))',
                  },
                },
                alerting: {
                  name: 'SearchQueryErrors',
                  labels: { team: 'search' },
                  page: false,
                  ticket: {
                    labels: { sloth_severity: 'ticket', slack_channel: '#search-alerts' },
                    annotations: { summary: 'Search queries are failing more than usual' },
                  },
                },
              },
            },
          },
        },
      ],
    });
  });

  it('merges documents of one service and maps raw to errorRatio', () => {
    expect(importFixture('sloth-raw-ratio.yml')).toEqual({
      ok: true,
      configs: [
        {
          document: 0,
          config: {
            service: { name: 'k8s-apiserver' },
            slos: {
              'requests-availability': {
                objective: 99.9,
                period: '30d',
                description: 'Apiserver requests answered without a 5xx.',
                labels: { cluster: 'prod-eu-1' },
                sli: {
                  errorRatio: {
                    query:
                      'sum(rate(apiserver_request_total{job="apiserver",code=~"5.."}[{{.window}}]))\n/\n' +
                      'sum(rate(apiserver_request_total{job="apiserver"}[{{.window}}]))',
                  },
                },
                alerting: { name: 'K8sApiserverAvailabilityAlert', page: { labels: { sloth_severity: 'page' } }, ticket: false },
              },
              'etcd-errors': {
                objective: 99.5,
                period: '30d',
                sli: {
                  errorRatio: {
                    query:
                      'sum(rate(etcd_request_errors_total{job="apiserver"}[{{.window}}])) / sum(rate(etcd_requests_total{job="apiserver"}[{{.window}}]))',
                  },
                },
                alerting: { page: { labels: { sloth_severity: 'page' } }, ticket: { labels: { sloth_severity: 'ticket' } } },
              },
            },
          },
        },
      ],
    });
  });

  it('takes YAML numbers and booleans in labels as strings, as Sloth does', () => {
    const result = slothImporter.import([
      {
        index: 0,
        data: {
          version: 'prometheus/v1',
          service: 'svc',
          labels: { tier: 2, critical: true },
          slos: [{ name: 'x', objective: 99, sli: { raw: { error_ratio_query: 'sum(rate(e_total[{{.window}}])) / sum(rate(r_total[{{.window}}]))' } } }],
        },
      },
    ]);
    expect(result.ok && result.configs[0]?.config.slos['x']?.labels).toEqual({ tier: '2', critical: 'true' });
  });

  it('detects prometheus/* documents (an unknown version is then reported as Sloth\'s)', () => {
    expect(slothImporter.detect({ version: 'prometheus/v1' })).toBe(true);
    expect(slothImporter.detect({ version: 'prometheus/v2' })).toBe(true);
    expect(slothImporter.detect({ version: 'v1' })).toBe(false);
    expect(slothImporter.detect({ apiVersion: 'sloth.slok.dev/v1' })).toBe(false);
    expect(slothImporter.detect('prometheus/v1')).toBe(false);
  });
});
