import { context, TraceFlags, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { close, installContextManager, listenListener, series, testObs } from './helpers.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('exemplars', () => {
  const uninstall = installContextManager();
  afterAll(uninstall);

  it('carry trace_id from the active span in OpenMetrics, and only there', async () => {
    const obs = testObs();
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    const inner = obs.http.node((_req, res) => res.end('ok'), { routes: ['/traced'] });
    // The server span is active when the listener runs (as OTel's http instrumentation makes it).
    const { url, server } = await listenListener((req, res) => context.with(trace.setSpan(context.active(), span), () => inner(req, res)));
    await fetch(`${url}/traced`);

    const om = await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    const text = await om.text();
    expect(text.endsWith('# EOF\n')).toBe(true);
    const withExemplar = series(text, 'http_server_request_duration_seconds_bucket', 'http_route="/traced"').filter((l) => l.includes(' # '));
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0]).toMatch(new RegExp(`# \\{trace_id="${TRACE_ID}"\\} [0-9.e-]+ \\d+\\.\\d{3}$`));

    const plain = await (await fetch(`${url}/metrics`)).text();
    expect(plain).not.toContain('trace_id');
    await close(server);
  });

  it('are left out for unsampled spans and when disabled', async () => {
    for (const [flags, enabled] of [
      [TraceFlags.NONE, true],
      [TraceFlags.SAMPLED, false],
    ] as const) {
      const obs = testObs({ exemplars: enabled });
      const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: flags });
      await context.with(trace.setSpan(context.active(), span), () =>
        obs.genai.track({ provider: 'openai', model: 'gpt-4o' }, async () => 'ok'),
      );
      expect(await obs.metrics('openmetrics')).not.toContain('trace_id');
    }
  });

  it('are attached to GenAI and dependency histograms too', async () => {
    const obs = testObs();
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    await context.with(trace.setSpan(context.active(), span), async () => {
      await obs.genai.track({ provider: 'openai', model: 'gpt-4o' }, async () => 'ok');
      await obs.dependencies.track({ system: 'postgresql', operation: 'SELECT' }, async () => 1);
    });
    const text = await obs.metrics('openmetrics');
    expect(series(text, 'gen_ai_client_operation_duration_seconds_bucket').some((l) => l.includes(`trace_id="${TRACE_ID}"`))).toBe(true);
    expect(series(text, 'obs_dependency_request_duration_seconds_bucket').some((l) => l.includes(`trace_id="${TRACE_ID}"`))).toBe(true);
  });
});
