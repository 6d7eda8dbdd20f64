import express from 'express';
import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/sdk/index.js';
import { close, testObs } from './helpers.js';

describe('health', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it('runs checks concurrently with timeouts: degraded on non-critical, 503 on critical failure', async () => {
    const obs = testObs();
    obs.health.register('database', async () => true);
    obs.health.register('cache', async () => {
      throw new Error('redis://admin:hunter2@cache:6379 unreachable');
    }, { critical: false });
    let slowFinished = false;
    const slowTimer = setTimeout(() => (slowFinished = true), 5_000);
    obs.health.register('slow', () => new Promise((r) => setTimeout(r, 5_000)), { critical: false, timeoutMs: 100 });
    // each of these two finishes only once the other has started: run one after the other, the first times out
    const started = new Set<string>();
    const latch = (name: string, other: string) => async () => {
      started.add(name);
      while (!started.has(other)) await new Promise((r) => setImmediate(r));
      return true;
    };
    obs.health.register('left', latch('left', 'right'), { timeoutMs: 10_000 });
    obs.health.register('right', latch('right', 'left'), { timeoutMs: 10_000 });
    const srv = await obs.serveMetrics({ port: 0, host: '127.0.0.1' });
    servers.push(srv);
    const base = `http://127.0.0.1:${srv.port}`;

    const detailed = await fetch(`${base}/health/detailed`);
    // the report did not wait for the slow check: its timeout answered for it
    expect(slowFinished).toBe(false);
    clearTimeout(slowTimer);
    expect(detailed.status).toBe(200);
    const body = (await detailed.json()) as HealthReport;
    expect(body.status).toBe('degraded');
    expect(body.checks.database).toMatchObject({ status: 'ok' });
    expect([body.checks.left?.status, body.checks.right?.status]).toEqual(['ok', 'ok']); // run concurrently
    expect(body.checks.slow).toMatchObject({ status: 'down', error: expect.stringContaining('timed out') });
    expect(body.checks.cache!.error).not.toContain('hunter2');
    expect(typeof body.checks.database!.latencyMs).toBe('number');

    obs.health.register('auth', () => false);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    const readyBody = (await ready.json()) as HealthReport;
    expect(readyBody.status).toBe('down');
    expect(readyBody.checks.cache!.error).toBeUndefined();

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('serves metrics on its own port behind a bearer token', async () => {
    const obs = testObs();
    const srv = await obs.serveMetrics({ port: 0, host: '127.0.0.1', token: 's3cret' });
    servers.push(srv);
    const url = `http://127.0.0.1:${srv.port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer s3cret' } });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).toContain('obs_security_events_total{event="auth_failure",reason="metrics_token"} 2');
    // the detailed report is behind the same token; liveness and readiness stay open for probes
    const detailed = `http://127.0.0.1:${srv.port}/health/detailed`;
    expect((await fetch(detailed)).status).toBe(401);
    expect((await fetch(detailed, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${srv.port}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${srv.port}/health/ready`)).status).toBe(200);
  });

  it('is answered by the Express adapter, with the token applied to /metrics and /health/detailed', async () => {
    const obs = testObs({ token: 't' });
    obs.health.register('db', () => Promise.reject(new Error('down')));
    const app = express();
    app.use(obs.http.express());
    const server = app.listen(0, '127.0.0.1') as unknown as Server;
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    expect((await fetch(`${base}/health/detailed`)).status).toBe(401);
    expect((await fetch(`${base}/health/detailed`, { headers: { authorization: 'Bearer t' } })).status).toBe(503);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    await close(server);
  });
});
