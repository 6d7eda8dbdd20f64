/**
 * Alerts on the service itself, from the SDK's own series: HTTP errors, latency, traffic, the scrape
 * target, rate limiting, the Node runtime (event loop, heap, restarts) and the SDK's own health.
 */
import { eventLoopDelay, heapSizeLimit, heapSizeUsed, httpServerRequestDuration, processStartTime } from '../../../catalog/sdk-metrics.js';
import { formatNumber } from '../../../model/duration.js';
import type { Service } from '../../../model/types.js';
import { eq, labelMatchers, re } from '../../../promql/build.js';
import { earlier } from '../../queries/common.js';
import { httpErrorRatio, httpLatencyQuantile, httpRateLimitedRatio, httpRequestRate } from '../../queries/http.js';
import { eventLoopDelayQuantile, heapUsedRatio, instanceUp, processRestarts, SDK_TROUBLE, sdkTroubleRate } from '../../queries/runtime.js';
import { belowThreshold, countOver, counter, fires, gauge, healthy, histogramAt, input, own, percent, seconds } from './build.js';
import type { OpsAlert } from './types.js';

const HTTP = httpServerRequestDuration.name;
const COUNT = `${HTTP}_count`;
/** Restarts within an hour that make a crash loop. */
const RESTARTS_PER_HOUR = 2;
/** Requests per minute an hour ago below which zero traffic now is not news. */
const NORMAL_TRAFFIC_PER_MINUTE = 1;

export function serviceAlerts(service: Service): OpsAlert[] {
  const t = service.ops!.thresholds;
  const name = service.name;
  // The service dashboard plots the same builders: each panel shows the number its alert judges.
  const sel = labelMatchers(service.selector);
  const traffic = httpRequestRate(sel, '5m');
  const trafficHourAgo = earlier(traffic, '1h');
  const status = (code: string) => own(service, COUNT, [re('http_response_status_code', code)]);
  const rates = (errors: number, minutes: number, code: string) => [
    input(service, COUNT, { http_response_status_code: '200' }, counter({ minutes, perMinute: 600 * (1 - errors) })),
    input(service, COUNT, { http_response_status_code: code }, counter({ minutes, perMinute: 600 * errors })),
  ];
  return [
    {
      name: 'HttpHighErrorRate',
      domain: 'service',
      component: 'http',
      severity: 'critical',
      expr: `${httpErrorRatio(sel, '5m')} > ${formatNumber(t.http.errorRatio)}`,
      for: '5m',
      threshold: t.http.errorRatio,
      summary: 'The service answers too many requests with a server error (5xx).',
      description: `{{ $value | humanizePercentage }} of ${name}'s requests failed with a 5xx over the last 5 minutes (threshold ${percent(t.http.errorRatio)}).`,
      dashboard: 'service',
      sentry: true,
      runbook: {
        meaning: `More than ${percent(t.http.errorRatio)} of the HTTP requests the service answered in the last 5 minutes had a 5xx status, for at least 5 minutes.`,
        impact: 'Users see failed requests: pages that do not load, API calls that must be retried, lost work.',
        confirm: [
          { query: `sum by (http_route, http_response_status_code) (rate(${status('5..')}[5m]))`, look: 'Which routes and status codes fail: one route, or all of them?' },
          { query: `sum by (error_type) (rate(${status('5..')}[5m]))`, look: 'The error types: timeouts point at a dependency, exception classes at the code.' },
        ],
        causes: ['A bad deploy (check the version label and the release time).', 'A dependency down or slow (database, cache, model provider).', 'Resource exhaustion: connection pools, memory, file descriptors.'],
        mitigation: ['Roll back a recent deploy.', 'Open the Sentry issues of the service for the stack traces.', 'If one dependency fails, check its own alerts and fail over or shed load.'],
        escalation: 'Page the owning team; if a dependency is the cause, involve its owners.',
      },
      cases: [
        fires(`${percent(t.http.errorRatio * 2)} of requests fail for 15 minutes`, rates(Math.min(1, t.http.errorRatio * 2), 16, '500'), '15m'),
        belowThreshold(`${percent(t.http.errorRatio * 0.9)} of requests fail`, rates(t.http.errorRatio * 0.9, 16, '500'), '15m'),
        healthy('no server errors', rates(0, 16, '500'), '15m'),
      ],
    },
    latencyAlert(service, 'HttpHighLatencyP95', 0.95, t.http.latencyP95, 'warning'),
    latencyAlert(service, 'HttpHighLatencyP99', 0.99, t.http.latencyP99, 'critical'),
    {
      name: 'HttpTrafficStopped',
      domain: 'service',
      component: 'http',
      severity: 'critical',
      expr: `${traffic} == 0\nand\n(${trafficHourAgo} * 60 >= ${NORMAL_TRAFFIC_PER_MINUTE})`,
      for: '10m',
      summary: 'The service stopped receiving requests.',
      description: `${name} has answered no request for 10 minutes, while an hour ago it answered {{ with query \`${trafficHourAgo} * 60\` }}{{ . | first | value | printf "%.0f" }}{{ end }} a minute.`,
      dashboard: 'service',
      runbook: {
        meaning: `The service is scraped and up but has answered no HTTP request for 10 minutes, while an hour ago it answered at least ${NORMAL_TRAFFIC_PER_MINUTE} a minute.`,
        impact: 'Requests do not reach the service: users may be getting errors from a proxy or load balancer in front of it.',
        confirm: [
          { query: traffic, look: 'Zero now: when did it drop?' },
          { query: trafficHourAgo, look: 'The traffic an hour ago, for comparison.' },
        ],
        causes: ['The load balancer, ingress or DNS no longer routes to the service.', 'A client or upstream job stopped calling it.', 'The service is stuck (event loop blocked) while its metrics endpoint still answers.'],
        mitigation: ['Call the service through the public entry point and see where the request stops.', 'Check the proxy (nginx) and ingress alerts.', 'Restart the instances if they accept connections but never answer.'],
        escalation: 'Page the owning team; involve the platform team if routing is at fault.',
      },
      cases: [
        fires('traffic drops to zero after a normal hour', [input(service, COUNT, { http_response_status_code: '200' }, counter({ minutes: 70, perMinute: 600 }, { minutes: 20, perMinute: 0 }))], '85m'),
        healthy('steady traffic', [input(service, COUNT, { http_response_status_code: '200' }, counter({ minutes: 90, perMinute: 600 }))], '85m'),
      ],
    },
    {
      name: 'ServiceTargetDown',
      domain: 'service',
      component: 'scrape',
      severity: 'critical',
      expr: `${instanceUp(sel)} == 0`,
      for: '5m',
      summary: 'Prometheus cannot scrape an instance of the service.',
      description: `Prometheus has failed to scrape ${name} at {{ $labels.instance }} for 5 minutes: the instance is down or its metrics endpoint does not answer.`,
      dashboard: 'service',
      runbook: {
        meaning: 'The scrape of one instance of the service has failed for 5 minutes (`up == 0`). Its other alerts cannot see it meanwhile.',
        impact: 'If the instance is really down, users lose its share of capacity; either way it is unobserved.',
        confirm: [
          { query: instanceUp(sel), look: 'Which instances are 0.' },
          { query: `up{job="prometheus"}`, look: 'Prometheus itself scrapes fine, so the problem is on the target side.' },
        ],
        causes: ['The process crashed or was stopped.', 'The metrics endpoint is not reachable (network policy, port, TLS).', 'The scrape times out because the process is overloaded.'],
        mitigation: ['Open the Prometheus targets page for the error message.', 'Check the process or container status and its last logs.', 'Restart the instance if it hangs.'],
        escalation: 'Page the owning team.',
      },
      cases: [
        fires('the target stops answering', [input(service, 'up', { instance: 'app:9464' }, gauge({ minutes: 10, value: 1 }, { minutes: 20, value: 0 }))], '25m'),
        healthy('the target answers', [input(service, 'up', { instance: 'app:9464' }, gauge({ minutes: 30, value: 1 }))], '25m'),
      ],
    },
    {
      name: 'HttpRateLimitedRatioHigh',
      domain: 'service',
      component: 'http',
      severity: 'warning',
      expr: `${httpRateLimitedRatio(sel, '5m')} > ${formatNumber(t.http.rateLimitedRatio)}`,
      for: '10m',
      threshold: t.http.rateLimitedRatio,
      summary: 'The service rejects many requests as rate-limited (429).',
      description: `{{ $value | humanizePercentage }} of ${name}'s requests were answered 429 Too Many Requests over the last 5 minutes (threshold ${percent(t.http.rateLimitedRatio)}).`,
      dashboard: 'service',
      runbook: {
        meaning: `More than ${percent(t.http.rateLimitedRatio)} of requests were rejected by the service's rate limiter for 10 minutes.`,
        impact: 'Legitimate clients may be throttled and see 429 errors.',
        confirm: [
          { query: `sum by (http_route) (rate(${status('429')}[5m]))`, look: 'Which routes are throttled.' },
          { query: `sum by (reason) (rate(${own(service, 'obs_security_events_total', [eq('event', 'rate_limited')])}[5m]))`, look: 'The reasons the limiter gave.' },
        ],
        causes: ['One client or bot sending far more than usual.', 'Limits set too low for grown traffic.', 'A retry storm after an incident.'],
        mitigation: ['Find the client in the access logs and contact or block it.', 'Raise the limit if the traffic is legitimate.'],
        escalation: 'Ticket for the owning team; involve security if it looks like abuse.',
      },
      cases: [
        fires(`${percent(t.http.rateLimitedRatio * 2)} of requests are rate-limited`, rates(Math.min(1, t.http.rateLimitedRatio * 2), 20, '429'), '18m'),
        belowThreshold(`${percent(t.http.rateLimitedRatio * 0.9)} of requests are rate-limited`, rates(t.http.rateLimitedRatio * 0.9, 20, '429'), '18m'),
        healthy('no request is rate-limited', rates(0, 20, '429'), '18m'),
      ],
    },
    {
      name: 'NodejsEventLoopDelayHigh',
      domain: 'service',
      component: 'runtime',
      severity: 'warning',
      expr: `${eventLoopDelayQuantile(0.99, sel, '5m')} > ${formatNumber(t.runtime.eventLoopDelayP99)}`,
      for: '10m',
      threshold: t.runtime.eventLoopDelayP99,
      summary: 'The Node.js event loop of the service is blocked for long stretches.',
      description: `The p99 of the worst event-loop delay per second on ${name} {{ $labels.instance }} is {{ $value | humanizeDuration }} (threshold ${seconds(t.runtime.eventLoopDelayP99)}).`,
      dashboard: 'service',
      runbook: {
        meaning: `For 10 minutes, 1% of seconds had the event loop blocked longer than ${seconds(t.runtime.eventLoopDelayP99)}: while it is blocked, no request on that instance makes progress.`,
        impact: 'Every request on the instance is delayed by the stalls; health checks may time out.',
        confirm: [
          { query: eventLoopDelayQuantile(0.99, sel, '5m'), look: 'Which instances stall, and since when.' },
          { query: `rate(${own(service, 'process_cpu_seconds_total')}[5m])`, look: 'CPU near 1 core means synchronous work saturates the loop.' },
        ],
        causes: ['Synchronous CPU work in a request (JSON of huge payloads, crypto, regexes).', 'Long garbage-collection pauses near the heap limit.', 'Synchronous file system calls.'],
        mitigation: ['Take a CPU profile (node --cpu-prof) of an affected instance.', 'Add instances to spread the load.', 'Move heavy work to a worker thread or queue.'],
        escalation: 'Ticket for the owning team.',
      },
      cases: [
        fires('delays of up to twice the threshold', histogramAt(service, eventLoopDelay.name, { instance: 'app:9464' }, t.runtime.eventLoopDelayP99, 'slow', 20, 60), '18m'),
        belowThreshold('p99 just under the threshold', histogramAt(service, eventLoopDelay.name, { instance: 'app:9464' }, t.runtime.eventLoopDelayP99, 'justUnder', 20, 60), '18m'),
        healthy('short delays', histogramAt(service, eventLoopDelay.name, { instance: 'app:9464' }, t.runtime.eventLoopDelayP99, 'fast', 20, 60), '18m'),
      ],
    },
    {
      name: 'NodejsHeapNearLimit',
      domain: 'service',
      component: 'runtime',
      severity: 'warning',
      expr: `${heapUsedRatio(sel, '10m')} > ${formatNumber(t.runtime.heapUsedRatio)}`,
      for: '15m',
      threshold: t.runtime.heapUsedRatio,
      summary: 'The V8 heap of the service is close to its limit.',
      description: `${name} {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its V8 heap limit (threshold ${percent(t.runtime.heapUsedRatio)}).`,
      dashboard: 'service',
      runbook: {
        meaning: `The heap in use has averaged above ${percent(t.runtime.heapUsedRatio)} of V8's heap limit (--max-old-space-size) for 15 minutes.`,
        impact: 'Garbage collection runs constantly (slow requests); at the limit the process dies with an out-of-memory error.',
        confirm: [
          { query: `${own(service, heapSizeUsed.name)} / ${own(service, heapSizeLimit.name)}`, look: 'A steady climb is a leak; a plateau near the limit is an undersized heap.' },
          { query: `changes(${own(service, processStartTime.name)}[1h])`, look: 'Restarts that reset the heap (out-of-memory crashes).' },
        ],
        causes: ['A memory leak (caches without bounds, listeners never removed).', 'Larger payloads or more concurrent requests than the heap was sized for.'],
        mitigation: ['Take a heap snapshot of an affected instance before restarting it.', 'Raise --max-old-space-size if the container has room.', 'Restart the instance to buy time.'],
        escalation: 'Ticket for the owning team.',
      },
      cases: [
        fires(`heap at ${percent(Math.min(0.99, (1 + t.runtime.heapUsedRatio) / 2))} of the limit`, heap(service, Math.min(0.99, (1 + t.runtime.heapUsedRatio) / 2)), '30m'),
        belowThreshold(`heap at ${percent(t.runtime.heapUsedRatio - 0.02)} of the limit`, heap(service, t.runtime.heapUsedRatio - 0.02), '30m'),
        healthy('heap at half the limit', heap(service, 0.5), '30m'),
      ],
    },
    {
      name: 'ServiceRestarting',
      domain: 'service',
      component: 'runtime',
      severity: 'warning',
      expr: `${processRestarts(sel, '1h')} > ${RESTARTS_PER_HOUR}`,
      for: '5m',
      threshold: RESTARTS_PER_HOUR,
      summary: 'The service keeps restarting.',
      description: `${name} {{ $labels.instance }} restarted {{ $value }} times in the last hour.`,
      dashboard: 'service',
      sentry: true,
      runbook: {
        meaning: `An instance's process start time changed more than ${RESTARTS_PER_HOUR} times within an hour: it crashes or is killed repeatedly.`,
        impact: 'Requests in flight at each crash fail; capacity drops while instances start.',
        confirm: [
          { query: processRestarts(sel, '1h'), look: 'Which instances restart.' },
          { query: `${own(service, heapSizeUsed.name)} / ${own(service, heapSizeLimit.name)}`, look: 'A heap near its limit before each restart means out-of-memory.' },
        ],
        causes: ['Uncaught exceptions or unhandled rejections.', 'Out-of-memory kills (heap limit or container limit).', 'Failing liveness probes.'],
        mitigation: ['Read the last log lines before each restart and the Sentry crash reports.', 'Roll back a recent deploy.', 'Raise memory limits if the kills are out-of-memory.'],
        escalation: 'Ticket for the owning team; page if the service is also failing requests.',
      },
      cases: [
        fires('three restarts within the hour', [restarts(service, 3)], '50m'),
        belowThreshold('two restarts within the hour', [restarts(service, 2)], '50m'),
        healthy('no restart', [restarts(service, 0)], '50m'),
      ],
    },
    sdkHealthAlert(service, 'ObsSdkErrors', 'errors', {
      summary: 'The obs SDK inside the service keeps failing.',
      description: `The obs SDK in ${name} swallowed {{ $value | printf "%.0f" }} internal errors in its {{ $labels.component }} component over the last 10 minutes.`,
      meaning: 'The SDK catches its own exceptions so they never reach the application, and counts them: its component keeps failing, so some telemetry is missing.',
      causes: ['An incompatible version of a framework or provider SDK the adapters wrap.', 'A bug in obs (report it with the component name).'],
      mitigation: ['Search the service logs for the component name.', 'Upgrade or pin obs and the instrumented library.'],
    }),
    sdkHealthAlert(service, 'ObsTraceSpansDropped', 'spansDropped', {
      summary: 'The service is dropping trace spans.',
      description: `${name} dropped {{ $value | printf "%.0f" }} spans ({{ $labels.reason }}) over the last 10 minutes.`,
      meaning: 'Spans never reached the trace backend: the batch queue was full or their export failed. Traces are incomplete.',
      causes: ['The trace collector (Tempo, Jaeger, OTel Collector) is down or unreachable.', 'More spans than the exporter can ship (queue_full).'],
      mitigation: ['Check the collector endpoint and its logs.', 'Lower the sampling ratio or raise the batch queue size.'],
    }),
    sdkHealthAlert(service, 'ObsMetricLabelOverflow', 'labelOverflow', {
      summary: 'A label cap of the obs SDK is hiding metric data.',
      description: `${name}: {{ $labels.metric }} saw more distinct {{ $labels.label }} values than its cap; new values are recorded as the overflow value.`,
      meaning: 'A label reached its cap on distinct values; further values are folded into one overflow value, so per-value breakdowns of that metric are incomplete.',
      causes: ['Raw paths or ids used as routes (routes are not templated).', 'More models, modules or operations than the cap allows.'],
      mitigation: ['Register route templates so that the label holds them, not raw paths.', 'Raise the cap for that label in the SDK options if the values are legitimate.'],
    }),
  ];

  function heap(svc: Service, ratio: number) {
    const limit = 4 * 1024 ** 3;
    return [
      input(svc, heapSizeUsed.name, { instance: 'app:9464' }, gauge({ minutes: 40, value: Math.round(limit * ratio) })),
      input(svc, heapSizeLimit.name, { instance: 'app:9464' }, gauge({ minutes: 40, value: limit })),
    ];
  }
}

/** process_start_time_seconds of one instance that restarts `count` times, 10 minutes apart, from minute 10. */
function restarts(service: Service, count: number) {
  const segments = [{ minutes: 10, value: 1000 }];
  for (let i = 1; i <= count; i++) segments.push({ minutes: 10, value: 1000 + i * 600 });
  segments.push({ minutes: 60 - 10 * segments.length, value: segments.at(-1)!.value });
  return input(service, processStartTime.name, { instance: 'app:9464' }, gauge(...segments));
}

function latencyAlert(service: Service, name: string, q: number, threshold: number, severity: 'warning' | 'critical'): OpsAlert {
  const pct = `p${formatNumber(q * 100)}`;
  const cases = (shape: 'slow' | 'justUnder' | 'fast') => histogramAt(service, HTTP, { http_route: '/api/items' }, threshold, shape, 20);
  return {
    name,
    domain: 'service',
    component: 'http',
    severity,
    expr: `${httpLatencyQuantile(q, labelMatchers(service.selector), '5m')} > ${formatNumber(threshold)}`,
    for: '10m',
    threshold,
    summary: `The service's ${pct} latency is too high.`,
    description: `The ${pct} latency of ${service.name} on {{ $labels.http_route }} is {{ $value | humanizeDuration }} (threshold ${seconds(threshold)}).`,
    dashboard: 'service',
    runbook: {
      meaning: `For 10 minutes, the ${pct} of the request duration on a route has been above ${seconds(threshold)}.`,
      impact: `At least ${formatNumber(100 - q * 100)}% of the route's requests take longer than ${seconds(threshold)}: slow pages, client timeouts.`,
      confirm: [
        { query: httpLatencyQuantile(q, labelMatchers(service.selector), '5m'), look: 'Which routes are slow.' },
        { query: `histogram_quantile(0.95, sum by (le, dependency_system) (rate(${own(service, 'obs_dependency_request_duration_seconds_bucket')}[5m])))`, look: 'A slow dependency (database, cache, downstream API) explains slow routes.' },
      ],
      causes: ['A slow dependency (database queries, model provider, downstream API).', 'CPU saturation or event-loop stalls.', 'A traffic surge beyond capacity.'],
      mitigation: ['Open a slow trace from the exemplars on the latency panel.', 'Scale out if CPU-bound.', 'Roll back a deploy that made a route slower.'],
      escalation: severity === 'critical' ? 'Page the owning team.' : 'Ticket for the owning team.',
    },
    cases: [
      fires(`requests take between ${seconds(threshold)} and ${seconds(2 * threshold)}`, cases('slow'), '18m'),
      belowThreshold(`${pct} just under ${seconds(threshold)}`, cases('justUnder'), '18m'),
      healthy(`requests take under ${seconds(threshold / 2)}`, cases('fast'), '18m'),
    ],
  };
}

interface SdkHealthText {
  readonly summary: string;
  readonly description: string;
  readonly meaning: string;
  readonly causes: readonly string[];
  readonly mitigation: readonly string[];
}

/** A counter of the SDK's own trouble that keeps rising for 15 minutes. */
function sdkHealthAlert(service: Service, name: string, trouble: keyof typeof SDK_TROUBLE, text: SdkHealthText): OpsAlert {
  const { metric, by } = SDK_TROUBLE[trouble];
  const over10m = countOver(sdkTroubleRate(trouble, labelMatchers(service.selector), '10m'), '10m');
  const labels = Object.fromEntries(by.map((label) => [label, 'example']));
  return {
    name,
    domain: 'service',
    component: 'sdk',
    severity: 'warning',
    expr: `${over10m} > 0`,
    for: '15m',
    summary: text.summary,
    description: text.description,
    dashboard: 'service',
    runbook: {
      meaning: `${metric} has kept rising for 15 minutes. ${text.meaning}`,
      impact: 'Users are not affected directly; on-call sees less than is happening.',
      confirm: [{ query: over10m, look: 'Which values rise, and how many over 10 minutes.' }],
      causes: text.causes,
      mitigation: text.mitigation,
      escalation: 'Ticket for the owning team.',
    },
    cases: [
      fires('the counter rises every minute', [input(service, metric, labels, counter({ minutes: 40, perMinute: 1 }))], '30m'),
      healthy('the counter stays flat', [input(service, metric, labels, counter({ minutes: 40, perMinute: 0 }))], '30m'),
    ],
  };
}
