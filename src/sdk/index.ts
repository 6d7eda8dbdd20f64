/**
 * obs SDK (metrics half): one typed config in, Prometheus metrics out, named by the catalog.
 *
 *   const obs = createObs(config, { prices: { 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 } } });
 *   app.use(obs.http.express());                // RED metrics + /metrics + /health endpoints
 *   await obs.genai.track({ provider: 'openai', model: 'gpt-4o', module: 'triage' }, () => client.chat(...));
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenMetricsContentType, Registry } from 'prom-client';
import { resolveModel } from '../model/resolve.js';
import type { Model } from '../model/types.js';
import type { ObsConfig, ValidConfig } from '../spec/schema.js';
import { validateConfig } from '../spec/validate.js';
import { Dependencies } from './dependencies.js';
import { GenAi, type GenAiBudgets, type PriceTable } from './genai/index.js';
import { Health } from './health.js';
import { type BuiltinPaths, HttpInstrumentation, type HttpRecord } from './http/core.js';
import { errorSink } from './error-sink.js';
import {
  type ExpressErrorHandlerOptions,
  type ExpressErrorMiddleware,
  type ExpressMiddleware,
  expressErrorMiddleware,
  expressMiddleware,
} from './http/express.js';
import { type FastifyErrorHandler, type FastifyPlugin, fastifyAdapter } from './http/fastify.js';
import { type NodeHttpOptions, type RequestListener, wrapNodeListener } from './http/node.js';
import { pathOf } from './http/url.js';
import { MetricsCore } from './metrics/core.js';
import type { LabelLimits } from './metrics/labels.js';
import { Queues, type Queue } from './queues.js';
import { Security } from './security.js';

export type { DependencyCall } from './dependencies.js';
export type { GenAiCall, GenAiSpan, GenAiUsage, GenAiBudgets, PriceTable, GenAiErrorType } from './genai/index.js';
export { classifyGenAiError, extractUsage } from './genai/index.js';
export type { HealthCheck, HealthCheckOptions, HealthReport, HealthStatus, CheckResult, LivenessReport } from './health.js';
export type { BuiltinPaths, HttpRecord } from './http/core.js';
export type { NodeHttpOptions, RequestListener } from './http/node.js';
export type { ExpressMiddleware, ExpressErrorMiddleware, ExpressErrorHandlerOptions } from './http/express.js';
export type { FastifyPlugin, FastifyErrorHandler } from './http/fastify.js';
export type { ErrorResponseBody } from './http/errors.js';
export type { SecurityEvent } from './security.js';
export type { Queue, QueueWorker } from './queues.js';
export { DEFAULT_LABEL_LIMITS, OVERFLOW_VALUE, OTHER_METHOD, UNMATCHED_ROUTE, type LabelLimits } from './metrics/labels.js';
export { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './metrics/exposition.js';
export type { Dependencies } from './dependencies.js';
export type { GenAi } from './genai/index.js';
export type { Health } from './health.js';
export type { Security } from './security.js';
export { validateConfig } from '../spec/validate.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
export { startObs, getObs, type StartObsOptions, type RunningObs } from './start.js';

export interface ObsOptions {
  /** Shown in config errors. Default 'obs.config.ts'. */
  readonly source?: string;
  /** prom-client default Node metrics (event loop lag, heap, GC…). Default true. */
  readonly defaultMetrics?: boolean | { readonly prefix?: string };
  /** trace_id exemplars from the active OpenTelemetry span (OpenMetrics scrapes only). Default true. */
  readonly exemplars?: boolean;
  /** Caps on distinct values per label name, e.g. { http_route: 200 }. See DEFAULT_LABEL_LIMITS. */
  readonly limits?: LabelLimits;
  /** GenAI prices in USD per million tokens, per model: drives obs_gen_ai_cost_usd_total. */
  readonly prices?: PriceTable;
  /** Allow-list of gen_ai_request_model values (others → `other`). Default: the price table's models. */
  readonly models?: readonly string[];
  /** Exposed as obs_gen_ai_budget_usd{period="daily"|"monthly"} for budget alerts. */
  readonly budgets?: GenAiBudgets;
  /** Paths the HTTP adapters answer themselves (false disables one). */
  readonly paths?: Partial<BuiltinPaths>;
  /** Bearer token required on /metrics (adapters, metricsHandler and serveMetrics) and /health/detailed. */
  readonly token?: string;
  /**
   * The HTTP adapters make the server spans (one per request, named after the route) instead of
   * instrumentation-http's incoming side. startObs turns this on together with `tracing.incomingSpans: false`.
   */
  readonly serverSpans?: boolean;
}

export interface ServeMetricsOptions {
  /** Default 9464 (the OTel Prometheus exporter's port); 0 picks a free one. */
  readonly port?: number;
  /** Default '0.0.0.0' so Prometheus in another container/pod can reach it. */
  readonly host?: string;
  /** Bearer token; default the token from createObs options. */
  readonly token?: string;
}

export interface MetricsServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ObsHttp {
  /** Wraps a node:http request listener. */
  node(listener: RequestListener, options?: NodeHttpOptions): RequestListener;
  /** Express 4/5 middleware; install before your routes. */
  express(): ExpressMiddleware;
  /**
   * Express error middleware, after your routes: a thrown error becomes one JSON log line (trace_id,
   * scrubbed), a Sentry event (5xx, when Sentry is on) and a JSON `{ error, status, trace_id }` response;
   * error_type becomes its class name. `{ respond: false }`: only record, then pass it to your handler.
   */
  expressErrorHandler(options?: ExpressErrorHandlerOptions): ExpressErrorMiddleware;
  /** Fastify plugin: `app.register(obs.http.fastify)`. */
  readonly fastify: FastifyPlugin;
  /** Fastify error handler, same behaviour as expressErrorHandler: `app.setErrorHandler(obs.http.fastifyErrorHandler)`. */
  readonly fastifyErrorHandler: FastifyErrorHandler;
  /** Records one request directly (other frameworks). */
  record(request: HttpRecord): void;
}

export interface Obs {
  readonly config: ValidConfig;
  readonly model: Model;
  readonly service: string;
  readonly registry: Registry<OpenMetricsContentType>;
  /** The exposition as a string: Prometheus text (default) or OpenMetrics with exemplars. */
  metrics(format?: 'prometheus' | 'openmetrics'): Promise<string>;
  /** node:http handler for /metrics (usable as an Express/Fastify raw handler), honours `token`. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serves /metrics and the health paths on their own port. */
  serveMetrics(options?: ServeMetricsOptions): Promise<MetricsServer>;
  readonly http: ObsHttp;
  readonly genai: GenAi;
  readonly dependencies: Dependencies;
  readonly security: Security;
  readonly health: Health;
  /** Queue/job metrics of one queue: job timing by result, backlog depth, running workers. */
  queue(name: string): Queue;
  /** Closes servers started by serveMetrics and stops the event-loop monitor. The registry keeps its values. */
  shutdown(): Promise<void>;
}

/**
 * Creates the SDK for one service. Throws ConfigError at startup on an invalid config (the only time
 * obs throws); after that no instrumentation path throws into the host.
 */
export function createObs(config: ObsConfig, options: ObsOptions = {}): Obs {
  const source = options.source ?? 'obs.config.ts';
  const valid = validateConfig(config, source);
  const model = resolveModel(source, [{ config: valid }]);
  const service = valid.service.name;

  const core = new MetricsCore({
    ...(options.limits && { limits: options.limits }),
    ...(options.exemplars !== undefined && { exemplars: options.exemplars }),
    ...(options.defaultMetrics !== undefined && { defaultMetrics: options.defaultMetrics }),
  });
  const health = new Health(service);
  const security = new Security(core);
  const httpInst = new HttpInstrumentation(core, health, security, {
    buckets: model.histograms.httpServerDuration,
    ...(options.paths && { paths: options.paths }),
    ...(options.token !== undefined && { token: options.token }),
    ...(options.serverSpans !== undefined && { serverSpans: options.serverSpans }),
  });
  // Prices, models and budgets come from the config's `genai` section; options override it.
  const models = options.models ?? valid.genai?.models;
  const prices = options.prices ?? valid.genai?.prices;
  const budgets = options.budgets ?? valid.genai?.budgets;
  const genai = new GenAi(core, {
    durationBuckets: model.histograms.genaiOperationDuration,
    ...(models && { models }),
    ...(prices && { prices }),
    ...(budgets && { budgets }),
  });
  const dependencies = new Dependencies(core);
  const queues = new Queues(core);
  const servers = new Set<MetricsServer>();
  const sink = () => errorSink(service);
  const fastify = fastifyAdapter(httpInst, sink);

  const metricsHandler = (req: IncomingMessage, res: ServerResponse) => void httpInst.serveMetrics(req, res, options.token);

  async function serveMetrics(o: ServeMetricsOptions = {}): Promise<MetricsServer> {
    const token = o.token ?? options.token;
    const metricsPath = httpInst.paths.metrics || '/metrics';
    const server = createServer((req, res) => {
      if (pathOf(req.url) === metricsPath && (req.method === 'GET' || req.method === 'HEAD')) return void httpInst.serveMetrics(req, res, token);
      if (httpInst.serveBuiltin(req, res, token)) return;
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 9464, o.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const handle: MetricsServer = {
      port: (server.address() as AddressInfo).port,
      server,
      close: () =>
        new Promise<void>((resolve) => {
          servers.delete(handle);
          server.close(() => resolve());
          server.closeAllConnections?.();
        }),
    };
    servers.add(handle);
    return handle;
  }

  return {
    config: valid,
    model,
    service,
    registry: core.registry,
    metrics: (format) => core.metrics(format),
    metricsHandler,
    serveMetrics,
    http: {
      node: (listener, o) => wrapNodeListener(httpInst, listener, o),
      express: () => expressMiddleware(httpInst),
      expressErrorHandler: (o) => expressErrorMiddleware(httpInst, sink, o),
      fastify: fastify.plugin,
      fastifyErrorHandler: fastify.errorHandler,
      record: (r) => httpInst.record(r),
    },
    genai,
    dependencies,
    security,
    health,
    queue: (name) => queues.queue(name),
    shutdown: async () => {
      core.stop();
      await Promise.all([...servers].map((s) => s.close()));
    },
  };
}
