// Variant `prom-client-hand`: a hand-written prom-client histogram middleware (own Registry).
import express from 'express';
import { Histogram, Registry } from 'prom-client';
import { addRoutes, serve } from './_common.mjs';

const registry = new Registry();
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration in seconds',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

const app = express();
app.use((req, res, next) => {
  const start = performance.now();
  res.on('finish', () => {
    const route = req.route ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
    duration.observe({ method: req.method, route, status: res.statusCode }, (performance.now() - start) / 1000);
  });
  next();
});
app.get('/metrics', async (_req, res) => {
  res.set('Content-Type', registry.contentType);
  res.end(await registry.metrics());
});
addRoutes(app);
serve(app);
