/**
 * What a service gets without configuring anything: where traces go with no OTLP endpoint, that obs's own
 * log lines never borrow a request's trace context, and what a missing config says.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startObs } from '../../src/sdk/index.js';
import { serviceConfigFile } from '../../src/sdk/start.js';
import { tracesEndpoint } from '../../src/sdk/tracing.js';
import { tempDir } from '../helpers.js';
import { closedPortUrl } from './fixtures/telemetry-harness.js';

const ENDPOINT_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SDK_DISABLED', 'OTEL_TRACES_EXPORTER', 'SENTRY_DSN'];

function capture() {
  const lines: string[] = [];
  return {
    stream: { write: (s: string) => void lines.push(s) },
    json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('telemetry defaults', () => {
  const saved: Record<string, string | undefined> = {};
  let mod: typeof import('../../src/sdk/telemetry.js');

  beforeAll(async () => {
    for (const key of ENDPOINT_VARS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    mod = await import('../../src/sdk/telemetry.js');
  });

  afterEach(async () => {
    await mod.activeTelemetry()?.shutdown();
  });

  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
  });

  it('the endpoint comes from the option, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces', () => {
    expect(tracesEndpoint()).toBeUndefined();
    expect(tracesEndpoint('http://c:4318/')).toBe('http://c:4318/v1/traces');
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://base:4318');
    expect(tracesEndpoint()).toBe('http://base:4318/v1/traces');
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://traces:4318/custom');
    expect(tracesEndpoint()).toBe('http://traces:4318/custom');
    expect(tracesEndpoint('http://opt:4318/v1/traces')).toBe('http://opt:4318/v1/traces');
    vi.unstubAllEnvs();
    expect(tracesEndpoint()).toBeUndefined();
  });

  it('with no endpoint, spans carry trace ids into logs but are exported nowhere (no localhost:4318, no loss warnings)', async () => {
    const out = capture();
    const tel = mod.startTelemetry({ service: { name: 'quiet' }, logging: { destination: out.stream } });
    expect(tel.tracingEnabled).toBe(true);
    expect(tel.tracesEndpoint).toBeUndefined();
    tel.tracer.startActiveSpan('request', (span) => {
      tel.logger.info('inside a request');
      tel.tracer.startSpan('child').end();
      span.end();
    });
    await tel.shutdown();
    expect(tel.spanStats()).toEqual({ queueFull: 0, exportFailed: 0, exported: 0 });
    const lines = out.json();
    expect(lines.find((l) => l['msg'] === 'inside a request')?.['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.filter((l) => l['msg'] === 'trace spans dropped')).toEqual([]);
    // said once, at start, so nobody wonders where the traces went
    expect(lines.filter((l) => String(l['msg']).startsWith('traces are not exported'))).toHaveLength(1);
  });

  it("obs's own log lines never carry the trace context of the request that happened to trigger them", async () => {
    const out = capture();
    const tel = mod.startTelemetry({
      service: { name: 'lossy' },
      tracing: { endpoint: await closedPortUrl(), exportTimeoutMillis: 1000, batch: { scheduledDelayMillis: 10 } },
      logging: { destination: out.stream },
    });
    // the export of this request's spans is scheduled from inside the request's context, and fails there
    tel.tracer.startActiveSpan('request', (span) => {
      tel.logger.info('inside a request');
      span.end();
    });
    await vi.waitFor(() => expect(tel.spanStats().exportFailed).toBe(1), { timeout: 60_000, interval: 20 });
    await tel.shutdown();
    const lines = out.json();
    const traceId = lines.find((l) => l['msg'] === 'inside a request')?.['trace_id'];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const loss = lines.filter((l) => l['msg'] === 'trace spans dropped');
    expect(loss).toHaveLength(1);
    expect(loss[0]).not.toHaveProperty('trace_id');
    expect(loss[0]).not.toHaveProperty('span_id');
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

describe('a missing service config', () => {
  it('names the directory searched and OBS_CONFIG, not the CLI flag', async () => {
    const dir = tempDir('obs-noconfig-');
    vi.stubEnv('OBS_CONFIG', '');
    try {
      const error = await startObs({ cwd: dir, handleSignals: false }).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toContain(dir);
      expect(error?.message).toContain('OBS_CONFIG');
      expect(error?.message).toContain('obs.config.ts');
      expect(error?.message).not.toContain('--config');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an OBS_CONFIG that points nowhere says so', () => {
    const dir = tempDir('obs-noconfig-');
    expect(() => serviceConfigFile(dir, 'conf/obs.yaml')).toThrow(/conf\/obs\.yaml: file not found \(OBS_CONFIG, resolved against .*\)/);
    writeFileSync(join(dir, 'obs.config.yaml'), 'service: { name: x }\n');
    expect(serviceConfigFile(dir, '')).toBe(join(dir, 'obs.config.yaml'));
  });
});
