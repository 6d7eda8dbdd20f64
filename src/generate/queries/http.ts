/** The service's HTTP RED numbers from the SDK's http_server_request_duration_seconds histogram. */
import { httpServerActiveRequests, httpServerRequestDuration } from '../../catalog/sdk-metrics.js';
import { eq, re } from '../../promql/build.js';
import { quantileOf, rateOf, ratioOf, type Selector, sumBy } from './common.js';
import { selector } from '../../promql/build.js';

const HTTP = httpServerRequestDuration.name;
const COUNT = `${HTTP}_count`;
const SERVER_ERROR = re('http_response_status_code', '5..');
const RATE_LIMITED = eq('http_response_status_code', '429');

/** Requests per second. */
export function httpRequestRate(sel: Selector, range: string, by: readonly string[] = []): string {
  return rateOf(COUNT, sel, range, by);
}

/** Share of requests answered 5xx (the alerts' HttpErrorRatio judges this). */
export function httpErrorRatio(sel: Selector, range: string, by: readonly string[] = []): string {
  return ratioOf(COUNT, [...sel, SERVER_ERROR], COUNT, sel, range, by);
}

/** Share of requests answered 429. */
export function httpRateLimitedRatio(sel: Selector, range: string, by: readonly string[] = []): string {
  return ratioOf(COUNT, [...sel, RATE_LIMITED], COUNT, sel, range, by);
}

/** The q-quantile of request duration, per route by default (p95/p99 latency alerts judge this). */
export function httpLatencyQuantile(q: number, sel: Selector, range: string, by: readonly string[] = ['http_route']): string {
  return quantileOf(q, HTTP, sel, range, by);
}

/** Requests per second by status code: the status-code mix. */
export function httpStatusMix(sel: Selector, range: string): string {
  return rateOf(COUNT, sel, range, ['http_response_status_code']);
}

/** Requests being served right now (a gauge: no range). */
export function httpActiveRequests(sel: Selector, by: readonly string[] = []): string {
  return `${sumBy(by)} (${selector(httpServerActiveRequests.name, sel)})`;
}
