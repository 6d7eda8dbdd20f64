import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, context, type Span } from '@opentelemetry/api';
import { httpServerActiveRequests, httpServerRequestDuration } from '../../catalog/sdk-metrics.js';
import { type Health, healthHttpStatus, readinessView } from '../health.js';
import type { MetricsCore } from '../metrics/core.js';
import { exposition, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, wantsOpenMetrics } from '../metrics/exposition.js';
import { CatalogGauge, CatalogHistogram } from '../metrics/instruments.js';
import { normalizeMethod, statusLabel, UNMATCHED_ROUTE } from '../metrics/labels.js';
import type { Security } from '../security.js';
import { endServerSpan, startServerSpan } from './server-span.js';
import { pathOf } from './url.js';

/** Paths the adapters answer themselves. They are never recorded in the RED metrics. */
export interface BuiltinPaths {
  /** Prometheus scrape endpoint; false to not serve it from the app (use serveMetrics on its own port). */
  readonly metrics: string | false;
  /** Liveness, readiness and detailed health; false to not serve them. */
  readonly health: string | false;
  readonly ready: string | false;
  readonly detailed: string | false;
}

export const DEFAULT_PATHS: BuiltinPaths = {
  metrics: '/metrics',
  health: '/health',
  ready: '/health/ready',
  detailed: '/health/detailed',
};

/** One request in flight. */
export interface RequestState {
  readonly start: number;
  readonly method: string;
  readonly traceId: string | undefined;
  /** The server span obs made for this request, and the context the rest of the request runs in. */
  readonly span?: Span;
  readonly context?: Context;
  /** The route template, once known. */
  route?: string;
  /** The exception the request failed with, when the framework tells us. */
  error?: unknown;
  done: boolean;
}

export interface HttpRecord {
  readonly method: string | undefined;
  /** The route *template*; undefined → `unmatched`. */
  readonly route: string | undefined;
  readonly status: number;
  readonly durationSeconds: number;
  /** The thrown error (its class name becomes error_type), or an error type string. */
  readonly error?: unknown;
  readonly traceId?: string;
}

const ABORTED = 'aborted';
const RESPONSE_STATE = Symbol('obs.http.response');
type TrackedResponse = ServerResponse & { [RESPONSE_STATE]?: RequestState };
/** nginx's "client closed request": the client went away before the response was complete. */
const CLIENT_CLOSED = 499;

/** error_type of a failed request: the error's class name (or its string), bounded by the guard later. */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.constructor?.name || error.name || 'Error';
  return typeof error === 'object' && error !== null ? 'object' : typeof error;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HTTP RED metrics shared by the node:http, Express and Fastify adapters. */
export class HttpInstrumentation {
  private readonly duration: CatalogHistogram;
  /**
   * In-flight requests per (bounded) method, as plain counters: prom-client's bound children re-hash
   * their labels on every inc/dec, so the gauge is brought up to date only when scraped.
   */
  private readonly inFlight = new Map<string, { n: number }>();
  readonly paths: BuiltinPaths;
  private readonly builtin: Map<string, 'metrics' | 'health' | 'ready' | 'detailed'>;

  constructor(
    private readonly core: MetricsCore,
    private readonly health: Health,
    private readonly security: Security,
    options: { buckets: readonly number[]; paths?: Partial<BuiltinPaths>; token?: string; serverSpans?: boolean },
  ) {
    this.serverSpans = options.serverSpans ?? false;
    const routeGuard = core.guards.guard(httpServerRequestDuration.name, 'http_route', [UNMATCHED_ROUTE]);
    this.duration = new CatalogHistogram(httpServerRequestDuration, core.registry, core.guards, {
      buckets: options.buckets,
      overrides: { http_route: routeGuard },
    });
    const active: CatalogGauge = new CatalogGauge(httpServerActiveRequests, core.registry, core.guards, {}, () => {
      for (const [method, count] of this.inFlight) active.child([method]).set(count.n);
    });
    this.paths = { ...DEFAULT_PATHS, ...options.paths };
    this.token = options.token;
    this.builtin = new Map();
    for (const key of ['metrics', 'health', 'ready', 'detailed'] as const) {
      const path = this.paths[key];
      if (path !== false) this.builtin.set(path, key);
    }
    this.builtinPrefixes = [...this.builtin.keys()];
    const http = this;
    this.onResponseClose = function (this: TrackedResponse) {
      const state = this[RESPONSE_STATE];
      if (state !== undefined) http.end(state, this.statusCode, !this.writableFinished);
    };
  }

  /** The built-in paths, for a prefix check that rejects almost every request without slicing its URL. */
  private readonly builtinPrefixes: readonly string[];
  /** One listener function for every response (per-request closures showed up in the profiles). */
  private readonly onResponseClose: (this: TrackedResponse) => void;

  /**
   * Ends the request's record when its response closes: 'close' follows 'finish' on every response and
   * comes alone on an aborted one, so one listener serves both. The state rides on the response. Never throws.
   */
  endOnClose(res: ServerResponse, state: RequestState): void {
    try {
      (res as TrackedResponse)[RESPONSE_STATE] = state;
      res.on('close', this.onResponseClose);
    } catch (error) {
      this.core.safety.report('http', error);
    }
  }

  private readonly token: string | undefined;
  /** obs makes the HTTP server spans itself (instrumentation-http's incoming side is off). */
  private readonly serverSpans: boolean;

  get safety() {
    return this.core.safety;
  }

  private addInFlight(method: string, delta: number): void {
    const count = this.inFlight.get(method);
    if (count !== undefined) count.n += delta;
    else this.inFlight.set(method, { n: delta });
  }

  /** Starts timing a request (and its server span, when obs owns them). Never throws. */
  begin(method: string | undefined, req?: IncomingMessage): RequestState {
    const m = normalizeMethod(method);
    this.addInFlight(m, 1);
    const start = performance.now();
    if (this.serverSpans && req) {
      try {
        const { span, context } = startServerSpan(req, m);
        return { start, method: m, traceId: this.core.traceIdOf(span), span, context, done: false };
      } catch (error) {
        this.core.safety.report('tracing', error);
      }
    }
    return { start, method: m, traceId: this.core.traceId(), done: false };
  }

  /** Runs the rest of the request inside its server span's context, so logs, errors and child spans join it. */
  within<T>(state: RequestState, fn: () => T): T {
    return state.context ? context.with(state.context, fn) : fn();
  }

  /** Records a finished request once (later calls are ignored); an aborted one as 499/aborted. Never throws. */
  end(state: RequestState, status: number, aborted = false): void {
    if (state.done) return;
    state.done = true;
    const finalStatus = aborted ? CLIENT_CLOSED : status;
    try {
      this.addInFlight(state.method, -1);
      const seconds = (performance.now() - state.start) / 1000;
      this.observe(state.method, state.route, finalStatus, seconds, state.error ?? (aborted ? ABORTED : undefined), state.traceId);
    } catch (error) {
      this.core.safety.report('http', error);
    }
    if (state.span) {
      try {
        endServerSpan(state.span, state.method, state.route, finalStatus, state.error);
      } catch (error) {
        this.core.safety.report('tracing', error);
      }
    }
  }

  /**
   * Records one request directly (custom frameworks, tests). error_type is set for thrown errors and
   * 5xx responses only: the error's class name, else the status code.
   */
  record(r: HttpRecord): void {
    try {
      this.observe(normalizeMethod(r.method), r.route, r.status, r.durationSeconds, r.error, r.traceId);
    } catch (error) {
      this.core.safety.report('http', error);
    }
  }

  /** One finished request into the RED histogram (and the security counters for 401/403/429). */
  private observe(method: string, route: string | undefined, code: number, seconds: number, error: unknown, traceId: string | undefined): void {
    const status = statusLabel(code);
    const errorType = error !== undefined ? errorTypeOf(error) : code >= 500 ? status : '';
    this.duration.observe([method, route ?? UNMATCHED_ROUTE, status, errorType], seconds, traceId);
    if (code === 429) this.security.record('rate_limited', 'http_429');
    else if (code === 401) this.security.record('auth_failure', 'http_401');
    else if (code === 403) this.security.record('access_denied', 'http_403');
  }

  /** Whether this request is for a built-in path (metrics/health), which is answered and not recorded. */
  isBuiltin(req: IncomingMessage): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '/';
    for (const prefix of this.builtinPrefixes) if (url.startsWith(prefix)) return this.builtin.has(pathOf(url));
    return false;
  }

  /** Answers a built-in path; returns false (and does nothing) for any other request. Never throws. */
  serveBuiltin(req: IncomingMessage, res: ServerResponse, token: string | undefined = this.token): boolean {
    try {
      if (!this.isBuiltin(req)) return false;
      const kind = this.builtin.get(pathOf(req.url))!;
      if (kind === 'metrics') void this.serveMetrics(req, res, token);
      // the detailed report names components and their errors: behind the token like /metrics;
      // liveness and readiness stay open for the kubelet's probes
      else if (kind !== 'detailed' || this.authorized(req, res, token)) void this.serveHealth(kind, res);
      return true;
    } catch (error) {
      this.core.safety.report('http', error);
      return false;
    }
  }

  /** True when no token is set or the request bears it; otherwise answers 401 (and counts it). */
  private authorized(req: IncomingMessage, res: ServerResponse, token: string | undefined): boolean {
    if (token === undefined) return true;
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (sameSecret(given, token)) return true;
    this.security.record('auth_failure', 'metrics_token');
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="metrics"' });
    res.end('unauthorized\n');
    return false;
  }

  async serveHealth(kind: 'health' | 'ready' | 'detailed', res: ServerResponse): Promise<void> {
    try {
      if (kind === 'health') return sendJson(res, 200, this.health.live());
      const report = await this.health.run();
      sendJson(res, healthHttpStatus(report), kind === 'ready' ? readinessView(report) : report);
    } catch (error) {
      this.core.safety.report('health', error);
      if (!res.headersSent) sendJson(res, 500, { status: 'down', error: 'health check failed' });
    }
  }

  /**
   * Streams the exposition in time-sliced chunks, yielding to the event loop between them, honouring
   * backpressure. OpenMetrics (with exemplars) when the Accept header asks for it, else text 0.0.4.
   */
  async serveMetrics(req: IncomingMessage, res: ServerResponse, token: string | undefined): Promise<void> {
    try {
      if (!this.authorized(req, res, token)) return;
      const om = wantsOpenMetrics(req.headers.accept);
      res.writeHead(200, { 'Content-Type': om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const onError = (_metric: string, error: unknown) => this.core.safety.report('metrics', error);
      for await (const chunk of exposition(this.core.registry, { openMetrics: om, onError })) {
        if (res.destroyed) return;
        if (chunk !== '' && !res.write(chunk)) await drained(res);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      res.end();
    } catch (error) {
      this.core.safety.report('metrics', error);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('metrics collection failed\n');
      } else res.destroy();
    }
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
