import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AlertmanagerConfig } from '../src/generate/alertmanager/types.js';
import type { PrometheusConfig } from '../src/generate/compose/types.js';
import { type LocalAddresses, localiseAlertmanager, localisePrometheus, probesCertificates, scrapedServices, serviceJobs } from '../src/dev/localise.js';
import { listeningUrl } from '../src/dev/stack.js';
import { notificationLine } from '../src/dev/webhook-sink.js';
import { ROOT } from './helpers.js';

/** The committed example bundle (generated from the root obs.config.ts). */
const prometheusYml = parseYaml(readFileSync(join(ROOT, 'compose/prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
const alertmanagerYml = parseYaml(readFileSync(join(ROOT, 'compose/alertmanager/alertmanager.yml'), 'utf8')) as AlertmanagerConfig;

const LOCAL: LocalAddresses = {
  prometheus: '127.0.0.1:1001',
  alertmanager: '127.0.0.1:1002',
  exporters: { 'node-exporter': '127.0.0.1:1003', 'postgres-exporter': '127.0.0.1:1004', 'redis-exporter': '127.0.0.1:1005' },
  services: { 'chat-api': '127.0.0.1:1006' },
  blackbox: { address: '127.0.0.1:1007', endpointOrigin: 'http://127.0.0.1:1006', tlsAddress: '127.0.0.1:1008' },
};

const job = (config: PrometheusConfig, name: string) => config.scrape_configs.find((j) => j.job_name === name);

describe('localising prometheus.yml for obs dev', () => {
  const { config, dropped, jobs } = localisePrometheus(prometheusYml, LOCAL, { rulesDir: '/tmp/bundle/rules' });

  it('finds what to start: the exporters scraped, the service jobs, the certificate probes', () => {
    expect(scrapedServices(prometheusYml).sort()).toEqual(
      ['alloy', 'blackbox-exporter', 'cadvisor', 'loki', 'nginx-exporter', 'node-exporter', 'postgres-exporter', 'pushgateway', 'redis-exporter', 'tempo'].sort(),
    );
    expect(serviceJobs(prometheusYml)).toEqual(['chat-api']);
    expect(probesCertificates(prometheusYml)).toBe(true);
  });

  it('points every kept job at the local process started for it', () => {
    expect(job(config, 'prometheus')!.static_configs).toEqual([{ targets: ['127.0.0.1:1001'] }]);
    expect(job(config, 'alertmanager')!.static_configs).toEqual([{ targets: ['127.0.0.1:1002'] }]);
    expect(job(config, 'chat-api')!.static_configs).toEqual([{ targets: ['127.0.0.1:1006'] }]);
    expect(job(config, 'node')!.static_configs).toEqual([{ targets: ['127.0.0.1:1003'] }]);
    expect(job(config, 'postgres')!.static_configs).toEqual([{ targets: ['127.0.0.1:1004'] }]);
    expect(job(config, 'redis')!.static_configs).toEqual([{ targets: ['127.0.0.1:1005'] }]);
    expect(jobs.map((j) => j.job)).toEqual(['prometheus', 'alertmanager', 'chat-api', 'node', 'postgres', 'redis', 'blackbox-endpoints', 'blackbox-certificates']);
  });

  it('drops the jobs of what is not running, saying why', () => {
    expect(Object.fromEntries(dropped.map((d) => [d.job, d.reason]))).toEqual({
      loki: expect.stringMatching(/^loki is not running \(no Loki binary/),
      alloy: expect.stringMatching(/^alloy is not running/),
      tempo: expect.stringMatching(/^tempo is not running/),
      cadvisor: 'cadvisor is not running (it needs Docker)',
      nginx: 'nginx-exporter is not running',
      pushgateway: expect.stringMatching(/^pushgateway is not running/),
    });
  });

  it('probes the local service and TLS server through the local blackbox_exporter, keeping job and module labels', () => {
    const endpoints = job(config, 'blackbox-endpoints')!;
    expect(endpoints.static_configs).toEqual([{ targets: ['http://127.0.0.1:1006/health'] }]);
    expect(endpoints.relabel_configs).toContainEqual({ target_label: '__address__', replacement: '127.0.0.1:1007' });
    expect(endpoints.relabel_configs).toContainEqual({ target_label: 'job', replacement: 'blackbox' });
    const certificates = job(config, 'blackbox-certificates')!;
    expect(certificates.static_configs).toEqual([{ targets: ['127.0.0.1:1008'] }]);
    expect(certificates.params).toEqual({ module: ['tls_connect'] });
  });

  it('loads the bundle rules from disk, alerts the local Alertmanager, keeps intervals unless told, drops remote_write', () => {
    expect(config.rule_files).toEqual(['/tmp/bundle/rules/*.rules.yml']);
    expect(config.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:1002'] }] }] });
    expect(config.global).toEqual(prometheusYml.global);
    const faster = localisePrometheus({ ...prometheusYml, remote_write: [{ url: 'https://mimir.example.com/api/v1/push' }] }, LOCAL, {
      rulesDir: '/r',
      scrapeInterval: '2s',
      evaluationInterval: '3s',
    }).config;
    expect(faster.global).toMatchObject({ scrape_interval: '2s', evaluation_interval: '3s', external_labels: { cluster: 'obs' } });
    expect(faster).not.toHaveProperty('remote_write');
  });

  it('drops the probe jobs without a local blackbox, and the service job nothing serves', () => {
    const { blackbox: _, ...noBlackbox } = LOCAL;
    const result = localisePrometheus(prometheusYml, { ...noBlackbox, services: {} }, { rulesDir: '/r' });
    expect(result.dropped.map((d) => d.job)).toEqual(expect.arrayContaining(['chat-api', 'blackbox-endpoints', 'blackbox-certificates']));
    expect(result.dropped.find((d) => d.job === 'chat-api')!.reason).toBe('no local process serves the chat-api metrics');
    const noTls = localisePrometheus(prometheusYml, { ...LOCAL, blackbox: { address: '127.0.0.1:1007' } }, { rulesDir: '/r' });
    expect(noTls.dropped.map((d) => d.job)).toEqual(expect.arrayContaining(['blackbox-endpoints', 'blackbox-certificates']));
  });

  it('reads hand-written configs: a job without static targets is dropped, missing lists are empty', () => {
    const sparse = { global: { scrape_interval: '15s' }, scrape_configs: [{ job_name: 'file-sd' }] } as unknown as PrometheusConfig;
    const result = localisePrometheus(sparse, LOCAL, { rulesDir: '/r' });
    expect(result.dropped).toEqual([{ job: 'file-sd', reason: 'it has no static targets (obs dev rewrites static_configs only)' }]);
    expect(result.config.rule_files).toEqual([]);
    expect(serviceJobs(sparse)).toEqual([]);
    const am = localiseAlertmanager({ route: { receiver: 'x' }, receivers: [{ name: 'x', slack_configs: [{}] }] } as unknown as AlertmanagerConfig, {
      webhookUrl: 'http://127.0.0.1:1/',
      configDir: '/c',
      secretsDir: '/s',
    });
    expect(am.config.templates).toEqual([]);
    expect(am.redirected).toEqual(['x']);
  });

  it('does not modify its input', () => {
    expect(job(prometheusYml, 'chat-api')!.static_configs).toEqual([{ targets: ['chat-api:9464'] }]);
  });
});

describe('localising alertmanager.yml for obs dev', () => {
  const options = { webhookUrl: 'http://127.0.0.1:2000/', configDir: '/tmp/bundle/compose/alertmanager', secretsDir: '/tmp/work/secrets' };
  const { config, redirected, placeholders } = localiseAlertmanager(alertmanagerYml, options);

  it('turns every notifying receiver into the local webhook under its own name; `none` stays silent', () => {
    expect(redirected).toEqual(['pagerduty', 'slack', 'email']);
    expect(config.receivers).toEqual([
      { name: 'pagerduty', webhook_configs: [{ send_resolved: true, url: 'http://127.0.0.1:2000/' }] },
      { name: 'slack', webhook_configs: [{ send_resolved: true, url: 'http://127.0.0.1:2000/' }] },
      { name: 'email', webhook_configs: [{ send_resolved: true, url: 'http://127.0.0.1:2000/' }] },
      { name: 'none' },
    ]);
  });

  it('keeps the routing tree, inhibitions and maintenance windows; resolves templates in the bundle', () => {
    expect(config.route).toEqual(alertmanagerYml.route);
    expect(config.inhibit_rules).toEqual(alertmanagerYml.inhibit_rules);
    expect(config.time_intervals).toEqual(alertmanagerYml.time_intervals);
    expect(config.templates).toEqual(['/tmp/bundle/compose/alertmanager/templates/obs.tmpl']);
    // The receivers carrying secret files are gone: nothing left to stand in for.
    expect(placeholders).toEqual({});
  });

  it('points secret files left in the config at placeholders, one per distinct secret', () => {
    const withGlobal = {
      ...alertmanagerYml,
      global: { slack_api_url_file: '/etc/alertmanager/secrets/slack-api-url', smtp_auth_password_file: '/run/other/slack-api-url' },
    } as AlertmanagerConfig;
    const result = localiseAlertmanager(withGlobal, options);
    expect((result.config as unknown as { global: unknown }).global).toEqual({
      slack_api_url_file: '/tmp/work/secrets/slack-api-url',
      smtp_auth_password_file: '/tmp/work/secrets/2-slack-api-url',
    });
    expect(result.placeholders).toEqual({
      '/tmp/work/secrets/slack-api-url': '/etc/alertmanager/secrets/slack-api-url',
      '/tmp/work/secrets/2-slack-api-url': '/run/other/slack-api-url',
    });
  });

  it('routes everything to the webhook when the bundle has no Alertmanager config', () => {
    const result = localiseAlertmanager(undefined, options);
    expect(result.config.route).toEqual({ receiver: 'dev' });
    expect(result.config.receivers).toEqual([{ name: 'dev', webhook_configs: [{ send_resolved: true, url: 'http://127.0.0.1:2000/' }] }]);
  });
});

describe('obs dev output', () => {
  it('prints one line per notification: receiver, status, alerts, group and summary', () => {
    expect(
      notificationLine({
        receiver: 'pagerduty',
        status: 'firing',
        groupLabels: { alertname: 'ChatApiAvailabilityBurnRate', service: 'chat-api', slo: 'availability' },
        commonAnnotations: { summary: 'The availability SLO is burning its error budget.' },
        alerts: [{ status: 'firing', labels: { alertname: 'ChatApiAvailabilityBurnRate' } }],
      }),
    ).toBe('pagerduty: FIRING ChatApiAvailabilityBurnRate {service="chat-api", slo="availability"} (1 alert): The availability SLO is burning its error budget.');
    expect(notificationLine({ receiver: 'slack', status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'A' } }, { status: 'resolved', labels: { alertname: 'B' } }] })).toBe(
      'slack: RESOLVED A, B (2 alerts)',
    );
  });

  it("finds the example service's URL in its listening log line", () => {
    expect(listeningUrl('{"level":30,"msg":"listening","url":"http://127.0.0.1:4242"}')).toBe('http://127.0.0.1:4242');
    expect(listeningUrl('{"msg":"started","url":"http://127.0.0.1:4242"}')).toBeUndefined();
    expect(listeningUrl('not json "listening"')).toBeUndefined();
  });
});
