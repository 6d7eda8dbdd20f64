import { type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../examples/ai-service/load.js';
import { localisePrometheus } from '../src/dev/localise.js';
import { startAlertmanager, startPrometheus } from '../src/dev/monitoring.js';
import { ProcessGroup } from '../src/dev/processes.js';
import { generateBundle } from '../src/generate/index.js';
import { timeScaleBundle } from '../src/generate/time-scale/index.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { renderBundle } from '../src/write/render.js';
import { freePort, ROOT, tempDir } from './helpers.js';

/**
 * End to end, with real processes on 127.0.0.1: the example service (examples/ai-service, instrumented
 * by the SDK, run from dist/: `npm run build` first), Prometheus and Alertmanager running the bundle of
 * test/fixtures/e2e-alerts.config.ts generated with `--time-scale 60` (an hour of alerting in a minute;
 * scrape and evaluation every 1s, the interval the scaled 5s windows need), and local stand-ins for the
 * receivers: the page receiver keeps its real pagerduty_configs, its Events API `url` pointed at a local
 * server; the webhook receiver's url points at the same server. Faults are switched on the running
 * service; every wait below is a bound (a timeout), never an assertion on how long something took.
 */

const SCALE = 60;
const RPS = 20;
/** Bounds: generous multiples of the expected scaled times (stated per step), for a busy CI machine. */
const BOUND = { ready: 120_000, ticket: 120_000, page: 90_000, resolve: 90_000, budget: 90_000, targetDown: 60_000, delivery: 30_000 };
const FIXTURE = join(ROOT, 'test/fixtures/e2e-alerts.config.ts');
const EXAMPLE_MAIN = join(ROOT, 'examples/ai-service/main.ts');
const SLO_ALERT = 'ChatApiAvailabilityBudgetBurn';
const MISSING_DATA_ALERT = 'ChatApiAvailabilitySLIDataMissing';

interface Delivery {
  readonly at: number;
  readonly receiver: 'pagerduty' | 'webhook';
  /** PagerDuty: trigger or resolve; webhook: firing or resolved. */
  readonly action: string;
  /** The alert names this notification is about (a PagerDuty resolve: those of its trigger). */
  readonly alertnames: readonly string[];
  readonly body: Record<string, unknown>;
}

/** The receivers' stand-ins: PagerDuty's Events API v2 (POST /pagerduty/v2/enqueue) and a webhook. */
async function startReceivers(): Promise<{ server: Server; url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const triggers = new Map<string, readonly string[]>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      if (req.url === '/pagerduty/v2/enqueue') {
        const key = String(body.dedup_key);
        const summary = String((body.payload as { summary?: string } | undefined)?.summary ?? '');
        // The generated title is "[FIRING:n] severity · AlertName · service · …".
        const names = body.event_action === 'trigger' ? [summary.split(' · ')[1] ?? summary] : (triggers.get(key) ?? []);
        if (body.event_action === 'trigger') triggers.set(key, names);
        deliveries.push({ at: Date.now(), receiver: 'pagerduty', action: String(body.event_action), alertnames: names, body });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}');
        return;
      }
      const alerts = (body.alerts as { labels: Record<string, string> }[] | undefined) ?? [];
      deliveries.push({ at: Date.now(), receiver: 'webhook', action: String(body.status), alertnames: [...new Set(alerts.map((a) => a.labels.alertname!))], body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deliveries };
}

/**
 * The bundle's alertmanager.yml for this machine: the PagerDuty receiver keeps its pagerduty_configs
 * (send_resolved, the generated description and severity) with the Events API `url` and the routing key
 * file local; webhook receivers deliver to the local server; templates resolve in the bundle.
 */
function localAlertmanager(config: Record<string, unknown>, bundleDir: string, receiversUrl: string, secretsDir: string): Record<string, unknown> {
  const routingKey = join(secretsDir, 'pagerduty-routing-key');
  writeFileSync(routingKey, 'e2e-routing-key-0123456789abcdef\n');
  const receivers = (config.receivers as Record<string, unknown>[]).map((receiver) => {
    const out: Record<string, unknown> = { ...receiver };
    if (Array.isArray(receiver.pagerduty_configs)) {
      out.pagerduty_configs = receiver.pagerduty_configs.map((c: Record<string, unknown>) => ({ ...c, routing_key_file: routingKey, url: `${receiversUrl}/pagerduty/v2/enqueue` }));
    }
    if (Array.isArray(receiver.webhook_configs)) {
      out.webhook_configs = receiver.webhook_configs.map((c: Record<string, unknown>) => ({ ...c, url: `${receiversUrl}/webhook` }));
    }
    return out;
  });
  const templates = (config.templates as string[]).map((t) => (t.startsWith('/') ? t : join(bundleDir, 'compose/alertmanager', t)));
  return { ...config, templates, receivers };
}

async function waitUntil<T>(what: string, boundMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + boundMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not within the bound of ${boundMs / 1000}s: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('alerts reach their receivers (time scale 60, real Prometheus, Alertmanager and example service)', () => {
  const group = new ProcessGroup({ limitSeconds: 900, readyWithinMs: BOUND.ready });
  const work = tempDir('obs-e2e-alerts-');
  let receivers: Awaited<ReturnType<typeof startReceivers>>;
  let load: ReturnType<typeof startLoad> | undefined;
  let service: ChildProcess;
  let serviceUrl: string;
  let serviceAddress: string;
  let prometheus: string;
  let alertmanager: string;
  let scrapeInterval: string;

  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    return body.data.result;
  };
  const faults = async (preset: string, overrides?: Record<string, unknown>) => {
    const response = await fetch(overrides ? `${serviceUrl}/admin/faults` : `${serviceUrl}/admin/faults/preset/${preset}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      ...(overrides && { body: JSON.stringify(overrides) }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.ok, `PUT faults ${preset}`).toBe(true);
  };
  const delivered = (receiver: Delivery['receiver'], action: string, alertname: string, since = 0) =>
    receivers.deliveries.find((d) => d.receiver === receiver && d.action === action && d.alertnames.includes(alertname) && d.at >= since);
  const amAlerts = async (filter: string) => {
    const response = await fetch(`${alertmanager}/api/v2/alerts?filter=${encodeURIComponent(filter)}`, { signal: AbortSignal.timeout(10_000) });
    return (await response.json()) as { labels: Record<string, string>; fingerprint: string; status: { state: string; inhibitedBy: string[]; silencedBy: string[] } }[];
  };

  beforeAll(async () => {
    // The bundle, time-scaled, on disk.
    const loaded = await loadConfig(FIXTURE, ROOT);
    const scaled = timeScaleBundle(generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate)), SCALE);
    scrapeInterval = scaled.scrapeInterval;
    const bundle = join(work, 'bundle');
    for (const file of renderBundle(scaled.files, loaded.source)) {
      mkdirSync(dirname(join(bundle, file.path)), { recursive: true });
      writeFileSync(join(bundle, file.path), file.text);
    }
    const text = (path: string) => scaled.files.find((f) => f.path === path)!.content as string;

    receivers = await startReceivers();
    const [servicePort, prometheusPort, alertmanagerPort] = [await freePort(), await freePort(), await freePort()];
    serviceUrl = `http://127.0.0.1:${servicePort}`;
    serviceAddress = `127.0.0.1:${servicePort}`;
    service = group.start('chat-api', process.execPath, [EXAMPLE_MAIN], { PORT: String(servicePort), OBS_CONFIG: FIXTURE, LOG_LEVEL: 'warn' });
    await group.waitFor(`${serviceUrl}/metrics`, (body) => body.includes('http_server_request_duration_seconds'), service);

    const secrets = join(work, 'secrets');
    mkdirSync(secrets, { recursive: true });
    const amFile = join(work, 'alertmanager.yml');
    writeFileSync(amFile, stringify(localAlertmanager(parse(text('compose/alertmanager/alertmanager.yml')), bundle, receivers.url, secrets), { lineWidth: 0 }));
    alertmanager = (await startAlertmanager(group, work, amFile, { port: alertmanagerPort })).url;

    const local = localisePrometheus(
      parse(text('compose/prometheus/prometheus.yml')),
      { prometheus: `127.0.0.1:${prometheusPort}`, alertmanager: `127.0.0.1:${alertmanagerPort}`, exporters: {}, services: { 'chat-api': serviceAddress } },
      { rulesDir: join(bundle, 'rules') },
    );
    const promFile = join(work, 'prometheus.yml');
    writeFileSync(promFile, stringify(local.config, { lineWidth: 0 }));
    prometheus = (await startPrometheus(group, work, promFile, { port: prometheusPort })).url;

    load = startLoad({ url: serviceUrl, rps: RPS });
    // Healthy history first: the SLI recordings exist (a few scrapes and evaluations at 1s).
    await waitUntil('the availability SLI is recorded', BOUND.ready, async () => (await query('slo:sli_total:rate5m{slo="availability"} > 0')).length > 0);
    await sleep(10_000);
  }, 300_000);

  afterAll(async () => {
    await load?.stop().catch(() => undefined);
    await group.stopAll(5000);
    if (receivers) await new Promise((resolve) => receivers.server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('the scaled bundle scrapes and evaluates every 1s (the 5m windows are 5s: four samples or more)', () => {
    expect(scrapeInterval).toBe('1s');
  });

  it('a slow burn (20% errors on a 95% SLO: 4× the budget) opens the ticket only: no page', async () => {
    const start = Date.now();
    await faults('slow-burn', { errorRate: 0.2 });
    // Expected: the 1× (3d/6h → 72m/6m) ticket once a third of the healthy history has burned, ~5-15s.
    const ticket = await waitUntil('the SLO ticket reaches the webhook receiver', BOUND.ticket, () => delivered('webhook', 'firing', SLO_ALERT, start));
    expect((ticket.body.alerts as { labels: Record<string, string> }[]).every((a) => a.labels.severity === 'warning' && a.labels.slo === 'availability')).toBe(true);
    // Keep burning past the 6× page's short window (30m → 30s), then: no page anywhere.
    await sleep(35_000);
    const seconds = Math.ceil((Date.now() - start) / 1000);
    expect(await query(`max_over_time(ALERTS{alertname="${SLO_ALERT}",severity="critical"}[${seconds}s])`)).toEqual([]);
    expect(receivers.deliveries.filter((d) => d.receiver === 'pagerduty' && d.alertnames.includes(SLO_ALERT))).toEqual([]);
  }, BOUND.ticket + 60_000);

  it('a 100% error burst pages through PagerDuty; the maintenance window mutes the HTTP alert it names', async () => {
    const start = Date.now();
    await faults('outage');
    // Expected: the 6× page (6h/30m → 6m/30s) within ~15-20s, the 14.4× one (1h/5m → 1m/5s) within ~40s.
    const page = await waitUntil('the SLO page reaches the PagerDuty stand-in', BOUND.page, () => delivered('pagerduty', 'trigger', SLO_ALERT, start));
    const payload = page.body.payload as { severity: string; summary: string; custom_details: Record<string, string> };
    expect(payload.severity).toBe('critical');
    expect(payload.summary).toContain('chat-api');
    expect(page.body.routing_key).toBe('e2e-routing-key-0123456789abcdef');
    // HttpHighErrorRate (component http, critical → the same PagerDuty route) fires too, since the slow burn:
    // Alertmanager holds it, and the maintenance window (all week, mute component http) keeps it from PagerDuty.
    await waitUntil('HttpHighErrorRate is firing in Prometheus and held by Alertmanager', BOUND.delivery, async () => (await amAlerts('alertname="HttpHighErrorRate"')).length > 0);
    await sleep(10_000); // two group intervals (5m → 5s) after it reached Alertmanager
    expect(receivers.deliveries.filter((d) => d.alertnames.includes('HttpHighErrorRate'))).toEqual([]);
  }, BOUND.page + BOUND.delivery + 20_000);

  it('recovery sends the resolved notification (send_resolved) to PagerDuty', async () => {
    const start = Date.now();
    await faults('healthy');
    // Expected: the page's short windows (5s, 30s) clear within ~30s, then one group interval (5s).
    await waitUntil('the SLO page is resolved at the PagerDuty stand-in', BOUND.resolve, () => delivered('pagerduty', 'resolve', SLO_ALERT, start));
    expect(await query(`ALERTS{alertname="${SLO_ALERT}",severity="critical"}`)).toEqual([]);
  }, BOUND.resolve + 10_000);

  it('LLM cost past 90% of the small daily budget pages with the budget alert', async () => {
    expect(await query('ALERTS{alertname="GenAiDailyBudgetBurn"}'), 'the healthy load stays under the budget').toEqual([]);
    const start = Date.now();
    await faults('cost-spike');
    // Expected: ~1 USD a chat call, 18 USD (90% of 20) within ~10s of traffic, then for 5m → 5s.
    const budget = await waitUntil('the daily budget alert reaches the PagerDuty stand-in', BOUND.budget, () => delivered('pagerduty', 'trigger', 'GenAiDailyBudgetBurn', start));
    expect((budget.body.payload as { severity: string }).severity).toBe('critical');
    await faults('healthy');
  }, BOUND.budget + 10_000);

  it("killing the service: ServiceTargetDown pages and inhibits the service's other alerts for that instance", async () => {
    await load?.stop();
    load = undefined;
    const start = Date.now();
    process.kill(-service.pid!, 'SIGKILL');
    // Expected: up == 0 on the next scrape (1s), for 5m → 5s.
    await waitUntil('ServiceTargetDown reaches the PagerDuty stand-in', BOUND.targetDown, () => delivered('pagerduty', 'trigger', 'ServiceTargetDown', start));
    const [down] = await amAlerts('alertname="ServiceTargetDown"');
    expect(down!.labels).toMatchObject({ service: 'chat-api', job: 'chat-api', instance: serviceAddress });

    // A real service-wide alert: the SLI's series are gone, so the SLO's missing-data alert fires in
    // Prometheus (absent(), for 15m → 15s). It carries no job/instance; the service-wide rule holds it back.
    const missing = await waitUntil(`${MISSING_DATA_ALERT} reaches Alertmanager`, BOUND.targetDown, async () => (await amAlerts(`alertname="${MISSING_DATA_ALERT}"`))[0]);
    expect(missing.status.state).toBe('suppressed');
    expect(missing.status.inhibitedBy).toEqual([down!.fingerprint]);

    // Every alert of this instance Prometheus has firing now is suppressed by it (none here reads per-instance
    // series once the target is gone, so the inhibition is also shown with the alert a crash-looping instance
    // raises, ServiceRestarting, posted as Prometheus would: for the dead instance, and for another one).
    const restarting = (instance: string) => ({
      labels: { alertname: 'ServiceRestarting', severity: 'critical', service: 'chat-api', domain: 'service', component: 'runtime', job: 'chat-api', instance },
      annotations: { summary: `e2e: ${instance} restarts` },
      startsAt: new Date().toISOString(),
    });
    const posted = await fetch(`${alertmanager}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([restarting(serviceAddress), restarting('127.0.0.1:1')]),
    });
    expect(posted.ok).toBe(true);
    const other = await waitUntil('the other instance\'s ServiceRestarting reaches PagerDuty', BOUND.delivery, () => delivered('pagerduty', 'trigger', 'ServiceRestarting', start));
    // One alert in the notification, not two: the dead instance's is suppressed, by ServiceTargetDown.
    expect((other.body.payload as { summary: string }).summary).toMatch(/^\[FIRING:1\]/);
    const held = await amAlerts(`alertname="ServiceRestarting"`);
    const dead = held.find((a) => a.labels.instance === serviceAddress)!;
    expect(dead.status.state).toBe('suppressed');
    expect(dead.status.inhibitedBy).toEqual([down!.fingerprint]);
    expect(held.find((a) => a.labels.instance === '127.0.0.1:1')!.status.state).toBe('active');
    for (const alert of await amAlerts(`instance="${serviceAddress}"`)) {
      if (alert.labels.alertname !== 'ServiceTargetDown') expect(alert.status.inhibitedBy, alert.labels.alertname).toEqual([down!.fingerprint]);
    }
    await sleep(6000); // one more group interval: still one alert in that group's notifications
    const restartNotes = receivers.deliveries.filter((d) => d.alertnames.includes('ServiceRestarting') && d.action === 'trigger');
    expect(restartNotes.map((d) => (d.body.payload as { summary: string }).summary.slice(0, 11))).toEqual(restartNotes.map(() => '[FIRING:1] '));
    // What was delivered after the kill, for the report: never the inhibited missing-data alert.
    const after = receivers.deliveries.filter((d) => d.at >= start && d.action !== 'resolve' && d.action !== 'resolved').flatMap((d) => d.alertnames);
    console.log(`e2e: notified after the kill: ${[...new Set(after)].join(', ')}`);
    expect(after).not.toContain(MISSING_DATA_ALERT);
  }, BOUND.targetDown + BOUND.delivery + 20_000);
});
