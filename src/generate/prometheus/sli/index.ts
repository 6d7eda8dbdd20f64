import type { Sli, Slo } from '../../../model/types.js';
import { genaiErrors } from './genai-errors.js';
import { httpAvailability } from './http.js';
import { genaiLatency, httpLatency } from './latency.js';
import type { LeSpelling, SliKindModule, SliQueries, TestSeries } from './types.js';
import { errorRatio, ratio, threshold } from './user-promql.js';

export type { LeSpelling, SliQueries, TestSeries } from './types.js';

/** One module per SLI kind; everything kind-specific is dispatched here, once. */
const KINDS: { [K in Sli['kind']]: SliKindModule<Extract<Sli, { kind: K }>> } = {
  http: httpAvailability,
  httpLatency,
  genaiLatency,
  genaiErrors,
  ratio,
  errorRatio,
  threshold,
};

function kindOf<K extends Sli['kind']>(sli: Extract<Sli, { kind: K }>): SliKindModule<Extract<Sli, { kind: K }>> {
  return KINDS[sli.kind as K];
}

export function sliQueries(slo: Slo, window: string): SliQueries {
  return kindOf(slo.sli).queries(slo.sli, slo, window);
}

export function sliTestSeries(slo: Slo, le: LeSpelling): readonly TestSeries[] | undefined {
  return kindOf(slo.sli).testSeries(slo.sli, slo, le);
}

/** Whether the SLI's queries follow the window they are given (user PromQL may hard-code its range). */
export function sliTakesWindow(slo: Slo): boolean {
  const [a, b] = [sliQueries(slo, '5m'), sliQueries(slo, '6h')];
  return a.errors !== b.errors || a.total !== b.total;
}
