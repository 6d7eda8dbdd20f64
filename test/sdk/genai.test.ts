import { describe, expect, it } from 'vitest';
import { classifyGenAiError } from '../../src/sdk/index.js';
import { series, testConfig, testObs, value } from './helpers.js';

const OP = 'gen_ai_client_operation_duration_seconds';
const prices = { 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 } };

class RateLimitError extends Error {
  status = 429;
}

describe('GenAI', () => {
  it('records duration, tokens (from the returned usage) and cost per module', async () => {
    const obs = testObs({ prices, budgets: { daily: 10, monthly: 200 } });
    const call = { provider: 'openai', model: 'gpt-4o', operation: 'chat', module: 'triage' };
    const result = await obs.genai.track(call, async () => ({ usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    expect(result.usage.prompt_tokens).toBe(1000);
    await obs.genai.track({ ...call, module: 'rag' }, async (span) => {
      span.usage({ inputTokens: 2_000_000, outputTokens: 0 });
      return 'text';
    });
    const text = await obs.metrics();
    const base = ['gen_ai_operation_name="chat"', 'gen_ai_provider_name="openai"', 'gen_ai_request_model="gpt-4o"'];
    expect(value(text, `${OP}_count`, ...base, 'obs_module="triage"')).toBe(1);
    expect(value(text, 'gen_ai_client_token_usage_sum', 'gen_ai_token_type="input"', 'obs_module="triage"')).toBe(1000);
    expect(value(text, 'gen_ai_client_token_usage_sum', 'gen_ai_token_type="output"', 'obs_module="triage"')).toBe(500);
    expect(value(text, 'obs_gen_ai_cost_usd_total', 'obs_module="triage"')).toBeCloseTo(0.0025 + 0.005, 10);
    expect(value(text, 'obs_gen_ai_cost_usd_total', 'obs_module="rag"')).toBeCloseTo(5, 10);
    expect(value(text, 'obs_gen_ai_budget_usd', 'period="daily"')).toBe(10);
    expect(value(text, 'obs_gen_ai_budget_usd', 'period="monthly"')).toBe(200);
    // the genaiLatency SLO threshold (3s) is a bucket
    expect(series(text, `${OP}_bucket`, 'le="3"')).toHaveLength(2);
  });

  it('takes prices, the model allow-list and budgets from the config, options overriding them', async () => {
    const config = { ...testConfig(), genai: { prices, models: ['gpt-4o', 'gpt-4o-mini'], budgets: { daily: 5 } } };
    const obs = testObs({}, config);
    await obs.genai.track({ provider: 'openai', model: 'gpt-4o' }, async (span) => span.usage({ inputTokens: 1_000_000, outputTokens: 0 }));
    await obs.genai.track({ provider: 'openai', model: 'o9-preview' }, async () => 'unpriced, not allowed');
    const text = await obs.metrics();
    expect(value(text, 'obs_gen_ai_cost_usd_total', 'gen_ai_request_model="gpt-4o"')).toBeCloseTo(2.5, 10);
    expect(value(text, `${OP}_count`, 'gen_ai_request_model="other"')).toBe(1);
    expect(value(text, 'obs_gen_ai_budget_usd', 'period="daily"')).toBe(5);
    const overridden = await testObs({ budgets: { daily: 7 } }, config).metrics();
    expect(value(overridden, 'obs_gen_ai_budget_usd', 'period="daily"')).toBe(7);
  });

  it('classifies failures into error_type and passes the error through', async () => {
    const obs = testObs();
    const call = { provider: 'anthropic', model: 'claude' };
    const failures = [new RateLimitError('429'), Object.assign(new Error('socket'), { code: 'ETIMEDOUT' }), Object.assign(new Error('bad gateway'), { status: 502 }), new TypeError('x')];
    for (const error of failures) await expect(obs.genai.track(call, async () => Promise.reject(error))).rejects.toBe(error);
    const text = await obs.metrics();
    for (const type of ['rate_limit', 'timeout', 'provider_error', 'other']) expect(value(text, `${OP}_count`, `error_type="${type}"`)).toBe(1);
    expect(classifyGenAiError({ name: 'APIConnectionTimeoutError' })).toBe('timeout');
  });

  it('measures time to first chunk for streams, cache results and fallbacks', async () => {
    const obs = testObs();
    async function* chunks() {
      await new Promise((r) => setTimeout(r, 20));
      yield { delta: 'a' };
      await new Promise((r) => setTimeout(r, 20));
      yield { delta: 'b', usage: { input_tokens: 10, output_tokens: 2 } };
    }
    const call = { provider: 'openai', model: 'gpt-4o', module: 'chat' };
    const got: string[] = [];
    for await (const c of obs.genai.trackStream(call, chunks(), (c) => ('usage' in c ? { inputTokens: c.usage!.input_tokens, outputTokens: c.usage!.output_tokens } : undefined))) got.push(c.delta);
    expect(got).toEqual(['a', 'b']);
    await obs.genai.track(call, async (span) => {
      span.cache('miss');
      span.firstChunk();
      span.firstChunk();
      return 'x';
    });
    obs.genai.cache('hit', 'chat');
    obs.genai.fallback('openai', 'anthropic', 'chat');
    const text = await obs.metrics();
    const ttfc = value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_sum');
    expect(value(text, 'gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(2);
    expect(ttfc).toBeGreaterThan(0.015);
    expect(value(text, `${OP}_sum`)).toBeGreaterThan(0.035);
    expect(value(text, 'gen_ai_client_token_usage_sum', 'gen_ai_token_type="output"')).toBe(2);
    expect(value(text, 'obs_gen_ai_cache_requests_total', 'result="hit"')).toBe(1);
    expect(value(text, 'obs_gen_ai_cache_requests_total', 'result="miss"')).toBe(1);
    expect(value(text, 'obs_gen_ai_fallbacks_total', 'from_provider="openai"', 'to_provider="anthropic"')).toBe(1);
  });
});

describe('dependencies and security', () => {
  it('times dependency calls with error_type and counts cache hits', async () => {
    const obs = testObs();
    await obs.dependencies.track({ system: 'postgresql', name: 'orders-db', operation: 'SELECT orders' }, async () => 42);
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    await expect(obs.dependencies.track({ system: 'redis', operation: 'GET' }, () => Promise.reject(refused))).rejects.toBe(refused);
    obs.dependencies.cache('sessions', true);
    obs.dependencies.cache('sessions', true);
    obs.dependencies.cache('sessions', false);
    const text = await obs.metrics();
    const D = 'obs_dependency_request_duration_seconds_count';
    expect(value(text, D, 'dependency_system="postgresql"', 'dependency_name="orders-db"', 'operation="SELECT orders"')).toBe(1);
    expect(value(text, D, 'dependency_system="redis"', 'dependency_name="redis"', 'error_type="ECONNREFUSED"')).toBe(1);
    expect(value(text, 'obs_cache_requests_total', 'cache="sessions"', 'result="hit"')).toBe(2);
  });

  it('counts security events with bounded reasons', async () => {
    const obs = testObs({ limits: { reason: 2 } });
    obs.security.record('auth_failure', 'expired_jwt');
    obs.security.record('access_denied', 'not_owner');
    obs.security.record('auth_failure', 'user-123@example.com');
    obs.security.record('bogus' as never, 'x');
    const text = await obs.metrics();
    expect(value(text, 'obs_security_events_total', 'event="auth_failure"', 'reason="expired_jwt"')).toBe(1);
    expect(value(text, 'obs_security_events_total', 'event="auth_failure"', 'reason="other"')).toBe(1);
    expect(text).not.toContain('example.com');
    expect(value(text, 'obs_security_events_total', 'event="other"')).toBe(1);
  });
});
