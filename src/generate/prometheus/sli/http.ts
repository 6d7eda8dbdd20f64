import { httpServerRequestDuration } from '../../../catalog/index.js';
import type { Sli, Slo } from '../../../model/types.js';
import { eq, labelMatchers, type Matcher, oneOf, re, selector, sumRate } from '../../../promql/build.js';
import type { SliKindModule } from './types.js';

type HttpSli = Extract<Sli, { kind: 'http' | 'httpLatency' }>;

export const HTTP_COUNT = `${httpServerRequestDuration.name}_count`;
export const HTTP_BUCKET = `${httpServerRequestDuration.name}_bucket`;

/** The service's own series, narrowed to the SLO's routes and methods. */
export function httpMatchers(sli: HttpSli, slo: Slo): Matcher[] {
  return [
    ...labelMatchers(slo.service.selector),
    ...(sli.routes ? [oneOf('http_route', sli.routes)] : []),
    ...(sli.methods ? [oneOf('http_request_method', sli.methods)] : []),
  ];
}

/** Labels of a synthetic request of this SLO, for promtool tests. */
export function httpTestLabels(sli: HttpSli, slo: Slo): Matcher[] {
  return [
    ...labelMatchers(slo.service.selector),
    eq('http_request_method', sli.methods?.[0] ?? 'GET'),
    eq('http_route', sli.routes?.[0] ?? '/'),
  ];
}

/** 5xx → 5.., 50x → 50., 503 → 503. */
function statusRegex(pattern: string): string {
  return pattern.replace(/x/g, '.');
}

/** A concrete status of a pattern: 5xx → 500. */
function exampleStatus(pattern: string): string {
  return pattern.replace(/x/g, '0');
}

type Availability = Extract<Sli, { kind: 'http' }>;

/** Availability: bad events are responses whose status matches errorStatus (5xx by default). */
export const httpAvailability: SliKindModule<Availability> = {
  queries(sli, slo, window) {
    const base = httpMatchers(sli, slo);
    const errors = re('http_response_status_code', sli.errorStatus.map(statusRegex).join('|'));
    return {
      errors: sumRate(selector(HTTP_COUNT, [...base, errors]), window),
      total: sumRate(selector(HTTP_COUNT, base), window),
    };
  },
  testSeries(sli, slo) {
    const labels = httpTestLabels(sli, slo);
    return [
      { series: selector(HTTP_COUNT, [...labels, eq('http_response_status_code', '200')]), role: 'good' },
      { series: selector(HTTP_COUNT, [...labels, eq('http_response_status_code', exampleStatus(sli.errorStatus[0]!))]), role: 'bad' },
    ];
  },
};
