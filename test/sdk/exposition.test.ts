import { execFileSync } from 'node:child_process';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { exposition, SERIES_PER_CHUNK, wantsOpenMetrics } from '../../src/sdk/metrics/exposition.js';
import { series, testObs } from './helpers.js';

const D = 'http_server_request_duration_seconds';

function fill(record: (method: string, route: string, status: number, d: number) => void, routes = 100) {
  let i = 0;
  for (let r = 0; r < routes; r++)
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'])
      for (let s = 0; s < 25; s++) record(method, `/api/resource${r}/:id`, 200 + s * 12, ((i++ % 997) + 1) / 1000);
}

describe('exposition', () => {
  it('renders the same samples as prom-client would', async () => {
    const obs = testObs();
    const obsHist = obs.registry.getSingleMetric(D)!;
    const registry = new Registry();
    const buckets = (obsHist as unknown as { bounds: number[] }).bounds;
    const plain = new Histogram({ name: D, help: 'x', labelNames: ['http_request_method', 'http_route', 'http_response_status_code'], buckets, registers: [registry] });
    fill((method, route, status, d) => {
      obs.http.record({ method, route, status, durationSeconds: d });
      plain.observe({ http_request_method: method, http_route: route, http_response_status_code: status }, d);
    }, 3);
    // label order differs (prom-client puts le first): compare name, sorted labels and value
    const normalize = (line: string) => {
      const m = /^([^{ ]+)(?:\{(.*)\})? (.*)$/.exec(line)!;
      return `${m[1]}{${(m[2] ?? '').split('",').map((p) => p.replace(/"$/, '')).sort().join(',')}} ${m[3]}`;
    };
    const samples = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(D))
        .map(normalize)
        .sort();
    expect(samples(await obs.metrics())).toEqual(samples(await registry.metrics()));
  });

  it('passes promtool check metrics', async () => {
    // Our own metrics only: prom-client's default metrics fail promtool's lint (gauges named *_total).
    const obs = testObs({ prices: { m: { inputPerMillion: 1, outputPerMillion: 1 } } });
    obs.http.record({ method: 'GET', route: '/a "quoted" \\ route', status: 200, durationSeconds: 0.1 });
    await obs.genai.track({ provider: 'p', model: 'm' }, async () => ({ usage: { input_tokens: 3, output_tokens: 4 } }));
    obs.security.record('auth_failure', 'x');
    const text = await obs.metrics();
    // promtool exits 0 for valid input (it may still print lint hints); it exits non-zero on parse errors.
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(out).not.toMatch(/error parsing/i);
  });

  it('renders counters as <base>_total in both formats', async () => {
    const obs = testObs();
    new Counter({ name: 'app_jobs', help: 'jobs', registers: [obs.registry] }).inc();
    const text = await obs.metrics();
    const om = await obs.metrics('openmetrics');
    expect(text).toContain('# TYPE app_jobs_total counter\napp_jobs_total 1');
    expect(om).toContain('# TYPE app_jobs counter\napp_jobs_total 1');
    expect(om).toContain('# TYPE obs_security_events counter');
  });

  it('negotiates OpenMetrics from the Accept header', () => {
    expect(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(true);
    expect(wantsOpenMetrics('text/plain')).toBe(false);
    expect(wantsOpenMetrics('application/openmetrics-text;q=0')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });

  // Mechanism, not wall time (how long a slice takes depends on the machine: BENCHMARKS.md has the timings).
  it('renders 10,000 series in chunks of at most SERIES_PER_CHUNK series, nothing else between two yields', async () => {
    const obs = testObs();
    fill((method, route, status, d) => obs.http.record({ method, route, status, durationSeconds: d }));
    const perChunk: number[] = [];
    let text = '';
    for await (const chunk of exposition(obs.registry, { openMetrics: true })) {
      perChunk.push(series(chunk, `${D}_count`).length);
      text += chunk;
    }
    expect(series(text, `${D}_count`)).toHaveLength(10_000);
    expect(Math.max(...perChunk)).toBe(SERIES_PER_CHUNK);
    expect(perChunk.length).toBeGreaterThanOrEqual(Math.ceil(10_000 / SERIES_PER_CHUNK));
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('a scrape hands the event loop back between chunks: every write happens in a later turn than the one before', async () => {
    const obs = testObs();
    fill((method, route, status, d) => obs.http.record({ method, route, status, durationSeconds: d }));
    // a ticker that counts event-loop turns; each write records the turn it happened in
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const writes: { turn: number; chunk: string }[] = [];
    const text = await new Promise<string>((resolve) => {
      const res = {
        destroyed: false,
        headersSent: false,
        writeHead() {
          this.headersSent = true;
          return this;
        },
        write(chunk: string) {
          writes.push({ turn, chunk });
          return true;
        },
        end() {
          resolve(writes.map((w) => w.chunk).join(''));
        },
        on() {},
        off() {},
      };
      obs.metricsHandler({ method: 'GET', url: '/metrics', headers: { accept: 'application/openmetrics-text' } } as never, res as never);
    });
    ticking = false;
    expect(series(text, `${D}_count`)).toHaveLength(10_000);
    expect(writes.length).toBeGreaterThanOrEqual(Math.ceil(10_000 / SERIES_PER_CHUNK));
    for (let i = 1; i < writes.length; i++) expect(writes[i]!.turn, `write ${i}`).toBeGreaterThan(writes[i - 1]!.turn);
  });
});
