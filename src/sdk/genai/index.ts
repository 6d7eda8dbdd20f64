import {
  genaiBudget,
  genaiCacheRequests,
  genaiCost,
  genaiFallbacks,
  genaiOperationDuration,
  genaiTimeToFirstChunk,
  genaiTokenUsage,
} from '../../catalog/sdk-metrics.js';
import type { MetricsCore } from '../metrics/core.js';
import { CatalogCounter, CatalogGauge, CatalogHistogram } from '../metrics/instruments.js';
import type { LabelGuard } from '../metrics/labels.js';
import { extractUsage, type GenAiUsage } from './usage.js';
import { classifyGenAiError, type GenAiErrorType } from './errors.js';

export { extractUsage, type GenAiUsage } from './usage.js';
export { classifyGenAiError, type GenAiErrorType } from './errors.js';

/** USD per million tokens, per model name as you pass it to track(). */
export type PriceTable = Readonly<Record<string, { readonly inputPerMillion: number; readonly outputPerMillion: number }>>;

export interface GenAiBudgets {
  readonly daily?: number;
  readonly monthly?: number;
}

export interface GenAiOptions {
  /** Buckets of gen_ai_client_operation_duration_seconds (semconv's plus every genaiLatency threshold). */
  readonly durationBuckets: readonly number[];
  /**
   * Models that get their own gen_ai_request_model value; anything else is `other`. Default: the price
   * table's models, or (with neither) the first N models seen (N = limits.gen_ai_request_model, 20).
   */
  readonly models?: readonly string[];
  readonly prices?: PriceTable;
  readonly budgets?: GenAiBudgets;
}

export interface GenAiCall {
  /** gen_ai.provider.name: openai, anthropic, gcp.gemini, aws.bedrock, ollama, … */
  readonly provider: string;
  /** The requested model. */
  readonly model: string;
  /** gen_ai.operation.name: chat (default), embeddings, text_completion, generate_content, … */
  readonly operation?: string;
  /** Your module or feature (`triage`, `rag-answer`), for cost per module. Default `default`. */
  readonly module?: string;
}

/** Handed to the callback of track(): report what only the call knows. Every method is safe to call. */
export interface GenAiSpan {
  /** Token usage; otherwise obs looks for a usage object on the returned value. */
  usage(usage: GenAiUsage): void;
  /** Marks the first streamed chunk (records time to first chunk once). */
  firstChunk(): void;
  /** The answer came from (or missed) your response cache. */
  cache(result: 'hit' | 'miss'): void;
}

const DEFAULT_MODULE = 'default';
const DEFAULT_OPERATION = 'chat';

/**
 * GenAI client metrics (semconv v1.41 names) plus obs's cost, cache, fallback and budget metrics.
 * Labels in catalog order: gen_ai_operation_name, gen_ai_provider_name, gen_ai_request_model, obs_module.
 */
export class GenAi {
  private readonly duration: CatalogHistogram;
  private readonly ttfc: CatalogHistogram;
  private readonly tokens: CatalogHistogram;
  private readonly cost: CatalogCounter;
  private readonly cacheRequests: CatalogCounter;
  private readonly fallbacks: CatalogCounter;
  private readonly prices: PriceTable;

  constructor(
    private readonly core: MetricsCore,
    options: GenAiOptions,
  ) {
    const g = core.guards;
    this.prices = options.prices ?? {};
    const allowed = options.models ?? (options.prices ? Object.keys(options.prices) : undefined);
    // One guard per label shared by all GenAI metrics, so a model is either known everywhere or `other`.
    const model: LabelGuard = allowed
      ? g.allowList(genaiOperationDuration.name, 'gen_ai_request_model', allowed)
      : g.guard(genaiOperationDuration.name, 'gen_ai_request_model');
    const shared = {
      gen_ai_operation_name: g.guard(genaiOperationDuration.name, 'gen_ai_operation_name'),
      gen_ai_provider_name: g.guard(genaiOperationDuration.name, 'gen_ai_provider_name'),
      gen_ai_request_model: model,
      obs_module: g.guard(genaiOperationDuration.name, 'obs_module'),
    };
    this.duration = new CatalogHistogram(genaiOperationDuration, core.registry, g, { buckets: options.durationBuckets, overrides: shared });
    this.ttfc = new CatalogHistogram(genaiTimeToFirstChunk, core.registry, g, { overrides: shared });
    this.tokens = new CatalogHistogram(genaiTokenUsage, core.registry, g, {
      overrides: { ...shared, gen_ai_token_type: g.allowList(genaiTokenUsage.name, 'gen_ai_token_type', ['input', 'output']) },
    });
    this.cost = new CatalogCounter(genaiCost, core.registry, g, shared);
    this.cacheRequests = new CatalogCounter(genaiCacheRequests, core.registry, g, {
      obs_module: shared.obs_module,
      result: g.allowList(genaiCacheRequests.name, 'result', ['hit', 'miss']),
    });
    this.fallbacks = new CatalogCounter(genaiFallbacks, core.registry, g, { obs_module: shared.obs_module });
    if (options.budgets) {
      const budget = new CatalogGauge(genaiBudget, core.registry, g, {
        period: g.allowList(genaiBudget.name, 'period', ['daily', 'monthly']),
      });
      if (options.budgets.daily !== undefined) budget.child(['daily']).set(options.budgets.daily);
      if (options.budgets.monthly !== undefined) budget.child(['monthly']).set(options.budgets.monthly);
    }
  }

  private labels(call: GenAiCall): string[] {
    return [call.operation ?? DEFAULT_OPERATION, call.provider, call.model, call.module ?? DEFAULT_MODULE];
  }

  /**
   * Runs one model call and records its duration (with error_type rate_limit | timeout |
   * provider_error | other on failure), token usage, cost and time to first chunk. The call's own
   * result or error is passed through untouched.
   */
  async track<T>(call: GenAiCall, fn: (span: GenAiSpan) => T | Promise<T>): Promise<T> {
    const start = performance.now();
    const traceId = this.core.traceId();
    let usage: GenAiUsage | undefined;
    let firstChunkSeen = false;
    const span: GenAiSpan = {
      usage: (u) => {
        usage = u;
      },
      firstChunk: () => {
        if (firstChunkSeen) return;
        firstChunkSeen = true;
        this.core.safety.run('genai', () => this.ttfc.observe(this.labels(call), (performance.now() - start) / 1000, traceId), undefined);
      },
      cache: (result) => this.cache(result, call.module),
    };
    let result: T;
    try {
      result = await fn(span);
    } catch (error) {
      this.core.safety.run(
        'genai',
        () => {
          const type = classifyGenAiError(error);
          this.duration.observe([...this.labels(call), type], (performance.now() - start) / 1000, traceId);
          if (usage) this.recordUsage(call, usage);
        },
        undefined,
      );
      throw error;
    }
    this.core.safety.run(
      'genai',
      () => {
        this.duration.observe([...this.labels(call), ''], (performance.now() - start) / 1000, traceId);
        const reported = usage ?? extractUsage(result);
        if (reported) this.recordUsage(call, reported);
      },
      undefined,
    );
    return result;
  }

  /**
   * Wraps a streamed response: time to first chunk on the first item, duration when the stream ends
   * (or fails), usage from `usageOf(chunk)` (the last non-undefined wins) or from span.usage().
   */
  async *trackStream<T>(call: GenAiCall, stream: AsyncIterable<T>, usageOf?: (chunk: T) => GenAiUsage | undefined): AsyncGenerator<T> {
    const start = performance.now();
    const traceId = this.core.traceId();
    let usage: GenAiUsage | undefined;
    let first = true;
    try {
      for await (const chunk of stream) {
        if (first) {
          first = false;
          this.core.safety.run('genai', () => this.ttfc.observe(this.labels(call), (performance.now() - start) / 1000, traceId), undefined);
        }
        if (usageOf) usage = this.core.safety.run('genai', () => usageOf(chunk), undefined) ?? usage;
        yield chunk;
      }
    } catch (error) {
      this.core.safety.run('genai', () => {
        this.duration.observe([...this.labels(call), classifyGenAiError(error)], (performance.now() - start) / 1000, traceId);
        if (usage) this.recordUsage(call, usage);
      }, undefined);
      throw error;
    }
    this.core.safety.run('genai', () => {
      this.duration.observe([...this.labels(call), ''], (performance.now() - start) / 1000, traceId);
      if (usage) this.recordUsage(call, usage);
    }, undefined);
  }

  /** Token usage and its cost, for a call you instrument yourself. */
  recordUsage(call: GenAiCall, usage: GenAiUsage): void {
    this.core.safety.run(
      'genai',
      () => {
        const labels = this.labels(call);
        const input = usage.inputTokens ?? 0;
        const output = usage.outputTokens ?? 0;
        if (usage.inputTokens !== undefined) this.tokens.observe([...labels, 'input'], input);
        if (usage.outputTokens !== undefined) this.tokens.observe([...labels, 'output'], output);
        const price = Object.hasOwn(this.prices, call.model) ? this.prices[call.model] : undefined;
        if (price) this.cost.inc(labels, (input * price.inputPerMillion + output * price.outputPerMillion) / 1_000_000);
      },
      undefined,
    );
  }

  /** Response cache lookup: obs_gen_ai_cache_requests_total{obs_module, result}. */
  cache(result: 'hit' | 'miss', module: string = DEFAULT_MODULE): void {
    this.core.safety.run('genai', () => this.cacheRequests.inc([module, result]), undefined);
  }

  /** A fallback from one provider to another: obs_gen_ai_fallbacks_total{from_provider,to_provider,obs_module}. */
  fallback(fromProvider: string, toProvider: string, module: string = DEFAULT_MODULE): void {
    this.core.safety.run('genai', () => this.fallbacks.inc([fromProvider, toProvider, module]), undefined);
  }

  /** The error_type obs records for this error. */
  classify(error: unknown): GenAiErrorType {
    return classifyGenAiError(error);
  }
}
