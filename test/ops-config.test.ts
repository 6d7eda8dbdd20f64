import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, dashboardUid } from '../src/model/ops-types.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { validateConfig } from '../src/spec/validate.js';
import type { ObsConfig } from '../src/spec/schema.js';
import { ROOT } from './helpers.js';

const slos: ObsConfig['slos'] = { availability: { objective: 99.9, sli: { http: {} } } };

function modelOf(config: ObsConfig, native = true) {
  return resolveModel('obs.config.ts', [{ config: validateConfig(config), native }]);
}

describe('operational config → model', () => {
  it('applies the KPI defaults and converts overrides to base units', () => {
    const model = modelOf({
      service: { name: 'api' },
      slos,
      thresholds: { http: { latencyP95: '1500ms', errorRatio: '2.5%' }, certificates: { warning: '21d' } },
    });
    const thresholds = model.services[0]!.ops!.thresholds;
    expect(thresholds.http).toEqual({ ...DEFAULT_THRESHOLDS.http, latencyP95: 1.5, errorRatio: 0.025 });
    expect(thresholds.certificates).toEqual({ warning: 21 * 86_400, critical: DEFAULT_THRESHOLDS.certificates.critical });
    expect(thresholds.host).toEqual(DEFAULT_THRESHOLDS.host);
  });

  it('gives each exporter its default job, or the one the config names', () => {
    const deps = modelOf({
      service: { name: 'api' },
      slos,
      dependencies: { postgres: {}, redis: { job: 'cache' }, host: { selector: { env: 'prod' } } },
    }).services[0]!.ops!.dependencies;
    expect(deps.postgres).toEqual({ job: 'postgres', selector: { job: 'postgres' } });
    expect(deps.redis).toEqual({ job: 'cache', selector: { job: 'cache' } });
    expect(deps.host).toEqual({ job: 'node', selector: { env: 'prod', job: 'node' } });
    expect(deps.nginx).toBeUndefined();
    expect(deps.certificates).toEqual([]);
  });

  it('routes by severity to the receivers that exist unless told otherwise', () => {
    const receivers = { slack: { apiUrlFile: '/s', channel: '#a' }, webhook: { url: 'http://127.0.0.1:9/' } };
    const byDefault = modelOf({ service: { name: 'api' }, slos, alerting: { receivers } }).alerting!;
    // No PagerDuty: pages go to every receiver rather than nowhere; tickets to Slack.
    expect(byDefault.routes).toEqual({ critical: ['slack', 'webhook'], warning: ['slack'], info: [] });
    const told = modelOf({ service: { name: 'api' }, slos, alerting: { receivers, routes: { info: ['webhook'] } } }).alerting!;
    expect(told.routes.info).toEqual(['webhook']);
  });

  it('gives imported specs no operational part', () => {
    expect(modelOf({ service: { name: 'api' }, slos }, false).services[0]!.ops).toBeUndefined();
    expect(modelOf({ service: { name: 'api' }, slos }).services[0]!.ops).toBeDefined();
  });

  it('resolves the example config with every group enabled', async () => {
    const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
    const model = resolveModel(loaded.source, loaded.documents);
    const deps = model.services[0]!.ops!.dependencies;
    for (const key of ['postgres', 'redis', 'nginx', 'host', 'containers', 'queues', 'backups'] as const) expect(deps[key], key).toBeDefined();
    expect(deps.certificates.length).toBeGreaterThan(0);
    expect(model.alerting?.routes.critical).toEqual(['pagerduty']);
    expect(model.alerting?.maintenance[0]?.timeZone).toBe('Europe/Paris');
  });
});

describe('dashboard uids', () => {
  it('are a pure function of service and kind, within Grafana’s 40 characters', () => {
    expect(dashboardUid('chat-api', 'slo')).toBe('obs-chat-api-slo');
    const long = 'a-very-long-service-name-that-goes-on-and-on';
    const uid = dashboardUid(long, 'infrastructure');
    expect(uid.length).toBeLessThanOrEqual(40);
    expect(uid).toBe(dashboardUid(long, 'infrastructure'));
    expect(uid).not.toBe(dashboardUid(`${long}-2`, 'infrastructure'));
  });
});
