/**
 * Kubernetes and Mimir output: every resource validated by kubernetes-models against the Kubernetes and
 * prometheus-operator schemas, the rules the same as rules/ (and accepted by promtool), the Alertmanager
 * Secret accepted by amtool, dashboards labelled for Grafana's sidecar.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_TEXT } from '../src/generate/alertmanager/templates.js';
import { generateGrafana } from '../src/generate/grafana/index.js';
import { generateBundle } from '../src/generate/index.js';
import { generateKubernetes } from '../src/generate/kubernetes/index.js';
import type { PrometheusRuleFile, PrometheusRuleGroup } from '../src/generate/prometheus/index.js';
import type { GeneratedFile } from '../src/generate/types.js';
import { exampleModel, type StackModel, withStack } from './compose-fixtures.js';
import { promtool, tempDir, ruleFileOf, ROOT } from './helpers.js';
import { GOLDEN_CASES } from './cases.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { toYaml } from '../src/write/yaml-stringify.js';

let model: StackModel;
let files: GeneratedFile[];
let dir: string;
const resources = (prefix: string) => files.filter((f) => f.path.startsWith(prefix));

beforeAll(async () => {
  model = withStack(await exampleModel(), {
    kubernetes: { namespace: 'observability', ruleLabels: { release: 'kube-prometheus-stack' }, serviceMonitor: { selector: { app: 'chat-api' }, port: 'http-metrics', namespace: 'chat' } },
  });
  files = generateKubernetes(model);
  dir = tempDir('obs-k8s-');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubernetes/', () => {
  it('validates every resource against its schema (kubernetes-models)', () => {
    const kinds: string[] = [];
    for (const file of resources('kubernetes/')) {
      const content = file.content as { kind: string };
      const Model = { PrometheusRule, ServiceMonitor, ConfigMap, Secret }[content.kind as 'ConfigMap'];
      expect(Model, file.path).toBeDefined();
      new Model(content as never).validate();
      kinds.push(content.kind);
    }
    expect(new Set(kinds)).toEqual(new Set(['PrometheusRule', 'ServiceMonitor', 'ConfigMap', 'Secret']));
  });

  it('validates every resource of every golden input (generating does not: the schemas load only here)', async () => {
    const kinds = new Set<string>();
    for (const c of GOLDEN_CASES) {
      const loaded = await loadConfig(join(ROOT, c.config), ROOT);
      for (const file of generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate)).filter((f) => f.path.startsWith('kubernetes/'))) {
        const content = file.content as { kind: string };
        const Model = { PrometheusRule, ServiceMonitor, ConfigMap, Secret }[content.kind as 'ConfigMap'];
        expect(Model, `${c.name}: ${file.path}`).toBeDefined();
        // what the bundle writes (undefined fields left out), read back as the cluster would
        new Model(parse(toYaml(content)) as never).validate();
        kinds.add(content.kind);
      }
    }
    // no golden input configures receivers: the Alertmanager Secret is the example's (validated above)
    expect(kinds).toEqual(new Set(['PrometheusRule', 'ServiceMonitor', 'ConfigMap']));
  });

  it('the validation does reject a malformed resource', () => {
    const bad = new PrometheusRule({ metadata: { name: 'x' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A' } as never] }] } });
    expect(() => bad.validate()).toThrow();
  });

  it('puts the same rule groups as rules/ into PrometheusRules, labelled for the ruleSelector', () => {
    const fromRules = generateBundle(model)
      .filter((f) => /^rules\/[^/]+\.rules\.yml$/.test(f.path))
      .flatMap((f) => ruleFileOf(f).groups);
    const prometheusRules = resources('kubernetes/prometheusrule-').map((f) => f.content as { metadata: { namespace: string; labels: Record<string, string> }; spec: { groups: PrometheusRuleGroup[] } });
    const fromK8s = prometheusRules.flatMap((r) => r.spec.groups);
    const byName = (groups: readonly PrometheusRuleGroup[]) => [...groups].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(fromK8s)).toEqual(byName(fromRules));
    for (const r of prometheusRules) {
      expect(r.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      expect(r.metadata.namespace).toBe('observability');
    }
  });

  it('promtool accepts the rules of every PrometheusRule', () => {
    for (const file of resources('kubernetes/prometheusrule-')) {
      const path = join(dir, file.path.replace(/\//g, '_'));
      writeFileSync(path, stringify((file.content as { spec: unknown }).spec, { lineWidth: 0 }));
      expect(promtool('check', 'rules', path)).toMatch(/SUCCESS/);
    }
  });

  it('monitors the service under the job its alerts select', () => {
    const [monitor] = resources('kubernetes/servicemonitor-').map((f) => f.content as { spec: { selector: unknown; endpoints: { port: string; relabelings: unknown[] }[] } });
    expect(monitor!.spec.selector).toEqual({ matchLabels: { app: 'chat-api' } });
    expect((monitor!.spec as { namespaceSelector?: unknown }).namespaceSelector).toEqual({ matchNames: ['chat'] });
    expect(monitor!.spec.endpoints[0]!.port).toBe('http-metrics');
    expect(monitor!.spec.endpoints[0]!.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'chat-api' }]);
  });

  it('ships every dashboard in a ConfigMap with the label Grafana’s sidecar watches', () => {
    const dashboards = generateGrafana(model).filter((f) => f.path.startsWith('dashboards/'));
    const maps = resources('kubernetes/dashboards/').map((f) => f.content as { metadata: { labels: Record<string, string> }; data: Record<string, string> });
    expect(maps).toHaveLength(dashboards.length);
    expect(dashboards.length).toBeGreaterThan(0);
    for (const [i, map] of maps.entries()) {
      expect(map.metadata.labels['grafana_dashboard']).toBe('1');
      const [key, text] = Object.entries(map.data)[0]!;
      expect(`dashboards/${key}`).toBe(dashboards[i]!.path);
      expect(JSON.parse(text)).toEqual(dashboards[i]!.content);
    }
  });

  it('ships the LogQL rules in a ConfigMap for Loki’s rules sidecar', () => {
    const map = resources('kubernetes/loki-rules.yaml')[0]!.content as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(map.metadata.labels['loki_rule']).toBe('1');
    const rules = parse(map.data['chat-api.rules.yml']!) as PrometheusRuleFile;
    expect(rules.groups[0]!.rules.map((r) => ('alert' in r ? r.alert : r.record))).toContain('ErrorLogBurst');
  });

  it('puts an Alertmanager config amtool accepts into the operator’s Secret', () => {
    const secret = resources('kubernetes/alertmanager-secret.yaml')[0]!.content as { metadata: { name: string }; stringData: Record<string, string> };
    expect(secret.metadata.name).toBe('alertmanager-main');
    expect(secret.stringData['obs.tmpl']).toBe(TEMPLATE_TEXT);
    const config = parse(secret.stringData['alertmanager.yaml']!) as { templates: string[] };
    expect(config.templates).toEqual(['/etc/alertmanager/config/obs.tmpl']);
    // amtool resolves the template path: point it at a copy on this machine.
    writeFileSync(join(dir, 'obs.tmpl'), TEMPLATE_TEXT);
    writeFileSync(join(dir, 'alertmanager.yaml'), stringify({ ...config, templates: [join(dir, 'obs.tmpl')] }));
    expect(execFileSync('amtool', ['check-config', join(dir, 'alertmanager.yaml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});

describe('rules/mimir/', () => {
  it('holds each owner’s rule groups under its own namespace, loadable as a Prometheus rule file', () => {
    const mimir = resources('rules/mimir/');
    expect(mimir.map((f) => f.path).sort()).toEqual(['rules/mimir/chat-api.yml', 'rules/mimir/obs-stack.yml']);
    for (const file of mimir) {
      const { namespace, groups } = file.content as { namespace: string; groups: PrometheusRuleGroup[] };
      expect(file.path).toBe(`rules/mimir/${namespace}.yml`);
      const path = join(dir, `${namespace}-groups.yml`);
      writeFileSync(path, stringify({ groups }, { lineWidth: 0 }));
      expect(promtool('check', 'rules', path)).toMatch(/SUCCESS/);
    }
  });
});
