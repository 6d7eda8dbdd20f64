/**
 * startTelemetry in-process: no side effect at import, Sentry off without a DSN, OTel resource and log
 * correlation, no OTel metrics/logs pipeline, idempotent shutdown that unpatches and allows a restart.
 */
import { createRequire } from 'node:module';
import { metrics, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHangingServer, startReceiver, type Receiver } from './fixtures/telemetry-harness.js';

const require = createRequire(import.meta.url);
/** require() again each time: instrumentation patches a module when it is required after enable(). */
const httpWrapped = (): boolean =>
  (require('node:http') as { request: { __wrapped?: boolean } }).request.__wrapped === true;

function capture() {
  const lines: string[] = [];
  return {
    stream: { write: (s: string) => void lines.push(s) },
    json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

type OtlpDoc = {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { traceId: string; name: string }[] }[];
  }[];
};

describe('startTelemetry lifecycle (in-process)', () => {
  let otlp: Receiver;
  const envBefore = { ...process.env };
  let mod: typeof import('../../src/sdk/telemetry.js');

  beforeAll(async () => {
    delete process.env['SENTRY_DSN'];
    otlp = await startReceiver();
    mod = await import('../../src/sdk/telemetry.js');
  });

  afterEach(async () => {
    await mod.activeTelemetry()?.shutdown(); // a failed test must not leak its instance into the next
  });

  afterAll(async () => {
    await otlp.close();
  });

  it('importing the module has no side effect', () => {
    expect(mod.activeTelemetry()).toBeUndefined();
    expect(trace.getTracer('probe').startSpan('x').isRecording()).toBe(false);
    expect(httpWrapped()).toBe(false);
  });

  it('runs without a Sentry DSN; traces carry the resource; logs carry the trace id', async () => {
    const out = capture();
    const tel = mod.startTelemetry({
      service: { name: 'billing', version: '3.1.0', environment: 'staging', namespace: 'payments' },
      // the receiver runs in this process: keep its own server spans out
      // OTLP/JSON, the default (protobuf is read back in the end-to-end test)
      tracing: { endpoint: otlp.url, batch: { scheduledDelayMillis: 20 }, ignoreIncomingPaths: ['/v1/traces'] },
      logging: { destination: out.stream },
    });
    expect(tel.sentryEnabled).toBe(false);
    expect(tel.tracingEnabled).toBe(true);
    expect(tel.captureException(new Error('x'))).toBeUndefined();
    expect(mod.startTelemetry({ service: { name: 'other' } })).toBe(tel); // second start: same instance
    expect(httpWrapped()).toBe(true); // http instrumented

    // prom-client owns metrics: no global OTel MeterProvider was installed
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');

    let traceId = '';
    tel.tracer.startActiveSpan('work', (span) => {
      traceId = span.spanContext().traceId;
      tel.logger.info('inside');
      tel.audit.info({ action: 'export' }, 'audited');
      span.end();
    });
    tel.logger.info('outside');

    const first = tel.shutdown();
    const second = tel.shutdown();
    expect(second).toBe(first);
    await first;
    await tel.shutdown();
    expect(tel.droppedSpans).toBe(0);
    expect(tel.spanStats().exported).toBe(1);

    const lines = out.json();
    const inside = lines.find((l) => l['msg'] === 'inside');
    expect(inside).toMatchObject({ trace_id: traceId, trace_flags: '01', service: 'billing', env: 'staging' });
    expect(inside?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.find((l) => l['msg'] === 'audited')).toMatchObject({ audit: true, trace_id: traceId });
    expect(lines.find((l) => l['msg'] === 'outside')).not.toHaveProperty('trace_id');

    expect(otlp.bodies.map((b) => b.type)).toEqual(otlp.bodies.map(() => 'application/json'));
    const docs = otlp.bodies.map((b) => JSON.parse(b.body.toString('utf8')) as OtlpDoc);
    const rs = docs.flatMap((d) => d.resourceSpans);
    const span = rs.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).find((s) => s.name === 'work');
    expect(span?.traceId).toBe(traceId);
    const attrs = Object.fromEntries(rs[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(attrs).toMatchObject({
      'service.name': 'billing',
      'service.version': '3.1.0',
      'deployment.environment.name': 'staging',
      'service.namespace': 'payments',
    });
    expect(attrs).not.toHaveProperty('process.command_args');

    // shutdown released the globals and left the env untouched. (Instrumentations are disabled, but OTel's
    // http instrumentation can only unpatch the last copy of `http` it saw — here the ESM namespace the OTLP
    // exporter imported — so the CJS `http.request` may keep an inert wrapper.)
    expect(mod.activeTelemetry()).toBeUndefined();
    expect(trace.getTracer('probe').startSpan('x').isRecording()).toBe(false);
    expect(process.env).toEqual(envBefore);
  });

  it('can start again after shutdown; tracing can be disabled', async () => {
    const out = capture();
    const tel = mod.startTelemetry({
      service: { name: 'again' },
      tracing: { enabled: false },
      logging: { destination: out.stream },
    });
    expect(tel.tracingEnabled).toBe(false);
    expect(tel.tracer.startSpan('x').isRecording()).toBe(false);
    tel.logger.info('still logging');
    await tel.shutdown();
    expect(out.json()[0]).toMatchObject({ msg: 'still logging', service: 'again' });
  });

  it('an unparseable DSN or unreachable endpoint does not throw', async () => {
    const out = capture();
    const tel = mod.startTelemetry({
      service: { name: 'x' },
      sentry: { dsn: 'not a dsn' },
      tracing: { endpoint: 'http://127.0.0.1:9', exportTimeoutMillis: 300 },
      logging: { destination: out.stream },
      shutdownTimeoutMs: 1000,
    });
    tel.tracer.startSpan('lost').end();
    await tel.shutdown();
    expect(tel.droppedSpans).toBe(1);
    // the loss is a log line, not silence
    expect(out.json().some((l) => l['msg'] === 'trace spans dropped' && l['level'] === 'warn')).toBe(true);
  });

  it('shutdown is bounded by shutdownTimeoutMs, not by an export that never answers', async () => {
    const hang = await startHangingServer();
    const out = capture();
    // the export would wait two minutes (the test's own timeout is one): shutdown must not wait for it
    const tel = mod.startTelemetry({
      service: { name: 'x' },
      tracing: { endpoint: hang.url, exportTimeoutMillis: 120_000, batch: { scheduledDelayMillis: 10 } },
      logging: { destination: out.stream },
      shutdownTimeoutMs: 500,
    });
    try {
      tel.tracer.startSpan('in flight').end();
      await vi.waitFor(() => expect(hang.connections()).toBeGreaterThan(0), { timeout: 60_000, interval: 10 });
      await tel.shutdown();
      expect(hang.connections()).toBeGreaterThan(0); // the export is still hanging: shutdown did not wait for it
      expect(tel.spanStats()).toMatchObject({ exported: 0, exportFailed: 1 }); // and the span is counted as lost
    } finally {
      await hang.close();
    }
  });
});
