import { describe, expect, it } from 'vitest';
import { close, listenListener, series, testObs, value } from './helpers.js';

const D = 'http_server_request_duration_seconds';

describe('cardinality guard', () => {
  it('keeps 100,000 distinct paths to a bounded number of series', async () => {
    const obs = testObs();
    // Worst case: a misbehaving route resolver that returns the raw path. A few thousand real requests…
    const listener = obs.http.node((_req, res) => res.end('ok'), { route: (req) => req.url });
    const { url, server } = await listenListener(listener);
    const agent = { keepalive: true };
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => fetch(`${url}/scan/${batch}-${i}`, agent).then((r) => r.text())));
    }
    await close(server);
    // …and the rest straight into the recorder.
    for (let i = 2000; i < 100_000; i++) {
      obs.http.record({ method: 'GET', route: `/scan/${i}`, status: 200 + (i % 7), durationSeconds: 0.01 });
    }
    const text = await obs.metrics();
    const routes = new Set(series(text, `${D}_count`).map((l) => /http_route="([^"]*)"/.exec(l)![1]));
    expect(routes.size).toBe(101); // 100 admitted + `other`
    expect(routes.has('other')).toBe(true);
    expect(series(text, `${D}_count`).length).toBeLessThanOrEqual(101 * 7);
    expect(value(text, 'obs_metric_label_overflow_total', `metric="${D}"`, 'label="http_route"')).toBe(100_000 - 100);
    const total = series(text, `${D}_count`).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(total).toBe(100_000);
  });

  it('caps every label, with configurable limits, and maps unknown methods to _OTHER', async () => {
    const obs = testObs({ limits: { http_route: 3, error_type: 2 } });
    for (const route of ['/a', '/b', '/c', '/d', '/e']) obs.http.record({ method: 'GET', route, status: 200, durationSeconds: 0.001 });
    for (const name of ['E1', 'E2', 'E3']) obs.http.record({ method: 'BREW', route: '/a', status: 500, durationSeconds: 0.001, error: name });
    obs.http.record({ method: 'GET', route: '/a', status: 999, durationSeconds: 0.001 });
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_route="other"')).toBe(2);
    expect(value(text, `${D}_count`, 'http_request_method="_OTHER"', 'error_type="other"')).toBe(1);
    expect(value(text, `${D}_count`, 'http_response_status_code="other"')).toBe(1);
    expect(value(text, 'obs_metric_label_overflow_total', 'label="error_type"')).toBe(1);
  });

  it('bounds GenAI models by the allow-list', async () => {
    const obs = testObs({ models: ['gpt-4o'] });
    for (const model of ['gpt-4o', 'gpt-5-secret-preview', 'llama-xyz']) {
      await obs.genai.track({ provider: 'openai', model }, async () => 'ok');
    }
    const text = await obs.metrics();
    expect(value(text, 'gen_ai_client_operation_duration_seconds_count', 'gen_ai_request_model="gpt-4o"')).toBe(1);
    expect(value(text, 'gen_ai_client_operation_duration_seconds_count', 'gen_ai_request_model="other"')).toBe(2);
  });
});
