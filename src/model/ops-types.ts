/**
 * The operational side of the model: what a service depends on, the thresholds its operational alerts
 * judge, and where alerts go. Resolved from the config's `dependencies`, `thresholds`, `genai` and
 * `alerting` sections (src/model/ops.ts); generators read only these types.
 */
import type { Labels, Severity } from './types.js';

/** How the series of one exporter's target are selected: `{job="postgres"}` unless the config says more. */
export interface ExporterTarget {
  readonly job: string;
  /** Matchers for the exporter's series, always including `job`. */
  readonly selector: Labels;
}

/** A backup job's contract: it exposes or pushes `obs_backup_last_success_timestamp_seconds{backup}`. */
export interface Backups {
  /** Recovery point objective in seconds: the last successful backup must be younger than this. */
  readonly rpo: number;
  /** Value(s) of the `backup` label; empty = every backup that reports. */
  readonly names: readonly string[];
  readonly job: string;
}

export interface Dependencies {
  readonly postgres?: ExporterTarget;
  readonly redis?: ExporterTarget;
  readonly nginx?: ExporterTarget;
  /** node_exporter on the service's hosts. */
  readonly host?: ExporterTarget;
  /** cAdvisor for the service's containers. */
  readonly containers?: ExporterTarget;
  /** The SDK's queue/job metrics (obs.queue); empty names = every queue the service reports. */
  readonly queues?: { readonly names: readonly string[] };
  /** TLS endpoints probed by blackbox_exporter, as host:port. */
  readonly certificates: readonly string[];
  /** HTTP(S) URLs probed by blackbox_exporter. */
  readonly endpoints: readonly string[];
  /** Job name of the blackbox_exporter probes (default `blackbox`). */
  readonly blackboxJob: string;
  readonly backups?: Backups;
}

/**
 * Every operational threshold, in base units: ratios 0..1, durations in seconds. Defaults come from our
 * users' KPIs (shared/reference/user-requirements.md); the config overrides any of them.
 */
export interface Thresholds {
  readonly http: {
    /** 5xx share of requests over 5m. */
    readonly errorRatio: number;
    readonly latencyP95: number;
    readonly latencyP99: number;
    /** 429 share of requests over 5m. */
    readonly rateLimitedRatio: number;
  };
  readonly runtime: {
    /** p99 of the worst event-loop delay per second. */
    readonly eventLoopDelayP99: number;
    /** Heap used as a share of V8's heap limit. */
    readonly heapUsedRatio: number;
  };
  readonly genai: {
    readonly latencyP95: number;
    /** p95 of the RAG pipeline's HTTP routes (genai.rag.routes). */
    readonly ragLatencyP95: number;
    /** Share of model calls that end with an error type. */
    readonly errorRatio: number;
    /** The response cache must hit at least this share of lookups. */
    readonly cacheHitRatio: number;
    /** Tokens per hour against the same hour last week: alert above this multiple. */
    readonly tokenSpikeFactor: number;
  };
  /** Share of a GenAI budget (daily, monthly) spent: warning, then critical. */
  readonly budget: { readonly warning: number; readonly critical: number };
  readonly database: {
    /** p95 of the SDK's client-side query latency (obs_dependency_request_duration_seconds). */
    readonly latencyP95: number;
    /** Connections in use as a share of max_connections. */
    readonly connectionsRatio: number;
    readonly replicationLag: number;
    readonly longTransaction: number;
  };
  readonly redis: { readonly memoryRatio: number };
  readonly host: {
    readonly cpuRatio: number;
    readonly memoryRatio: number;
    readonly diskRatio: number;
    /** Clock offset in seconds. */
    readonly clockSkew: number;
  };
  readonly containers: { readonly cpuThrottledRatio: number; readonly memoryRatio: number };
  /** Seconds before a TLS certificate expires: warning, then critical. */
  readonly certificates: { readonly warning: number; readonly critical: number };
  /** Queue backlog that keeps growing for this long is an alert. */
  readonly queues: { readonly backlogGrowingFor: number };
}

const DAY = 86_400;

export const DEFAULT_THRESHOLDS: Thresholds = {
  http: { errorRatio: 0.01, latencyP95: 2, latencyP99: 5, rateLimitedRatio: 0.05 },
  runtime: { eventLoopDelayP99: 0.5, heapUsedRatio: 0.9 },
  genai: { latencyP95: 30, ragLatencyP95: 10, errorRatio: 0.05, cacheHitRatio: 0.5, tokenSpikeFactor: 3 },
  budget: { warning: 0.75, critical: 0.9 },
  database: { latencyP95: 0.5, connectionsRatio: 0.8, replicationLag: 30, longTransaction: 300 },
  redis: { memoryRatio: 0.9 },
  host: { cpuRatio: 0.8, memoryRatio: 0.8, diskRatio: 0.9, clockSkew: 0.05 },
  containers: { cpuThrottledRatio: 0.25, memoryRatio: 0.9 },
  certificates: { warning: 14 * DAY, critical: 3 * DAY },
  queues: { backlogGrowingFor: 15 * 60 },
};

/** What the GenAI alerts need to know besides thresholds. */
export interface GenaiOps {
  /** USD limits; the SDK exposes them as obs_gen_ai_budget_usd{period="daily"|"monthly"}. */
  readonly budgets: { readonly daily?: number; readonly monthly?: number };
  /** HTTP routes that serve the RAG pipeline (their p95 is judged against ragLatencyP95). */
  readonly ragRoutes: readonly string[];
}

/** The operational part of one service (only configs written for obs have it; imported specs do not). */
export interface ServiceOps {
  readonly dependencies: Dependencies;
  readonly thresholds: Thresholds;
  /** Present when the config has a `genai` section. */
  readonly genai?: GenaiOps;
}

export type ReceiverKind = 'pagerduty' | 'slack' | 'email' | 'webhook';

/** Receivers keyed by kind; secrets only by file reference (Alertmanager's *_file fields). */
export interface Receivers {
  readonly pagerduty?: { readonly routingKeyFile: string };
  readonly slack?: { readonly apiUrlFile: string; readonly channel: string };
  readonly email?: {
    readonly to: string;
    readonly from: string;
    /** host:port */
    readonly smarthost: string;
    readonly authUsername?: string;
    readonly authPasswordFile?: string;
  };
  readonly webhook?: { readonly url: string };
}

/** A recurring window (Alertmanager time_interval) during which the alerts it names are muted. */
export interface MaintenanceWindow {
  /** Name of the time interval, a slug. */
  readonly name: string;
  /** IANA time zone, e.g. Europe/Paris; UTC by default. */
  readonly timeZone: string;
  /** Lower-case English weekdays or ranges as Alertmanager writes them: 'saturday', 'monday:friday'. */
  readonly weekdays: readonly string[];
  /** 'HH:MM' ranges; empty = all day. */
  readonly times: readonly { readonly start: string; readonly end: string }[];
  /** What it mutes: label name → accepted values (alertname, service, component, domain, severity, slo). */
  readonly mute: Readonly<Record<string, readonly string[]>>;
}

export interface AlertLinks {
  /** Base URL of Grafana; alerts then carry dashboard_url. */
  readonly grafanaUrl?: string;
  /** Error alerts then carry the Sentry issue search for the service and environment. */
  readonly sentry?: { readonly url: string; readonly org: string; readonly project: string; readonly environment: string };
}

/** Where alerts go: one per bundle (the Alertmanager config is one file). */
export interface Alerting {
  readonly receivers: Receivers;
  /** Severity → receivers. Default: critical → pagerduty, warning → slack and email, info → none. */
  readonly routes: Readonly<Record<Severity, readonly ReceiverKind[]>>;
  readonly maintenance: readonly MaintenanceWindow[];
  readonly links: AlertLinks;
}

/** The dashboards obs generates; every alert links to one of them. */
export type DashboardKind = 'service' | 'slo' | 'genai' | 'dependencies' | 'infrastructure' | 'logs';

/**
 * A dashboard's uid: a pure function of service and kind, shared by the dashboards and the alerts'
 * dashboard_url. Grafana caps uids at 40 characters; longer service names keep a stable hash suffix.
 */
export function dashboardUid(service: string, kind: DashboardKind): string {
  const uid = `obs-${service}-${kind}`;
  if (uid.length <= 40) return uid;
  const suffix = `-${kind}-${fnv1a(service)}`;
  return `obs-${service.slice(0, 40 - 4 - suffix.length)}${suffix}`;
}

/** 32-bit FNV-1a, base 36: short, stable, dependency-free. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
