/**
 * The compose stack judged by the real tools: docker-compose validates the file, promtool the Prometheus
 * config with the rule files it globs, amtool the Alertmanager config compose mounts, blackbox_exporter
 * its modules; every bundle path a service mounts is generated.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlertmanager } from '../src/generate/alertmanager/index.js';
import { COMPOSE_PATHS, generateCompose, type ComposeFile, type PrometheusConfig } from '../src/generate/compose/index.js';
import { generateGrafana } from '../src/generate/grafana/index.js';
import { generateBundle } from '../src/generate/index.js';
import { generateKubernetes } from '../src/generate/kubernetes/index.js';
import { generateLoki } from '../src/generate/loki/index.js';
import { generateSentry } from '../src/generate/sentry/index.js';
import { IMAGES } from '../src/generate/stack-ids.js';
import type { GeneratedFile } from '../src/generate/types.js';
import { exampleModel, type StackModel, withStack, writeFiles } from './compose-fixtures.js';
import { promtool, tempDir } from './helpers.js';

let model: StackModel;
let files: GeneratedFile[];
let dir: string;
const compose = () => files.find((f) => f.path === COMPOSE_PATHS.compose)!.content as ComposeFile;
const prom = () => files.find((f) => f.path === COMPOSE_PATHS.prometheus)!.content as PrometheusConfig;

/** The files the other generators put in the bundle today (rules, Alertmanager, Grafana), plus ours. */
function bundle(m: StackModel): GeneratedFile[] {
  return [...generateBundle(m), ...generateAlertmanager(m), ...generateGrafana(m), ...generateCompose(m), ...generateLoki(m)];
}

const ENV = {
  ...process.env,
  GRAFANA_ADMIN_PASSWORD_FILE: '/run/obs/grafana-admin-password',
  ALERTMANAGER_SECRETS_DIR: '/run/obs/alertmanager',
  POSTGRES_EXPORTER_PASSWORD_FILE: '/run/obs/postgres-exporter-password',
};

function dockerCompose(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): { code: number; output: string } {
  try {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output: out };
  } catch (error) {
    const e = error as { status: number; stdout?: string; stderr?: string };
    return { code: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  model = withStack(await exampleModel(), {
    stack: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', tenant: 'ai-platform', basicAuth: { username: 'obs', passwordFile: '/run/obs/mimir-password' } }] },
  });
  files = bundle(model);
  dir = tempDir('obs-compose-');
  writeFiles(dir, files);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docker-compose.yml', () => {
  it('is accepted by `docker-compose config -q`', () => {
    const result = dockerCompose(join(dir, 'compose'), ENV, 'config', '-q');
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses to start without the Grafana admin password file (no default password)', () => {
    const { GRAFANA_ADMIN_PASSWORD_FILE: _drop, ...env } = ENV;
    const result = dockerCompose(join(dir, 'compose'), env, 'config', '-q');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('set GRAFANA_ADMIN_PASSWORD_FILE to the file holding the Grafana admin password');
  });

  it('runs Promtail only under its profile, and Alloy by default', () => {
    const result = dockerCompose(join(dir, 'compose'), ENV, 'config');
    const resolved = parse(result.output) as ComposeFile;
    expect(resolved.services['promtail']!.profiles).toEqual(['promtail']);
    expect(resolved.services['alloy']!.profiles).toBeUndefined();
  });

  it('mounts only paths that exist in the bundle', () => {
    const paths = new Set(files.map((f) => f.path));
    const sources = Object.values(compose().services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]!));
    const bundlePaths = sources.filter((s) => s.startsWith('./') || s.startsWith('../')).map((s) => join('compose', s).split('\\').join('/'));
    expect(bundlePaths.length).toBeGreaterThan(8);
    const missing = bundlePaths.filter((p) => !paths.has(p) && ![...paths].some((f) => f.startsWith(`${p}/`)));
    expect(missing).toEqual([]);
  });

  it('pins every image, restarts and limits every service, and publishes only on 127.0.0.1', () => {
    for (const [name, service] of Object.entries(compose().services)) {
      expect(service.image, name).toMatch(/:[\w.-]+$/);
      expect(service.image, name).not.toMatch(/:latest$/);
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.deploy.resources.limits.memory, name).toMatch(/^\d+[mg]$/);
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(Object.values(IMAGES).every((image) => !image.endsWith(':latest'))).toBe(true);
  });

  it('holds no secret: passwords and keys come from files named by environment variables', () => {
    const text = readFileSync(join(dir, COMPOSE_PATHS.compose), 'utf8');
    expect(text.match(/(?:password|secret|token|api_?key)[ \t]*[:=][ \t]*[^\s$/]/i)?.[0]).toBeUndefined();
    expect(compose().services['grafana']!.environment!['GF_SECURITY_ADMIN_PASSWORD__FILE']).toBe('/run/secrets/grafana_admin_password');
    expect(compose().secrets!['remote_write_0']).toEqual({ file: '/run/obs/mimir-password' });
  });

  it('runs the exporters the config enables, each under the job its alerts select', () => {
    const services = Object.keys(compose().services);
    for (const s of ['node-exporter', 'cadvisor', 'postgres-exporter', 'redis-exporter', 'nginx-exporter', 'blackbox-exporter']) expect(services).toContain(s);
    const jobs = prom().scrape_configs.map((j) => j.job_name);
    const deps = model.services[0]!.ops!.dependencies;
    for (const target of [deps.postgres, deps.redis, deps.nginx, deps.host, deps.containers]) expect(jobs).toContain(target!.job);
    expect(jobs).toContain('chat-api');
  });

  it('runs a persisted Pushgateway for the backup contract, scraped with the pushed job kept', () => {
    expect(compose().services['pushgateway']!.volumes).toEqual(['pushgateway-data:/data']);
    expect(prom().scrape_configs.find((j) => j.job_name === 'pushgateway')).toEqual({ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: ['pushgateway:9091'] }] });
  });

  it('runs no exporter the config does not name', async () => {
    const base = await exampleModel();
    const bare = withStack({ ...base, services: base.services.map((s) => ({ ...s, ops: { ...s.ops!, dependencies: { certificates: [], endpoints: [], blackboxJob: 'blackbox' } } })) });
    const services = Object.keys((generateCompose(bare).find((f) => f.path === COMPOSE_PATHS.compose)!.content as ComposeFile).services);
    expect(services.filter((s) => s.endsWith('-exporter')).sort()).toEqual(['node-exporter']);
    expect(services).not.toContain('pushgateway');
    expect(generateCompose(bare).map((f) => f.path)).not.toContain('exporters/blackbox/blackbox.yml');
  });

  it('warns when a receiver secret file is outside the directory compose mounts into Alertmanager', async () => {
    const base = await exampleModel();
    const moved = withStack({ ...base, alerting: { ...base.alerting!, receivers: { ...base.alerting!.receivers, pagerduty: { routingKeyFile: '/run/secrets/pd' } } } });
    expect(generateCompose(moved).find((f) => f.path === COMPOSE_PATHS.compose)!.warnings).toEqual([
      'alerting.receivers.pagerduty.routingKeyFile: /run/secrets/pd is outside /etc/alertmanager/secrets/, the directory compose mounts into Alertmanager (from $ALERTMANAGER_SECRETS_DIR)',
    ]);
    expect(generateCompose(model).find((f) => f.path === COMPOSE_PATHS.compose)!.warnings).toBeUndefined();
  });

  it('shares no object between places, so YAML needs no anchors (stack, logs, Sentry, Kubernetes files)', () => {
    const ours = [...generateCompose(model), ...generateLoki(model), ...generateSentry(model), ...generateKubernetes(model)].filter((f) => typeof f.content !== 'string');
    expect(ours.length).toBeGreaterThan(10);
    for (const f of ours) expect(stringify(f.content).match(/(?:^|[\s:-])&a\d+/)?.[0], f.path).toBeUndefined();
  });

  it('generates nothing for a bundle without a stack (imported Sloth/OpenSLO specs)', async () => {
    const { stack: _, ...withoutStack } = await exampleModel();
    expect(generateCompose(withoutStack)).toEqual([]);
  });
});

describe('prometheus.yml', () => {
  it('passes `promtool check config` with every rule file it names', () => {
    const config = prom();
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
    // The container path, re-pointed at the bundle's rules/ on this machine.
    const local = { ...config, rule_files: [join(dir, 'rules', '*.rules.yml')] };
    const path = join(dir, 'prometheus-local.yml');
    writeFileSync(path, stringify(local));
    const output = promtool('check', 'config', path);
    const ruleFiles = files.filter((f) => /^rules\/[^/]+\.rules\.yml$/.test(f.path));
    expect(ruleFiles.length).toBeGreaterThan(0);
    for (const f of ruleFiles) expect(output).toContain(join(dir, f.path));
    expect(output).toMatch(/SUCCESS/);
  });

  it('probes certificates and endpoints through blackbox_exporter under one job label', () => {
    const probes = prom().scrape_configs.filter((j) => j.metrics_path === '/probe');
    expect(probes.map((p) => p.params!['module']![0])).toEqual(['http_2xx', 'tls_connect']);
    for (const p of probes) expect(p.relabel_configs).toContainEqual({ target_label: 'job', replacement: 'blackbox' });
    expect(probes[1]!.static_configs[0]!.targets).toEqual(['api.example.com:443']);
  });

  it('writes to Mimir with the tenant header and the password from a file', () => {
    expect(prom().remote_write).toEqual([
      { url: 'https://mimir.example.com/api/v1/push', headers: { 'X-Scope-OrgID': 'ai-platform' }, basic_auth: { username: 'obs', password_file: '/run/secrets/remote_write_0' } },
    ]);
  });
});

describe('mounted configs', () => {
  it('amtool accepts the Alertmanager config compose mounts', () => {
    const path = join(dir, 'compose/alertmanager/alertmanager.yml');
    expect(existsSync(path)).toBe(true);
    const output = execFileSync('amtool', ['check-config', path], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
  });

  it('blackbox_exporter accepts its modules (--config.check)', () => {
    const path = join(dir, 'exporters/blackbox/blackbox.yml');
    const output = execFileSync('prometheus-blackbox-exporter', [`--config.file=${path}`, '--config.check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toBe('');
    const modules = parse(readFileSync(path, 'utf8')).modules;
    expect(Object.keys(modules)).toEqual(['http_2xx', 'tls_connect']);
  });

  it('Tempo takes OTLP on 4318, the port the SDK exports to', () => {
    const tempo = files.find((f) => f.path === 'compose/tempo/tempo.yml')!.content as { distributor: { receivers: { otlp: { protocols: { http: { endpoint: string } } } } } };
    expect(tempo.distributor.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(compose().services['tempo']!.ports).toEqual(['127.0.0.1:4318:4318']);
  });
});
