import type { z } from 'zod';
import type { ConfigIssue } from '../spec/errors.js';
import { type kubernetesSpec, type logsSpec, parseRetention, type sentrySpec, type stackSpec } from '../spec/stack-schema.js';
import { formatDuration } from './duration.js';
import type { Stack } from './stack-types.js';
import type { Slo } from './types.js';

export type * from './stack-types.js';

/** The stack sections of one validated config document (src/spec/stack-schema.ts). */
export interface StackSections {
  readonly service: { readonly name: string };
  readonly stack?: z.output<typeof stackSpec>;
  readonly logs?: z.output<typeof logsSpec>;
  readonly sentry?: z.output<typeof sentrySpec>;
  readonly kubernetes?: z.output<typeof kubernetesSpec>;
}

const DAY = 86_400;
const DEFAULT_RETENTION = 30 * DAY;
const METRICS_PORT = 9464;
/** The page-level burn rate of the SLO alerts (SRE Workbook): the Sentry spike alert uses the same. */
const PAGE_BURN_RATE = 14.4;
/** Error events per hour when neither errorsPerHour nor requestsPerHour is given. */
export const DEFAULT_SENTRY_ERRORS_PER_HOUR = 100;

const SECTIONS = ['stack', 'logs', 'sentry', 'kubernetes'] as const;

/**
 * One stack per bundle, from the native documents (imported Sloth/OpenSLO specs run no stack of their
 * own). Issues: a section defined in two documents, and a retention shorter than the longest SLO period
 * (the period SLI reads that far back, so a shorter TSDB silently lowers every SLO to what it still holds).
 */
export function resolveStack(
  documents: readonly { readonly config: StackSections; readonly document?: number; readonly native?: boolean }[],
  slos: readonly Slo[],
): { stack?: Stack; issues: ConfigIssue[] } {
  const native = documents.filter((d) => d.native === true);
  const issues: ConfigIssue[] = [];
  if (native.length === 0) return { issues };
  const pick = <K extends (typeof SECTIONS)[number]>(key: K): { value?: StackSections[K]; document?: number } => {
    const having = native.filter((d) => d.config[key] !== undefined);
    for (const extra of having.slice(1)) {
      issues.push({ path: [key], message: `is defined in more than one document; the stack is one per bundle, define ${key} once`, ...doc(extra.document) });
    }
    return having[0] ? { value: having[0].config[key], ...doc(having[0].document) } : {};
  };
  const stack = pick('stack');
  const logs = pick('logs');
  const sentry = pick('sentry');
  const kubernetes = pick('kubernetes');

  const longest = slos.reduce<Slo | undefined>((max, slo) => (max && max.period >= slo.period ? max : slo), undefined);
  const retention = stack.value?.retention !== undefined ? parseRetention(stack.value.retention)! : Math.max(DEFAULT_RETENTION, longest?.period ?? 0);
  if (longest && retention < longest.period) {
    issues.push({
      path: ['stack', 'retention'],
      message: `is shorter than the longest SLO period (slos.${longest.name}: ${formatDuration(longest.period)}); the period SLI would read data Prometheus no longer holds — use at least ${formatDuration(longest.period)}`,
      got: stack.value?.retention,
      ...doc(stack.document),
    });
  }
  const scrapeInterval = parseRetention(stack.value?.scrapeInterval ?? '15s')!;
  const targets: Record<string, readonly string[]> = {};
  for (const { config } of native) {
    targets[config.service.name] ??= config.stack?.targets ?? [`${config.service.name}:${METRICS_PORT}`];
  }
  const availability = slos.find((slo) => slo.sli.kind === 'http');
  const requestsPerHour = sentry.value?.requestsPerHour;
  const errorsPerHour =
    sentry.value?.alerts?.errorsPerHour ??
    (availability && requestsPerHour !== undefined
      ? Math.max(1, Math.ceil(requestsPerHour * availability.errorBudget * PAGE_BURN_RATE))
      : DEFAULT_SENTRY_ERRORS_PER_HOUR);
  const exporters = stack.value?.exporters;
  const k8s = kubernetes.value;
  const monitor = k8s?.serviceMonitor;

  return {
    issues,
    stack: {
      prometheus: {
        retention,
        scrapeInterval,
        targets,
        ...(stack.value?.metricsTokenFile !== undefined && { metricsTokenFile: stack.value.metricsTokenFile }),
        remoteWrite: (stack.value?.remoteWrite ?? []).map((rw) => ({
          url: rw.url,
          ...(rw.name !== undefined && { name: rw.name }),
          ...(rw.tenant !== undefined && { tenant: rw.tenant }),
          ...(rw.basicAuth && { basicAuth: { username: rw.basicAuth.username, passwordFile: rw.basicAuth.passwordFile } }),
          ...(rw.bearerTokenFile !== undefined && { bearerTokenFile: rw.bearerTokenFile }),
        })),
      },
      exporters: {
        postgresUri: exporters?.postgres?.uri ?? 'postgres:5432/postgres?sslmode=disable',
        redisAddress: exporters?.redis?.address ?? 'redis://redis:6379',
        nginxScrapeUri: exporters?.nginx?.scrapeUri ?? 'http://nginx:8080/stub_status',
      },
      logs: {
        retention: parseRetention(logs.value?.retention ?? '30d')!,
        auditRetention: parseRetention(logs.value?.audit?.retention ?? '7y')!,
        alerts: {
          errorLinesPerMinute: logs.value?.alerts?.errorLinesPerMinute ?? 10,
          authFailuresPer5m: logs.value?.alerts?.authFailuresPer5m ?? 20,
          auditSilentFor: parseRetention(logs.value?.alerts?.auditSilentFor ?? '1h')!,
        },
      },
      sentry: {
        ...(sentry.value?.environment !== undefined && { environment: sentry.value.environment }),
        tracesSampleRate: sentry.value?.tracesSampleRate ?? 0,
        profilesSampleRate: sentry.value?.profilesSampleRate ?? 0,
        errorsPerHour,
        sourceMaps: sentry.value?.sourceMaps ?? 'dist',
      },
      kubernetes: {
        namespace: k8s?.namespace ?? 'monitoring',
        ruleLabels: k8s?.ruleLabels ?? { role: 'alert-rules' },
        serviceMonitor: {
          ...(monitor?.selector && { selector: monitor.selector }),
          ...(monitor?.namespace !== undefined && { namespace: monitor.namespace }),
          port: monitor?.port ?? 'metrics',
          path: monitor?.path ?? '/metrics',
          interval: monitor?.interval !== undefined ? parseRetention(monitor.interval)! : scrapeInterval,
          labels: monitor?.labels ?? k8s?.ruleLabels ?? { role: 'alert-rules' },
        },
        dashboardLabel: k8s?.dashboardLabel ?? { grafana_dashboard: '1' },
        alertmanagerName: k8s?.alertmanagerName ?? 'main',
      },
    },
  };
}

function doc(document: number | undefined) {
  return document === undefined ? {} : { document };
}
