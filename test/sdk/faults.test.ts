import { type Context, context } from '@opentelemetry/api';
import express from 'express';
import type { Server } from 'node:http';
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { close, listenListener, testObs, value } from './helpers.js';

/** The SDK never hurts the host: faults inside obs are swallowed and counted, requests succeed. */
describe('fault injection', () => {
  afterEach(() => context.disable());

  it('a throwing route (label) function does not reach the request', async () => {
    const obs = testObs();
    const listener = obs.http.node((_req, res) => res.end('fine'), {
      route: () => {
        throw new Error('label function exploded');
      },
    });
    const { url, server } = await listenListener(listener);
    const res = await fetch(`${url}/x`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('fine');
    await close(server);
    const text = await obs.metrics();
    expect(value(text, 'obs_sdk_errors_total', 'component="http"')).toBe(1);
    expect(value(text, 'http_server_request_duration_seconds_count', 'http_route="unmatched"')).toBe(1);
  });

  it('a broken histogram inside the Express middleware does not reach the request', async () => {
    const obs = testObs();
    const histogram = obs.registry.getSingleMetric('http_server_request_duration_seconds') as unknown as { observeAt: () => never };
    histogram.observeAt = () => {
      throw new Error('storage broke');
    };
    const app = express();
    app.use(obs.http.express());
    app.get('/ok', (_req, res) => res.send('ok'));
    const server = app.listen(0, '127.0.0.1') as unknown as Server;
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/ok`)).status).toBe(200);
    await close(server);
    expect(value(await obs.metrics(), 'obs_sdk_errors_total', 'component="http"')).toBe(3);
  });

  it('a context manager that throws costs exemplars, not requests', async () => {
    const obs = testObs();
    context.setGlobalContextManager({
      active(): Context {
        throw new Error('context manager broke');
      },
      with: (_c, fn, thisArg, ...args) => fn.call(thisArg, ...args),
      bind: (_c, t) => t,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    });
    const { url, server } = await listenListener(obs.http.node((_req, res) => res.end('ok')));
    expect((await fetch(`${url}/a`)).status).toBe(200);
    await expect(obs.genai.track({ provider: 'p', model: 'm' }, async () => 7)).resolves.toBe(7);
    await close(server);
    context.disable();
    const text = await obs.metrics();
    expect(value(text, 'obs_sdk_errors_total', 'component="exemplars"')).toBe(2);
    expect(value(text, 'http_server_request_duration_seconds_count')).toBe(1);
  });

  it('a metric whose collection throws is skipped; the scrape still succeeds', async () => {
    const obs = testObs();
    new Gauge({
      name: 'app_broken',
      help: 'collect throws',
      registers: [obs.registry],
      collect() {
        throw new Error('collect failed');
      },
    });
    obs.http.record({ method: 'GET', route: '/', status: 200, durationSeconds: 0.01 });
    const { url, server } = await listenListener(obs.http.node((_req, res) => res.end()));
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    await close(server);
    expect(text).toContain('http_server_request_duration_seconds_count');
    expect(text).not.toContain('app_broken ');
    expect(value(await obs.metrics(), 'obs_sdk_errors_total', 'component="metrics"')).toBeGreaterThanOrEqual(1);
  });

  it('errors of the host pass through unchanged', async () => {
    const obs = testObs();
    const boom = new Error('host error');
    await expect(obs.genai.track({ provider: 'p', model: 'm' }, () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(obs.dependencies.track({ system: 'redis', operation: 'GET' }, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(() => obs.http.node(() => {
      throw boom;
    })({ method: 'GET', url: '/' } as never, { once() {}, statusCode: 200 } as never)).toThrow(boom);
  });
});
