import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpInstrumentation, RequestState } from './core.js';

/** The parts of Fastify 4/5 obs uses; structural, so obs has no runtime or type dependency on fastify. */
interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly routeOptions?: { readonly url?: string };
}
interface FastifyReplyLike {
  readonly raw: ServerResponse;
  readonly statusCode: number;
  hijack(): unknown;
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

/**
 * A Fastify plugin (no fastify-plugin needed: it sets `Symbol.for('skip-override')`, so its hooks apply
 * to the whole app). Route label: `request.routeOptions.url` (the template); 404s are `unmatched`.
 * Built-in paths (/metrics, /health…) are answered in onRequest, before routing.
 */
export function fastifyPlugin(http: HttpInstrumentation): FastifyPlugin {
  const states = new WeakMap<object, RequestState>();
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
