/**
 * End to end, the way a service runs: `node --import <register> app.mjs` (ESM app importing Express 5), with
 * a local OTLP/HTTP receiver and a local Sentry DSN host. One failing request that logs planted secrets:
 * the Sentry error event, the OTLP spans and the pino log line share one trace id, and no planted secret
 * leaves the process.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, parseEnvelope, runApp, spansOf, startReceiver, type Receiver } from './fixtures/telemetry-harness.js';

// Planted secrets (random parts are what must never appear in any output).
const BEARER = 'Zq8vN2mK5pR7tW1xY4bC9dF3gH6jL0sA';
const COOKIE = 'sess-7Hc2Kp9Qw4Rt6Yz1';
const JWT_PAYLOAD = 'eyJzdWIiOiJ1c2VyLTEyMyIsInJvbGUiOiJhZG1pbiJ9';
const JWT = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${JWT_PAYLOAD}.c2lnbmF0dXJlLXBsYW50ZWQtMTIz`;
const PROMPT = 'PLANTED-PROMPT: transfer all funds to account 99-1234';
const QUERY_KEY = 'AIzaSyD-planted9k2LmN4pQ6rS8tU0vW2xY4zA7';
/** from the fixture source */
const OPENAI_SECRET_PART = 'Q9xLzF3kT7vB2nW8rY5mP1cH6dJ4gA0sE';
const DB_PASSWORD = 'S3cretPassw0rd-planted';

const SECRETS = [BEARER, COOKIE, JWT_PAYLOAD, 'PLANTED-PROMPT', QUERY_KEY, OPENAI_SECRET_PART, DB_PASSWORD];

describe('telemetry end to end (child process, Express 5 ESM, local OTLP + Sentry)', () => {
  let otlp: Receiver;
  let sentry: Receiver;
  let stdout = '';
  let control: Record<string, unknown> = {};
  let status = 0;

  beforeAll(async () => {
    otlp = await startReceiver();
    sentry = await startReceiver();
    const app = runApp({
      MODE: 'e2e',
      // protobuf, chosen the standard way (JSON, the default, is read back in the lifecycle test)
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OBS_TELEMETRY_CONFIG: JSON.stringify({
        service: { name: 'orders', version: '1.2.3', environment: 'test' },
        tracing: { endpoint: otlp.url, exportTimeoutMillis: 2000, batch: { scheduledDelayMillis: 100 } },
        // tracesSampleRate: Sentry creates no spans itself; OTel spans also go to Sentry's OTLP endpoint
        sentry: { dsn: `http://publickey@127.0.0.1:${sentry.port}/1`, tracesSampleRate: 1 },
        shutdownTimeoutMs: 5000,
      }),
    });
    const ready = await app.next((m) => m['ready'] === true);
    const body = JSON.stringify({ prompt: PROMPT });
    status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: ready['port'] as number,
          method: 'POST',
          path: `/orders/42?api_key=${QUERY_KEY}&page=2`,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${BEARER}`,
            cookie: `session=${COOKIE}`,
            'x-session': JWT,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    app.child.kill('SIGTERM');
    control = await app.next((m) => 'shutdownMs' in m);
    await app.exited;
    stdout = app.stdout();
  });

  afterAll(async () => {
    await otlp?.close();
    await sentry?.close();
  });

  it('serves the request (500 from the failing handler) and shuts down cleanly', () => {
    expect(status).toBe(500);
    expect(control['unhandled']).toBe(0);
    expect(control['dropped']).toBe(0);
    // shutdown finished (this control line is written after it); its bound is telemetry-lifecycle's test
  });

  it('correlates: Sentry event trace id == OTLP server span trace id == pino log trace id', () => {
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const logLine = lines.find((l) => l['msg'] === 'processing order');
    expect(logLine).toBeDefined();
    const traceId = logLine?.['trace_id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // log shape for Loki
    expect(logLine).toMatchObject({ level: 'info', service: 'orders', env: 'test', version: '1.2.3' });
    expect(String(logLine?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // the audit line
    const audit = lines.find((l) => l['msg'] === 'access granted');
    expect(audit).toMatchObject({ audit: true, action: 'order.read', trace_id: traceId });

    // OTLP/HTTP in protobuf, as the env var asked
    expect(new Set(otlp.bodies.filter((b) => b.path === '/v1/traces').map((b) => b.type))).toEqual(new Set(['application/x-protobuf']));
    const spans = spansOf(otlp.bodies);
    const server = spans.filter((s) => s.traceId === traceId && s.kind === 2);
    expect(server).toHaveLength(1); // one HTTP server span, not one per instrumentation
    expect(server[0]?.name).toBe('POST /orders/:id');
    expect(attr(server[0]!, 'http.route')).toBe('/orders/:id');
    // Express: the route handler span only; no middleware/router layer spans, no instrumentation-router spans
    const inTrace = spans.filter((s) => s.traceId === traceId);
    expect(inTrace.filter((s) => attr(s, 'express.type') === 'middleware')).toHaveLength(0);
    expect(inTrace.filter((s) => s.name.startsWith('router'))).toHaveLength(0);
    // Sentry's own requests to the ingest host are not traced
    expect(spans.filter((s) => String(attr(s, 'server.port')) === String(sentry.port))).toHaveLength(0);

    // the same trace also reached Sentry's OTLP endpoint (tracesSampleRate: 1)
    const sentryOtlp = sentry.bodies.filter((b) => b.path === '/api/1/integration/otlp/v1/traces/');
    expect(sentryOtlp.length).toBeGreaterThan(0);
    expect(spansOf(sentryOtlp).filter((s) => s.traceId === traceId && s.kind === 2)).toHaveLength(1);

    const events = sentry.bodies
      .filter((b) => b.path.startsWith('/api/1/envelope/'))
      .flatMap((b) => parseEnvelope(b.body).items)
      .filter((i) => i.type === 'event')
      .map((i) => i.payload as Record<string, any>);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event['contexts']['trace']['trace_id']).toBe(traceId);
    expect(event['environment']).toBe('test');
    expect(event['release']).toBe('orders@1.2.3');
    expect(event['tags']).toMatchObject({ service: 'orders' });
    // conservative data collection
    expect(event['user']?.['ip_address']).toBeUndefined();
    expect(event['request']?.['cookies']).toBeUndefined();
    const headerNames = Object.keys(event['request']?.['headers'] ?? {}).map((h) => h.toLowerCase());
    expect(headerNames).toContain('content-type');
    for (const h of ['authorization', 'cookie', 'x-session', 'connection']) expect(headerNames).not.toContain(h);
    expect(String(event['request']?.['url'])).not.toContain('api_key');
    expect(event['request']?.['data']).toBeUndefined();
  });

  it('leaks no planted secret: Sentry envelopes, OTLP payloads, log output', () => {
    const envelopeText = sentry.bodies.map((b) => b.body.toString('utf8')).join('\n');
    const otlpText = otlp.bodies.map((b) => b.body.toString('utf8')).join('\n');
    expect(envelopeText.length).toBeGreaterThan(0);
    for (const secret of SECRETS) {
      expect(envelopeText, `sentry leaks ${secret}`).not.toContain(secret);
      expect(stdout, `logs leak ${secret}`).not.toContain(secret);
      expect(otlpText, `otlp leaks ${secret}`).not.toContain(secret);
    }
    // and the redaction is visible, not silent data loss
    expect(stdout).toContain('[redacted]');
    expect(envelopeText).toContain('[redacted]');
  });
});
