/**
 * GenAI alerts: model-call and RAG latency, provider errors and rate limiting, fallbacks, spend against
 * the daily and monthly budgets (and the month's projection), token spikes and the response cache.
 * Budgets are the config's numbers written into the rules, so they hold whatever the SDK was given.
 */
import { genaiCacheRequests, genaiCost, genaiFallbacks, genaiOperationDuration, genaiTokenUsage, httpServerRequestDuration } from '../../../catalog/sdk-metrics.js';
import { formatNumber } from '../../../model/duration.js';
import type { Service, Thresholds } from '../../../model/types.js';
import { eq, labelMatchers, oneOf } from '../../../promql/build.js';
import { earlier } from '../../queries/common.js';
import {
  genaiCacheHitRatio,
  genaiCostOver,
  genaiErrorRatio,
  genaiFallbackRate,
  genaiLatencyQuantile,
  genaiRateLimitedRate,
  genaiTokenRate,
} from '../../queries/genai.js';
import { httpLatencyQuantile } from '../../queries/http.js';
import { belowThreshold, countOver, counter, fires, healthy, histogramAt, input, own, percent, seconds } from './build.js';
import type { OpsAlert } from './types.js';

const OP = genaiOperationDuration.name;
const OP_COUNT = `${OP}_count`;
const BY_MODEL = ['gen_ai_provider_name', 'gen_ai_request_model'] as const;
const CALL = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o', gen_ai_operation_name: 'chat' };
const DAY = 86_400;

export function genaiAlerts(service: Service): OpsAlert[] {
  const ops = service.ops!;
  if (!ops.genai) return [];
  const t = ops.thresholds;
  const alerts: OpsAlert[] = [latency(service, t), providerErrors(service, t), rateLimited(service), fallback(service), tokenSpike(service, t), cacheHitRatio(service, t)];
  if (ops.genai.ragRoutes.length > 0) alerts.push(ragLatency(service, t, ops.genai.ragRoutes));
  const { daily, monthly } = ops.genai.budgets;
  for (const severity of ['warning', 'critical'] as const) {
    if (daily !== undefined) alerts.push(budget(service, 'daily', daily, severity, t.budget));
    if (monthly !== undefined) alerts.push(budget(service, 'monthly', monthly, severity, t.budget));
  }
  if (monthly !== undefined) alerts.push(projectedOverspend(service, monthly));
  return alerts;
}

const callsRunbookQueries = (service: Service) => [
  { query: `sum by (gen_ai_provider_name, gen_ai_request_model, error_type) (rate(${own(service, OP_COUNT)}[5m]))`, look: 'Calls per second by provider, model and error type.' },
];

function latency(service: Service, t: Thresholds): OpsAlert {
  const threshold = t.genai.latencyP95;
  const bucket = own(service, `${OP}_bucket`);
  const cases = (shape: 'slow' | 'justUnder' | 'fast') => histogramAt(service, OP, CALL, threshold, shape, 20, 60);
  return {
    name: 'GenAiHighLatency',
    domain: 'genai',
    component: 'model',
    severity: 'warning',
    expr: `${genaiLatencyQuantile(0.95, labelMatchers(service.selector), '5m', BY_MODEL)} > ${formatNumber(threshold)}`,
    for: '10m',
    threshold,
    summary: 'Model calls of the service are slow.',
    description: `The p95 duration of ${service.name}'s calls to {{ $labels.gen_ai_provider_name }} {{ $labels.gen_ai_request_model }} is {{ $value | humanizeDuration }} (threshold ${seconds(threshold)}).`,
    dashboard: 'genai',
    runbook: {
      meaning: `For 10 minutes, the p95 of the GenAI operation duration for one provider and model has been above ${seconds(threshold)}.`,
      impact: 'AI answers take long; clients may time out and retry, which costs tokens twice.',
      confirm: [
        { query: `histogram_quantile(0.95, sum by (le, gen_ai_provider_name, gen_ai_request_model) (rate(${bucket}[5m])))`, look: 'Which provider and model are slow.' },
        { query: `histogram_quantile(0.95, sum by (le, gen_ai_provider_name) (rate(${own(service, `${genaiTokenUsage.name}_bucket`, [eq('gen_ai_token_type', 'output')])}[5m])))`, look: 'Longer outputs take longer: did answers grow?' },
      ],
      causes: ['The provider is degraded (check its status page).', 'Prompts or outputs grew (more context, higher max_tokens).', 'Provider-side queueing near your rate limit.'],
      mitigation: ['Switch to the fallback provider or a faster model.', 'Stream responses so users see the first tokens early.', 'Cap max_tokens and trim retrieved context.'],
      escalation: 'Ticket for the owning team; contact the provider if its status page is silent.',
    },
    cases: [
      fires(`calls take between ${seconds(threshold)} and ${seconds(2 * threshold)}`, cases('slow'), '18m'),
      belowThreshold(`p95 just under ${seconds(threshold)}`, cases('justUnder'), '18m'),
      healthy(`calls take under ${seconds(threshold / 2)}`, cases('fast'), '18m'),
    ],
  };
}

function ragLatency(service: Service, t: Thresholds, routes: readonly string[]): OpsAlert {
  const threshold = t.genai.ragLatencyP95;
  const HTTP = httpServerRequestDuration.name;
  const p95 = httpLatencyQuantile(0.95, [...labelMatchers(service.selector), oneOf('http_route', routes)], '5m');
  const cases = (shape: 'slow' | 'justUnder' | 'fast') => histogramAt(service, HTTP, { http_route: routes[0]! }, threshold, shape, 20, 60);
  return {
    name: 'RagPipelineHighLatency',
    domain: 'genai',
    component: 'rag',
    severity: 'warning',
    expr: `${p95} > ${formatNumber(threshold)}`,
    for: '10m',
    threshold,
    summary: 'The RAG pipeline of the service is slow.',
    description: `The p95 latency of ${service.name}'s RAG route {{ $labels.http_route }} is {{ $value | humanizeDuration }} (threshold ${seconds(threshold)}).`,
    dashboard: 'genai',
    runbook: {
      meaning: `For 10 minutes, the p95 of the requests to a RAG route (${routes.join(', ')}) has been above ${seconds(threshold)}: retrieval plus generation is too slow.`,
      impact: 'Users wait long for answers from the assistant; some give up or retry.',
      confirm: [
        { query: p95, look: 'Which RAG routes are slow.' },
        { query: `histogram_quantile(0.95, sum by (le, dependency_system, dependency_name) (rate(${own(service, 'obs_dependency_request_duration_seconds_bucket')}[5m])))`, look: 'Slow retrieval: the vector store or database.' },
        { query: `histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(${own(service, `${OP}_bucket`)}[5m])))`, look: 'Slow generation: the model calls.' },
      ],
      causes: ['Slow retrieval (vector store, database, embeddings call).', 'Slow model calls.', 'Too many retrieved chunks or reranking steps.'],
      mitigation: ['Find the slow stage in a trace of a slow request (exemplars on the latency panel).', 'Reduce top-k or context size.', 'Cache embeddings and frequent answers.'],
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires(`requests take between ${seconds(threshold)} and ${seconds(2 * threshold)}`, cases('slow'), '18m'),
      belowThreshold(`p95 just under ${seconds(threshold)}`, cases('justUnder'), '18m'),
      healthy(`requests take under ${seconds(threshold / 2)}`, cases('fast'), '18m'),
    ],
  };
}

/** Calls of one model, `errors` of them failing with `errorType`, for `minutes`. */
function calls(service: Service, errors: number, errorType: string, minutes: number) {
  return [
    input(service, OP_COUNT, CALL, counter({ minutes, perMinute: 60 * (1 - errors) })),
    input(service, OP_COUNT, { ...CALL, error_type: errorType }, counter({ minutes, perMinute: 60 * errors })),
  ];
}

function providerErrors(service: Service, t: Thresholds): OpsAlert {
  const threshold = t.genai.errorRatio;
  return {
    name: 'GenAiProviderErrors',
    domain: 'genai',
    component: 'provider',
    severity: 'warning',
    expr: `${genaiErrorRatio(labelMatchers(service.selector), '5m')} > ${formatNumber(threshold)}`,
    for: '10m',
    threshold,
    summary: 'Many model calls of the service fail.',
    description: `{{ $value | humanizePercentage }} of ${service.name}'s calls to {{ $labels.gen_ai_provider_name }} failed over the last 5 minutes (threshold ${percent(threshold)}; rate limiting not counted).`,
    dashboard: 'genai',
    sentry: true,
    runbook: {
      meaning: `More than ${percent(threshold)} of the calls to one provider ended in an error other than rate limiting (provider_error, timeout, other) for 10 minutes.`,
      impact: 'AI features fail or fall back to a degraded answer.',
      confirm: callsRunbookQueries(service),
      causes: ['A provider outage or degraded region.', 'An expired or revoked API key (errors with status 401/403).', 'Requests the provider rejects (context too long, invalid parameters) after a change.'],
      mitigation: ['Check the provider status page.', 'Look at the Sentry issues for the error messages.', 'Fail over to the fallback provider.'],
      escalation: 'Ticket for the owning team; page if the AI feature is down for users.',
    },
    cases: [
      fires(`${percent(threshold * 2)} of calls fail`, calls(service, Math.min(1, threshold * 2), 'provider_error', 20), '18m'),
      belowThreshold(`${percent(threshold * 0.9)} of calls fail`, calls(service, threshold * 0.9, 'provider_error', 20), '18m'),
      healthy('every failing call is only rate-limited', calls(service, Math.min(1, threshold * 2), 'rate_limit', 20), '18m'),
    ],
  };
}

function rateLimited(service: Service): OpsAlert {
  const limited = own(service, OP_COUNT, [eq('error_type', 'rate_limit')]);
  return {
    name: 'GenAiProviderRateLimited',
    domain: 'genai',
    component: 'provider',
    severity: 'warning',
    expr: `${genaiRateLimitedRate(labelMatchers(service.selector), '5m')} > 0`,
    for: '15m',
    summary: 'A model provider keeps rate-limiting the service.',
    description: `{{ $labels.gen_ai_provider_name }} has rate-limited ${service.name} for 15 minutes ({{ $value | humanize }} calls per second).`,
    dashboard: 'genai',
    runbook: {
      meaning: 'Calls to the provider have been rejected with rate-limit errors (HTTP 429) throughout the last 15 minutes.',
      impact: 'Some AI requests fail or wait for retries; answers are slower.',
      confirm: [{ query: `sum by (gen_ai_provider_name, gen_ai_request_model) (rate(${limited}[5m]))`, look: 'Which provider and model reject calls.' }, ...callsRunbookQueries(service)],
      causes: ['Traffic or tokens per minute above the account tier.', 'A retry loop multiplying calls.', 'Another service sharing the same API key.'],
      mitigation: ['Spread load to the fallback provider.', 'Add backoff with jitter to retries.', 'Ask the provider for a higher limit.'],
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires('5% of calls are rate-limited throughout', calls(service, 0.05, 'rate_limit', 30), '25m'),
      healthy('no call is rate-limited', calls(service, 0, 'rate_limit', 30), '25m'),
    ],
  };
}

function fallback(service: Service): OpsAlert {
  const over10m = countOver(genaiFallbackRate(labelMatchers(service.selector), '10m'), '10m');
  const labels = { from_provider: 'openai', to_provider: 'anthropic', obs_module: 'chat' };
  return {
    name: 'GenAiFallbackInUse',
    domain: 'genai',
    component: 'provider',
    severity: 'warning',
    expr: `${over10m} > 0`,
    for: '10m',
    summary: 'The service is falling back from its primary model provider.',
    description: `${service.name} fell back from {{ $labels.from_provider }} to {{ $labels.to_provider }} {{ $value | printf "%.0f" }} times over the last 10 minutes.`,
    dashboard: 'genai',
    runbook: {
      meaning: 'Calls keep falling back from one provider to another: the primary is failing or rate-limiting.',
      impact: 'Answers come from the fallback model: quality, latency and cost may differ.',
      confirm: [{ query: over10m, look: 'Which pair, and how often.' }, ...callsRunbookQueries(service)],
      causes: ['The primary provider is down, slow or rate-limiting.', 'The primary API key is invalid.'],
      mitigation: ['Fix or wait out the primary provider (see its errors).', 'Watch the fallback provider\'s cost and rate limits meanwhile.'],
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires('a fallback every minute', [input(service, genaiFallbacks.name, labels, counter({ minutes: 30, perMinute: 1 }))], '25m'),
      healthy('no fallback', [input(service, genaiFallbacks.name, labels, counter({ minutes: 30, perMinute: 0 }))], '25m'),
    ],
  };
}

/** Spend of `share` of a budget at 1% of it a minute, then none; checked after the `for`. */
function spend(service: Service, amount: number, share: number) {
  const minutes = Math.round(share * 100);
  return [input(service, genaiCost.name, CALL, counter({ minutes, perMinute: amount / 100 }, { minutes: 30, perMinute: 0 }))];
}

function budget(service: Service, period: 'daily' | 'monthly', amount: number, severity: 'warning' | 'critical', shares: Thresholds['budget']): OpsAlert {
  const share = shares[severity];
  const window = period === 'daily' ? '1d' : '30d';
  const cost = own(service, genaiCost.name);
  const name = period === 'daily' ? 'GenAiDailyBudgetBurn' : 'GenAiMonthlyBudgetBurn';
  const at = `${Math.round(share * 100) + 15}m`;
  const over = Math.min(0.99, share + 0.05);
  return {
    name,
    domain: 'genai',
    component: 'budget',
    severity,
    expr: `${genaiCostOver(labelMatchers(service.selector), window)} / ${formatNumber(amount)} > ${formatNumber(share)}`,
    for: '5m',
    threshold: share,
    summary: `The service has spent most of its ${period} GenAI budget.`,
    description: `${service.name} has spent {{ $value | humanizePercentage }} of its ${period} GenAI budget of ${formatNumber(amount)} USD over the last ${window === '1d' ? '24 hours' : '30 days'} (alert at ${percent(share)}).`,
    dashboard: 'genai',
    runbook: {
      meaning: `The estimated GenAI cost over the last ${window === '1d' ? '24 hours' : '30 days'} (a rolling window, not the calendar ${period === 'daily' ? 'day' : 'month'}) has passed ${percent(shares.warning)} (warning) or ${percent(shares.critical)} (critical) of the ${period} budget of ${formatNumber(amount)} USD.`,
      impact: 'None yet for users; the budget will run out if spending continues, and then the provider bill exceeds what was agreed.',
      confirm: [
        { query: `sum by (obs_module, gen_ai_request_model) (increase(${cost}[${window}]))`, look: 'Which module and model spend the most.' },
        { query: `sum by (gen_ai_request_model, gen_ai_token_type) (increase(${own(service, `${genaiTokenUsage.name}_sum`)}[1h]))`, look: 'Tokens per model over the last hour.' },
      ],
      causes: ['More traffic than planned.', 'A switch to a more expensive model.', 'Longer prompts (more retrieved context) or runaway retries.', 'Abuse of the AI endpoints.'],
      mitigation: ['Route part of the traffic to a cheaper model.', 'Enable or widen the response cache.', 'Rate-limit the heaviest clients.', 'Raise the budget in the config if the spend is intended.'],
      escalation: 'Warning: a ticket for the owning team. Critical: page the owning team and inform whoever owns the provider bill.',
    },
    cases: [
      fires(`${percent(over)} of the budget spent`, spend(service, amount, over), at),
      belowThreshold(`${percent(share - 0.05)} of the budget spent`, spend(service, amount, share - 0.05), at),
      healthy(`${percent(share / 3)} of the budget spent`, spend(service, amount, share / 3), at),
    ],
  };
}

function projectedOverspend(service: Service, monthly: number): OpsAlert {
  const cost = own(service, genaiCost.name);
  const sel = labelMatchers(service.selector);
  // Seconds from now to the end of the calendar month (UTC).
  const untilMonthEnd = `((days_in_month() - day_of_month() + 1) * ${DAY} - time() % ${DAY})`;
  // In a promtool test time starts at 1970-01-01: 31 days remain. Burn per minute that overspends in them.
  const limit = monthly / (31 * 1440);
  const burn = (factor: number) => [input(service, genaiCost.name, CALL, counter({ minutes: 100, perMinute: limit * factor }))];
  return {
    name: 'GenAiBudgetProjectedOverspend',
    domain: 'genai',
    component: 'budget',
    severity: 'warning',
    // The last hour's spend (the cost-per-hour panel) per second, until the month's end.
    expr: `${genaiCostOver(sel, '30d')} + ${genaiCostOver(sel, '1h')} / 3600 * ${untilMonthEnd} > ${formatNumber(monthly)}`,
    for: '30m',
    summary: 'At its current burn the service will overspend its monthly GenAI budget.',
    description: `At the last hour's spending rate, ${service.name} will have spent {{ $value | printf "%.2f" }} USD by the end of the month, over its monthly budget of ${formatNumber(monthly)} USD.`,
    dashboard: 'genai',
    runbook: {
      meaning: `The spend of the last 30 days plus the last hour's burn rate until the end of the calendar month exceeds the monthly budget of ${formatNumber(monthly)} USD. The 30-day spend stands in for the month so far, so early in a month the projection errs on the high side.`,
      impact: 'None yet; the monthly budget will be exceeded before the month ends unless spending slows.',
      confirm: [
        { query: `sum(rate(${cost}[1h])) * 3600`, look: 'USD per hour now.' },
        { query: `sum by (obs_module, gen_ai_request_model) (rate(${cost}[1h])) * 3600`, look: 'Which module and model burn it.' },
      ],
      causes: ['A traffic peak, a new feature or a more expensive model.', 'A runaway loop or abuse calling the model.'],
      mitigation: ['Find the module behind the burn and throttle or cache it.', 'Switch heavy paths to a cheaper model.', 'Raise the monthly budget if the spend is intended.'],
      escalation: 'Ticket for the owning team and the budget owner.',
    },
    cases: [
      fires('burning at twice the sustainable rate', burn(2), '90m'),
      healthy('burning at half the sustainable rate', burn(0.5), '90m'),
    ],
  };
}

function tokenSpike(service: Service, t: Thresholds): OpsAlert {
  const factor = t.genai.tokenSpikeFactor;
  const tokens = own(service, `${genaiTokenUsage.name}_sum`);
  // Tokens per second over the hour (the tokens panel's builder), now and a week ago: their ratio is that of the hours' tokens.
  const hour = genaiTokenRate(labelMatchers(service.selector), '1h', []);
  const lastWeek = earlier(hour, '1w');
  const WEEK = 7 * 1440;
  const week = (spike: number) => [
    input(service, `${genaiTokenUsage.name}_sum`, { ...CALL, gen_ai_token_type: 'input' }, counter({ minutes: WEEK, perMinute: 100 }, { minutes: 80, perMinute: 100 * spike })),
  ];
  return {
    name: 'GenAiTokenUsageSpike',
    domain: 'genai',
    component: 'tokens',
    severity: 'warning',
    expr: `${hour} / ${lastWeek} > ${formatNumber(factor)}\nand\n${lastWeek} > 0`,
    for: '15m',
    threshold: factor,
    summary: 'The service uses far more tokens than at the same hour last week.',
    description: `${service.name} used {{ $value | printf "%.1f" }}× the tokens of the same hour last week (alert above ${formatNumber(factor)}×).`,
    dashboard: 'genai',
    runbook: {
      meaning: `Tokens in the last hour are more than ${formatNumber(factor)}× those of the same hour a week ago, for 15 minutes. (No alert when last week had no tokens.)`,
      impact: 'Cost rises at the same multiple; rate limits come closer.',
      confirm: [
        { query: `sum by (obs_module, gen_ai_request_model, gen_ai_token_type) (increase(${tokens}[1h]))`, look: 'Which module, model and token type grew.' },
        { query: `sum by (obs_module, gen_ai_request_model, gen_ai_token_type) (increase(${tokens}[1h] offset 1w))`, look: 'The same breakdown a week ago.' },
      ],
      causes: ['A traffic surge or a new client.', 'Prompts that grew (more context, longer history).', 'A loop re-calling the model; abuse.'],
      mitigation: ['Find the module and trim its prompts or cap max_tokens.', 'Rate-limit the client behind the surge.'],
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires(`${formatNumber(factor + 1)}× last week's tokens`, week(factor + 1), `${WEEK + 75}m`),
      belowThreshold(`${formatNumber(factor * 0.9)}× last week's tokens`, week(factor * 0.9), `${WEEK + 75}m`),
      healthy("the same tokens as last week", week(1), `${WEEK + 75}m`),
    ],
  };
}

function cacheHitRatio(service: Service, t: Thresholds): OpsAlert {
  const floor = t.genai.cacheHitRatio;
  const lookups = own(service, genaiCacheRequests.name);
  const traffic = (hitRatio: number) => [
    input(service, genaiCacheRequests.name, { obs_module: 'chat', result: 'hit' }, counter({ minutes: 60, perMinute: 60 * hitRatio })),
    input(service, genaiCacheRequests.name, { obs_module: 'chat', result: 'miss' }, counter({ minutes: 60, perMinute: 60 * (1 - hitRatio) })),
  ];
  return {
    name: 'GenAiCacheHitRatioLow',
    domain: 'genai',
    component: 'cache',
    severity: 'warning',
    expr: `${genaiCacheHitRatio(labelMatchers(service.selector), '30m')} < ${formatNumber(floor)}`,
    for: '30m',
    threshold: floor,
    summary: 'The GenAI response cache of the service hits too rarely.',
    description: `The response cache of ${service.name} ({{ $labels.obs_module }}) answered {{ $value | humanizePercentage }} of lookups over the last 30 minutes (floor ${percent(floor)}).`,
    dashboard: 'genai',
    runbook: {
      meaning: `Under ${percent(floor)} of the response-cache lookups of a module were hits over 30 minutes, for 30 minutes.`,
      impact: 'More model calls than planned: higher cost and latency.',
      confirm: [{ query: `sum by (obs_module, result) (rate(${lookups}[30m]))`, look: 'Hits and misses per module.' }],
      causes: ['The cache was flushed or restarted (Redis eviction, deploy).', 'Cache keys changed (prompt template or model version in the key).', 'New traffic that does not repeat.'],
      mitigation: ['Check the cache store (Redis memory and evictions).', 'Review recent changes to the cache key.'],
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires(`${percent(floor * 0.8)} of lookups hit`, traffic(floor * 0.8), '45m'),
      belowThreshold(`${percent(Math.min(1, floor * 1.1))} of lookups hit`, traffic(Math.min(1, floor * 1.1)), '45m'),
      healthy('80% of lookups hit', traffic(Math.max(0.8, Math.min(1, (1 + floor) / 2))), '45m'),
    ],
  };
}
