import { genaiOperationDuration } from '../../../catalog/index.js';
import type { Sli, Slo } from '../../../model/types.js';
import { eq, labelMatchers, type Matcher, neq, oneOf, selector, sumRate } from '../../../promql/build.js';
import type { SliKindModule } from './types.js';

type GenaiSli = Extract<Sli, { kind: 'genaiLatency' | 'genaiErrors' }>;

export const GENAI_COUNT = `${genaiOperationDuration.name}_count`;
export const GENAI_BUCKET = `${genaiOperationDuration.name}_bucket`;

export function genaiMatchers(sli: GenaiSli, slo: Slo): Matcher[] {
  return [
    ...labelMatchers(slo.service.selector),
    ...(sli.operations ? [oneOf('gen_ai_operation_name', sli.operations)] : []),
    ...(sli.providers ? [oneOf('gen_ai_provider_name', sli.providers)] : []),
    ...(sli.models ? [oneOf('gen_ai_request_model', sli.models)] : []),
  ];
}

export function genaiTestLabels(sli: GenaiSli, slo: Slo): Matcher[] {
  return [
    ...labelMatchers(slo.service.selector),
    eq('gen_ai_operation_name', sli.operations?.[0] ?? 'chat'),
    eq('gen_ai_provider_name', sli.providers?.[0] ?? 'openai'),
    eq('gen_ai_request_model', sli.models?.[0] ?? 'gpt-4o'),
  ];
}

/** GenAI errors: bad = operations recorded with an error_type (all of them, or the listed types). */
export const genaiErrors: SliKindModule<Extract<Sli, { kind: 'genaiErrors' }>> = {
  queries(sli, slo, window) {
    const base = genaiMatchers(sli, slo);
    const failed = sli.errorTypes ? oneOf('error_type', sli.errorTypes) : neq('error_type', '');
    return {
      errors: sumRate(selector(GENAI_COUNT, [...base, failed]), window),
      total: sumRate(selector(GENAI_COUNT, base), window),
    };
  },
  testSeries(sli, slo) {
    const labels = genaiTestLabels(sli, slo);
    return [
      { series: selector(GENAI_COUNT, labels), role: 'good' },
      { series: selector(GENAI_COUNT, [...labels, eq('error_type', sli.errorTypes?.[0] ?? 'timeout')]), role: 'bad' },
    ];
  },
};
