import type { Server } from 'node:http';
import express5 from 'express';
// @ts-expect-error express4 is an npm alias of express@4 without its own type declarations
import express4Untyped from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, series, testObs, value } from './helpers.js';

const D = 'http_server_request_duration_seconds';
const express4 = express4Untyped as typeof express5;

class ValidationError extends Error {}

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('%s middleware', (_name, express) => {
  const obs = testObs();
  let url = '';
  let server: Server;
  let failed = '';

  beforeAll(async () => {
    const app = express();
    app.use(obs.http.express());
    app.get('/items/:id', (_req, res) => {
      res.json({ ok: true });
    });
    const api = express.Router();
    api.get('/users/:userId/orders', (_req, res) => {
      setTimeout(() => res.status(201).send('late'), 5);
    });
    api.get('/fail', () => {
      throw new ValidationError('nope');
    });
    api.get('/limited', (_req, res) => {
      res.status(429).send('slow down');
    });
    app.use('/api/v1', api);
    // respond: false records the error and passes it on to the service's own handler
    app.use(obs.http.expressErrorHandler({ respond: false }));
    app.use((_err: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      res.status(500).send('error');
    });
    server = app.listen(0, '127.0.0.1') as unknown as Server;
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    await fetch(`${url}/items/1`);
    await fetch(`${url}/items/2`);
    await fetch(`${url}/api/v1/users/42/orders`);
    failed = await fetch(`${url}/api/v1/fail`).then((r) => r.text());
    await fetch(`${url}/api/v1/limited`);
    await fetch(`${url}/no/such/path`);
    await fetch(`${url}/health`);
    await fetch(`${url}/metrics`);
  });
  afterAll(() => close(server));

  it('labels with route templates joined to the router mount path', async () => {
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_route="/items/:id"', 'http_response_status_code="200"')).toBe(2);
    expect(value(text, `${D}_count`, 'http_route="/api/v1/users/:userId/orders"', 'http_response_status_code="201"')).toBe(1);
    expect(value(text, `${D}_count`, 'http_route="unmatched"', 'http_response_status_code="404"')).toBe(1);
    expect(text).not.toContain('/users/42');
    expect(text).not.toMatch(/http_route="\/(health|metrics)"/);
  });

  it('sets error_type to the thrown class for errors, and counts 429 as a security event', async () => {
    const text = await obs.metrics();
    expect(value(text, `${D}_count`, 'http_route="/api/v1/fail"', 'http_response_status_code="500"', 'error_type="ValidationError"')).toBe(1);
    expect(failed).toBe('error'); // answered by the service's own handler
    expect(value(text, 'obs_security_events_total', 'event="rate_limited"', 'reason="http_429"')).toBe(1);
    expect(series(text, `${D}_count`, 'http_route="/api/v1/limited"')[0]).not.toContain('error_type');
  });

  it('includes the SLO threshold bucket', async () => {
    const text = await obs.metrics();
    expect(series(text, `${D}_bucket`, 'http_route="/items/:id"', 'le="0.3"')).toHaveLength(1);
    expect(value(text, `${D}_bucket`, 'http_route="/items/:id"', 'le="+Inf"')).toBe(2);
  });
});
