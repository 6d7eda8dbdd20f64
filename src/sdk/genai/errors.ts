/** error_type values of gen_ai_client_operation_duration_seconds. */
export type GenAiErrorType = 'rate_limit' | 'timeout' | 'provider_error' | 'other';

function statusOf(error: Record<string, unknown>): number | undefined {
  for (const key of ['status', 'statusCode', 'code']) {
    const v = error[key];
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
  }
  const response = error.response as Record<string, unknown> | undefined;
  if (response && typeof response.status === 'number') return response.status;
  return undefined;
}

/**
 * rate_limit: HTTP 429 or a RateLimit* error (OpenAI, Anthropic SDKs); timeout: 408/504, TimeoutError,
 * AbortError, ETIMEDOUT or a "timed out" message; provider_error: any other error carrying an HTTP status
 * or an API*Error class; other: everything else (your own code's bugs, network errors).
 */
export function classifyGenAiError(error: unknown): GenAiErrorType {
  if (error === null || typeof error !== 'object') return 'other';
  const e = error as Record<string, unknown>;
  const name = String((error as Error).constructor?.name ?? '') + ' ' + String(e.name ?? '');
  const status = statusOf(e);
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (status === 429 || /RateLimit/i.test(name) || code === 'rate_limit_exceeded') return 'rate_limit';
  if (
    status === 408 ||
    status === 504 ||
    /Timeout|AbortError/i.test(name) ||
    code === 'ETIMEDOUT' ||
    code === 'ESOCKETTIMEDOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    /timed? ?out/i.test(message)
  )
    return 'timeout';
  if (status !== undefined || /API\w*Error|Provider/i.test(name)) return 'provider_error';
  return 'other';
}
