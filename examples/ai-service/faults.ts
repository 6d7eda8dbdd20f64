/**
 * The fault switch: what the demo service gets wrong on purpose, so that alerts can be watched firing.
 * Every field is optional in a request; missing fields keep their healthy default.
 */

export interface Faults {
  /** Share (0..1) of API requests answered 500. */
  readonly errorRate: number;
  /** Extra latency on every API request, in ms. */
  readonly latencyMs: number;
  /** Extra latency of every model call, in ms. */
  readonly llmLatencyMs: number;
  /** Share of model calls (any provider) that fail with a provider error (HTTP 500 from the provider). */
  readonly llmErrorRate: number;
  /** Share of calls to the primary provider answered 429 (its per-account quota); the fallback then answers. */
  readonly llmRateLimitRate: number;
  /** The primary provider (openai) is down: every call to it fails with 503 and the fallback answers. */
  readonly primaryDown: boolean;
  /** Output tokens of each model call: drives cost. */
  readonly tokensPerCall: number;
  /** Share (0..1) of answer and search cache lookups allowed to hit when the entry is cached. */
  readonly cacheHitRate: number;
  /** Share of authenticated requests rejected as if the token were invalid (401). */
  readonly authFailRate: number;
  /** Share of authenticated requests denied as if the token lacked the permission (403). */
  readonly deniedRate: number;
  /** Share of requests refused by the rate limiter (429). */
  readonly rateLimitRate: number;
  /** Share of background jobs that fail. */
  readonly jobFailRate: number;
  /** Extra latency of every document-store query, in ms. */
  readonly dbLatencyMs: number;
  /** Extra time each background job takes, in ms (a slow job lets the backlog grow). */
  readonly jobLatencyMs: number;
  /** The background workers are stopped: jobs wait, obs_queue_workers drops to 0. */
  readonly workersStopped: boolean;
}

export const HEALTHY: Faults = Object.freeze({
  errorRate: 0,
  latencyMs: 0,
  llmLatencyMs: 0,
  llmErrorRate: 0,
  llmRateLimitRate: 0,
  primaryDown: false,
  tokensPerCall: 40,
  cacheHitRate: 0.7,
  authFailRate: 0,
  deniedRate: 0,
  rateLimitRate: 0,
  jobFailRate: 0,
  dbLatencyMs: 0,
  jobLatencyMs: 0,
  workersStopped: false,
});

/** Named fault sets for `PUT /admin/faults/preset/<name>`; each is applied over the healthy defaults. */
export const PRESETS: Readonly<Record<string, Partial<Faults>>> = Object.freeze({
  healthy: {},
  /** Every API request fails: the availability SLO pages. */
  outage: { errorRate: 1 },
  /**
   * 0.45% of requests fail: 4.5× the availability SLO's budget (99.9%), between its ticket factors (3×, 1×)
   * and its page factors (14.4×, 6×), the burn the generated promtool tests call a slow burn: a ticket, no page.
   * (1% would be 10×, past the 6× page.)
   */
  'slow-burn': { errorRate: 0.0045 },
  /** Model calls take 6 s: above the llm-latency SLO's 5 s and the chat latency SLO's 500 ms. */
  'slow-llm': { llmLatencyMs: 6000 },
  /** Half of the primary's calls are rate limited (and answered by the fallback). */
  'llm-rate-limited': { llmRateLimitRate: 0.5 },
  /** The primary provider is down: every chat is answered by the fallback provider. */
  'primary-down': { primaryDown: true },
  /** 100,000 output tokens per call: about 1 USD per gpt-4o call, past the daily budget in seconds. */
  'cost-spike': { tokensPerCall: 100_000 },
  /** Credential stuffing: most requests carry bad tokens (401) or probe forbidden resources (403). */
  'auth-attack': { authFailRate: 0.6, deniedRate: 0.2 },
  /** The rate limiter refuses a fifth of the traffic. */
  'rate-limited': { rateLimitRate: 0.2 },
  /** The document store answers in 800 ms. */
  'slow-db': { dbLatencyMs: 800 },
  /** A third of the background jobs fail. */
  'jobs-failing': { jobFailRate: 0.33 },
  /** The workers are gone: the queues fill up with nobody to drain them. */
  'workers-down': { workersStopped: true },
  /** No cache hits. */
  'cache-cold': { cacheHitRate: 0 },
});

const RATES = ['errorRate', 'llmErrorRate', 'llmRateLimitRate', 'cacheHitRate', 'authFailRate', 'deniedRate', 'rateLimitRate', 'jobFailRate'] as const;
const DURATIONS = ['latencyMs', 'llmLatencyMs', 'dbLatencyMs', 'jobLatencyMs'] as const;
const FLAGS = ['primaryDown', 'workersStopped'] as const;
const MAX_DURATION_MS = 600_000;

export class FaultError extends Error {
  override readonly name = 'FaultError';
}

/**
 * Validates a partial fault object (a request body) and merges it over the healthy defaults.
 * Throws FaultError naming the field and what it accepts.
 */
export function faultsFrom(input: unknown): Faults {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new FaultError('faults: expected a JSON object, e.g. {"errorRate": 0.5}');
  const given = input as Record<string, unknown>;
  const known = new Set<string>(Object.keys(HEALTHY));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new FaultError(`faults.${key}: unknown field; known: ${[...known].join(', ')}`);
  }
  const out: Record<string, unknown> = { ...HEALTHY };
  for (const key of RATES) {
    if (given[key] === undefined) continue;
    const v = given[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new FaultError(`faults.${key}: must be a number from 0 to 1, got ${JSON.stringify(v)}`);
    out[key] = v;
  }
  for (const key of DURATIONS) {
    if (given[key] === undefined) continue;
    const v = given[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= MAX_DURATION_MS)) throw new FaultError(`faults.${key}: must be milliseconds from 0 to ${MAX_DURATION_MS}, got ${JSON.stringify(v)}`);
    out[key] = v;
  }
  for (const key of FLAGS) {
    if (given[key] === undefined) continue;
    if (typeof given[key] !== 'boolean') throw new FaultError(`faults.${key}: must be true or false, got ${JSON.stringify(given[key])}`);
    out[key] = given[key];
  }
  if (given.tokensPerCall !== undefined) {
    const v = given.tokensPerCall;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10_000_000) throw new FaultError(`faults.tokensPerCall: must be an integer from 1 to 10000000, got ${JSON.stringify(v)}`);
    out.tokensPerCall = v;
  }
  return Object.freeze(out) as unknown as Faults;
}

/** The faults of a preset, or undefined for an unknown name. */
export function preset(name: string): Faults | undefined {
  return Object.hasOwn(PRESETS, name) ? faultsFrom(PRESETS[name]) : undefined;
}

/** The current faults, shared by every part of the service. */
export class FaultSwitch {
  private value: Faults;
  constructor(initial: Faults = HEALTHY) {
    this.value = initial;
  }
  get current(): Faults {
    return this.value;
  }
  set(faults: Faults): void {
    this.value = faults;
  }
  /** True with probability `rate` (0 never, 1 always). */
  hits(rate: number): boolean {
    return rate > 0 && Math.random() < rate;
  }
}

export const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
