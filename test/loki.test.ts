/**
 * Logs: Loki's config, the Alloy and Promtail pipelines checked against real lines of the SDK's logger,
 * and the LogQL alerting rules parsed by Grafana's own LogQL grammar.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertmanagerConfig } from '../src/generate/alertmanager/index.js';
import { tempDir } from './helpers.js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { parser } from '@grafana/lezer-logql';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_PATHS, type ComposeFile, generateCompose } from '../src/generate/compose/index.js';
import { generateLoki, lokiAlerts, lokiRunbookEntries } from '../src/generate/loki/index.js';
import { renderRunbook } from '../src/generate/runbooks/index.js';
import { alloyBlocks } from '../src/generate/loki/alloy.js';
import type { AlloyBlock } from '../src/generate/loki/alloy-syntax.js';
import type { LokiConfig } from '../src/generate/loki/loki-config.js';
import { LABEL_FIELDS, LOG_LEVELS, METADATA_FIELDS } from '../src/generate/loki/pipeline.js';
import type { PromtailConfig, PromtailStage } from '../src/generate/loki/promtail.js';
import type { PrometheusRuleFile } from '../src/generate/prometheus/index.js';
import type { AlertingRule } from '../src/generate/prometheus/rule-types.js';
import { dashboardUid } from '../src/model/ops-types.js';
import { createLogging } from '../src/sdk/logging.js';
import { isKnownSeries } from '../src/catalog/index.js';
import { parsePromQL } from '../src/promql/parse.js';
import { LOKI_RULES_DIR, LOKI_TENANT } from '../src/generate/stack-ids.js';
import { exampleModel, type StackModel, withStack } from './compose-fixtures.js';
import { installContextManager } from './sdk/helpers.js';

let model: StackModel;
const file = (path: string) => generateLoki(model).find((f) => f.path === path)!.content;

beforeAll(async () => {
  model = withStack(await exampleModel(), { logs: { retention: '14d', audit: { retention: '7y' } } });
});

/** LogQL parse errors: lezer marks them with error nodes (type id 0). */
function logqlErrors(query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(query.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

describe('loki.yml', () => {
  it('runs Loki 3 with tsdb/v13 on the filesystem, 24h index period', () => {
    const loki = file(COMPOSE_PATHS.loki) as LokiConfig;
    expect(loki.schema_config.configs).toEqual([{ from: '2024-04-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }]);
    expect(loki.auth_enabled).toBe(false);
  });

  it('enforces retention in the compactor, with the delete request store Loki 3 requires', () => {
    const loki = file(COMPOSE_PATHS.loki) as LokiConfig;
    expect(loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(loki.limits_config.retention_period).toBe('14d');
    expect(loki.limits_config.retention_stream).toEqual([{ selector: '{audit="true"}', priority: 1, period: '2555d' }]);
    expect(logqlErrors(loki.limits_config.retention_stream[0]!.selector)).toEqual([]);
  });

  it("points the ruler at Alertmanager and reads rules from the tenant folder compose mounts rules/loki/ into", async () => {
    const loki = file(COMPOSE_PATHS.loki) as LokiConfig;
    expect(loki.ruler.alertmanager_url).toBe('http://alertmanager:9093');
    expect(loki.ruler.storage.local.directory).toBe(LOKI_RULES_DIR);
    const compose = generateCompose(model).find((f) => f.path === COMPOSE_PATHS.compose)!.content as ComposeFile;
    expect(compose.services['loki']!.volumes).toContain(`../rules/loki:${LOKI_RULES_DIR}/${LOKI_TENANT}:ro`);
    expect(generateLoki(model).map((f) => f.path)).toContain('rules/loki/chat-api.rules.yml');
  });
});

/** Lines written by the SDK's own logger, as a service writes them: plain, in a span, errors, audit. */
function sdkLines(): Record<string, unknown>[] {
  const lines: string[] = [];
  const uninstall = installContextManager();
  try {
    const { logger, audit } = createLogging({ service: 'chat-api', env: 'production', version: '1.4.2' }, { destination: { write: (s: string) => void lines.push(s) } });
    logger.info('started');
    for (let i = 0; i < 20; i++) {
      const span = trace.wrapSpanContext({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED });
      context.with(trace.setSpan(context.active(), span), () => {
        logger.info({ http_route: '/v1/chat', user_id: `u${i}` }, 'answered');
        if (i % 5 === 0) logger.error({ err: new Error(`provider timeout ${i}`) }, 'model call failed');
        if (i % 4 === 0) audit.warn({ event: 'auth_failure', reason: 'invalid_token' }, 'authentication failed');
        if (i % 7 === 0) audit.info({ event: 'admin_action', action: 'prompt.delete' }, 'admin deleted a prompt');
      });
    }
    logger.warn('slow');
    logger.fatal('giving up');
  } finally {
    uninstall();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Pipeline {
  readonly name: string;
  readonly extracted: readonly string[];
  readonly labels: readonly string[];
  readonly metadata: readonly string[];
  readonly timestamp: { source: string; format: string };
}

function promtailPipeline(stages: readonly PromtailStage[]): Pipeline {
  const get = <K extends string>(key: K) => stages.find((s) => key in s) as Record<K, unknown> | undefined;
  return {
    name: 'promtail',
    extracted: Object.values((get('json')!.json as { expressions: Record<string, string> }).expressions),
    labels: Object.keys(get('labels')!.labels as object),
    metadata: Object.keys(get('structured_metadata')!.structured_metadata as object),
    timestamp: get('timestamp')!.timestamp as Pipeline['timestamp'],
  };
}

function alloyPipeline(blocks: readonly AlloyBlock[]): Pipeline {
  const process = blocks.find((b) => b.name === 'loki.process')!;
  const stage = (name: string) => Object.fromEntries(process.blocks.find((b) => b.name === `stage.${name}`)!.attributes) as Record<string, unknown>;
  const sameName = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => (v === '' ? k : v));
  return {
    name: 'alloy',
    extracted: sameName(stage('json')['expressions'] as Record<string, string>),
    labels: Object.keys(stage('labels')['values'] as object),
    metadata: Object.keys(stage('structured_metadata')['values'] as object),
    timestamp: stage('timestamp') as Pipeline['timestamp'],
  };
}

describe('the log pipelines against real SDK lines', () => {
  let lines: Record<string, unknown>[];
  let pipelines: Pipeline[];
  beforeAll(() => {
    lines = sdkLines();
    const promtail = file(COMPOSE_PATHS.promtail) as PromtailConfig;
    expect(promtail.scrape_configs.map((s) => s.job_name)).toEqual(['docker', 'files']);
    expect(promtail.scrape_configs[0]!.pipeline_stages).toEqual(promtail.scrape_configs[1]!.pipeline_stages);
    pipelines = [promtailPipeline(promtail.scrape_configs[0]!.pipeline_stages), alloyPipeline(alloyBlocks())];
  });

  it('Alloy and Promtail extract, label and attach the same fields', () => {
    const [promtail, alloy] = pipelines;
    expect({ ...alloy, name: '' }).toEqual({ ...promtail, name: '' });
  });

  it('finds every field it extracts under that exact name in the SDK lines', () => {
    const audit = lines.filter((l) => l['audit'] === true);
    const traced = lines.filter((l) => 'trace_id' in l);
    expect(audit.length).toBeGreaterThan(0);
    expect(traced.length).toBeGreaterThan(0);
    for (const p of pipelines) {
      for (const field of p.extracted) {
        // audit only on audit lines, trace/span ids only inside a span; everything else on every line
        const where = field === 'audit' ? audit : (METADATA_FIELDS as readonly string[]).includes(field) ? traced : lines;
        expect(where.filter((l) => !(field in l)).length, `${p.name}: ${field}`).toBe(0);
      }
    }
  });

  it('takes the timestamp from the line, in the format the SDK writes', () => {
    for (const p of pipelines) {
      expect(p.timestamp).toMatchObject({ source: 'time', format: 'RFC3339Nano' });
      for (const l of lines) expect(l['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('labels only fields with bounded values; trace_id and span_id are structured metadata', () => {
    for (const p of pipelines) {
      expect([...p.labels].sort()).toEqual(Object.keys(LABEL_FIELDS).sort());
      expect(p.metadata).toEqual(['trace_id', 'span_id']);
      for (const label of p.labels) expect(['trace_id', 'span_id', 'msg', 'time']).not.toContain(label);
    }
    const values = (field: string) => new Set(lines.map((l) => l[field]).filter((v) => v !== undefined).map(String));
    expect([...values('level')].every((v) => (LOG_LEVELS as readonly string[]).includes(v))).toBe(true);
    expect([...values('service')]).toEqual(['chat-api']);
    expect([...values('audit')]).toEqual(['true']);
    // The per-request fields are unbounded: one value per line, which is why they are not labels.
    expect(values('trace_id').size).toBe(20);
  });
});

describe('config.alloy', () => {
  const text = () => file(COMPOSE_PATHS.alloy) as string;

  it('wires every reference to a component the file defines', () => {
    const defined = new Set(alloyBlocks().map((b) => `${b.name}.${b.label}`));
    const refs = [...text().matchAll(/= \[?((?:discovery|loki|local)\.[a-z_.]+)\.(targets|output|receiver|rules)\]?/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(6);
    for (const ref of refs) expect(defined, ref).toContain(ref);
  });

  it('prints blocks, attributes and objects in Alloy syntax', () => {
    expect(text()).toContain('loki.write "local" {\n  endpoint {\n    url = "http://loki:3100/loki/api/v1/push"\n  }\n}');
    expect(text()).toContain('stage.labels {\n    values = {\n      level   = "",\n      service = "",\n      audit   = "",\n    }\n  }');
    expect(text()).toContain('path_targets = [{\n    __path__ = "/var/log/obs/**/*.log",\n    job      = "obs/files",\n  }]');
    // balanced braces: every block closed
    expect(text().split('{').length).toBe(text().split('}').length);
  });
});

describe('LogQL alerting rules', () => {
  const rules = () => (file('rules/loki/chat-api.rules.yml') as PrometheusRuleFile).groups.flatMap((g) => g.rules) as AlertingRule[];

  it('parse with Grafana’s LogQL grammar: every expression and every LogQL runbook query', () => {
    const alerts = lokiAlerts(model.services[0]!, model.stack.logs);
    const queries = [...alerts.map((a) => a.expr), ...alerts.flatMap((a) => a.runbook.confirm.filter((c) => c.look.startsWith('LogQL')).map((c) => c.query))];
    expect(queries.length).toBeGreaterThan(8);
    for (const q of queries) expect(logqlErrors(q), q).toEqual([]);
  });

  it('their PromQL runbook queries parse and name only catalog metrics (closed loop)', () => {
    const promql = lokiAlerts(model.services[0]!, model.stack.logs).flatMap((a) => a.runbook.confirm.filter((c) => c.look.startsWith('PromQL')).map((c) => c.query));
    expect(promql.length).toBeGreaterThan(0);
    for (const q of promql) {
      const parsed = parsePromQL(q);
      expect(parsed.errorAt, q).toBeUndefined();
      for (const s of parsed.selectors) expect(isKnownSeries(s.metric!), s.metric).toBe(true);
    }
  });

  it('the parser does reject a broken expression', () => {
    expect(logqlErrors('sum by (service) (count_over_time({service="x"}[5m]) >')).not.toEqual([]);
    expect(logqlErrors('{service="x"} | json event=')).not.toEqual([]);
  });

  it('cover error bursts, uncaught exceptions, auth-failure bursts and a silent audit stream', () => {
    expect(rules().map((r) => r.alert)).toEqual(['ErrorLogBurst', 'UncaughtExceptionLogged', 'AuthFailureLogBurst', 'AuditLogStreamSilent']);
    expect(rules().find((r) => r.alert === 'AuthFailureLogBurst')!.expr).toContain('{service="chat-api", audit="true"}');
  });

  it('carry the labels and annotations of the Prometheus alerts', () => {
    for (const rule of rules()) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels['severity']);
      expect(rule.labels).toMatchObject({ service: 'chat-api' });
      expect(rule.annotations['summary']).toMatch(/\.$/);
      expect(rule.annotations['runbook_url']).toBe(`https://runbooks.example.com/${rule.alert}`);
      expect(rule.annotations['dashboard_url']).toBe(`https://grafana.example.com/d/${dashboardUid('chat-api', 'logs')}`);
    }
    expect(rules().filter((r) => r.annotations['sentry_url']).map((r) => r.alert)).toEqual(['ErrorLogBurst', 'UncaughtExceptionLogged']);
  });

  it('each have a runbook in the shape of the Prometheus alerts’', () => {
    const entries = lokiRunbookEntries(model);
    expect(entries.map((e) => e.name)).toEqual(['ErrorLogBurst', 'UncaughtExceptionLogged', 'AuthFailureLogBurst', 'AuditLogStreamSilent']);
    const text = renderRunbook(entries[0]!.name, [entries[0]!]);
    for (const section of ['## When it fires', '## What it means', '## User impact', '## How to confirm', '## Likely causes', '## Mitigation', '## Escalation']) expect(text).toContain(section);
    expect(text).toContain('chat-api (Loki ruler, rules/loki/chat-api.rules.yml)');
  });

  it('reach the receivers of their severity through the generated Alertmanager routes (amtool)', () => {
    const dir = tempDir('obs-loki-am-');
    try {
      const path = join(dir, 'alertmanager.yml');
      writeFileSync(path, stringify({ ...alertmanagerConfig(model)!, templates: [] }));
      const expected: Record<string, string> = { critical: 'pagerduty', warning: 'slack,email' };
      for (const rule of rules()) {
        const labels = Object.entries({ alertname: rule.alert, ...rule.labels }).map(([k, v]) => `${k}=${v}`);
        const receivers = expected[rule.labels['severity']!]!;
        // exits non-zero when the routes pick other receivers
        execFileSync('amtool', ['config', 'routes', 'test', `--config.file=${path}`, `--verify.receivers=${receivers}`, ...labels], { encoding: 'utf8' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('find the fields they filter on in real SDK audit lines', () => {
    const auditLine = sdkLines().find((l) => l['audit'] === true && l['event'] === 'auth_failure')!;
    expect(auditLine).toMatchObject({ event: 'auth_failure', reason: 'invalid_token', service: 'chat-api' });
  });
});


