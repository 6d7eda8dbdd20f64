import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_DURATION_BUCKETS } from '../../src/catalog/index.js';
import { close, listenListener, series, testObs, value } from './helpers.js';

const D = 'http_server_request_duration_seconds';

describe('node:http adapter', () => {
  const obs = testObs();
  let url = '';
  let server: import('node:http').Server;

  beforeAll(async () => {
    const listener = obs.http.node(
      (req, res) => {
        if (req.url?.startsWith('/users/')) {
          res.writeHead(200).end('user');
        } else if (req.url === '/boom') {
          res.writeHead(503).end('down');
        } else {
          res.writeHead(404).end();
        }
      },
      { routes: ['/users/:id', '/boom'] },
    );
    ({ url, server } = await listenListener(listener));
    for (const id of [1, 2, 3]) await fetch(`${url}/users/${id}?x=1`);
    await fetch(`${url}/boom`, { method: 'POST' });
    await fetch(`${url}/nowhere/${Math.random()}`);
    await fetch(`${url}/health`);
    await fetch(`${url}/metrics`);
  });
  afterAll(() => close(server));

  it('records route templates, methods and status codes, never raw paths', async () => {
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_route="/users/:id"', 'http_response_status_code="200"', 'http_request_method="GET"')).toBe(3);
    expect(value(text, `${D}_count`, 'http_route="/boom"', 'http_request_method="POST"', 'error_type="503"')).toBe(1);
    expect(value(text, `${D}_count`, 'http_route="unmatched"', 'http_response_status_code="404"')).toBe(1);
    expect(text).not.toMatch(/http_route="\/users\/1"/);
    expect(text).not.toMatch(/nowhere/);
  });

  it('excludes the health and metrics endpoints, and puts error_type only on 5xx', async () => {
    const text = await obs.metrics();
    expect(text).not.toMatch(/http_route="\/(health|metrics)"/);
    expect(series(text, `${D}_count`)).toHaveLength(3);
    expect(series(text, `${D}_count`, 'http_response_status_code="200"')[0]).not.toContain('error_type');
  });

  it('has the semconv buckets plus the SLO threshold 0.3', async () => {
    const text = await obs.metrics();
    const les = series(text, `${D}_bucket`, 'http_route="/users/:id"').map((l) => /le="([^"]+)"/.exec(l)![1]);
    expect(les).toEqual([...[...HTTP_DURATION_BUCKETS, 0.3].sort((a, b) => a - b).map(String), '+Inf']);
  });

  it('tracks active requests and answers health and metrics', async () => {
    const text = await obs.metrics();
    expect(value(text, 'http_server_active_requests', 'http_request_method="GET"')).toBe(0);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'sdk-test' });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toContain('# TYPE http_server_request_duration_seconds histogram');
  });

  it('maps unknown methods to _OTHER', async () => {
    const res = await fetch(`${url}/users/9`, { method: 'PURGE' }).catch(() => undefined);
    expect(res?.status).toBe(200);
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_request_method="_OTHER"')).toBe(1);
  });
});
