import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorSink } from '../error-sink.js';
import type { HttpInstrumentation, RequestState } from './core.js';
import { handleRequestError } from './errors.js';
import { nameServerSpan } from './server-span.js';

/** The parts of Express 4/5 requests obs reads; structural, so it works with either major version. */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}
type Next = (error?: unknown) => void;

export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
export type ExpressErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void;

const STATE = Symbol('obs.http.state');

function routePath(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(String).join('|');
  return path === undefined || path === null ? undefined : String(path);
}

function joinPath(base: string | undefined, path: string): string {
  if (!base || base === '/') return path;
  if (path === '/' || path === '') return base;
  return `${base}${path}`;
}

const ROUTE = Symbol('obs.http.route');

type TrackedRequest = ExpressRequest & { [STATE]?: RequestState; [ROUTE]?: { path?: unknown } };

const patchedPrototypes = new WeakSet<object>();

/**
 * Express assigns `req.route` when a route matches. We intercept that assignment with an accessor on the
 * app's request prototype, installed once: an accessor defined on each request gave every request its
 * own hidden class, and the garbage that followed halved throughput under load. Per request, the only
 * work left is a symbol property on the request and the response, and one shared response listener.
 */
function interceptRoute(req: TrackedRequest, http: HttpInstrumentation): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (!proto || patchedPrototypes.has(proto)) return;
  patchedPrototypes.add(proto);
  const own = Object.getOwnPropertyDescriptor(proto, 'route');
  if (own !== undefined && !own.configurable) return;
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: TrackedRequest) {
      return this[ROUTE];
    },
    set(this: TrackedRequest, value: { path?: unknown } | undefined) {
      this[ROUTE] = value;
      const state = this[STATE];
      if (state === undefined) return;
      try {
        const path = routePath(value?.path);
        if (path === undefined) return;
        state.route = joinPath(this.baseUrl, path);
        // obs's own server span is named when it ends; one from instrumentation-http is named now.
        if (!state.span) nameServerSpan(state.method, state.route);
      } catch (error) {
        http.safety.report('http', error);
      }
    },
  });
}

/**
 * Express middleware (Express 4 and 5). Install it first. The route label is the matched route's
 * template joined to its router's mount path: `req.baseUrl + req.route.path`, captured at the moment
 * Express assigns `req.route` (so error handlers and async responses still see the right template).
 * Requests no route matched (404s, static files) are `unmatched`.
 * Caveat: Express exposes a router's *matched* mount path, so a router mounted at a parameterised path
 * (`/users/:id/posts`) yields concrete values there; the route label cap bounds them.
 */
export function expressMiddleware(http: HttpInstrumentation): ExpressMiddleware {
  return function obsExpress(req, res, next) {
    if (http.serveBuiltin(req, res)) return;
    const state = http.begin(req.method, req);
    try {
      const r = req as TrackedRequest;
      interceptRoute(r, http);
      r[STATE] = state;
      http.endOnClose(res, state);
    } catch (error) {
      http.safety.report('http', error);
    }
    http.within(state, next);
  };
}

export interface ExpressErrorHandlerOptions {
  /**
   * true (default): answer the request: one JSON log line, a Sentry event for 5xx, and a JSON response
   * `{ error, status, trace_id }` with the error's `status`/`statusCode` (4xx) or 500.
   * false: only record the error (error_type becomes its class name) and pass it on to your own handler.
   */
  readonly respond?: boolean;
}

/**
 * Error middleware: install after your routes. By default it is the last handler a service needs (see
 * ExpressErrorHandlerOptions); with `respond: false` it passes the error on. When the response has already
 * started, the error is logged and passed on, so Express closes the connection.
 */
export function expressErrorMiddleware(http: HttpInstrumentation, sink: () => ErrorSink, options: ExpressErrorHandlerOptions = {}): ExpressErrorMiddleware {
  const respond = options.respond ?? true;
  return function obsExpressError(error, req, res, next) {
    const state = (req as { [STATE]?: RequestState })[STATE];
    if (state) state.error = error;
    if (!respond) return next(error);
    const handled = http.within(state ?? NO_STATE, () => handleRequestError(sink(), error, state, req.method, state?.route));
    if (res.headersSent) return next(error);
    try {
      res.statusCode = handled.status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(handled.body));
    } catch (failure) {
      http.safety.report('http', failure);
      next(error);
    }
  };
}

/** For requests the obs middleware did not see (installed after some routes): run in the current context. */
const NO_STATE: RequestState = { start: 0, method: '', traceId: undefined, done: true };
