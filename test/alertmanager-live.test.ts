/**
 * amtool checks routing but evaluates neither inhibition nor mute time intervals: a real Alertmanager
 * (Debian's 0.25, on 127.0.0.1) does. It runs the generated config with every receiver rewritten to a
 * local webhook, receives test alerts through its API, and the test asserts which alerts each receiver
 * got. It waits on Alertmanager's own debug log (each aggregation group's flushes) until every alert's
 * first notification has been sent or withheld, so no sleep decides the outcome.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerConfig, TARGET_DOWN_ALERT } from '../src/generate/alertmanager/index.js';
import type { Receiver } from '../src/generate/alertmanager/types.js';
import { fullConfig, modelOf, writeAlertmanager } from './alertmanager-fixtures.js';
import { tempDir, freePort } from './helpers.js';

const WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DEADLINE_MS = 120_000;

/** Each test alert carries a `case` label so deliveries can be told apart; the rest is what obs alerts carry. */
const ALERTS: Record<string, Record<string, string>> = {
  critical: { alertname: 'ChatApiHighErrorRatio', service: 'chat-api', severity: 'critical' },
  warningOfCritical: { alertname: 'ChatApiHighErrorRatio', service: 'chat-api', severity: 'warning' },
  warningOtherService: { alertname: 'ChatApiHighErrorRatio', service: 'search-api', severity: 'warning' },
  sloPage: { alertname: 'ChatApiAvailabilityBudgetBurn', service: 'chat-api', slo: 'availability', severity: 'critical', long_window: '1h', short_window: '5m' },
  sloTicket: { alertname: 'ChatApiAvailabilityBudgetBurn', service: 'chat-api', slo: 'availability', severity: 'warning', long_window: '1d', short_window: '2h' },
  sloMissingData: { alertname: 'ChatApiAvailabilitySLIDataMissing', service: 'chat-api', slo: 'availability', severity: 'warning' },
  otherSloTicket: { alertname: 'ChatApiLatencyBudgetBurn', service: 'chat-api', slo: 'latency', severity: 'warning', long_window: '1d', short_window: '2h' },
  targetDown: { alertname: TARGET_DOWN_ALERT, service: 'chat-api', job: 'chat-api', instance: '10.0.0.1:3000', severity: 'critical' },
  onDownTarget: { alertname: 'ChatApiEventLoopDelayHigh', service: 'chat-api', job: 'chat-api', instance: '10.0.0.1:3000', severity: 'warning' },
  quietOnDownService: { alertname: 'HttpTrafficStopped', service: 'chat-api', severity: 'warning' },
  quietOtherService: { alertname: 'HttpTrafficStopped', service: 'search-api', severity: 'warning' },
  onOtherTarget: { alertname: 'ChatApiEventLoopDelayHigh', service: 'chat-api', job: 'chat-api', instance: '10.0.0.2:3000', severity: 'warning' },
  inMaintenanceNow: { alertname: 'PostgresReplicationLagHigh', service: 'chat-api', component: 'postgres', severity: 'warning' },
  inMaintenanceLater: { alertname: 'RedisEvictions', service: 'chat-api', component: 'redis', severity: 'warning' },
  info: { alertname: 'GenAiCacheHitRatioLow', service: 'chat-api', severity: 'info' },
  noSeverity: { alertname: 'HandWrittenRule', service: 'chat-api' },
};

const EXPECTED: Record<string, string[]> = {
  pagerduty: ['critical', 'sloPage', 'targetDown'],
  slack: ['inMaintenanceLater', 'noSeverity', 'onOtherTarget', 'otherSloTicket', 'quietOtherService', 'warningOtherService'],
  email: ['inMaintenanceLater', 'noSeverity', 'onOtherTarget', 'otherSloTicket', 'quietOtherService', 'warningOtherService'],
  webhook: [],
};
const INHIBITED = ['onDownTarget', 'quietOnDownService', 'sloMissingData', 'sloTicket', 'warningOfCritical'];


async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a real Alertmanager on the generated config', () => {
  const dir = tempDir('obs-am-live-');
  const delivered = new Map<string, string[]>();
  let hook: Server;
  let am: ChildProcess | undefined;
  let log = '';
  let api = '';

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const payload = JSON.parse(body) as { alerts: { labels: Record<string, string> }[] };
        const receiver = (req.url ?? '/').slice(1);
        delivered.set(receiver, [...(delivered.get(receiver) ?? []), ...payload.alerts.map((a) => a.labels.case!)]);
        res.end();
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;

    const later = WEEK[(new Date().getUTCDay() + 3) % 7]!;
    const model = modelOf(
      fullConfig(dir, [
        { name: 'always', weekdays: ['sunday:saturday'], times: [{ start: '00:00', end: '24:00' }], mute: { component: ['postgres'] } },
        { name: 'in-three-days', weekdays: [later], times: [{ start: '12:30', end: '13:45' }], mute: { component: ['redis'] } },
      ]),
    );
    const timings = { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' };
    const file = writeAlertmanager(dir, model, { timings });
    const config = alertmanagerConfig(model, { timings })!;
    const local = (r: Receiver): Receiver =>
      r.name === 'none' ? r : { name: r.name, webhook_configs: [{ send_resolved: false, url: `${hookUrl}/${r.name}` }] };
    writeFileSync(file, stringify({ ...config, receivers: config.receivers.map(local) }));

    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    mkdirSync(join(dir, 'data'));
    am = spawn(
      'prometheus-alertmanager',
      [`--config.file=${file}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=debug'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    am.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await until('Alertmanager to be ready', async () => {
      if (am!.exitCode !== null) throw new Error(`Alertmanager exited ${am!.exitCode}:\n${log}`);
      const ready = await fetch(`${api}/-/ready`).catch(() => undefined);
      return ready?.ok ? true : undefined;
    });
  }, 300_000);

  afterAll(async () => {
    if (am && am.exitCode === null) {
      am.kill('SIGTERM');
      const exited = once(am, 'exit');
      const timer = setTimeout(() => am!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    hook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the alerts that should reach someone and none of the inhibited, muted or info ones', async () => {
    const alerts = Object.entries(ALERTS).map(([name, labels]) => ({ labels: { ...labels, case: name }, annotations: { summary: `${name}.` } }));
    const posted = await fetch(`${api}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(posted.status).toBe(200);

    // Alertmanager's view: every alert and the receivers (routes) it was dispatched to.
    const known = await until('the alerts to be listed', async () => {
      const list = (await (await fetch(`${api}/api/v2/alerts`)).json()) as {
        fingerprint: string;
        labels: Record<string, string>;
        receivers: { name: string }[];
        status: { state: string; inhibitedBy: string[] };
      }[];
      return list.length === alerts.length ? list : undefined;
    });

    // Settled: an aggregation group flushes, sends (or withholds) and only then flushes again. Sibling
    // routes of one severity (slack, email) have the same matchers, hence the same group key in the
    // log, and their groups are created together from the same alert; so an alert that appears in
    // three flushes per route it is on has been through at least two complete flushes on each.
    await until('every aggregation group to flush at least twice', () => {
      const flushes = new Map<string, number>();
      for (const match of log.matchAll(/msg=flushing alerts=(.*)$/gm)) {
        for (const fp of match[1]!.matchAll(/\[([0-9a-f]{7})\]/g)) flushes.set(fp[1]!, (flushes.get(fp[1]!) ?? 0) + 1);
      }
      return known.every((alert) => (flushes.get(alert.fingerprint.slice(0, 7)) ?? 0) >= 3 * alert.receivers.length) ? true : undefined;
    });

    const got = Object.fromEntries(Object.keys(EXPECTED).map((r) => [r, [...new Set(delivered.get(r) ?? [])].sort()]));
    expect(got).toEqual(EXPECTED);
    expect([...delivered.keys()].filter((r) => !(r in EXPECTED))).toEqual([]);

    // The withheld ones were withheld for the right reason.
    const byCase = new Map(known.map((a) => [a.labels.case!, a]));
    for (const name of INHIBITED) {
      expect(byCase.get(name)!.status.state, name).toBe('suppressed');
      expect(byCase.get(name)!.status.inhibitedBy.length, name).toBeGreaterThan(0);
    }
    expect(byCase.get('inMaintenanceNow')!.status.state).toBe('active');
    expect(byCase.get('inMaintenanceNow')!.receivers.map((r) => r.name)).toEqual(['slack', 'email']);
    expect(log).toContain('Notifications not sent, route is within mute time');
    expect(byCase.get('info')!.receivers.map((r) => r.name)).toEqual(['none']);
  }, 300_000);
});
