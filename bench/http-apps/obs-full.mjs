// Variant `obs-full`: obs startTelemetry (OTLP tracing to the driver's sink, 'recommended' instrumentations,
// JSON logs to /dev/null, one line per request) plus createObs metrics. startTelemetry runs before Express is
// imported: it registers the ESM hooks (import-in-the-middle) that let the instrumentations patch it.
import { startTelemetry } from '../../dist/sdk/telemetry.js';

const telemetry = startTelemetry({
  service: { name: 'bench-api', version: '1.0.0', environment: 'bench' },
  tracing: { endpoint: process.env.BENCH_OTLP_ENDPOINT, instrumentations: 'recommended' },
  logging: { level: 'info', destination: process.env.BENCH_LOG_DEST ?? '/dev/null' },
});

const { default: express } = await import('express');
const { createObs } = await import('../../dist/sdk/index.js');
const { addRoutes, serve } = await import('./_common.mjs');
const { OBS_CONFIG } = await import('./obs-config.mjs');

const obs = createObs(OBS_CONFIG);
const app = express();
app.use(obs.http.express());
app.get('/metrics', obs.metricsHandler);
addRoutes(app, (_req, id) => telemetry.logger.info({ user_id: id }, 'user fetched'));
serve(app, async () => {
  const before = telemetry.spanStats();
  await telemetry.shutdown();
  await obs.shutdown();
  return { droppedSpans: telemetry.droppedSpans, spanStatsAtSigterm: before, spanStats: telemetry.spanStats() };
});
