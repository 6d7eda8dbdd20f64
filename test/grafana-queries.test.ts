/**
 * The query builders dashboards and alerts share: pure functions of selector and range. Alerts call them
 * with a fixed window, panels with `$__rate_interval`; both must be valid PromQL naming catalogued series.
 */
import { describe, expect, it } from 'vitest';
import { isKnownSeries } from '../src/catalog/index.js';
import * as q from '../src/generate/queries/index.js';
import { eq } from '../src/promql/build.js';
import { parsePromQL } from '../src/promql/parse.js';

const sel = [eq('job', 'chat-api')];
const slo = q.sloSelector('chat-api', 'availability');

/** Every builder that takes a range, called with it. */
const ranged: Record<string, (range: string) => string> = {
  httpRequestRate: (r) => q.httpRequestRate(sel, r),
  httpErrorRatio: (r) => q.httpErrorRatio(sel, r),
  httpRateLimitedRatio: (r) => q.httpRateLimitedRatio(sel, r),
  httpLatencyQuantile: (r) => q.httpLatencyQuantile(0.95, sel, r),
  httpStatusMix: (r) => q.httpStatusMix(sel, r),
  eventLoopDelayQuantile: (r) => q.eventLoopDelayQuantile(0.99, sel, r),
  processCpu: (r) => q.processCpu(sel, r),
  heapUsedRatio: (r) => q.heapUsedRatio(sel, r),
  processRestarts: (r) => q.processRestarts(sel, r),
  genaiCallRate: (r) => q.genaiCallRate(sel, r),
  genaiLatencyQuantile: (r) => q.genaiLatencyQuantile(0.95, sel, r),
  genaiTimeToFirstTokenQuantile: (r) => q.genaiTimeToFirstTokenQuantile(0.95, sel, r),
  genaiTokenRate: (r) => q.genaiTokenRate(sel, r),
  genaiCostOver: (r) => q.genaiCostOver(sel, r),
  sdkErrors: (r) => q.sdkTroubleRate('errors', sel, r),
  sdkSpansDropped: (r) => q.sdkTroubleRate('spansDropped', sel, r),
  sdkLabelOverflow: (r) => q.sdkTroubleRate('labelOverflow', sel, r),
  genaiCacheHitRatio: (r) => q.genaiCacheHitRatio(sel, r),
  genaiErrorRatio: (r) => q.genaiErrorRatio(sel, r),
  genaiRateLimitedRate: (r) => q.genaiRateLimitedRate(sel, r),
  genaiErrorRate: (r) => q.genaiErrorRate(sel, r),
  genaiFallbackRate: (r) => q.genaiFallbackRate(sel, r),
  dependencyLatencyQuantile: (r) => q.dependencyLatencyQuantile(0.95, sel, r),
  dependencyCallRate: (r) => q.dependencyCallRate(sel, r),
  dependencyErrorRatio: (r) => q.dependencyErrorRatio(sel, r),
  cacheHitRatio: (r) => q.cacheHitRatio(sel, r),
  queueFailureRatio: (r) => q.queueFailureRatio(sel, r),
  queueBacklogChange: (r) => q.queueBacklogChange(sel, r),
  queueJobDurationQuantile: (r) => q.queueJobDurationQuantile(0.95, sel, r),
  postgresDeadlockRate: (r) => q.postgresDeadlockRate(sel, r),
  redisEvictionRate: (r) => q.redisEvictionRate(sel, r),
  redisRejectedConnectionRate: (r) => q.redisRejectedConnectionRate(sel, r),
  nginxRequestRate: (r) => q.nginxRequestRate(sel, r),
  nginxDroppedConnectionRate: (r) => q.nginxDroppedConnectionRate(sel, r),
  hostCpuRatio: (r) => q.hostCpuRatio(sel, r),
  hostOomKills: (r) => q.hostOomKills(sel, r),
  hostClockDrift: (r) => q.hostClockDrift(sel, r),
  hostDiskAvailablePredicted: (r) => q.hostDiskAvailablePredicted(sel, r, 86_400),
  containerRestarts: (r) => q.containerRestarts(sel, r),
  containerCpuThrottledRatio: (r) => q.containerCpuThrottledRatio(sel, r),
  securityEventRate: (r) => q.securityEventRate(sel, r, 'auth_failure'),
  auditLogRate: (r) => q.auditLogRate(sel, r),
};

/** Builders of gauges and recordings: no range. */
const instant: Record<string, string> = {
  httpActiveRequests: q.httpActiveRequests(sel),
  instanceUp: q.instanceUp(sel),
  heapUsed: q.heapUsed(sel),
  genaiBudgetUsd: q.genaiBudgetUsd(sel, 'daily'),
  queueBacklog: q.queueBacklog(sel),
  queueWorkerCount: q.queueWorkerCount(sel),
  postgresConnectionsRatio: q.postgresConnectionsRatio(sel),
  postgresConnectionsByState: q.postgresConnectionsByState(sel),
  postgresLongestTransaction: q.postgresLongestTransaction(sel),
  postgresReplicationLag: q.postgresReplicationLag(sel),
  redisMemoryRatio: q.redisMemoryRatio(sel),
  redisClients: q.redisClients(sel),
  nginxActiveConnections: q.nginxActiveConnections(sel),
  hostMemoryRatio: q.hostMemoryRatio(sel),
  hostDiskRatio: q.hostDiskRatio(sel),
  hostClockOffset: q.hostClockOffset(sel),
  hostWritableFilesystems: q.hostWritableFilesystems(sel),
  containerMemoryRatio: q.containerMemoryRatio(sel),
  certificateExpirySeconds: q.certificateExpirySeconds(sel),
  probeSuccess: q.probeSuccess(sel),
  probeDuration: q.probeDuration(sel),
  backupAge: q.backupAge(sel),
  backupLastRunSucceeded: q.backupLastRunSucceeded(sel),
  sloObjective: q.sloObjective(slo),
  sloPeriodSli: q.sloPeriodSli(slo, 30 * 86_400),
  sloBurnRate: q.sloBurnRate(slo, 3600, 0.001),
  sloBudgetRemaining: q.sloBudgetRemaining(slo),
  sloCurrentBurnRate: q.sloCurrentBurnRate(slo),
  sloTimeToExhaustion: q.sloTimeToExhaustion(slo, 30 * 86_400),
  sloAlertsFiring: q.sloAlertsFiring(slo),
};

function check(name: string, expr: string): void {
  const parsed = parsePromQL(expr);
  expect(parsed.errorAt, `${name}: ${expr}`).toBeUndefined();
  for (const s of parsed.selectors) expect(isKnownSeries(s.metric ?? ''), `${name}: ${s.metric}`).toBe(true);
}

describe('shared query builders', () => {
  it('take the range as a parameter: the alert window and the panel interval give the same query', () => {
    for (const [name, build] of Object.entries(ranged)) {
      const alert = build('5m');
      const panel = build('$__rate_interval');
      check(name, alert);
      expect(panel.replaceAll('$__rate_interval', '5m'), name).toBe(alert);
      expect(alert, name).toContain('[5m]');
    }
  });

  it('instant builders parse and name catalogued series', () => {
    for (const [name, expr] of Object.entries(instant)) check(name, expr);
  });

  it('keep the selector: every series is narrowed by it', () => {
    for (const [name, build] of Object.entries(ranged)) {
      for (const s of parsePromQL(build('5m')).selectors) expect(s.matchers, name).toContainEqual({ label: 'job', op: '=', value: 'chat-api' });
    }
  });

  it('read SLO numbers from the recording names the catalog exports, per alert window', () => {
    expect(q.sloBurnRate(slo, 3600, 0.001)).toBe('slo:sli_error:ratio_rate1h{service="chat-api",slo="availability"} / 0.001');
    expect(q.sloPeriodSli(slo, 28 * 86_400)).toBe('1 - slo:sli_error:ratio_rate28d{service="chat-api",slo="availability"}');
  });

  it('shift a range query back in time for alerts that compare a number with its own past', () => {
    const now = q.httpRequestRate(sel, '5m');
    expect(q.earlier(now, '1h')).toBe('sum (rate(http_server_request_duration_seconds_count{job="chat-api"}[5m] offset 1h))');
    expect(q.earlier(q.genaiCostOver(sel, '1h'), '1w')).toContain('[1h] offset 1w');
    check('earlier', q.earlier(q.securityEventRate(sel, '1h', 'auth_failure'), '5m'));
    // Nothing under a range: shifting would silently compare the present with itself.
    expect(() => q.earlier(q.heapUsed(sel), '1h')).toThrow(/no range to shift/);
  });

  it('LogQL builders select the service by service_name and range over the given interval', () => {
    expect(q.errorLogRate('chat-api', '$__auto')).toBe('sum by (level) (rate({service_name="chat-api"} | json | level=~"error|fatal" [$__auto]))');
    expect(q.auditEventRate('chat-api', '5m', 'auth_failure')).toContain('| json | audit="true" | event="auth_failure" [5m]');
  });
});
