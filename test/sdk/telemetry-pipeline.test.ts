/** The counted export pipeline, in isolation (no globals): every lost span is counted, nothing throws. */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { countingBatchProcessor, otlpProtocol, scrubSpan, SpanCounters } from '../../src/sdk/tracing.js';

class FakeExporter implements SpanExporter {
  exported: ReadableSpan[] = [];
  calls = 0;
  constructor(private readonly mode: 'ok' | 'fail' | 'hang' | 'throw') {}
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    this.calls += 1;
    if (this.mode === 'throw') throw new Error('exporter bug');
    if (this.mode === 'hang') return;
    if (this.mode === 'fail') return cb({ code: ExportResultCode.FAILED, error: new Error('ECONNREFUSED') });
    this.exported.push(...spans);
    cb({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(mode: 'ok' | 'fail' | 'hang' | 'throw', batch = {}, sampler?: AlwaysOffSampler) {
  const inner = new FakeExporter(mode);
  const counters = new SpanCounters();
  const losses: { reason: string; count: number }[] = [];
  const { processor, exporter } = countingBatchProcessor(
    inner,
    counters,
    { scheduledDelayMillis: 5, exportTimeoutMillis: 100, ...batch },
    (reason, count) => losses.push({ reason, count }),
  );
  const provider = new TracerProvider({ spanProcessors: [processor], ...(sampler ? { sampler } : {}) });
  const tracer = provider.getTracer('test');
  const emit = (n: number) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`).end();
  };
  return { inner, counters, losses, provider, processor, exporter, emit };
}

describe('counted span pipeline', () => {
  it('healthy exporter: everything exported, nothing lost', async () => {
    const t = setup('ok');
    t.emit(50);
    await t.provider.forceFlush();
    expect(t.counters.snapshot()).toEqual({ queueFull: 0, exportFailed: 0, exported: 50 });
    expect(t.inner.exported).toHaveLength(50);
    expect(t.losses).toEqual([]);
  });

  it('queue full behind a hanging exporter: drops counted, and the rest counted at shutdown', async () => {
    const t = setup('hang', { maxQueueSize: 10, maxExportBatchSize: 5 });
    t.emit(100);
    // 5 went to the (hanging) exporter, 10 wait in the queue, 85 never fit
    expect(t.counters.queueFull).toBe(85);
    expect(t.losses.filter((l) => l.reason === 'queue_full')).toHaveLength(85);
    await t.exporter.finalize(20);
    const s = t.counters.snapshot();
    expect(s.queueFull + s.exportFailed).toBe(100);
    expect(s.exported).toBe(0);
  });

  it('failing exporter: every span of a failed batch is counted, callback reports the loss', async () => {
    const t = setup('fail');
    t.emit(20);
    await t.provider.forceFlush().catch(() => undefined);
    expect(t.counters.exportFailed).toBe(20);
    expect(t.losses.reduce((a, l) => a + l.count, 0)).toBe(20);
  });

  it('throwing exporter: turned into a failed export, never an exception', async () => {
    const t = setup('throw');
    t.emit(3);
    await expect(t.provider.forceFlush().catch(() => 'rejected-but-handled')).resolves.toBeDefined();
    expect(t.counters.exportFailed).toBe(3);
  });

  it('unsampled spans are neither queued nor counted', async () => {
    const t = setup('ok', {}, new AlwaysOffSampler());
    t.emit(10);
    await t.provider.forceFlush();
    expect(t.counters.snapshot()).toEqual({ queueFull: 0, exportFailed: 0, exported: 0 });
    expect(t.counters.pending).toBe(0);
  });

  it('shutdown flushes and counts; a second finalize adds nothing', async () => {
    const t = setup('ok', { scheduledDelayMillis: 60_000 });
    t.emit(7);
    await t.provider.shutdown();
    await t.exporter.finalize(10);
    await t.exporter.finalize(10);
    expect(t.counters.snapshot()).toEqual({ queueFull: 0, exportFailed: 0, exported: 7 });
  });

  it('scrubs secrets from exported span attributes, events and status; the span itself is untouched', async () => {
    const t = setup('ok');
    const tracer = t.provider.getTracer('test');
    const span = tracer.startSpan('llm call', {
      attributes: {
        'gen_ai.input.messages': '[{"role":"user","content":"PLANTED"}]',
        'gen_ai.usage.input_tokens': 12,
        'url.full': 'https://u:pw-PLANTED@api.example.com/x',
        'http.request.header.authorization': 'Bearer PLANTEDtoken123',
        'http.route': '/x',
      },
    });
    span.recordException(new Error('failed with sk-PLANTEDabcdefghijklmnop'));
    span.setStatus({ code: 2, message: 'key sk-PLANTEDabcdefghijklmnop rejected' });
    span.end();
    await t.provider.forceFlush();
    const [out] = t.inner.exported;
    expect(out).toBeDefined();
    expect(JSON.stringify({ a: out!.attributes, e: out!.events, s: out!.status })).not.toContain('PLANTED');
    expect(out!.attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(out!.attributes['http.route']).toBe('/x');
    expect(out!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/); // prototype methods still work
    expect(out!.name).toBe('llm call');
    const original = (span as unknown as ReadableSpan).attributes;
    expect(String(original['url.full'])).toContain('PLANTED');
  });

  it('scrubSpan returns the very same span when there is nothing to scrub', () => {
    const t = setup('ok');
    const span = t.provider.getTracer('t').startSpan('clean', { attributes: { 'http.route': '/a', n: 1 } });
    span.end();
    const readable = span as unknown as ReadableSpan;
    expect(scrubSpan(readable)).toBe(readable);
  });
});

describe('otlpProtocol', () => {
  const KEYS = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const;
  const withEnv = (env: Partial<Record<(typeof KEYS)[number], string>>, fn: () => void) => {
    const saved = KEYS.map((k) => process.env[k]);
    for (const k of KEYS) delete process.env[k];
    Object.assign(process.env, env);
    try {
      fn();
    } finally {
      KEYS.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  };

  it('is http/json by default, the env when set (traces-specific first), the option above both', () => {
    withEnv({}, () => expect(otlpProtocol()).toBe('http/json'));
    withEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, () => expect(otlpProtocol()).toBe('http/protobuf'));
    withEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, () =>
      expect(otlpProtocol()).toBe('http/json'),
    );
    withEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, () => expect(otlpProtocol('http/json')).toBe('http/json'));
    // gRPC is not spoken: http/protobuf instead
    withEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, () => expect(otlpProtocol()).toBe('http/protobuf'));
  });
});
