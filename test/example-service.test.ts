/**
 * The example AI service (examples/ai-service) as a real process on 127.0.0.1: it starts from the root
 * obs.config.ts, answers the load generator's mix, its fault presets change what /metrics shows, and after
 * the load every SDK metric that the generated alerts and dashboards of that config query has samples,
 * the list derived from the generators (rule expressions and panel targets) through the catalog.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupMetric } from '../src/catalog/index.js';
import { buildDashboards } from '../src/generate/grafana/index.js';
import { generatePrometheusSlo } from '../src/generate/prometheus/index.js';
import { generateOpsAlerts } from '../src/generate/prometheus/ops/index.js';
import type { Model } from '../src/model/types.js';
import { parsePromQL } from '../src/promql/parse.js';
import { PRESETS } from '../examples/ai-service/faults.js';
import { startLoad, type Load } from '../examples/ai-service/load.js';
import { exampleModel, substitute, targetsOf } from './grafana-targets.js';
import { ROOT, ruleFileOf } from './helpers.js';

/** Bounds on the waits (a busy shared machine): limits that fail the test, not expectations of speed. */
const START_TIMEOUT_MS = 120_000;
const EFFECT_TIMEOUT_MS = 90_000;

/**
 * SDK series the alerts and dashboards query that a healthy, correctly used SDK legitimately never
 * writes: both count the SDK's own malfunctions, and their alerts exist to catch those.
 */
const LEGITIMATELY_ABSENT: Readonly<Record<string, string>> = {
  obs_sdk_errors_total: 'counts exceptions the SDK swallowed inside itself; a sample means an SDK bug, so a correct service has none',
  obs_metric_label_overflow_total: 'counts label values past their cap; the example uses route templates and allow-listed models, as a service should, so nothing overflows',
};

/** One sample of the text exposition. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of `name` whose labels match every entry of `where` (a RegExp or an exact value; absent = ''). */
function total(samples: readonly Sample[], name: string, where: Readonly<Record<string, string | RegExp>> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => (typeof v === 'string' ? (s.labels[k] ?? '') === v : v.test(s.labels[k] ?? ''))))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Every SDK series (histograms by their _bucket/_count/_sum series) that a rule or a PromQL panel of the root config names. */
function queriedSdkSeries(model: Model): Map<string, string[]> {
  const exprs: { where: string; expr: string }[] = [];
  for (const file of [...generatePrometheusSlo(model), ...generateOpsAlerts(model)]) {
    if (!file.path.endsWith('.rules.yml')) continue;
    for (const group of ruleFileOf(file).groups) {
      for (const rule of group.rules) exprs.push({ where: `${file.path}: ${'record' in rule ? rule.record : rule.alert}`, expr: rule.expr });
    }
  }
  for (const t of targetsOf(buildDashboards(model))) {
    if (t.language === 'promql') exprs.push({ where: `dashboard ${t.dashboard}: ${t.panel}`, expr: substitute(t.expr) });
  }
  const series = new Map<string, string[]>();
  for (const { where, expr } of exprs) {
    const parsed = parsePromQL(expr);
    if (parsed.errorAt !== undefined) throw new Error(`${where}: unparsable PromQL: ${expr}`);
    for (const s of parsed.selectors) {
      if (!s.metric || lookupMetric(s.metric)?.source !== 'sdk') continue;
      series.set(s.metric, [...(series.get(s.metric) ?? []), where]);
    }
  }
  return series;
}

let service: ChildProcess | undefined;
let output = '';
let url = '';
let exitCode: Promise<number | null>;
let load: Load | undefined;
/** Derived before the service starts: generating blocks this process for seconds, which would skew the load. */
let queried: Map<string, string[]>;
let model: Model;

async function metrics(): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** Polls /metrics until `check` holds; fails with the last value after the bound. */
async function until(what: string, check: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const deadline = Date.now() + EFFECT_TIMEOUT_MS;
  for (;;) {
    const samples = await metrics();
    if (check(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; load ${JSON.stringify(load?.stats())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function applyPreset(name: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/admin/faults/preset/${name}`, { method: 'PUT' });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  model = await exampleModel();
  queried = queriedSdkSeries(model);
  service = spawn(process.execPath, [join(ROOT, 'examples/ai-service/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', OBS_FAULTS: '{"tokensPerCall": 50}', OBS_CONFIG: '', PG_URL: '', REDIS_URL: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', SENTRY_DSN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exitCode = new Promise((resolve) => service!.once('exit', (code) => resolve(code)));
  service.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    let partial = '';
    service!.stdout!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      const listening = lines.find((line) => line.includes('"msg":"listening"'));
      if (listening === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(listening) as { url: string }).url);
    });
    service!.once('exit', (code) => reject(new Error(`service exited (${code}) before listening:\n${output}`)));
  });
}, START_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await load?.stop();
  if (service && service.exitCode === null && service.signalCode === null) {
    service.kill('SIGKILL');
    await exitCode;
  }
});

describe('the example AI service', () => {
  it('listens on 127.0.0.1 and starts with the faults of OBS_FAULTS merged over the healthy defaults', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const faults = (await (await fetch(`${url}/admin/faults`)).json()) as Record<string, unknown>;
    expect(faults).toMatchObject({ tokensPerCall: 50, errorRate: 0, primaryDown: false });
    const health = await fetch(`${url}/health/ready`);
    expect(health.status).toBe(200);
  });

  it('rejects a bad fault object naming the field, and an unknown preset', async () => {
    const bad = await fetch(`${url}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"errorRate": 2}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^faults\.errorRate: must be a number from 0 to 1, got 2$/);
    const unknown = await fetch(`${url}/admin/faults/preset/no-such-preset`, { method: 'PUT' });
    expect(unknown.status).toBe(404);
  });

  it('serves the load mix: every API route recorded under its template, 401/403 counted as security events', async () => {
    load = startLoad({ url, rps: 40 });
    const samples = await until('traffic on every route', (s) =>
      ['/v1/chat', '/v1/search', '/v1/documents/:id', '/v1/documents', '/v1/embeddings'].every(
        (route) => total(s, 'http_server_request_duration_seconds_count', { http_route: route, http_response_status_code: /^2/ }) > 0,
      ) &&
      total(s, 'obs_security_events_total', { event: 'auth_failure' }) > 0 &&
      total(s, 'obs_security_events_total', { event: 'access_denied' }) > 0 &&
      total(s, 'gen_ai_client_operation_time_to_first_chunk_seconds_count') > 0 &&
      total(s, 'obs_gen_ai_cache_requests_total', { result: 'hit' }) > 0 &&
      total(s, 'obs_queue_job_duration_seconds_count', { queue: 'ingest' }) > 0,
    );
    const routes = new Set(samples.filter((s) => s.name === 'http_server_request_duration_seconds_count').map((s) => s.labels.http_route));
    // The admin routes are mounted before the obs middleware: not API traffic, not in the SLOs.
    expect([...routes].sort()).toEqual(['/v1/chat', '/v1/documents', '/v1/documents/:id', '/v1/embeddings', '/v1/search']);
    // Healthy: no server error, no fallback.
    expect(total(samples, 'http_server_request_duration_seconds_count', { http_response_status_code: /^5/ })).toBe(0);
    expect(total(samples, 'obs_gen_ai_fallbacks_total')).toBe(0);
    expect(total(samples, 'obs_audit_events_total')).toBeGreaterThan(0);
  });

  it('outage: API requests fail with 5xx', async () => {
    expect(await applyPreset('outage')).toMatchObject({ errorRate: 1 });
    const before = total(await metrics(), 'http_server_request_duration_seconds_count', { http_response_status_code: /^5/ });
    await until(
      '5xx responses',
      (s) =>
        total(s, 'http_server_request_duration_seconds_count', { http_response_status_code: '500', error_type: 'InjectedFaultError' }) >= before + 10 &&
        total(s, 'http_server_request_duration_seconds_count', { http_route: '/v1/search', http_response_status_code: '500' }) > 0,
    );
  });

  it('primary-down: chats are answered by the fallback provider, and the fallback is counted', async () => {
    await applyPreset('primary-down');
    const samples = await until('fallback calls', (s) => total(s, 'obs_gen_ai_fallbacks_total', { from_provider: 'openai', to_provider: 'anthropic' }) >= 3);
    expect(total(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'claude-sonnet-4', error_type: '' })).toBeGreaterThan(0);
    expect(total(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'openai', gen_ai_operation_name: 'chat', error_type: 'provider_error' })).toBeGreaterThan(0);
  });

  it('llm-rate-limited: the primary answers 429, recorded as rate_limit', async () => {
    await applyPreset('llm-rate-limited');
    await until('rate-limited model calls', (s) => total(s, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'openai', error_type: 'rate_limit' }) >= 2);
  });

  it('cost-spike: the cost counter jumps by dollars', async () => {
    await applyPreset('healthy');
    const before = total(await metrics(), 'obs_gen_ai_cost_usd_total');
    expect(await applyPreset('cost-spike')).toMatchObject({ tokensPerCall: 100_000 });
    // One gpt-4o call bills 100,000 output tokens at 10 USD per million: 1 USD.
    await until('a cost jump', (s) => total(s, 'obs_gen_ai_cost_usd_total') >= before + 2);
  });

  it('auth-attack: 401s and 403s rise', async () => {
    const s0 = await metrics();
    await applyPreset('auth-attack');
    await until('auth failures and denials', (s) =>
      total(s, 'obs_security_events_total', { event: 'auth_failure' }) >= total(s0, 'obs_security_events_total', { event: 'auth_failure' }) + 10 &&
      total(s, 'obs_security_events_total', { event: 'access_denied' }) >= total(s0, 'obs_security_events_total', { event: 'access_denied' }) + 3,
    );
  });

  it('jobs-failing and rate-limited: failed jobs and 429s are recorded', async () => {
    await applyPreset('jobs-failing');
    await until('failed jobs', (s) => total(s, 'obs_queue_job_duration_seconds_count', { result: 'failure' }) > 0);
    await applyPreset('rate-limited');
    await until('429 responses', (s) => total(s, 'http_server_request_duration_seconds_count', { http_response_status_code: '429' }) > 0 && total(s, 'obs_security_events_total', { event: 'rate_limited' }) > 0);
  });

  it('after the load, every SDK series the generated alerts and dashboards query has samples', async () => {
    await applyPreset('healthy');
    // The derivation itself: the families the rules and panels of this config are built on.
    for (const name of ['http_server_request_duration_seconds_bucket', 'obs_gen_ai_cost_usd_total', 'obs_queue_depth', 'obs_security_events_total']) {
      expect(queried.has(name), name).toBe(true);
    }
    const present = new Set((await metrics()).map((s) => s.name));
    const missing = [...queried.keys()].filter((name) => !present.has(name) && !(name in LEGITIMATELY_ABSENT)).map((name) => `${name} (queried by ${queried.get(name)![0]})`);
    expect(missing).toEqual([]);
    // Every exemption is still queried (else it is stale) and really absent (else it needs no exemption).
    for (const name of Object.keys(LEGITIMATELY_ABSENT)) {
      expect(queried.has(name), `${name} is no longer queried: drop its exemption`).toBe(true);
      expect(present.has(name), `${name} has samples now: drop its exemption`).toBe(false);
    }
  });

  it('the load generator also runs as a CLI until SIGINT, reporting its stats as JSON lines', async () => {
    await load?.stop();
    const cli = spawn(process.execPath, [join(ROOT, 'examples/ai-service/load.ts'), '--url', url, '--rps', '20'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    cli.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    cli.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    try {
      const before = total(await metrics(), 'http_server_request_duration_seconds_count');
      await until('requests from the CLI', (s) => text.includes('"msg":"load started"') && total(s, 'http_server_request_duration_seconds_count') >= before + 10);
      cli.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    }
    const last = JSON.parse(text.trim().split('\n').at(-1)!) as { msg: string; sent: number };
    expect(last).toMatchObject({ msg: 'load stopped' });
    expect(last.sent).toBeGreaterThan(0);
  }, 300_000);

  it('the presets are sized against the config: slow-burn between the ticket and page factors, outage past them, slow-llm past the model-latency threshold', () => {
    const slo = model.slos.find((s) => s.name === 'availability')!;
    const factors = (severity: string) => slo.windows.filter((w) => w.severity === severity).map((w) => w.factor);
    const burn = (preset: string) => PRESETS[preset]!.errorRate! / slo.errorBudget;
    expect(burn('slow-burn')).toBeGreaterThan(Math.max(...factors('ticket')));
    expect(burn('slow-burn')).toBeLessThan(Math.min(...factors('page')));
    expect(burn('outage')).toBeGreaterThan(Math.max(...factors('page')));
    for (const { sli } of model.slos) if (sli.kind === 'genaiLatency') expect(PRESETS['slow-llm']!.llmLatencyMs! / 1000).toBeGreaterThan(sli.threshold);
    expect(model.slos.some((s) => s.sli.kind === 'genaiLatency')).toBe(true);
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const stats = load!.stats();
    expect(stats.sent).toBeGreaterThan(0);
    expect(stats.byStatus.error ?? 0).toBe(0);
    service!.kill('SIGTERM');
    expect(await exitCode).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
  }, 300_000);
});
