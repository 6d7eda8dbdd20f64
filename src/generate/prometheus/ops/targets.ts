/**
 * Shared pieces of the dependency, infrastructure and monitoring-stack alerts: selectors on an
 * exporter's series (the target's own selector, not the service's), the promtool input series that
 * prove them, and the "exporter is down" alert every scraped target gets.
 */
import type { ExporterTarget } from '../../../model/ops-types.js';
import type { Labels } from '../../../model/types.js';
import { labelMatchers, type Matcher, selector } from '../../../promql/build.js';
import { fires, gauge, healthy } from './build.js';
import type { AlertDomain, OpsAlert, SeriesInput } from './types.js';

/** `metric{<target selector>, extra}`. */
export function on(target: Labels, metric: string, extra: readonly Matcher[] = []): string {
  return selector(metric, [...labelMatchers(target), ...extra]);
}

/** A promtool input series carrying the target's selector labels and an `instance`. */
export function series(target: Labels, metric: string, labels: Labels, values: string): SeriesInput {
  return { series: selector(metric, labelMatchers({ instance: 'host-1:9100', ...target, ...labels })), values };
}

/** A gauge held at one value for `minutes`. */
export const flat = (value: number, minutes = 60): string => gauge({ minutes, value });

/** The series an alert would query, labelled as on-call reads them in a description. */
export const at = (label: string) => `{{ $labels.${label} }}`;

/**
 * `<Exporter>Down`: Prometheus cannot scrape the exporter, so every alert on its metrics is blind.
 * Same shape for every exporter; the words name the exporter and what goes unwatched.
 */
export function exporterDown(
  name: string,
  exporter: string,
  watches: string,
  domain: AlertDomain,
  component: string,
  target: ExporterTarget,
  escalation: string,
): OpsAlert {
  const up = on(target.selector, 'up');
  return {
    name,
    domain,
    component,
    severity: 'warning',
    expr: `${up} == 0`,
    for: '5m',
    summary: `Prometheus cannot scrape ${exporter}.`,
    description: `${exporter} at ${at('instance')} (job ${at('job')}) has not answered scrapes for 5 minutes; ${watches} is not watched.`,
    dashboard: domain === 'infrastructure' ? 'infrastructure' : 'dependencies',
    runbook: {
      meaning: `The scrape of ${exporter} fails (up == 0): the exporter process is down, unreachable, or answers with an error.`,
      impact: `No direct user impact, but every alert on ${watches} is blind until the exporter is back.`,
      confirm: [
        { query: up, look: '0 for the failing instance; the Targets page of Prometheus shows the scrape error.' },
        { query: `scrape_duration_seconds{job="${target.job}"}`, look: 'Missing or close to the scrape timeout when the exporter is slow rather than down.' },
      ],
      causes: [`The ${exporter} process or its container stopped or crash-loops.`, 'A firewall, network policy or changed port between Prometheus and the exporter.', 'The exporter host itself is down.'],
      mitigation: [`Restart ${exporter} and read its log for the error.`, 'Check that the scrape address in the Prometheus config matches where the exporter listens.'],
      escalation,
    },
    cases: [
      fires('exporter not answering scrapes', [series(target.selector, 'up', {}, flat(0, 20))], '15m'),
      healthy('exporter scraped', [series(target.selector, 'up', {}, flat(1, 20))], '15m'),
    ],
  };
}
