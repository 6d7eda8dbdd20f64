import type { ValidConfig } from '../spec/schema.js';
import { parseDuration, roundFloat } from './duration.js';
import {
  type Alerting,
  DEFAULT_THRESHOLDS,
  type Dependencies,
  type ExporterTarget,
  type MaintenanceWindow,
  type ReceiverKind,
  type Receivers,
  type ServiceOps,
  type Thresholds,
} from './ops-types.js';
import type { Severity } from './types.js';

type DependenciesSpec = NonNullable<ValidConfig['dependencies']>;
type AlertingSpec = NonNullable<ValidConfig['alerting']>;

/** The job each exporter is scraped under when the config does not say. */
const DEFAULT_JOBS = { postgres: 'postgres', redis: 'redis', nginx: 'nginx', host: 'node', containers: 'cadvisor' } as const;

/** Dependencies, thresholds and GenAI limits of one service, defaults applied, units in seconds and ratios. */
export function resolveOps(config: ValidConfig): ServiceOps {
  return {
    dependencies: resolveDependencies(config.dependencies ?? {}),
    thresholds: resolveThresholds(config.thresholds ?? {}),
    ...(config.genai && {
      genai: {
        budgets: { ...config.genai.budgets },
        ragRoutes: config.genai.rag?.routes ?? [],
      },
    }),
  };
}

function resolveDependencies(spec: DependenciesSpec): Dependencies {
  const targets: Partial<Record<keyof typeof DEFAULT_JOBS, ExporterTarget>> = {};
  for (const key of Object.keys(DEFAULT_JOBS) as (keyof typeof DEFAULT_JOBS)[]) {
    const target = spec[key];
    if (!target) continue;
    const job = target.job ?? target.selector?.job ?? DEFAULT_JOBS[key];
    targets[key] = { job, selector: { ...target.selector, job } };
  }
  return {
    ...targets,
    ...(spec.queues && { queues: { names: spec.queues.names ?? [] } }),
    certificates: spec.certificates ?? [],
    endpoints: spec.endpoints ?? [],
    blackboxJob: spec.blackboxJob ?? 'blackbox',
    ...(spec.backups && {
      backups: { rpo: parseDuration(spec.backups.rpo)!, names: spec.backups.names ?? [], job: spec.backups.job ?? 'backup' },
    }),
  };
}

/** Deep-merges the overrides into the defaults: '80%' → 0.8, '2s' → 2, numbers as given. */
function resolveThresholds(spec: NonNullable<ValidConfig['thresholds']>): Thresholds {
  const merged: Record<string, Record<string, number>> = {};
  for (const [group, defaults] of Object.entries(DEFAULT_THRESHOLDS)) {
    const overrides = (spec as Record<string, Record<string, string | number | undefined> | undefined>)[group] ?? {};
    merged[group] = { ...defaults };
    for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[group]![key] = toNumber(value);
  }
  return merged as unknown as Thresholds;
}

function toNumber(value: string | number): number {
  if (typeof value === 'number') return value;
  if (value.endsWith('%')) return roundFloat(Number(value.slice(0, -1)) / 100);
  return parseDuration(value)!;
}

/**
 * Where alerts go. Default routes use what is defined: critical pages (PagerDuty, else every receiver),
 * warning opens tickets (Slack and e-mail, else the webhook), info goes nowhere.
 */
export function resolveAlerting(spec: AlertingSpec, environment = 'production'): Alerting {
  const receivers = spec.receivers as Receivers;
  const defined = (Object.keys(receivers) as ReceiverKind[]).filter((k) => receivers[k] !== undefined);
  const pick = (wanted: readonly ReceiverKind[], fallback: readonly ReceiverKind[]) => {
    const found = wanted.filter((k) => defined.includes(k));
    return found.length > 0 ? found : fallback.filter((k) => defined.includes(k));
  };
  const routes: Record<Severity, readonly ReceiverKind[]> = {
    critical: spec.routes?.critical ?? pick(['pagerduty'], defined),
    warning: spec.routes?.warning ?? pick(['slack', 'email'], ['webhook']),
    info: spec.routes?.info ?? [],
  };
  const sentry = spec.links?.sentry;
  return {
    receivers,
    routes,
    maintenance: (spec.maintenance ?? []).map(resolveMaintenance),
    links: {
      ...(spec.links?.grafanaUrl && { grafanaUrl: spec.links.grafanaUrl.replace(/\/+$/, '') }),
      ...(sentry && { sentry: { url: sentry.url.replace(/\/+$/, ''), org: sentry.org, project: sentry.project, environment: sentry.environment ?? environment } }),
    },
  };
}

function resolveMaintenance(spec: NonNullable<AlertingSpec['maintenance']>[number]): MaintenanceWindow {
  const mute: Record<string, readonly string[]> = {};
  for (const [label, values] of Object.entries(spec.mute) as [string, string[] | undefined][]) if (values) mute[label] = values;
  return {
    name: spec.name,
    timeZone: spec.timeZone ?? 'UTC',
    weekdays: spec.weekdays.map((d) => d.toLowerCase()),
    times: spec.times ?? [],
    mute: mute as Readonly<Record<string, readonly string[]>>,
  };
}
