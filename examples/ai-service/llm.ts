/**
 * Two fake model providers that behave like the real SDKs: an OpenAI-shaped primary and an
 * Anthropic-shaped fallback, with latency, errors, rate limits and token usage driven by the fault
 * switch. Nothing leaves the process. The orchestration below (primary, else fallback) is what a real
 * service does, and it is instrumented exactly as a real one would be.
 */
import type { GenAiUsage, RunningObs } from 'obs/sdk';
import { type FaultSwitch, sleep } from './faults.ts';

export const PRIMARY = { provider: 'openai', model: 'gpt-4o' } as const;
export const FALLBACK = { provider: 'anthropic', model: 'claude-sonnet-4' } as const;
export const EMBEDDING_MODEL = 'text-embedding-3-small';
/** Prices of the models the config does not list (USD per million tokens, OpenAI's list price). */
export const EXTRA_PRICES = { [EMBEDDING_MODEL]: { inputPerMillion: 0.02, outputPerMillion: 0 } } as const;

/** An error as the provider SDKs throw it: an HTTP status on `status` (obs classifies it from that). */
export class ProviderApiError extends Error {
  readonly status: number;
  readonly provider: string;
  constructor(provider: string, status: number, message: string) {
    super(message);
    this.name = 'ProviderApiError';
    this.status = status;
    this.provider = provider;
  }
}

export class RateLimitError extends ProviderApiError {
  constructor(provider: string) {
    super(provider, 429, `${provider}: rate limit reached for requests`);
    this.name = 'RateLimitError';
  }
}

export interface ChatRequest {
  readonly system: string;
  readonly question: string;
  readonly context: readonly string[];
}

/** Roughly 4 characters a token, as tokenizers average on English text. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptOf(request: ChatRequest): string {
  return [request.system, ...request.context, request.question].join('\n');
}

function answerText(request: ChatRequest): string {
  const source = request.context[0]?.split('. ')[0] ?? 'I found nothing relevant in the documents';
  return `${source}. (answer to: ${request.question.slice(0, 80)})`;
}

/** Base latency of a healthy model call: 15–45 ms. */
const baseLatency = () => 15 + Math.random() * 30;

export class FakeProviders {
  private readonly faults: FaultSwitch;
  constructor(faults: FaultSwitch) {
    this.faults = faults;
  }

  /** Fails the way the provider would, per the fault switch; resolves after the call's latency. */
  private async call(provider: string, primary: boolean): Promise<void> {
    const f = this.faults.current;
    await sleep(baseLatency() + f.llmLatencyMs);
    if (primary && f.primaryDown) throw new ProviderApiError(provider, 503, `${provider}: service unavailable`);
    if (primary && this.faults.hits(f.llmRateLimitRate)) throw new RateLimitError(provider);
    if (this.faults.hits(f.llmErrorRate)) throw new ProviderApiError(provider, 500, `${provider}: internal server error`);
  }

  /** OpenAI chat completions shape: `usage.prompt_tokens` / `usage.completion_tokens`. */
  async openaiChat(request: ChatRequest) {
    await this.call(PRIMARY.provider, true);
    return {
      id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
      model: PRIMARY.model,
      choices: [{ index: 0, message: { role: 'assistant', content: answerText(request) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: countTokens(promptOf(request)), completion_tokens: this.faults.current.tokensPerCall },
    };
  }

  /** Anthropic Messages shape: `usage.input_tokens` / `usage.output_tokens`. */
  async anthropicMessage(request: ChatRequest) {
    await this.call(FALLBACK.provider, false);
    return {
      id: `msg_${Math.random().toString(36).slice(2)}`,
      model: FALLBACK.model,
      content: [{ type: 'text', text: answerText(request) }],
      usage: { input_tokens: countTokens(promptOf(request)), output_tokens: this.faults.current.tokensPerCall },
    };
  }

  /** OpenAI streamed chat: text deltas, then a last chunk with usage (`stream_options.include_usage`). */
  async *openaiStream(request: ChatRequest): AsyncGenerator<{ delta?: string; usage?: { prompt_tokens: number; completion_tokens: number } }> {
    await this.call(PRIMARY.provider, true);
    for (const word of answerText(request).split(' ')) {
      await sleep(1);
      yield { delta: `${word} ` };
    }
    yield { usage: { prompt_tokens: countTokens(promptOf(request)), completion_tokens: this.faults.current.tokensPerCall } };
  }

  /** OpenAI embeddings shape: `usage.prompt_tokens` only. */
  async openaiEmbeddings(texts: readonly string[]) {
    await this.call(PRIMARY.provider, false);
    const data = texts.map((text, index) => ({ index, embedding: embed(text) }));
    return { model: EMBEDDING_MODEL, data, usage: { prompt_tokens: texts.reduce((n, t) => n + countTokens(t), 0), total_tokens: 0 } };
  }
}

/** A deterministic 8-dimension bag-of-characters vector: enough to rank, cheap to compute. */
export function embed(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i++) v[text.charCodeAt(i) % 8]! += 1;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export interface Answer {
  readonly text: string;
  readonly provider: string;
  readonly model: string;
}

/**
 * The model call of the RAG pipeline: the primary provider, and the fallback when the primary fails
 * or is rate limited. Each attempt is one obs.genai.track() call (duration, error type, tokens, cost);
 * a fallback is counted in obs_gen_ai_fallbacks_total.
 */
export class Llm {
  private readonly obs: RunningObs;
  private readonly providers: FakeProviders;
  constructor(obs: RunningObs, providers: FakeProviders) {
    this.obs = obs;
    this.providers = providers;
  }

  async answer(request: ChatRequest, module: string): Promise<Answer> {
    try {
      const reply = await this.obs.genai.track({ ...PRIMARY, module }, () => this.providers.openaiChat(request));
      return { text: reply.choices[0]?.message.content ?? '', ...PRIMARY };
    } catch (error) {
      if (!(error instanceof ProviderApiError)) throw error;
      this.fallingBack(error, module);
      const reply = await this.obs.genai.track({ ...FALLBACK, module }, () => this.providers.anthropicMessage(request));
      return { text: reply.content[0]?.text ?? '', ...FALLBACK };
    }
  }

  /**
   * Streams the answer (time to first chunk is recorded). The primary streams; when it fails before
   * the first chunk, the fallback answers in one piece, as many chat UIs do.
   */
  async *stream(request: ChatRequest, module: string): AsyncGenerator<string, Answer> {
    const usageOf = (chunk: { usage?: { prompt_tokens: number; completion_tokens: number } }): GenAiUsage | undefined =>
      chunk.usage && { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    let text = '';
    try {
      for await (const chunk of this.obs.genai.trackStream({ ...PRIMARY, module }, this.providers.openaiStream(request), usageOf)) {
        if (chunk.delta) {
          text += chunk.delta;
          yield chunk.delta;
        }
      }
      return { text, ...PRIMARY };
    } catch (error) {
      if (!(error instanceof ProviderApiError) || text !== '') throw error;
      this.fallingBack(error, module);
      const reply = await this.obs.genai.track({ ...FALLBACK, module }, () => this.providers.anthropicMessage(request));
      const whole = reply.content[0]?.text ?? '';
      yield whole;
      return { text: whole, ...FALLBACK };
    }
  }

  /** Embeds texts with the primary's embedding model (no fallback: the vectors must stay comparable). */
  async embed(texts: readonly string[], module: string): Promise<number[][]> {
    const reply = await this.obs.genai.track({ provider: PRIMARY.provider, model: EMBEDDING_MODEL, operation: 'embeddings', module }, () =>
      this.providers.openaiEmbeddings(texts),
    );
    return reply.data.map((d) => d.embedding);
  }

  private fallingBack(error: ProviderApiError, module: string): void {
    this.obs.genai.fallback(PRIMARY.provider, FALLBACK.provider, module);
    this.obs.logger.warn({ provider: PRIMARY.provider, status: error.status, fallback: FALLBACK.provider, module }, 'model provider failed, using the fallback');
  }
}
