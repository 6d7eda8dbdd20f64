import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { series, testObs, value } from './helpers.js';

const D = 'http_server_request_duration_seconds';

describe('Fastify plugin (no fastify-plugin, skip-override)', () => {
  const obs = testObs();
  const app = Fastify();
  let url = '';

  beforeAll(async () => {
    await app.register(obs.http.fastify);
    app.get('/items/:id', async () => ({ ok: true }));
    await app.register(
      async (child) => {
        child.get('/things/:thingId', async (_req, reply) => reply.code(202).send('ok'));
        child.get('/broken', async () => {
          throw new RangeError('bad');
        });
      },
      { prefix: '/v2' },
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${url}/items/1`);
    await fetch(`${url}/items/2`);
    await fetch(`${url}/v2/things/abc`);
    await fetch(`${url}/v2/broken`);
    await fetch(`${url}/missing/123`);
    await fetch(`${url}/health`);
    await fetch(`${url}/metrics`);
  });
  afterAll(() => app.close());

  it('labels with routeOptions.url templates, also inside encapsulated child plugins', async () => {
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_route="/items/:id"', 'http_response_status_code="200"')).toBe(2);
    expect(value(text, `${D}_count`, 'http_route="/v2/things/:thingId"', 'http_response_status_code="202"')).toBe(1);
    expect(value(text, `${D}_count`, 'http_route="/v2/broken"', 'http_response_status_code="500"', 'error_type="RangeError"')).toBe(1);
    expect(value(text, `${D}_count`, 'http_route="unmatched"', 'http_response_status_code="404"')).toBe(1);
    expect(text).not.toContain('/missing/123');
  });

  it('answers health and metrics itself and leaves them out of the RED metrics', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_server_request_duration_seconds_bucket');
    expect(metrics).not.toMatch(/http_route="\/(health|metrics)"/);
    expect(series(metrics, `${D}_bucket`, 'http_route="/items/:id"', 'le="0.3"')).toHaveLength(1);
  });
});
