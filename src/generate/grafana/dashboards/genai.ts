/** GenAI / LLM: calls, latency, tokens, cost against the budgets, cache, errors and fallbacks. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Service, Slo } from '../../../model/types.js';
import { labelMatchers, oneOf } from '../../../promql/build.js';
import {
  genaiBudgetUsd,
  genaiCacheHitRatio,
  genaiCallRate,
  genaiCostOver,
  genaiErrorRate,
  genaiErrorRatio,
  genaiFallbackRate,
  genaiLatencyQuantile,
  genaiRateLimitedRate,
  genaiTimeToFirstTokenQuantile,
  genaiTokenRate,
  httpLatencyQuantile,
} from '../../queries/index.js';
import {
  badAbove,
  badBelow,
  buildDashboard,
  jobInstanceVariables,
  limits,
  type PanelSpec,
  prometheusDatasourceVariable,
  RATE_INTERVAL,
  serviceScope,
  statPanel,
  type Thresholds,
  timeseriesPanel,
} from '../kit.js';
import { percent, seconds, usd } from '../words.js';

const MODEL_LEGEND = '{{gen_ai_provider_name}} {{gen_ai_request_model}}';

export function genaiDashboard(service: Service, slos: readonly Slo[]): Dashboard {
  const ops = service.ops!;
  const t = ops.thresholds;
  // A 95% model-latency SLO promises the p95 under its threshold: drawn beside the alert's.
  const promised = slos.flatMap((slo) => (slo.sli.kind === 'genaiLatency' && slo.objective === 95 ? [{ slo: slo.name, threshold: slo.sli.threshold }] : []));
  const budgets = ops.genai?.budgets ?? {};
  const sel = serviceScope(service);
  const budgetLines = (limit: number | undefined): Thresholds | undefined =>
    limit === undefined ? undefined : badAbove(limit * t.budget.warning, limit * t.budget.critical);
  const budgetWords = (limit: number | undefined, period: string) =>
    limit === undefined
      ? `No ${period} budget is configured.`
      : `Dashed lines: ${percent(t.budget.warning)} and ${percent(t.budget.critical)} of the ${usd(limit)} ${period} budget, where the budget alerts fire. Good: under the first line.`;
  const cost = (title: string, range: string, limit: number | undefined, period: string): PanelSpec => ({
    title,
    description: `USD spent on model calls over the last ${range}, priced by the SDK's price table. ${budgetWords(limit, period)}`,
    unit: 'currencyUSD',
    min: 0,
    width: 8,
    ...(budgetLines(limit) && { thresholds: budgetLines(limit)! }),
    queries: [{ expr: genaiCostOver(sel, range), legend: `spent over ${range}` }],
  });
  const ragRoutes = ops.genai?.ragRoutes ?? [];
  return buildDashboard({
    service,
    kind: 'genai',
    title: `${service.name} / GenAI`,
    description: `Model calls of ${service.name}: latency, tokens, cost against the budgets, cache, errors and fallbacks (obs SDK, semconv gen_ai names).`,
    variables: [prometheusDatasourceVariable(), ...jobInstanceVariables(labelMatchers(service.selector))],
    rows: [
      {
        title: 'Cost and budget',
        panels: [
          statPanel(cost('Spent today (last 24h)', '1d', budgets.daily, 'daily')),
          statPanel(cost('Spent this month (last 30d)', '30d', budgets.monthly, 'monthly')),
          statPanel({
            title: 'Budgets',
            description: 'The daily and monthly budgets the SDK exposes (obs_gen_ai_budget_usd). Good: both present, matching the config.',
            unit: 'currencyUSD',
            width: 8,
            noValue: 'no budget exposed',
            queries: [
              { expr: genaiBudgetUsd(sel, 'daily'), legend: 'daily' },
              { expr: genaiBudgetUsd(sel, 'monthly'), legend: 'monthly' },
            ],
          }),
          timeseriesPanel({
            ...cost('Cost per hour', '1h', undefined, 'hourly'),
            description:
              'USD spent on model calls over each past hour.' +
              (budgets.daily === undefined ? ' Good: steady.' : ` Good: under ${usd(budgets.daily / 24)}, the daily budget's hourly pace.`),
          }),
          timeseriesPanel(cost('Cost per day', '1d', budgets.daily, 'daily')),
          timeseriesPanel(cost('Cost per month', '30d', budgets.monthly, 'monthly')),
          timeseriesPanel({
            title: 'Cost by module',
            description: 'USD per hour by module (the `module` given to obs.genai.track). Good: each module near its usual spend; one module climbing alone is a loop or a prompt change.',
            unit: 'currencyUSD',
            min: 0,
            width: 24,
            queries: [{ expr: genaiCostOver(sel, '1h', ['obs_module']), legend: '{{obs_module}}' }],
          }),
        ],
      },
      {
        title: 'Calls and latency',
        panels: [
          timeseriesPanel({
            title: 'Calls by provider and model',
            description: 'Model calls per second. Good: follows the request rate; a jump without more requests is a retry loop.',
            unit: 'reqps',
            min: 0,
            width: 8,
            queries: [{ expr: genaiCallRate(sel, RATE_INTERVAL), legend: MODEL_LEGEND }],
          }),
          timeseriesPanel({
            title: 'p95 latency by provider and model',
            description:
              `95th percentile of model-call duration; exemplars open the call's trace. Good: under ${seconds(t.genai.latencyP95)} (the alert's threshold)` +
              promised.map((p) => ` and ${seconds(p.threshold)} (the ${p.slo} SLO)`).join('') +
              ', the dashed lines.',
            unit: 's',
            min: 0,
            width: 8,
            exemplars: true,
            thresholds: limits([t.genai.latencyP95, ...promised.map((p) => p.threshold)]),
            queries: [{ expr: genaiLatencyQuantile(0.95, sel, RATE_INTERVAL), legend: MODEL_LEGEND }],
          }),
          timeseriesPanel({
            title: 'Time to first token p95',
            description: 'How long users wait for the first streamed chunk (95th percentile). Good: a second or two; streaming hides the rest.',
            unit: 's',
            min: 0,
            width: 8,
            exemplars: true,
            queries: [{ expr: genaiTimeToFirstTokenQuantile(0.95, sel, RATE_INTERVAL), legend: MODEL_LEGEND }],
          }),
          timeseriesPanel({
            title: 'Tokens per second',
            description: 'Input and output tokens per second. Good: steady; a spike is a prompt change or abuse (the token-spike alert compares with last week).',
            unit: 'short',
            min: 0,
            queries: [{ expr: genaiTokenRate(sel, RATE_INTERVAL), legend: '{{gen_ai_token_type}}' }],
          }),
          ...(ragRoutes.length > 0
            ? [
                timeseriesPanel({
                  title: 'RAG answer p95',
                  description: `End-to-end 95th percentile of the RAG routes (${ragRoutes.join(', ')}). Good: under ${seconds(t.genai.ragLatencyP95)}.`,
                  unit: 's',
                  min: 0,
                  exemplars: true,
                  thresholds: badAbove(t.genai.ragLatencyP95),
                  queries: [{ expr: httpLatencyQuantile(0.95, [...sel, oneOf('http_route', ragRoutes)], RATE_INTERVAL), legend: '{{http_route}}' }],
                }),
              ]
            : []),
        ],
      },
      {
        title: 'Cache, errors and fallbacks',
        panels: [
          timeseriesPanel({
            title: 'Response cache hit ratio',
            description: `Share of response-cache lookups that hit, per module. Good: above ${percent(t.genai.cacheHitRatio)} (dashed line, the alert's target); every miss is a paid call.`,
            unit: 'percentunit',
            min: 0,
            max: 1,
            width: 6,
            thresholds: badBelow(t.genai.cacheHitRatio),
            queries: [{ expr: genaiCacheHitRatio(sel, RATE_INTERVAL), legend: '{{obs_module}}' }],
          }),
          timeseriesPanel({
            title: 'Error ratio by provider',
            description: `Share of model calls that failed at the provider (timeouts, provider errors; rate limits are in the next panel). Good: under ${percent(t.genai.errorRatio)} (dashed line, the alert's threshold).`,
            unit: 'percentunit',
            min: 0,
            width: 6,
            thresholds: badAbove(t.genai.errorRatio),
            queries: [{ expr: genaiErrorRatio(sel, RATE_INTERVAL), legend: '{{gen_ai_provider_name}}' }],
          }),
          timeseriesPanel({
            title: 'Errors and rate limits by provider',
            description: 'Failed calls per second by provider and error type (rate_limit, timeout, provider_error, other). Good: near zero; rate_limit means the quota is too small.',
            unit: 'reqps',
            min: 0,
            width: 6,
            queries: [
              { expr: genaiErrorRate(sel, RATE_INTERVAL), legend: '{{gen_ai_provider_name}} {{error_type}}' },
              { expr: genaiRateLimitedRate(sel, RATE_INTERVAL), legend: '{{gen_ai_provider_name}} rate_limit' },
            ],
          }),
          timeseriesPanel({
            title: 'Fallbacks',
            description: 'Calls per second that fell back from one provider to another. Good: zero; sustained fallbacks mean the primary provider is failing.',
            unit: 'reqps',
            min: 0,
            width: 6,
            queries: [{ expr: genaiFallbackRate(sel, RATE_INTERVAL), legend: '{{from_provider}} → {{to_provider}}' }],
          }),
        ],
      },
    ],
  });
}
