// Variant `express-prom-bundle`: promBundle with method and path labels (serves /metrics itself).
import express from 'express';
import promBundle from 'express-prom-bundle';
import { addRoutes, serve } from './_common.mjs';

const app = express();
app.use(promBundle({ includeMethod: true, includePath: true }));
addRoutes(app);
serve(app);
