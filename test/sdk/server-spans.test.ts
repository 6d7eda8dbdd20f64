import { createServer } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installContextManager, listen, testObs } from './helpers.js';

/** Server spans made by the adapters (serverSpans: true, as under startObs), with a real OTel tracer. */
const ended: ReadableSpan[] = [];
const collect: SpanProcessor = {
  onStart: () => {},
  onEnd: (span) => void ended.push(span),
  forceFlush: async () => {},
  shutdown: async () => {},
};
let uninstall: () => void;

beforeAll(() => {
  uninstall = installContextManager();
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [collect] }));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  trace.disable();
  propagation.disable();
  uninstall();
  context.disable();
});

const spans = () => ended.map((s) => ({ name: s.name, kind: s.kind, attributes: s.attributes, parent: s.parentSpanContext?.spanId }));

describe('server spans from the adapters', () => {
  it('node:http: one span named after the route, the handler runs in its context, errors mark it', async () => {
    ended.length = 0;
    const obs = testObs({ serverSpans: true });
    let seen: string | undefined;
    const server = createServer(
      obs.http.node(
        (req, res) => {
          seen = trace.getActiveSpan()?.spanContext().traceId;
          res.statusCode = req.url === '/fail' ? 503 : 200;
          res.end('ok');
        },
        { routes: ['/users/:id', '/fail'] },
      ),
    );
    const url = await listen(server);
    await fetch(`${url}/users/1`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    await fetch(`${url}/fail`);
    // spans end when the responses close, a turn or more after the client has read them
    await vi.waitFor(() => expect(ended).toHaveLength(2), { timeout: 60_000, interval: 10 });
    server.close();
    expect(seen).toBeDefined();
    expect(spans()).toEqual([
      {
        name: 'GET /users/:id',
        kind: 1,
        parent: '00f067aa0ba902b7',
        attributes: expect.objectContaining({ 'http.route': '/users/:id', 'http.response.status_code': 200, 'url.path': '/users/1' }),
      },
      { name: 'GET /fail', kind: 1, parent: undefined, attributes: expect.objectContaining({ 'error.type': '503' }) },
    ]);
    expect(ended[0]!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('fastify: one span per request, named after the route template', async () => {
    ended.length = 0;
    const { default: Fastify } = await import('fastify');
    const obs = testObs({ serverSpans: true });
    const app = Fastify();
    await app.register(obs.http.fastify);
    let inside: string | undefined;
    app.get('/items/:id', async () => {
      inside = trace.getActiveSpan()?.spanContext().traceId;
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    await fetch(`http://127.0.0.1:${port}/items/9?token=secret`);
    await app.close();
    const [span] = ended;
    expect(spans().map((s) => [s.name, s.attributes['url.path']])).toEqual([['GET /items/:id', '/items/9']]);
    expect(inside).toBe(span!.spanContext().traceId);
  });
});
