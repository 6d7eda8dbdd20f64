// Variant `obs-full`: the documented start, startObs() (what `node --import obs/register` runs): OTLP tracing
// to the driver's sink with the 'recommended' instrumentations, JSON logs to /dev/null with one line per
// request, and the metrics. It runs before Express is imported, so the instrumentations can patch it.
import { startObs } from '../../dist/sdk/index.js';
import { OBS_CONFIG } from './obs-config.mjs';

const obs = await startObs({
  config: OBS_CONFIG,
  handleSignals: false, // _common.mjs handles SIGTERM and reports the counters
  telemetry: {
    tracing: { endpoint: process.env.BENCH_OTLP_ENDPOINT, instrumentations: 'recommended' },
    logging: { level: 'info', destination: process.env.BENCH_LOG_DEST ?? '/dev/null' },
  },
  version: '1.0.0',
  environment: 'bench',
});

const { default: express } = await import('express');
const { addRoutes, serve } = await import('./_common.mjs');

const app = express();
app.use(obs.http.express());
app.get('/metrics', obs.metricsHandler);
addRoutes(app, (_req, id) => obs.logger.info({ user_id: id }, 'user fetched'));
serve(app, async () => {
  const before = obs.telemetry.spanStats();
  await obs.shutdown();
  return { droppedSpans: obs.telemetry.droppedSpans, spanStatsAtSigterm: before, spanStats: obs.telemetry.spanStats() };
});
