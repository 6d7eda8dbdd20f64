import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpInstrumentation } from './core.js';
import { compileRoutes } from './routes.js';
import { pathOf } from './url.js';

export interface NodeHttpOptions {
  /**
   * Names the route template of a request (`/users/:id`); return undefined when none applies. Runs once
   * per request, guarded: if it throws, the request proceeds and the route is `unmatched`.
   */
  readonly route?: (req: IncomingMessage) => string | undefined;
  /** Route templates to match the path against (`/users/:id`, `/static/*`), when you give no route(). */
  readonly routes?: readonly string[];
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Wraps a node:http request listener. Plain node:http has no router, so the route label comes from
 * `route(req)` or `routes` templates; without either (or when nothing matches) it is `unmatched`.
 * A raw path is never a label. Built-in paths (/metrics, /health…) are answered before your listener.
 */
export function wrapNodeListener(http: HttpInstrumentation, listener: RequestListener, options: NodeHttpOptions = {}): RequestListener {
  const matcher = options.routes ? compileRoutes(options.routes) : undefined;
  const resolve =
    options.route ??
    (matcher
      ? (req: IncomingMessage) => matcher(pathOf(req.url))
      : undefined);
  const safety = http.safety;

  return function obsListener(this: unknown, req: IncomingMessage, res: ServerResponse) {
    if (http.serveBuiltin(req, res)) return;
    const state = http.begin(req.method, req);
    if (resolve) state.route = safety.run('http', () => resolve(req), undefined);
    http.endOnClose(res, state);
    try {
      return http.within(state, () => listener.call(this, req, res));
    } catch (error) {
      state.error = error;
      throw error;
    }
  };
}
