/**
 * A broken trace backend costs requests nothing: the same instrumented app (child process, 300 sequential
 * keep-alive requests after a warm-up, each producing a server and a client span) exporting to a healthy
 * local sink, to a port that refuses connections, and to an endpoint that accepts and never answers.
 * Asserted by mechanism, not by latency (a busy CI machine makes wall times noise; the latencies are printed
 * for humans and benchmarked in bench/): with the hanging backend every request is answered while no export
 * has settled, shutdown returns although the exports still hang, no rejection escapes, and every span is
 * accounted for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, runApp, startHangingServer, startReceiver, type Receiver } from './fixtures/telemetry-harness.js';

interface LoadResult {
  served: number;
  atLoadEnd: { queueFull: number; exportFailed: number; exported: number };
  p50: number;
  p99: number;
  max: number;
  shutdownMs: number;
  dropped: number;
  stats: { queueFull: number; exportFailed: number; exported: number };
  unhandled: number;
}

const SHUTDOWN_TIMEOUT_MS = 2000;
/** 50 warm-up + 300 measured requests, each a server span and a client span. */
const TOTAL_SPANS = 2 * (50 + 300);

async function runLoad(endpoint: string, exportTimeoutMillis = 1000): Promise<LoadResult> {
  const app = runApp({
    MODE: 'load',
    LOAD_REQUESTS: '300',
    OBS_TELEMETRY_CONFIG: JSON.stringify({
      service: { name: 'probe', version: '0.0.1', environment: 'test' },
      // small batches and a short export timeout so the broken endpoints are hit while requests run
      tracing: { endpoint, exportTimeoutMillis, batch: { scheduledDelayMillis: 50, maxExportBatchSize: 64 } },
      logging: { level: 'warn' },
      shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    }),
  });
  const result = await app.next((m) => 'p99' in m, 60_000);
  await app.exited;
  return result as unknown as LoadResult;
}

describe('telemetry resilience: refused and hanging OTLP endpoints', () => {
  let sink: Receiver;
  let hang: Awaited<ReturnType<typeof startHangingServer>>;
  const results: Record<'sink' | 'refused' | 'hang', LoadResult | undefined> = {
    sink: undefined,
    refused: undefined,
    hang: undefined,
  };

  beforeAll(async () => {
    sink = await startReceiver();
    hang = await startHangingServer();
    // sequential: 2 shared cores, parallel runs would measure each other
    results.sink = await runLoad(sink.url);
    results.refused = await runLoad(await closedPortUrl());
    // an export that would wait two minutes: if requests or shutdown waited for it, the run could not finish in time
    results.hang = await runLoad(hang.url, 120_000);
    console.log(
      'latency (ms) p50/p99/max, shutdown ms, dropped:',
      JSON.stringify(
        Object.fromEntries(
          Object.entries(results).map(([k, r]) => [
            k,
            r && [r.p50.toFixed(2), r.p99.toFixed(2), r.max.toFixed(2), r.shutdownMs, r.dropped],
          ]),
        ),
      ),
    );
  }, 300_000);

  afterAll(async () => {
    await sink?.close();
    await hang?.close();
  });

  it('healthy sink: spans arrive, none dropped', () => {
    const r = results.sink!;
    expect(r.unhandled).toBe(0);
    expect(r.served).toBe(300);
    expect(r.dropped).toBe(0);
    expect(r.stats.exported).toBe(TOTAL_SPANS);
    expect(sink.bodies.length).toBeGreaterThan(0);
  });

  it('hanging endpoint: every request is answered while the exports hang (none settled before the load ended)', () => {
    const r = results.hang!;
    expect(hang.accepted()).toBeGreaterThan(0); // exports were sent, and never answered
    expect(r.served).toBe(300);
    expect(r.atLoadEnd).toEqual({ queueFull: 0, exportFailed: 0, exported: 0 });
  });

  it('refused and hanging endpoints: no unhandled rejection, shutdown returns, lost spans counted (never silent)', () => {
    for (const name of ['refused', 'hang'] as const) {
      const r = results[name]!;
      expect(r.served, `${name} served`).toBe(300);
      expect(r.unhandled, `${name} unhandled`).toBe(0);
      // every span is accounted for: nothing exported, all counted as lost
      expect(r.dropped, `${name} dropped`).toBe(TOTAL_SPANS);
      expect(r.stats.exported).toBe(0);
    }
  });
});
