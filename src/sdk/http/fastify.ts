import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorSink } from '../error-sink.js';
import type { HttpInstrumentation, RequestState } from './core.js';
import { handleRequestError } from './errors.js';

/** The parts of Fastify 4/5 obs uses; structural, so obs has no runtime or type dependency on fastify. */
interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly routeOptions?: { readonly url?: string };
}
interface FastifyReplyLike {
  readonly raw: ServerResponse;
  readonly statusCode: number;
  readonly sent: boolean;
  hijack(): unknown;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload: unknown): FastifyReplyLike;
}
type Done = (error?: Error) => void;
interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void): unknown;
  addHook(name: 'onResponse', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: unknown, done: Done) => void): unknown;
  addHook(name: 'onRequestAbort', hook: (request: FastifyRequestLike, done: Done) => void): unknown;
}

export type FastifyPlugin = ((instance: any, options: unknown, done: Done) => void) & {
  [key: symbol]: unknown;
};

/** `app.setErrorHandler(obs.http.fastifyErrorHandler)`. */
export type FastifyErrorHandler = (error: any, request: any, reply: any) => unknown;

export interface FastifyAdapter {
  readonly plugin: FastifyPlugin;
  readonly errorHandler: FastifyErrorHandler;
}

/**
 * A Fastify plugin (no fastify-plugin needed: it sets `Symbol.for('skip-override')`, so its hooks apply
 * to the whole app). Route label: `request.routeOptions.url` (the template); 404s are `unmatched`.
 * Built-in paths (/metrics, /health…) are answered in onRequest, before routing.
 */
export function fastifyAdapter(http: HttpInstrumentation, sink: () => ErrorSink): FastifyAdapter {
  const states = new WeakMap<object, RequestState>();
  return { plugin: fastifyPlugin(http, states), errorHandler: fastifyErrorHandler(http, states, sink) };
}

/**
 * The error handler a service expects (replaces Fastify's default, which answers with the error's message
 * and logs only when Fastify's own logger is on): one JSON log line with the request's trace_id, a Sentry
 * event for 5xx, and `{ error, status, trace_id }` with the error's statusCode (4xx, e.g. validation) or 500.
 */
function fastifyErrorHandler(http: HttpInstrumentation, states: WeakMap<object, RequestState>, sink: () => ErrorSink): FastifyErrorHandler {
  return function obsFastifyError(error: unknown, request: FastifyRequestLike, reply: FastifyReplyLike) {
    const state = states.get(request);
    if (state) state.error = error;
    const route = http.safety.run('http', () => request.routeOptions?.url, undefined);
    const handled = http.within(state ?? NO_STATE, () => handleRequestError(sink(), error, state, request.method, route));
    if (reply.sent) return undefined;
    return reply.code(handled.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(handled.body));
  };
}

const NO_STATE: RequestState = { start: 0, method: '', traceId: undefined, done: true };

function fastifyPlugin(http: HttpInstrumentation, states: WeakMap<object, RequestState>): FastifyPlugin {
  const plugin = function obsFastify(instance: FastifyInstanceLike, _options: unknown, done: Done) {
    instance.addHook('onRequest', (request, reply, next) => {
      if (http.isBuiltin(request.raw)) {
        reply.hijack();
        http.serveBuiltin(request.raw, reply.raw);
        return next();
      }
      const state = http.begin(request.method, request.raw);
      states.set(request, state);
      http.within(state, () => next());
    });
    instance.addHook('onError', (request, _reply, error, next) => {
      const state = states.get(request);
      if (state) state.error = error;
      next();
    });
    instance.addHook('onResponse', (request, reply, next) => {
      const state = states.get(request);
      if (state) {
        state.route = http.safety.run('http', () => request.routeOptions?.url, undefined);
        http.end(state, reply.statusCode);
      }
      next();
    });
    instance.addHook('onRequestAbort', (request, next) => {
      const state = states.get(request);
      if (state) {
        state.route = http.safety.run('http', () => request.routeOptions?.url, undefined);
        http.end(state, 499, true);
      }
      next();
    });
    done();
  } as FastifyPlugin;
  plugin[Symbol.for('skip-override')] = true;
  plugin[Symbol.for('fastify.display-name')] = 'obs';
  return plugin;
}
