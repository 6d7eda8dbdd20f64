/**
 * Service overview: RED by route, status-code mix, in-flight requests, Node.js saturation and the SDK's
 * own health; the alerts' thresholds and the service's SLO thresholds drawn as lines.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Service, Slo } from '../../../model/types.js';
import { formatNumber } from '../../../model/duration.js';
import { labelMatchers, re, selector } from '../../../promql/build.js';
import { httpServerRequestDuration } from '../../../catalog/sdk-metrics.js';
import {
  eventLoopDelayQuantile,
  heapUsed,
  heapUsedRatio,
  httpActiveRequests,
  httpErrorRatio,
  httpLatencyQuantile,
  httpRateLimitedRatio,
  httpRequestRate,
  httpStatusMix,
  instanceUp,
  processCpu,
  processRestarts,
  sdkTroubleRate,
} from '../../queries/index.js';
import {
  badAbove,
  badBelow,
  buildDashboard,
  limits,
  jobInstanceVariables,
  labelVariable,
  prometheusDatasourceVariable,
  RATE_INTERVAL,
  serviceScope,
  statPanel,
  timeseriesPanel,
} from '../kit.js';
import { percent, seconds } from '../words.js';

/** The latency SLOs whose objective is this percentile: "p95 under 500ms" is what a 95% / 500ms SLO promises. */
function latencySlos(slos: readonly Slo[], percentile: number): { threshold: number; words: string }[] {
  return slos.flatMap((slo) =>
    slo.sli.kind === 'httpLatency' && slo.objective === percentile
      ? [{ threshold: slo.sli.threshold, words: `${seconds(slo.sli.threshold)} (the ${slo.name} SLO)` }]
      : [],
  );
}

export function serviceDashboard(service: Service, slos: readonly Slo[]): Dashboard {
  const t = service.ops!.thresholds;
  const availability = slos.filter((slo) => slo.sli.kind === 'http');
  const errorLines = [...availability.map((slo) => slo.errorBudget), t.http.errorRatio];
  const sloErrorWords = availability.map((slo) => `${percent(slo.errorBudget)} is the ${slo.name} SLO's budget (${formatNumber(slo.objective)}%)`).join('; ');
  const sel = serviceScope(service);
  const routes = [...sel, re('http_route', '$route')];
  const scope = labelMatchers(service.selector);
  return buildDashboard({
    service,
    kind: 'service',
    title: `${service.name} / Service overview`,
    description: `RED metrics and Node.js saturation of ${service.name}, from the obs SDK. Thresholds are the operational alerts' own.`,
    variables: [
      prometheusDatasourceVariable(),
      ...jobInstanceVariables(scope),
      labelVariable('route', selector(`${httpServerRequestDuration.name}_count`, [...scope, re('job', '$job')]), 'http_route'),
    ],
    rows: [
      {
        title: 'Now',
        panels: [
          statPanel({
            title: 'Request rate',
            description: 'Requests per second over the selected jobs and instances. Good: close to its usual level for this time of day.',
            unit: 'reqps',
            min: 0,
            queries: [{ expr: httpRequestRate(sel, RATE_INTERVAL), legend: 'requests/s' }],
          }),
          statPanel({
            title: 'Error ratio (5xx)',
            description: `Share of requests answered 5xx. Good: under ${percent(t.http.errorRatio)}, the HttpErrorRatio alert's threshold.`,
            unit: 'percentunit',
            min: 0,
            thresholds: badAbove(t.http.errorRatio),
            queries: [{ expr: httpErrorRatio(sel, RATE_INTERVAL), legend: '5xx share' }],
          }),
          statPanel({
            title: 'p95 latency',
            description: `95th percentile of request duration over all routes. Good: under ${seconds(t.http.latencyP95)}.`,
            unit: 's',
            min: 0,
            thresholds: badAbove(t.http.latencyP95),
            queries: [{ expr: httpLatencyQuantile(0.95, sel, RATE_INTERVAL, []), legend: 'p95' }],
          }),
          statPanel({
            title: 'In-flight requests',
            description: 'Requests being served right now. Good: low and steady; a climb means requests pile up.',
            unit: 'short',
            min: 0,
            queries: [{ expr: httpActiveRequests(sel), legend: 'in flight' }],
          }),
        ],
      },
      {
        title: 'Requests and errors',
        panels: [
          timeseriesPanel({
            title: 'Request rate by route',
            description: 'Requests per second per route template. Good: the usual shape; a drop to zero means the route stopped serving.',
            unit: 'reqps',
            min: 0,
            queries: [{ expr: httpRequestRate(routes, RATE_INTERVAL, ['http_route']), legend: '{{http_route}}' }],
          }),
          timeseriesPanel({
            title: 'Error ratio by route (5xx)',
            description:
              `Share of each route's requests answered 5xx. Dashed lines: ${percent(t.http.errorRatio)} is the alert threshold` +
              (sloErrorWords ? `; ${sloErrorWords}` : '') +
              '. Good: under the lowest line.',
            unit: 'percentunit',
            min: 0,
            thresholds: limits(errorLines),
            queries: [{ expr: httpErrorRatio(routes, RATE_INTERVAL, ['http_route']), legend: '{{http_route}}' }],
          }),
          timeseriesPanel({
            title: 'Status-code mix',
            description: 'Requests per second by status code. Good: mostly 2xx/3xx; 4xx is the clients, 5xx is us.',
            unit: 'reqps',
            min: 0,
            queries: [{ expr: httpStatusMix(sel, RATE_INTERVAL), legend: '{{http_response_status_code}}' }],
          }),
          timeseriesPanel({
            title: 'Rate-limited ratio (429)',
            description: `Share of requests answered 429. Good: under ${percent(t.http.rateLimitedRatio)}; above it, clients are being turned away.`,
            unit: 'percentunit',
            min: 0,
            thresholds: badAbove(t.http.rateLimitedRatio),
            queries: [{ expr: httpRateLimitedRatio(sel, RATE_INTERVAL), legend: '429 share' }],
          }),
        ],
      },
      {
        title: 'Latency',
        panels: [50, 95, 99].map((p) => {
          const alert = p === 95 ? t.http.latencyP95 : p === 99 ? t.http.latencyP99 : undefined;
          const promised = latencySlos(slos, p);
          const lines = [...promised.map((s) => s.threshold), ...(alert === undefined ? [] : [alert])];
          const words = [...promised.map((s) => s.words), ...(alert === undefined ? [] : [`${seconds(alert)} (the alert's threshold)`])];
          return timeseriesPanel({
            title: `p${p} latency by route`,
            description:
              `${p}th percentile of request duration per route; exemplars open the slow request's trace.` +
              (lines.length === 0 ? ' Good: well under the p95 line of the next panel.' : ` Good: under ${words.join(' and ')}, the dashed lines.`),
            unit: 's',
            min: 0,
            width: 8,
            exemplars: true,
            ...(lines.length > 0 && { thresholds: limits(lines) }),
            queries: [{ expr: httpLatencyQuantile(p / 100, routes, RATE_INTERVAL), legend: '{{http_route}}' }],
          });
        }),
      },
      {
        title: 'Saturation',
        panels: [
          timeseriesPanel({
            title: 'Event-loop delay p99',
            description: `99th percentile of the worst event-loop delay of each second. Good: under ${seconds(t.runtime.eventLoopDelayP99)}; above it every request waits.`,
            unit: 's',
            min: 0,
            width: 6,
            thresholds: badAbove(t.runtime.eventLoopDelayP99),
            queries: [{ expr: eventLoopDelayQuantile(0.99, sel, RATE_INTERVAL), legend: '{{instance}}' }],
          }),
          timeseriesPanel({
            title: 'Heap used / V8 limit',
            description: `V8 heap in use as a share of its limit (--max-old-space-size). Good: under ${percent(t.runtime.heapUsedRatio)} (dashed line, the alert's threshold); near the limit the process dies out of memory.`,
            unit: 'percentunit',
            min: 0,
            max: 1,
            width: 6,
            thresholds: badAbove(t.runtime.heapUsedRatio),
            queries: [{ expr: heapUsedRatio(sel, RATE_INTERVAL), legend: '{{instance}}' }],
          }),
          timeseriesPanel({
            title: 'Heap used',
            description: 'V8 heap in use per instance. Good: a saw-tooth that returns to the same floor; a rising floor is a leak.',
            unit: 'bytes',
            min: 0,
            width: 6,
            queries: [{ expr: heapUsed(sel), legend: '{{instance}}' }],
          }),
          timeseriesPanel({
            title: 'CPU',
            description: 'CPU time per second of each process (1 = one core). Good: well under 1; Node.js runs JavaScript on one core.',
            unit: 'percentunit',
            min: 0,
            width: 6,
            thresholds: badAbove(0.8),
            queries: [{ expr: processCpu(sel, RATE_INTERVAL), legend: '{{instance}}' }],
          }),
        ],
      },
      {
        title: 'Instances',
        panels: [
          timeseriesPanel({
            title: 'Instances up',
            description: 'Whether Prometheus scrapes each instance (1) or not (0). Good: 1 for every instance; 0 for 5 minutes fires ServiceTargetDown.',
            unit: 'bool',
            min: 0,
            max: 1,
            thresholds: badBelow(1),
            queries: [{ expr: instanceUp(sel), legend: '{{instance}}' }],
          }),
          timeseriesPanel({
            title: 'Restarts in the last hour',
            description: 'Process starts of each instance over the past hour. Good: 0; more than 2 fires ServiceRestarting (a crash loop).',
            unit: 'short',
            min: 0,
            thresholds: badAbove(1, 3),
            queries: [{ expr: processRestarts(sel, '1h'), legend: '{{instance}}' }],
          }),
        ],
      },
      {
        title: 'obs SDK health',
        panels: [
          timeseriesPanel({
            title: 'SDK internal errors',
            description: 'Exceptions the obs SDK caught inside itself, by component (never passed to the app). Good: zero; otherwise some telemetry is missing.',
            unit: 'ops',
            min: 0,
            width: 8,
            queries: [{ expr: sdkTroubleRate('errors', sel, RATE_INTERVAL), legend: '{{component}}' }],
          }),
          timeseriesPanel({
            title: 'Trace spans dropped',
            description: 'Spans that never reached the trace backend, by reason (queue full, export failed). Good: zero; otherwise exemplars and log links lead to missing traces.',
            unit: 'ops',
            min: 0,
            width: 8,
            queries: [{ expr: sdkTroubleRate('spansDropped', sel, RATE_INTERVAL), legend: '{{reason}}' }],
          }),
          timeseriesPanel({
            title: 'Metric label overflow',
            description: 'Observations whose label value was replaced by the overflow value because the label hit its cap. Good: zero; otherwise a label (often a route) has unbounded values.',
            unit: 'ops',
            min: 0,
            width: 8,
            queries: [{ expr: sdkTroubleRate('labelOverflow', sel, RATE_INTERVAL), legend: '{{metric}} {{label}}' }],
          }),
        ],
      },
    ],
  });
}
