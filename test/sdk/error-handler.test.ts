/**
 * The error handlers for Express (4 and 5) and Fastify: a thrown error becomes one JSON log line with the
 * request's trace_id (scrubbed), a Sentry capture for 5xx, and a JSON response with a proper status.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import express5 from 'express';
// @ts-expect-error express4 is an npm alias of express@4 without its own type declarations
import express4Untyped from 'express4';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { errorSink, installErrorSink } from '../../src/sdk/error-sink.js';
import { createLogging } from '../../src/sdk/logging.js';
import { close, installContextManager, testObs, value } from './helpers.js';

const express4 = express4Untyped as typeof express5;
const D = 'http_server_request_duration_seconds';
const SECRET = 'sk-proj-Q9xLzF3kT7vB2nW8rY5mP1cH6dJ4gA0sE';
const PASSWORD = 'hunter2-Hunter2';

class UpstreamError extends Error {}
/** What body-parser and http-errors throw for a client error. */
const clientError = () => Object.assign(new Error('invalid JSON in body'), { status: 400, expose: true });

let uninstall: () => void;
const lines: string[] = [];
const captured: unknown[] = [];

beforeAll(() => {
  uninstall = installContextManager();
  trace.setGlobalTracerProvider(new TracerProvider());
  const { logger } = createLogging({ service: 'errors' }, { destination: { write: (s: string) => void lines.push(s) } });
  installErrorSink({
    logger,
    captureException: (error) => {
      captured.push(error);
      return `event-${captured.length}`;
    },
  });
});
afterAll(() => {
  installErrorSink(undefined);
  trace.disable();
  uninstall();
  context.disable();
});
afterEach(() => {
  lines.length = 0;
  captured.length = 0;
});

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

function expectOneErrorLine(route: string, status: number, traceId: unknown) {
  const all = logged();
  expect(all).toHaveLength(1);
  const [line] = all;
  expect(line).toMatchObject({
    level: status >= 500 ? 'error' : 'warn',
    msg: status >= 500 ? 'request failed' : 'request rejected',
    service: 'errors',
    http_route: route,
    http_response_status_code: status,
    trace_id: traceId,
  });
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const text = lines.join('');
  expect(text).not.toContain(SECRET.slice(8));
  expect(text).not.toContain(PASSWORD);
  return line!;
}

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('%s: obs.http.expressErrorHandler()', (_name, express) => {
  const obs = testObs({ serverSpans: true });
  let url = '';
  let server: Server;

  beforeAll(async () => {
    const app = express();
    app.use(obs.http.express());
    app.get('/orders/:id', () => {
      throw new UpstreamError(`upstream failed with key ${SECRET} and body ${JSON.stringify({ user: 'bob', password: PASSWORD })}`);
    });
    app.post('/orders', () => {
      throw clientError();
    });
    app.get('/stream', (_req, res) => {
      res.write('partial');
      throw new Error('failed mid-response');
    });
    app.use(obs.http.expressErrorHandler());
    server = app.listen(0, '127.0.0.1') as unknown as Server;
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => close(server));

  it('a thrown error: one JSON log line with trace_id, scrubbed, captured, and a JSON 500', async () => {
    const res = await fetch(`${url}/orders/7`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'Internal Server Error', status: 500, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const line = expectOneErrorLine('/orders/:id', 500, body['trace_id']);
    expect(line['err']).toMatchObject({ type: 'UpstreamError' });
    expect(String((line['err'] as { message: string }).message)).toContain('"password":"[redacted]"');
    expect(line['sentry_event_id']).toBe('event-1');
    expect(captured).toHaveLength(1);
    expect(value(await obs.metrics(), `${D}_count`, 'http_route="/orders/:id"', 'error_type="UpstreamError"')).toBe(1);
  });

  it('a client error keeps its status and exposed message, is logged at warn and not sent to Sentry', async () => {
    const res = await fetch(`${url}/orders`, { method: 'POST' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'Bad Request', status: 400, message: 'invalid JSON in body' });
    expectOneErrorLine('/orders', 400, body['trace_id']);
    expect(captured).toEqual([]);
  });

  it('an error after the response started is logged and the connection closed', async () => {
    await expect(fetch(`${url}/stream`).then((r) => r.text())).rejects.toThrow();
    const [line] = logged();
    expect(line).toMatchObject({ level: 'error', msg: 'request failed', http_route: '/stream' });
  });
});

describe('Fastify: app.setErrorHandler(obs.http.fastifyErrorHandler)', () => {
  const obs = testObs({ serverSpans: true });
  const app = Fastify();
  let url = '';

  beforeAll(async () => {
    await app.register(obs.http.fastify);
    app.setErrorHandler(obs.http.fastifyErrorHandler);
    app.get('/orders/:id', async () => {
      throw new UpstreamError(`upstream failed with key ${SECRET} and body ${JSON.stringify({ password: PASSWORD })}`);
    });
    app.post('/orders', { schema: { body: { type: 'object', required: ['item'] } } }, async () => ({ ok: true }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('a thrown error: one JSON log line with trace_id, scrubbed, captured, and a JSON 500 without the message', async () => {
    const res = await fetch(`${url}/orders/7`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'Internal Server Error', status: 500, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expectOneErrorLine('/orders/:id', 500, body['trace_id']);
    expect(captured).toHaveLength(1);
    expect(value(await obs.metrics(), `${D}_count`, 'http_route="/orders/:id"', 'error_type="UpstreamError"')).toBe(1);
  });

  it('a validation error stays a 400, logged at warn, not captured', async () => {
    const res = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'Bad Request', status: 400 });
    expectOneErrorLine('/orders', 400, body['trace_id']);
    expect(captured).toEqual([]);
  });
});

describe('without startObs (createObs only)', () => {
  it("logs with a stdout logger of the service's own, and still answers JSON", async () => {
    installErrorSink(undefined);
    const fallback = errorSink('sdk-test');
    expect(fallback).toBe(errorSink('sdk-test')); // one per service, made on first use
    expect(fallback.captureException(new Error('x'))).toBeUndefined();
    expect(String((fallback.logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym])).toContain('"service":"sdk-test"');
    const obs = testObs();
    const app = express5();
    app.use(obs.http.express());
    app.get('/x', () => {
      throw new Error('plain failure');
    });
    app.use(obs.http.expressErrorHandler());
    const server = app.listen(0, '127.0.0.1') as unknown as Server;
    const silence = fallback.logger.level;
    fallback.logger.level = 'silent'; // keep the test run's stdout clean
    try {
      await new Promise((r) => server.once('listening', r));
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'Internal Server Error', status: 500 });
    } finally {
      fallback.logger.level = silence;
      await close(server);
    }
  });
});
