/**
 * Authentication (Bearer API keys), authorisation scopes and a per-caller rate limiter, as route-level
 * middleware: they run after Express has matched the route, so even a 401 or a 429 is recorded under the
 * route template. The obs adapter counts every 401, 403 and 429 in obs_security_events_total
 * (auth_failure/http_401, access_denied/http_403, rate_limited/http_429); this code only decides them.
 */
import type { NextFunction, Request, Response } from 'express';
import type { RunningObs } from 'obs/sdk';
import type { FaultSwitch } from './faults.ts';

export interface Principal {
  readonly subject: string;
  readonly scopes: readonly string[];
}

/** The demo's API keys (a real service would look them up in its identity provider). */
export const DEMO_KEYS: Readonly<Record<string, Principal>> = {
  'demo-user-token': { subject: 'user-42', scopes: ['read', 'write'] },
  'demo-admin-token': { subject: 'admin-1', scopes: ['read', 'write', 'confidential'] },
};

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

export function principalOf(req: Request): Principal {
  const p = (req as WithPrincipal)[PRINCIPAL];
  if (!p) throw new Error('principalOf() called on an unauthenticated route');
  return p;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/** A token bucket per caller: `burst` requests at once, refilled at `perSecond`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;
  private readonly perSecond: number;
  constructor(burst: number, perSecond: number) {
    this.burst = burst;
    this.perSecond = perSecond;
  }
  take(key: string): boolean {
    const now = performance.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export function security(obs: RunningObs, faults: FaultSwitch) {
  const limiter = new RateLimiter(200, 100);

  /** 429 when the caller's bucket is empty, or when the fault switch says so. */
  function rateLimit(req: Request, res: Response, next: NextFunction): void {
    const key = bearer(req) ?? req.socket.remoteAddress ?? 'unknown';
    if (limiter.take(key) && !faults.hits(faults.current.rateLimitRate)) return next();
    res.setHeader('Retry-After', '1');
    res.status(429).json({ error: 'rate_limited', message: 'Too many requests; retry after 1 s.' });
  }

  /** 401 for a missing, unknown or (fault switch) expired key. */
  function authenticate(req: Request, res: Response, next: NextFunction): void {
    const token = bearer(req);
    const principal = token === undefined ? undefined : Object.hasOwn(DEMO_KEYS, token) ? DEMO_KEYS[token] : undefined;
    const reason = token === undefined ? 'missing_token' : !principal ? 'invalid_token' : faults.hits(faults.current.authFailRate) ? 'expired_token' : undefined;
    if (reason === undefined && principal) {
      (req as WithPrincipal)[PRINCIPAL] = principal;
      return next();
    }
    obs.logger.warn({ reason, http_route: req.route?.path }, 'authentication failed');
    res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
    res.status(401).json({ error: 'unauthorized', reason });
  }

  /** 403 (and an audit line) when the caller lacks `scope`. */
  function deny(req: Request, res: Response, scope: string, resource: string): void {
    const principal = (req as WithPrincipal)[PRINCIPAL];
    obs.audit.warn({ action: 'access.denied', actor: principal?.subject, resource, scope }, 'access denied');
    res.status(403).json({ error: 'forbidden', message: `missing scope ${scope}` });
  }

  /** Route middleware: the caller needs `scope`; the fault switch can deny anyone (a revoked grant). */
  function requireScope(scope: string) {
    return function checkScope(req: Request, res: Response, next: NextFunction): void {
      const principal = principalOf(req);
      if (principal.scopes.includes(scope) && !faults.hits(faults.current.deniedRate)) return next();
      deny(req, res, scope, req.route?.path ?? 'unknown');
    };
  }

  return { rateLimit, authenticate, requireScope, deny };
}
