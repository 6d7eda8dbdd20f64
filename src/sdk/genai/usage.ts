/** Token counts of one GenAI operation. */
export interface GenAiUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Finds token usage on a provider response, in the shapes the common SDKs return:
 * OpenAI chat (`usage.prompt_tokens/completion_tokens`), OpenAI responses and Anthropic
 * (`usage.input_tokens/output_tokens`), Vercel AI SDK (`usage.inputTokens/outputTokens` or
 * `promptTokens/completionTokens`), Gemini (`usageMetadata.promptTokenCount/candidatesTokenCount`),
 * Ollama (`prompt_eval_count/eval_count`). Returns undefined when none is there.
 */
export function extractUsage(result: unknown): GenAiUsage | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const r = result as Record<string, unknown>;
  const u = (r.usage ?? undefined) as Record<string, unknown> | undefined;
  if (u && typeof u === 'object') {
    const input = num(u.prompt_tokens) ?? num(u.input_tokens) ?? num(u.inputTokens) ?? num(u.promptTokens);
    const output = num(u.completion_tokens) ?? num(u.output_tokens) ?? num(u.outputTokens) ?? num(u.completionTokens);
    if (input !== undefined || output !== undefined) return { inputTokens: input, outputTokens: output };
  }
  const g = r.usageMetadata as Record<string, unknown> | undefined;
  if (g && typeof g === 'object') {
    const input = num(g.promptTokenCount);
    const output = num(g.candidatesTokenCount);
    if (input !== undefined || output !== undefined) return { inputTokens: input, outputTokens: output };
  }
  const input = num(r.prompt_eval_count);
  const output = num(r.eval_count);
  if (input !== undefined || output !== undefined) return { inputTokens: input, outputTokens: output };
  return undefined;
}
