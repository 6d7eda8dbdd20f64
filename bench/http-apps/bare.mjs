// Variant `bare`: Express 5, no instrumentation.
import express from 'express';
import { addRoutes, serve } from './_common.mjs';

const app = express();
addRoutes(app);
serve(app);
