import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerConfig, generateAlertmanager, TARGET_DOWN_ALERT } from '../src/generate/alertmanager/index.js';
import { overlappingSets, weekdayRanges } from '../src/generate/alertmanager/maintenance.js';
import { eq, noneOf, oneOf } from '../src/generate/alertmanager/matchers.js';
import { serviceAlerts } from '../src/generate/prometheus/ops/service.js';
import { resolveModel } from '../src/model/resolve.js';
import type { MaintenanceWindow } from '../src/model/types.js';
import { loadConfig } from '../src/spec/load.js';
import { amtool, fullConfig, modelOf, writeAlertmanager } from './alertmanager-fixtures.js';
import { ROOT, tempDir } from './helpers.js';

const window = (name: string, mute: MaintenanceWindow['mute']): MaintenanceWindow => ({ name, timeZone: 'UTC', weekdays: ['sunday'], times: [], mute });

describe('Alertmanager builders', () => {
  it('emits nothing without alerting', () => {
    const model = modelOf({ service: { name: 'api' }, slos: { availability: { objective: 99.9, sli: { http: {} } } } });
    expect(generateAlertmanager(model)).toEqual([]);
  });

  it('writes alertmanager.yml and the template file it names', () => {
    const files = generateAlertmanager(modelOf(fullConfig(tempDir('obs-am-'))));
    expect(files.map((f) => f.path)).toEqual(['compose/alertmanager/alertmanager.yml', 'compose/alertmanager/templates/obs.tmpl']);
    expect((files[0]!.content as { templates: string[] }).templates).toEqual(['templates/obs.tmpl']);
    expect(typeof files[1]!.content).toBe('string');
  });

  it('routes each severity to its receivers, one route per receiver, and unknown severities like warnings', () => {
    const dir = tempDir('obs-am-');
    const config = alertmanagerConfig(modelOf(fullConfig(dir, [{ name: 'db', weekdays: ['sunday'], mute: { component: ['postgres'] } }])))!;
    const mute = [{ matchers: ['component="postgres"'], mute_time_intervals: ['db'] }];
    expect(config.route).toEqual({
      receiver: 'none',
      group_by: ['alertname', 'service', 'slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { matchers: ['severity="critical"'], receiver: 'pagerduty', routes: mute },
        { matchers: ['severity="warning"'], receiver: 'slack', continue: true, routes: mute },
        { matchers: ['severity="warning"'], receiver: 'email', routes: mute },
        { matchers: ['severity="info"'], receiver: 'none' },
        { matchers: ['severity!~"critical|warning|info"'], receiver: 'slack', continue: true, routes: mute },
        { matchers: ['severity!~"critical|warning|info"'], receiver: 'email', routes: mute },
      ],
    });
    expect(config.time_intervals).toEqual([{ name: 'db', time_intervals: [{ weekdays: ['sunday'], location: 'UTC' }] }]);
  });

  it('references secrets only through *_file fields', () => {
    const dir = tempDir('obs-am-');
    const { receivers } = alertmanagerConfig(modelOf(fullConfig(dir)))!;
    expect(receivers.map((r) => r.name)).toEqual(['pagerduty', 'slack', 'email', 'webhook', 'none']);
    expect(receivers[0]!.pagerduty_configs![0]!.routing_key_file).toBe(join(dir, 'pagerduty-key'));
    expect(receivers[1]!.slack_configs![0]).toMatchObject({ api_url_file: join(dir, 'slack-url'), channel: '#chat-api-alerts' });
    expect(receivers[2]!.email_configs![0]).toMatchObject({ auth_username: 'am', auth_password_file: join(dir, 'smtp-password') });
    expect(receivers[3]!.webhook_configs).toEqual([{ send_resolved: true, url: 'http://127.0.0.1:9/hook' }]);
    const text = JSON.stringify(receivers);
    for (const inline of ['"routing_key"', '"service_key"', '"api_url"', '"auth_password"']) expect(text).not.toContain(inline);
  });

  it('inhibits warning by critical, an SLO ticket by its page, and a down target’s other alerts', () => {
    const config = alertmanagerConfig(modelOf(fullConfig(tempDir('obs-am-'))))!;
    expect(config.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'service', 'slo', 'job', 'instance'] },
      { source_matchers: ['severity="critical"', 'slo=~".+"'], target_matchers: ['severity="warning"', 'slo=~".+"'], equal: ['service', 'slo'] },
      { source_matchers: [`alertname="${TARGET_DOWN_ALERT}"`], target_matchers: [`alertname!="${TARGET_DOWN_ALERT}"`], equal: ['service', 'job', 'instance'] },
      // Service-wide alerts carry no job/instance: a separate rule on `service` alone.
      {
        source_matchers: [`alertname="${TARGET_DOWN_ALERT}"`],
        target_matchers: [expect.stringMatching(/^alertname=~"ChatApiAvailabilitySLIDataMissing\|.*\|HttpTrafficStopped\|AuditLogSilent"$/)],
        equal: ['service'],
      },
    ]);
  });

  it('names the target-down alert as the service rules do', () => {
    const service = modelOf(fullConfig(tempDir('obs-am-'))).services[0]!;
    const down = serviceAlerts(service).filter((a) => a.name === TARGET_DOWN_ALERT);
    expect(down.map((a) => a.severity)).toEqual(['critical']);
    // It keeps `job` and `instance` (no aggregation), which the inhibition compares.
    expect(down[0]!.expr).not.toMatch(/\b(sum|max|min|avg|count)\b/);
  });

  it('follows each SLO’s own page and ticket severities', () => {
    const config = fullConfig(tempDir('obs-am-'));
    const model = modelOf({ ...config, slos: { ...config.slos, latency: { objective: 99, sli: { http: {} }, alerting: { ticket: { severity: 'info' } } } } });
    const slo = alertmanagerConfig(model)!.inhibit_rules.filter((r) => r.equal.join() === 'service,slo');
    expect(slo.map((r) => [r.source_matchers[0], r.target_matchers[0]])).toEqual([
      ['severity="critical"', 'severity="warning"'],
      ['severity="critical"', 'severity="info"'],
    ]);
  });

  it('honours configured routes: several receivers, none, and unknown severity to pages when tickets go nowhere', () => {
    const config = fullConfig(tempDir('obs-am-'));
    const model = modelOf({ ...config, alerting: { ...config.alerting!, routes: { critical: ['pagerduty', 'webhook'], warning: [], info: ['webhook'] } } });
    const routes = alertmanagerConfig(model)!.route.routes!;
    expect(routes.map((r) => [r.matchers![0], r.receiver, r.continue ?? false])).toEqual([
      ['severity="critical"', 'pagerduty', true],
      ['severity="critical"', 'webhook', false],
      ['severity="warning"', 'none', false],
      ['severity="info"', 'webhook', false],
      ['severity!~"critical|warning|info"', 'pagerduty', true],
      ['severity!~"critical|warning|info"', 'webhook', false],
    ]);
  });

  it('gives every overlapping combination of windows its own route, most specific first', () => {
    const sets = overlappingSets([
      window('a', { component: ['postgres', 'redis'] }),
      window('b', { component: ['postgres'], severity: ['warning'] }),
      window('c', { alertname: ['HostDiskFull'] }),
      window('d', { component: ['redis', 'postgres'] }),
      window('e', { component: ['nginx'] }),
    ]);
    expect(sets.map((s) => [s.intervals, Object.fromEntries(s.selector)])).toEqual([
      [['a', 'd', 'b', 'c'], { component: ['postgres'], severity: ['warning'], alertname: ['HostDiskFull'] }],
      [['a', 'd', 'b'], { component: ['postgres'], severity: ['warning'] }],
      [['a', 'd', 'c'], { component: ['postgres', 'redis'], alertname: ['HostDiskFull'] }],
      [['a', 'd'], { component: ['postgres', 'redis'] }],
      [['b', 'c'], { component: ['postgres'], severity: ['warning'], alertname: ['HostDiskFull'] }],
      [['c', 'e'], { alertname: ['HostDiskFull'], component: ['nginx'] }],
      [['b'], { component: ['postgres'], severity: ['warning'] }],
      [['c'], { alertname: ['HostDiskFull'] }],
      [['e'], { component: ['nginx'] }],
    ]);
  });

  it('lands every alert on a route that mutes all the windows naming it', () => {
    const windows = [
      window('a', { component: ['postgres', 'redis'] }),
      window('b', { component: ['postgres'], severity: ['warning'] }),
      window('c', { alertname: ['HostDiskFull', 'PostgresDown'] }),
      window('d', { severity: ['warning', 'info'] }),
    ];
    const sets = overlappingSets(windows);
    const matches = (selector: ReadonlyMap<string, readonly string[]>, alert: Record<string, string>) =>
      [...selector].every(([label, values]) => values.includes(alert[label] ?? ''));
    for (const alertname of ['HostDiskFull', 'PostgresDown', 'Other']) {
      for (const component of ['postgres', 'redis', 'nginx']) {
        for (const severity of ['critical', 'warning', 'info']) {
          const alert = { alertname, component, severity };
          const expected = windows.filter((w) => matches(new Map(Object.entries(w.mute)), alert)).map((w) => w.name);
          const first = sets.find((set) => matches(set.selector, alert));
          expect([...(first?.intervals ?? [])].sort(), JSON.stringify(alert)).toEqual(expected);
        }
      }
    }
  });

  it('splits weekday ranges that wrap past Saturday, which Alertmanager rejects', () => {
    expect(weekdayRanges('saturday:sunday')).toEqual(['saturday', 'sunday']);
    expect(weekdayRanges('friday:monday')).toEqual(['friday:saturday', 'sunday:monday']);
    expect(weekdayRanges('monday:friday')).toEqual(['monday:friday']);
    expect(weekdayRanges('sunday')).toEqual(['sunday']);
  });

  it('writes classic matchers that quote and escape literal values', () => {
    expect(eq('service', 'chat "api"')).toBe('service="chat \\"api\\""');
    expect(oneOf('component', ['api.v2', 'a|b'])).toBe('component=~"api\\\\.v2|a\\\\|b"');
    expect(oneOf('component', ['api.v2'])).toBe('component="api.v2"');
    expect(noneOf('severity', ['critical', 'warning'])).toBe('severity!~"critical|warning"');
  });
});

describe('amtool (Alertmanager 0.25) on the generated config', () => {
  const dir = tempDir('obs-amtool-');
  const file = writeAlertmanager(
    dir,
    modelOf(
      fullConfig(dir, [
        { name: 'db-upgrades', timeZone: 'Europe/Paris', weekdays: ['sunday'], times: [{ start: '02:00', end: '04:00' }], mute: { component: ['postgres', 'api.v2'] } },
        { name: 'weekend-tickets', weekdays: ['saturday:sunday'], mute: { severity: ['warning'] } },
      ]),
    ),
  );

  it('passes check-config, templates included', async () => {
    const out = await amtool('check-config', file);
    expect(out).toContain('SUCCESS');
    expect(out).toContain('1 templates');
    expect(out).not.toContain('FAILED');
  });

  it('passes check-config for the example obs.config.ts', async () => {
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    const exampleDir = tempDir('obs-amtool-example-');
    const out = await amtool('check-config', writeAlertmanager(exampleDir, resolveModel(loaded.source, loaded.documents)));
    expect(out).toContain('SUCCESS');
    expect(out).not.toContain('FAILED');
  });

  it('still round-trips through YAML with the times as strings', () => {
    const parsed = parse(readFileSync(file, 'utf8'));
    expect(parsed.time_intervals[0].time_intervals[0].times).toEqual([{ start_time: '02:00', end_time: '04:00' }]);
  });

  // Label sets → the receivers Alertmanager resolves, in route order (amtool fails on any other list).
  const ROUTING: readonly [labels: string[], receivers: string][] = [
    [['alertname=ChatApiHighErrorRatio', 'service=chat-api', 'severity=critical'], 'pagerduty'],
    [['alertname=ChatApiHighErrorRatio', 'service=chat-api', 'severity=warning'], 'slack,email'],
    [['alertname=ChatApiAvailabilityBudgetBurn', 'service=chat-api', 'slo=availability', 'severity=critical'], 'pagerduty'],
    [['alertname=ChatApiAvailabilityBudgetBurn', 'service=chat-api', 'slo=availability', 'severity=warning'], 'slack,email'],
    [['alertname=GenAiCacheHitRatioLow', 'service=chat-api', 'severity=info'], 'none'],
    // No severity, or one we do not know: treated as a ticket, never dropped.
    [['alertname=Custom', 'service=chat-api'], 'slack,email'],
    [['alertname=Custom', 'service=chat-api', 'severity=page'], 'slack,email'],
    // Maintenance child routes keep their parent's receiver.
    [['alertname=PostgresDown', 'component=postgres', 'severity=critical'], 'pagerduty'],
    [['alertname=X', 'component=api.v2', 'severity=warning'], 'slack,email'],
  ];
  for (const [labels, receivers] of ROUTING) {
    it(`routes ${labels.join(' ')} → ${receivers}`, async () => {
      const out = await amtool('config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receivers}`, ...labels);
      expect(out.split('\n')[0]).toBe(receivers);
    });
  }

  it('fails a routing case that expects the wrong receiver (the table can fail)', async () => {
    await expect(amtool('config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=pagerduty', 'severity=warning')).rejects.toThrow(/did not match/);
  });

  it('renders summary, description, runbook and dashboard links in Slack and e-mail messages', async () => {
    const data = join(dir, 'alert.json');
    writeFileSync(
      data,
      JSON.stringify({
        receiver: 'slack',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'ChatApiHighErrorRatio', service: 'chat-api', severity: 'critical' },
            annotations: {
              summary: 'chat-api answers too many requests with a server error.',
              description: '3.2% of requests failed over 5m.',
              runbook_url: 'https://runbooks.example.com/ChatApiHighErrorRatio',
              dashboard_url: 'https://grafana.example.com/d/obs-chat-api-service',
              sentry_url: 'https://sentry.io/organizations/example/issues/?project=chat-api',
            },
            startsAt: '2026-01-01T00:00:00Z',
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://127.0.0.1:9090/graph',
            fingerprint: '0123456789abcdef',
          },
        ],
        groupLabels: { alertname: 'ChatApiHighErrorRatio', service: 'chat-api' },
        commonLabels: { alertname: 'ChatApiHighErrorRatio', service: 'chat-api', severity: 'critical' },
        commonAnnotations: { summary: 'chat-api answers too many requests with a server error.' },
        externalURL: 'http://127.0.0.1:9093',
      }),
    );
    const render = (name: string, type = 'text') =>
      amtool('template', 'render', `--template.glob=${join(dir, 'compose/alertmanager/templates/*.tmpl')}`, `--template.data=${data}`, `--template.type=${type}`, `--template.text={{ template "${name}" . }}`);
    const slack = await render('obs.slack.text');
    expect(slack).toContain('*chat-api answers too many requests with a server error.*');
    expect(slack).toContain('3.2% of requests failed over 5m.');
    expect(slack).toContain('<https://runbooks.example.com/ChatApiHighErrorRatio|Runbook>');
    expect(slack).toContain('<https://grafana.example.com/d/obs-chat-api-service|Dashboard>');
    expect(slack).toContain('<https://sentry.io/organizations/example/issues/?project=chat-api|Sentry issues>');
    expect(await render('obs.title')).toContain('[FIRING:1] critical · ChatApiHighErrorRatio · chat-api');
    const text = await render('obs.email.text');
    expect(text).toContain('Runbook: https://runbooks.example.com/ChatApiHighErrorRatio');
    expect(text).toContain('Dashboard: https://grafana.example.com/d/obs-chat-api-service');
    const html = await render('obs.email.html', 'html');
    expect(html).toContain('<a href="https://runbooks.example.com/ChatApiHighErrorRatio">Runbook</a>');
    expect(html).toContain('<a href="https://grafana.example.com/d/obs-chat-api-service">Dashboard</a>');
    expect(html).toContain('3.2% of requests failed over 5m.');
    expect(await render('obs.pagerduty.severity')).toBe('critical');
    const alertData = JSON.parse(readFileSync(data, 'utf8')) as { commonLabels: Record<string, string> };
    writeFileSync(data, JSON.stringify({ ...alertData, commonLabels: { ...alertData.commonLabels, severity: 'page' } }));
    expect(await render('obs.pagerduty.severity')).toBe('error');
    expect(await render('obs.pagerduty.description')).toContain('ChatApiHighErrorRatio · chat-api: chat-api answers too many requests');
  });
});
