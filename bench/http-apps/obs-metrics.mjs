// Variant `obs-metrics`: obs SDK metrics (createObs defaults: default Node metrics and exemplars on), no tracing.
import express from 'express';
import { createObs } from '../../dist/sdk/index.js';
import { addRoutes, serve } from './_common.mjs';
import { OBS_CONFIG } from './obs-config.mjs';

const obs = createObs(OBS_CONFIG);
const app = express();
app.use(obs.http.express());
app.get('/metrics', obs.metricsHandler);
addRoutes(app);
serve(app, () => obs.shutdown());
