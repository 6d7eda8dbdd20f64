/**
 * The operational alerts: for each service the config gives `ops`, one rule file per domain
 * (rules/<service>-<domain>.rules.yml, one group) and its promtool tests (…test.yml), all from the
 * domain builders' OpsAlert definitions.
 */
import { parseDuration } from '../../../model/duration.js';
import { runbookUrl } from '../runbook-url.js';
import { dashboardUid } from '../../../model/ops-types.js';
import type { AlertLinks, Model, Service } from '../../../model/types.js';
import { eq, labelMatchers, selector } from '../../../promql/build.js';
import type { GeneratedFile } from '../../types.js';
import type { AlertingRule, PrometheusRuleFile } from '../rule-types.js';
import type { PromtoolTest, PromtoolTestFile } from '../slo-tests.js';
import { dependencyAlerts } from './dependencies.js';
import { genaiAlerts } from './genai.js';
import { infrastructureAlerts } from './infrastructure.js';
import { securityAlerts } from './security.js';
import { serviceAlerts } from './service.js';
import { stackAlerts } from './stack.js';
import type { AlertCase, AlertDomain, OpsAlert } from './types.js';

export type { OpsAlert } from './types.js';

/** The alerts of one rule file: a domain of one service, or the monitoring stack (no service). */
export interface OpsAlertSet {
  readonly service?: Service;
  readonly domain: AlertDomain;
  readonly alerts: readonly OpsAlert[];
}

/** The domain builders that judge one service, in file order. */
export const DOMAIN_BUILDERS: readonly (readonly [AlertDomain, (service: Service) => OpsAlert[]])[] = [
  ['service', serviceAlerts],
  ['genai', genaiAlerts],
  ['security', securityAlerts],
  ['dependencies', dependencyAlerts],
  ['infrastructure', infrastructureAlerts],
];

/**
 * Every non-empty domain of every service that has `ops` (imported Sloth/OpenSLO specs have none), then
 * the monitoring stack's alerts once, when any service has them.
 */
export function opsAlertSets(model: Model): OpsAlertSet[] {
  // The rule files and the runbooks both read them: build once per (immutable) model.
  let sets = built.get(model);
  if (!sets) built.set(model, (sets = buildAlertSets(model)));
  return sets;
}

const built = new WeakMap<Model, OpsAlertSet[]>();

function buildAlertSets(model: Model): OpsAlertSet[] {
  const sets: OpsAlertSet[] = [];
  for (const service of model.services) {
    if (!service.ops) continue;
    for (const [domain, build] of DOMAIN_BUILDERS) {
      const alerts = build(service);
      if (alerts.length > 0) sets.push({ service, domain, alerts });
    }
  }
  if (sets.length > 0) sets.push({ domain: 'stack', alerts: stackAlerts() });
  return sets;
}

/** rules/<base>.rules.yml: `<service>-<domain>`, or `obs-stack` for the monitoring stack. */
export function ruleFileBase(set: Pick<OpsAlertSet, 'service' | 'domain'>): string {
  return set.service ? `${set.service.name}-${set.domain}` : `obs-${set.domain}`;
}

/** rules/<service>-<domain>.rules.yml and .test.yml for every alert set. */
export function generateOpsAlerts(model: Model): GeneratedFile[] {
  const links = model.alerting?.links ?? {};
  return opsAlertSets(model).flatMap((set) => opsFiles(set, links));
}

/**
 * Cases longer than a day (e.g. against the same hour last week) go to a second test file evaluated every
 * 15 minutes: promtool evaluates every rule of the file at every step from 0, so a week at 1m steps costs
 * a minute of CPU. Their alerts' `for` must be a multiple of 15m.
 */
const LONG_CASE = 86_400;
export const LONG_EVALUATION_INTERVAL = '15m';

export function opsFiles(set: OpsAlertSet, links: AlertLinks): GeneratedFile[] {
  const base = ruleFileBase(set);
  const group = `obs-${base}`;
  const rules: PrometheusRuleFile = { groups: [{ name: group, rules: set.alerts.map((a) => alertingRule(a, set.service, links)) }] };
  const tests = set.alerts.flatMap((a) => a.cases.map((c) => ({ long: (parseDuration(c.at) ?? 0) > LONG_CASE, test: promtoolTest(a, c, set.service) })));
  const testFile = (interval: string, long: boolean): PromtoolTestFile => ({
    rule_files: [`${base}.rules.yml`],
    evaluation_interval: interval,
    group_eval_order: [group],
    tests: tests.filter((t) => t.long === long).map((t) => t.test),
  });
  const files: GeneratedFile[] = [
    { path: `rules/${base}.rules.yml`, content: rules },
    { path: `rules/${base}.test.yml`, content: testFile('1m', false) },
  ];
  if (tests.some((t) => t.long)) files.push({ path: `rules/${base}.long.test.yml`, content: testFile(LONG_EVALUATION_INTERVAL, true) });
  return files;
}

/** The labels every firing alert carries, severity first (Alertmanager routes and groups on them). */
export function alertLabels(alert: OpsAlert, service: Service | undefined): Record<string, string> {
  return { severity: alert.severity, ...service?.labels, ...(service && { service: service.name }), domain: alert.domain, component: alert.component };
}

export { runbookUrl };

export function alertingRule(alert: OpsAlert, service: Service | undefined, links: AlertLinks): AlertingRule {
  const annotations: Record<string, string> = {
    summary: alert.summary,
    description: alert.description,
    runbook_url: runbookUrl(alert.name, service),
  };
  if (links.grafanaUrl && service) annotations['dashboard_url'] = `${links.grafanaUrl.replace(/\/+$/, '')}/d/${dashboardUid(service.name, alert.dashboard)}`;
  if (alert.sentry && links.sentry && service) annotations['sentry_url'] = sentryIssues(links.sentry, service.name);
  return { alert: alert.name, expr: alert.expr, for: alert.for, labels: alertLabels(alert, service), annotations };
}

/**
 * The unresolved Sentry issues of the service in its environment. Sentry's `project` URL parameter takes
 * a numeric id, which the config does not know; the SDK tags every event with `service`, so search on it.
 */
function sentryIssues(sentry: NonNullable<AlertLinks['sentry']>, service: string): string {
  const query = encodeURIComponent(`is:unresolved service:${service}`);
  const url = sentry.url.replace(/\/+$/, '');
  return `${url}/organizations/${sentry.org}/issues/?environment=${encodeURIComponent(sentry.environment)}&query=${query}`;
}

/**
 * One promtool test per case. The check reads only labels (not the rendered annotations): firing cases
 * expect the alert with its severity, service, domain and component; the others expect no sample at all
 * (not even pending).
 */
export function promtoolTest(alert: OpsAlert, testCase: AlertCase, service: Service | undefined): PromtoolTest {
  const identity = [eq('alertname', alert.name), eq('severity', alert.severity), ...(service ? [eq('service', service.name)] : [])];
  const firing = { alertname: alert.name, component: alert.component, domain: alert.domain, ...(service && { service: service.name }), severity: alert.severity };
  const check =
    testCase.kind === 'fires'
      ? {
          expr: `max by (alertname, severity, service, domain, component) (${selector('ALERTS', [...identity, eq('alertstate', 'firing')])})`,
          eval_time: testCase.at,
          // promtool compares label sets in this form, sorted by name
          exp_samples: [{ labels: selector('', labelMatchers(firing)), value: 1 }],
        }
      : { expr: selector('ALERTS', identity), eval_time: testCase.at, exp_samples: [] };
  return {
    name: `${alert.name} (${alert.severity}) ${testCase.kind}: ${testCase.name}`,
    interval: '1m',
    input_series: testCase.input.map((s) => ({ series: s.series, values: s.values })),
    promql_expr_test: [check],
  };
}
