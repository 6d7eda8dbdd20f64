import { formatNumber } from '../../../model/duration.js';
import type { Sli, Slo } from '../../../model/types.js';
import { eq, type Matcher, leMatcher, selector, sumRate } from '../../../promql/build.js';
import { GENAI_BUCKET, GENAI_COUNT, genaiMatchers, genaiTestLabels } from './genai-errors.js';
import { HTTP_BUCKET, HTTP_COUNT, httpMatchers, httpTestLabels } from './http.js';
import type { LeSpelling, SliKindModule, TestSeries } from './types.js';

/**
 * Latency from a classic histogram: good = rate of the bucket at the threshold, bad = total − good.
 * The model guarantees the threshold is one of the histogram's boundaries.
 */
function latencyQueries(count: string, bucket: string, matchers: Matcher[], threshold: number, window: string) {
  const total = sumRate(selector(count, matchers), window);
  const good = sumRate(selector(bucket, [...matchers, leMatcher(threshold)]), window);
  return { errors: `${total} - ${good}`, total };
}

/** How the SDK (prom-client: "1") or Prometheus 3 after normalisation ("1.0") spells a boundary. */
function leText(threshold: number, spelling: LeSpelling): string {
  const text = formatNumber(threshold);
  return spelling === 'prometheus3' && Number.isInteger(threshold) ? `${text}.0` : text;
}

function latencyTestSeries(count: string, bucket: string, labels: Matcher[], threshold: number, le: LeSpelling): TestSeries[] {
  return [
    { series: selector(bucket, [...labels, eq('le', leText(threshold, le))]), role: 'good' },
    // A decoy: the +Inf bucket counts everything; a matcher that caught it would hide slow requests.
    { series: selector(bucket, [...labels, eq('le', '+Inf')]), role: 'total' },
    { series: selector(count, labels), role: 'total' },
  ];
}

export const httpLatency: SliKindModule<Extract<Sli, { kind: 'httpLatency' }>> = {
  queries: (sli, slo, window) => latencyQueries(HTTP_COUNT, HTTP_BUCKET, httpMatchers(sli, slo), sli.threshold, window),
  testSeries: (sli, slo, le) => latencyTestSeries(HTTP_COUNT, HTTP_BUCKET, httpTestLabels(sli, slo), sli.threshold, le),
};

export const genaiLatency: SliKindModule<Extract<Sli, { kind: 'genaiLatency' }>> = {
  queries: (sli, slo, window) => latencyQueries(GENAI_COUNT, GENAI_BUCKET, genaiMatchers(sli, slo), sli.threshold, window),
  testSeries: (sli, slo, le) => latencyTestSeries(GENAI_COUNT, GENAI_BUCKET, genaiTestLabels(sli, slo), sli.threshold, le),
};
