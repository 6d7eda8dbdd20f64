/**
 * A REAL Prometheus scrapes an Express 5 app instrumented with obs and evaluates the SLO rules that
 * `generate()` emits for the same config: the closed loop, end to end, on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { context, TraceFlags, trace } from '@opentelemetry/api';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type ObsConfig } from '../../src/index.js';
import { createObs } from '../../src/sdk/index.js';
import { tempDir, freePort } from '../helpers.js';
import { close, installContextManager, series } from './helpers.js';

const PROMETHEUS = '/usr/bin/prometheus';
const LOAD_SECONDS = 20;
const ERROR_SHARE = 0.1; // every 10th request answers 500
const SLOW_SHARE = 0.2; // 2 of every 10 take 300 ms (> the 250 ms latency threshold)
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

const config: ObsConfig = {
  service: { name: 'sdk-it' },
  slos: {
    availability: { objective: 99, sli: { http: {} } },
    latency: { objective: 90, sli: { httpLatency: { threshold: '250ms' } } },
  },
};


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('real Prometheus scrapes the SDK and evaluates the generated SLO rules', () => {
  const uninstall = installContextManager();
  const obs = createObs(config, { defaultMetrics: true });
  let app: Server;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let stderr = '';
  let dir = '';
  /** Share of the load's /work requests the SDK itself recorded above 250 ms (timers can only run late). */
  let recordedSlowShare = Number.NaN;

  async function recorded(): Promise<{ all: number; fast: number }> {
    const text = await obs.metrics();
    const total = (name: string, ...fragments: string[]) =>
      series(text, name, 'http_route="/work/:id"', ...fragments).reduce((n, l) => n + Number(l.split(' # ')[0]!.trim().split(' ').pop()), 0);
    return { all: total('http_server_request_duration_seconds_count'), fast: total('http_server_request_duration_seconds_bucket', 'le="0.25"') };
  }

  async function query(expr: string): Promise<number | undefined> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${expr}`);
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : undefined;
  }

  beforeAll(async () => {
    // The app: /work answers by a fixed rotation so the shares are exact.
    const server = express();
    server.use(obs.http.express());
    let n = 0;
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    server.get('/work/:id', (_req, res) => {
      const slot = n++ % 10;
      if (slot === 0) return void setTimeout(() => res.status(500).send('fail'), 10);
      setTimeout(() => res.send('ok'), slot <= 2 ? 300 : 10);
    });
    app = createServer((req, res) => context.with(trace.setSpan(context.active(), span), () => server(req, res)));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const appPort = (app.address() as AddressInfo).port;

    // The bundle for the same config, and a Prometheus that loads it.
    dir = tempDir('obs-prom-');
    const { files } = generate(config);
    const ruleFiles: string[] = [];
    // Prometheus rule files only: rules/loki/ holds LogQL rules for Loki's ruler.
    for (const file of files.filter((f) => /^rules\/[^/]+\.rules\.yml$/.test(f.path))) {
      const path = join(dir, file.path);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, file.text);
      ruleFiles.push(path);
    }
    expect(ruleFiles.length).toBeGreaterThan(0);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
        'scrape_configs:',
        '  - job_name: sdk-it',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${appPort}"]`,
        '',
      ].join('\n'),
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--enable-feature=exemplar-storage',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (d) => (stderr += String(d)));

    // Every series exists before the first scrape, so rate() sees only the load below.
    for (let i = 0; i < 10; i++) await fetch(`http://127.0.0.1:${appPort}/work/${i}`);
    for (let i = 0; i < 100; i++) {
      const ready = await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      await sleep(200);
    }

    // Controlled load: 8 workers, each one request after another, for LOAD_SECONDS.
    const before = await recorded();
    const until = Date.now() + LOAD_SECONDS * 1000;
    let id = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) await fetch(`http://127.0.0.1:${appPort}/work/${id++}`).then((r) => r.text());
      }),
    );
    const after = await recorded();
    recordedSlowShare = (after.all - after.fast - (before.all - before.fast)) / (after.all - before.all);
    await sleep(1500); // one more scrape and rule evaluation
  }, 300_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
    }
    if (app) await close(app);
    uninstall();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the target successfully (OpenMetrics negotiated)', async () => {
    expect(await query('up{job="sdk-it"}'), stderr).toBe(1);
    expect(await query('scrape_samples_scraped{job="sdk-it"}')).toBeGreaterThan(100);
  });

  it('sees the error share the app produced', async () => {
    const ratio = await query(
      'sum(rate(http_server_request_duration_seconds_count{job="sdk-it",http_response_status_code="500"}[15s])) / sum(rate(http_server_request_duration_seconds_count{job="sdk-it"}[15s]))',
    );
    console.log(`error ratio over 15s from raw series: ${ratio}`);
    expect(ratio).toBeGreaterThan(ERROR_SHARE - 0.03);
    expect(ratio).toBeLessThan(ERROR_SHARE + 0.03);
  });

  it('the generated availability SLI recording matches', async () => {
    const ratio = await query('slo:sli_error:ratio_rate5m{service="sdk-it",slo="availability"}');
    console.log(`slo:sli_error:ratio_rate5m{slo="availability"} = ${ratio}`);
    expect(ratio).toBeGreaterThan(ERROR_SHARE - 0.03);
    expect(ratio).toBeLessThan(ERROR_SHARE + 0.03);
  });

  it('the generated latency SLI sees the slow share at the 250 ms bucket', async () => {
    expect(await query('count(http_server_request_duration_seconds_bucket{job="sdk-it",le="0.25"})')).toBeGreaterThan(0);
    const ratio = await query('slo:sli_error:ratio_rate5m{service="sdk-it",slo="latency"}');
    console.log(`slo:sli_error:ratio_rate5m{slo="latency"} = ${ratio}`);
    // the planted 300 ms requests are slow on any machine; a busy one can make a 10 ms request slow too, so
    // the upper bound is what the SDK recorded, not the planted share
    expect(ratio).toBeGreaterThan(SLOW_SHARE - 0.03);
    expect(Math.abs(ratio! - recordedSlowShare), `recorded ${recordedSlowShare}`).toBeLessThan(0.03);
  });

  it('stores trace_id exemplars from the OpenMetrics scrape', async () => {
    const now = Date.now() / 1000;
    const res = await fetch(
      `${promUrl}/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{job="sdk-it"}')}&start=${now - 120}&end=${now}`,
    );
    const body = (await res.json()) as { data: { exemplars: { labels: Record<string, string> }[] }[] };
    const traceIds = body.data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(traceIds).toContain(TRACE_ID);
  });
});
