// Variant `otel-default`: run with `--import ./otel-register.mjs` (NodeSDK + default auto-instrumentations).
import express from 'express';
import { addRoutes, serve } from './_common.mjs';

/** Spans the BatchSpanProcessor dropped for a full queue (private field; best effort). */
function droppedSpans(sdk) {
  try {
    const procs = sdk._tracerProvider?._activeSpanProcessor?._spanProcessors ?? [];
    return procs.reduce((n, p) => n + (p._droppedSpansCount ?? 0), 0);
  } catch {
    return null;
  }
}

const app = express();
addRoutes(app);
serve(app, async () => {
  const sdk = globalThis.__otelSdk;
  const dropped = droppedSpans(sdk);
  await sdk.shutdown();
  return { droppedSpans: dropped };
});
