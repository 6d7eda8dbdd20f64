// `node --import ./otel-register.mjs otel-default.mjs`: the OpenTelemetry getting-started setup for an ESM
// app: the instrumentation loader hook, NodeSDK with getNodeAutoInstrumentations() defaults and an OTLP/HTTP
// (JSON, as obs's default) trace exporter. The endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT (the driver's
// local sink).
import { register } from 'node:module';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const sdk = new NodeSDK({
  serviceName: 'bench-api',
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();
globalThis.__otelSdk = sdk;
