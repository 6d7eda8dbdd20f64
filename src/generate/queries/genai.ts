/** GenAI numbers from the SDK's semconv histograms and obs's cost, cache, fallback and budget metrics. */
import {
  genaiBudget,
  genaiCacheRequests,
  genaiCost,
  genaiFallbacks,
  genaiOperationDuration,
  genaiTimeToFirstChunk,
  genaiTokenUsage,
} from '../../catalog/sdk-metrics.js';
import { eq, type Matcher, selector } from '../../promql/build.js';
import { increaseOf, quantileOf, rateOf, ratioOf, type Selector } from './common.js';

const DURATION = genaiOperationDuration.name;
const CALLS = `${DURATION}_count`;
const MODEL = ['gen_ai_provider_name', 'gen_ai_request_model'] as const;

/** Model calls per second. */
export function genaiCallRate(sel: Selector, range: string, by: readonly string[] = MODEL): string {
  return rateOf(CALLS, sel, range, by);
}

/** The q-quantile of model-call duration by provider and model (GenAiHighLatency). */
export function genaiLatencyQuantile(q: number, sel: Selector, range: string, by: readonly string[] = MODEL): string {
  return quantileOf(q, DURATION, sel, range, by);
}

/** The q-quantile of time to the first streamed chunk. */
export function genaiTimeToFirstTokenQuantile(q: number, sel: Selector, range: string, by: readonly string[] = MODEL): string {
  return quantileOf(q, genaiTimeToFirstChunk.name, sel, range, by);
}

/** Tokens per second by token type (input/output); GenAiTokenUsageSpike compares 1h of it with the same hour a week before. */
export function genaiTokenRate(sel: Selector, range: string, by: readonly string[] = ['gen_ai_token_type']): string {
  return rateOf(`${genaiTokenUsage.name}_sum`, sel, range, by);
}

/**
 * USD spent over `range` (GenAiDailyBudgetBurn: 1d, GenAiMonthlyBudgetBurn: 30d, divided by the budget;
 * GenAiBudgetProjectedOverspend extrapolates the last hour's spend to the month's end).
 */
export function genaiCostOver(sel: Selector, range: string, by: readonly string[] = []): string {
  return increaseOf(genaiCost.name, sel, range, by);
}

/** The budget the SDK exposes for a period, in USD. */
export function genaiBudgetUsd(sel: Selector, period: 'daily' | 'monthly'): string {
  return `max(${selector(genaiBudget.name, [...sel, eq('period', period)])})`;
}

/** Share of response-cache lookups that hit, by module (GenAiCacheHitRatioLow: 30m). */
export function genaiCacheHitRatio(sel: Selector, range: string, by: readonly string[] = ['obs_module']): string {
  return ratioOf(genaiCacheRequests.name, [...sel, eq('result', 'hit')], genaiCacheRequests.name, sel, range, by);
}

/** Provider failures: an error type other than rate_limit (rate limits are judged on their own). */
export const GENAI_PROVIDER_ERRORS: Matcher = { label: 'error_type', op: '!~', value: '|rate_limit' };

/** Share of model calls that failed at the provider, by provider (GenAiProviderErrors). */
export function genaiErrorRatio(sel: Selector, range: string, by: readonly string[] = ['gen_ai_provider_name']): string {
  return ratioOf(CALLS, [...sel, GENAI_PROVIDER_ERRORS], CALLS, sel, range, by);
}

/** Rate-limited calls per second, by provider (GenAiProviderRateLimited). */
export function genaiRateLimitedRate(sel: Selector, range: string, by: readonly string[] = ['gen_ai_provider_name']): string {
  return rateOf(CALLS, [...sel, eq('error_type', 'rate_limit')], range, by);
}

/** Calls per second that failed at the provider, by provider and error type (timeout, provider_error, other; rate limits: genaiRateLimitedRate). */
export function genaiErrorRate(sel: Selector, range: string, by: readonly string[] = ['gen_ai_provider_name', 'error_type']): string {
  return rateOf(CALLS, [...sel, GENAI_PROVIDER_ERRORS], range, by);
}

/** Fallbacks from one provider to another per second (GenAiFallbackInUse: any over 10m). */
export function genaiFallbackRate(sel: Selector, range: string, by: readonly string[] = ['from_provider', 'to_provider']): string {
  return rateOf(genaiFallbacks.name, sel, range, by);
}
