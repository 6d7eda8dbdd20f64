/**
 * kubernetes/: the same rules, dashboards and Alertmanager config as the compose stack, as resources for
 * the Prometheus Operator (kube-prometheus-stack): PrometheusRule (labelled for the Prometheus
 * ruleSelector), ServiceMonitor, dashboard ConfigMaps for Grafana's sidecar, the Loki rules ConfigMap and
 * the Alertmanager config Secret. Typed with kubernetes-models' interfaces; test/kubernetes.test.ts
 * validates every resource generated for the example and the golden inputs against the Kubernetes and
 * operator schemas with kubernetes-models. Generating does not load those schemas: importing them was a
 * fifth of `obs generate`'s start-up, and every value a user can set here is checked by the config schema.
 * rules/mimir/: the same rule groups namespaced per service, for `mimirtool rules load` (Mimir, Cortex).
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { formatDuration } from '../../model/duration.js';
import type { KubernetesSetup, WithStack } from '../../model/stack-types.js';
import type { Model, Service } from '../../model/types.js';
import { alertmanagerConfig } from '../alertmanager/index.js';
import { TEMPLATE_FILE, TEMPLATE_TEXT } from '../alertmanager/templates.js';
import { generateGrafana } from '../grafana/index.js';
import { lokiRuleFile } from '../loki/rules.js';
import { sloRuleGroups } from '../prometheus/index.js';
import { opsAlertSets, opsFiles, ruleFileBase } from '../prometheus/ops/index.js';
import type { PrometheusRuleFile, PrometheusRuleGroup } from '../prometheus/rule-types.js';
import type { GeneratedFile } from '../types.js';
import { renderOnce, toYaml } from '../../write/yaml-stringify.js';

/** The label Loki's Helm chart sidecar watches for rule ConfigMaps (sidecar.rules.label). */
export const LOKI_RULE_LABEL = { loki_rule: '1' } as const;
/** Where the operator mounts the config Secret's keys; templates are read from there. */
const ALERTMANAGER_CONFIG_DIR = '/etc/alertmanager/config';

/** Every Prometheus rule group of the bundle, by owner: each service, then `obs-stack` for the stack's own. */
export function ruleGroupsByOwner(model: Model): Map<string, PrometheusRuleGroup[]> {
  const owners = new Map<string, PrometheusRuleGroup[]>();
  const add = (owner: string, groups: readonly PrometheusRuleGroup[]) => owners.set(owner, [...(owners.get(owner) ?? []), ...groups]);
  for (const service of model.services) add(service.name, model.slos.filter((s) => s.service === service).flatMap(sloRuleGroups));
  const links = model.alerting?.links ?? {};
  for (const set of opsAlertSets(model)) {
    const rules = opsFiles(set, links)[0]!.content as PrometheusRuleFile;
    add(set.service?.name ?? ruleFileBase(set), rules.groups);
  }
  return owners;
}

function metadata(k8s: KubernetesSetup, name: string, labels: Readonly<Record<string, string>> = {}, annotations?: Record<string, string>) {
  return {
    name,
    namespace: k8s.namespace,
    labels: { 'app.kubernetes.io/managed-by': 'obs', ...labels },
    ...(annotations && { annotations }),
  };
}

/**
 * A copy of plain data as a tree: the rule builders share label objects between rules, and shared objects
 * are what YAML writers turn into anchors.
 */
function tree<T>(value: T): T {
  if (Array.isArray(value)) return value.map(tree) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = tree(item);
  return copy as T;
}

/** DNS-1123 names: lower case, dots and dashes; what a uid or service name may hold besides. */
function dnsName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 253);
}

/** A rule group for the PrometheusRule and the Mimir file, whose YAML is rendered once for both (most of their cost). */
function sharedGroup(group: PrometheusRuleGroup) {
  const { name, interval, rules } = group;
  return renderOnce({ name, ...(interval && { interval }), rules: tree([...rules]) });
}

function prometheusRule(k8s: KubernetesSetup, owner: string, groups: ReturnType<typeof sharedGroup>[]): IPrometheusRule {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: metadata(k8s, `obs-${dnsName(owner)}`, k8s.ruleLabels),
    spec: { groups },
  };
}

function serviceMonitor(k8s: KubernetesSetup, service: Service): IServiceMonitor {
  const monitor = k8s.serviceMonitor;
  const job = service.selector['job'] ?? service.name;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadata(k8s, `obs-${dnsName(service.name)}`, monitor.labels),
    spec: {
      selector: { matchLabels: { ...(monitor.selector ?? { 'app.kubernetes.io/name': service.name }) } },
      ...(monitor.namespace !== undefined && { namespaceSelector: { matchNames: [monitor.namespace] } }),
      endpoints: [
        {
          port: monitor.port,
          path: monitor.path,
          interval: formatDuration(monitor.interval),
          // The operator's job is the Kubernetes Service name; the alerts select the service's own job.
          relabelings: [{ action: 'replace', targetLabel: 'job', replacement: job }],
        },
      ],
    },
  };
}

/** `grafana`: the model's generateGrafana() files when the caller has them already (the bundle does). */
export function generateKubernetes(model: Model & WithStack, grafana: readonly GeneratedFile[] = generateGrafana(model)): GeneratedFile[] {
  const stack = model.stack;
  if (!stack) return [];
  const k8s = stack.kubernetes;
  const files: GeneratedFile[] = [];
  const owners = ruleGroupsByOwner(model);
  for (const [owner, groups] of owners) {
    if (groups.length === 0) continue;
    const rendered = groups.map(sharedGroup);
    files.push({ path: `kubernetes/prometheusrule-${owner}.yaml`, content: prometheusRule(k8s, owner, rendered) });
    // `.yml`, not `.rules.yml`: with its `namespace:` key it is mimirtool's format, not Prometheus's.
    files.push({ path: `rules/mimir/${owner}.yml`, content: { namespace: owner, groups: rendered } });
  }
  for (const service of model.services) files.push({ path: `kubernetes/servicemonitor-${service.name}.yaml`, content: serviceMonitor(k8s, service) });

  for (const dashboard of grafana.filter((f) => f.path.startsWith('dashboards/'))) {
    const uid = dashboard.path.slice('dashboards/'.length, -'.json'.length);
    const configMap: IConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(k8s, `grafana-dashboard-${dnsName(uid)}`, k8s.dashboardLabel, { grafana_folder: 'obs' }),
      data: { [`${uid}.json`]: JSON.stringify(dashboard.content) },
    };
    files.push({ path: `kubernetes/dashboards/${uid}.yaml`, content: configMap });
  }

  const lokiRules = model.services.filter((s) => s.ops);
  if (lokiRules.length > 0) {
    const links = model.alerting?.links ?? {};
    const data = Object.fromEntries(lokiRules.map((s) => [`${s.name}.rules.yml`, toYaml(lokiRuleFile(s, stack.logs, links))]));
    const configMap: IConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(k8s, 'obs-loki-rules', LOKI_RULE_LABEL), data };
    files.push({ path: 'kubernetes/loki-rules.yaml', content: configMap });
  }

  const alertmanager = alertmanagerConfig(model);
  if (alertmanager) {
    const template = TEMPLATE_FILE.split('/').pop()!;
    const config = { ...alertmanager, templates: [`${ALERTMANAGER_CONFIG_DIR}/${template}`] };
    const secret: ISecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(k8s, `alertmanager-${k8s.alertmanagerName}`),
      type: 'Opaque',
      stringData: { 'alertmanager.yaml': toYaml(config), [template]: TEMPLATE_TEXT },
    };
    files.push({ path: 'kubernetes/alertmanager-secret.yaml', content: secret });
  }
  return files;
}
