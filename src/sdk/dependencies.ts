import { cacheRequests, dependencyRequestDuration } from '../catalog/sdk-metrics.js';
import type { MetricsCore } from './metrics/core.js';
import { CatalogCounter, CatalogHistogram } from './metrics/instruments.js';

export interface DependencyCall {
  /** postgresql, redis, http, qdrant, s3, … (OTel's db.system.name values where one exists). */
  readonly system: string;
  /** Which instance: `orders-db`, `payments-api`. Default: the system. */
  readonly name?: string;
  /** A low-cardinality operation name: `SELECT users`, `GET`, `search` — never the query text. */
  readonly operation: string;
}

/** error_type of a failed dependency call: a string `code` (ECONNREFUSED, 40P01) else the class name. */
function dependencyErrorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0 && code.length <= 40) return code;
  if (error instanceof Error) return error.constructor?.name || error.name || 'Error';
  return 'other';
}

/** Dependency latency and errors (obs_dependency_request_duration_seconds) and cache hit ratios. */
export class Dependencies {
  private readonly duration: CatalogHistogram;
  private readonly cacheRequests: CatalogCounter;

  constructor(private readonly core: MetricsCore) {
    this.duration = new CatalogHistogram(dependencyRequestDuration, core.registry, core.guards);
    this.cacheRequests = new CatalogCounter(cacheRequests, core.registry, core.guards, {
      result: core.guards.allowList(cacheRequests.name, 'result', ['hit', 'miss']),
    });
  }

  /** Times fn; a throw/rejection is recorded with its error_type and passed on unchanged. */
  async track<T>(call: DependencyCall, fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    const traceId = this.core.traceId();
    try {
      const result = await fn();
      this.record(call, (performance.now() - start) / 1000, '', traceId);
      return result;
    } catch (error) {
      this.record(call, (performance.now() - start) / 1000, this.core.safety.run('dependencies', () => dependencyErrorType(error), 'other'), traceId);
      throw error;
    }
  }

  /** Records a call you timed yourself. */
  record(call: DependencyCall, durationSeconds: number, errorType = '', traceId?: string): void {
    this.core.safety.run(
      'dependencies',
      () => this.duration.observe([call.system, call.name ?? call.system, call.operation, errorType], durationSeconds, traceId),
      undefined,
    );
  }

  /** One cache lookup: obs_cache_requests_total{cache, result="hit"|"miss"}. */
  cache(cache: string, hit: boolean): void {
    this.core.safety.run('dependencies', () => this.cacheRequests.inc([cache, hit ? 'hit' : 'miss']), undefined);
  }
}
