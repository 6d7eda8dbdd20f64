import { describe, expect, it } from 'vitest';
import { classifyKey, REDACTED, scrub, scrubString } from '../../src/sdk/scrub.js';

const R = REDACTED;

describe('scrubString: secret patterns', () => {
  const cases: [name: string, input: string, mustNotContain: string, expected?: string][] = [
    ['OpenAI key', 'key sk-abcdefghijklmnopqrstuvwxyz012345 used', 'abcdefghijklmnop', `key ${R} used`],
    ['OpenAI project key', 'sk-proj-Q9xLzF3kT7vB2nW8rY5mP1cH6dJ4gA0sE_-x', 'Q9xLzF3kT7', R],
    ['OpenAI service account key', 'OPENAI=sk-svcacct-AbCdEfGhIjKlMnOpQrStUv', 'AbCdEfGhIj'],
    ['Anthropic key', 'x-api-key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz-123_456', 'AbCdEfGhIjKl'],
    ['Google API key', 'url?k=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&x=1', 'SyD-9tSrke72'],
    ['AWS access key id', 'creds AKIAIOSFODNN7EXAMPLE here', 'IOSFODNN7EXAMPLE', `creds ${R} here`],
    ['AWS session key id', 'ASIAIOSFODNN7EXAMPLE', 'IOSFODNN7'],
    [
      'AWS secret next to key id',
      'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI',
      `${R} ${R}`,
    ],
    [
      'AWS secret named in text',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI',
    ],
    ['Bearer token', 'Authorization header was Bearer abc.def-ghi_jkl~mno', 'abc.def-ghi'],
    ['lowercase bearer', 'sent bearer 0123456789abcdef', '0123456789abcdef', `sent bearer ${R}`],
    ['Authorization: Basic', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNz', `Authorization: ${R}`],
    ['authorization in JSON', '{"authorization":"Token zzzzzzzzzzzz"}', 'zzzzzzzzzzzz'],
    [
      'JWT',
      'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok',
      'eyJzdWIiOiIxMjM0In0',
      `session ${R} ok`,
    ],
    [
      'password in URL',
      'connect postgres://app:hunter2pass@db:5432/x',
      'hunter2pass',
      `connect postgres://app:${R}@db:5432/x`,
    ],
    ['password in redis URL', 'rediss://default:p%40ss-word@cache:6380', 'p%40ss-word'],
    ['password= pair', 'login failed password=correct-horse user=bob', 'correct-horse'],
    ['api_key query param', 'GET /v1?api_key=abc123secret&page=2', 'abc123secret', `GET /v1?api_key=${R}&page=2`],
    ['client_secret JSON', '{"client_secret": "s3cr3t-value"}', 's3cr3t-value'],
    ['GitHub token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_0123456789'],
    ['Slack token', 'xoxb-1234567890-abcdefghij', '1234567890-abcdefghij'],
    ['Stripe key', 'sk_live_0123456789abcdefABCDEF', '0123456789abcdef'],
    [
      'PEM private key',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      'MIIEpAIBAAKCAQEA',
      R,
    ],
  ];
  it.each(cases)('%s', (_name, input, secret, expected) => {
    const out = scrubString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(R);
    if (expected !== undefined) expect(out).toBe(expected);
  });

  const clean: [name: string, input: string][] = [
    ['plain message', 'user 42 placed order 1001'],
    ['task- words', 'task-scheduler finished risk-assessment'],
    ['trace id', 'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7'],
    ['URL without password', 'GET https://api.example.com/v1/items?page=2'],
    ['user only in URL', 'https://user@example.com/path'],
    ['token counts', 'max_tokens=256 input_tokens=10 output_tokens=20'],
    ['ISO time', '2026-11-25T10:00:00.000Z'],
    ['git sha without aws context', 'deploy 0123456789abcdef0123456789abcdef01234567'],
    ['short string', 'sk-1'],
  ];
  it.each(clean)('leaves clean text alone: %s', (_name, input) => {
    expect(scrubString(input)).toBe(input);
  });

  it('is idempotent', () => {
    const once = scrubString('password=abc123 Bearer abcdefghijkl postgres://u:p4ssw0rd@h/db');
    expect(scrubString(once)).toBe(once);
  });

  it('keeps JSON valid when run over a serialized line', () => {
    const line = JSON.stringify({
      msg: 'call sk-proj-abcdefghijklmnopqrstuv with Bearer abcdefghijklmnop',
      url: 'postgres://a:b-secret@h/db',
      password: 'x123',
      nested: { apiKey: 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY' },
    });
    const out = scrubString(line);
    expect(() => JSON.parse(out) as unknown).not.toThrow();
    expect(out).not.toMatch(/abcdefghijklmnop|b-secret|x123|9tSrke72/);
  });
});

describe('classifyKey', () => {
  const cases: [key: string, cls: ReturnType<typeof classifyKey>][] = [
    ['authorization', 'secret'],
    ['Authorization', 'secret'],
    ['proxy-authorization', 'secret'],
    ['cookie', 'secret'],
    ['set-cookie', 'secret'],
    ['x-api-key', 'secret'],
    ['apiKey', 'secret'],
    ['openai_api_key', 'secret'],
    ['password', 'secret'],
    ['db_password', 'secret'],
    ['clientSecret', 'secret'],
    ['access_token', 'secret'],
    ['csrf_token', 'secret'],
    ['aws_secret_access_key', 'secret'],
    ['http.request.header.authorization', 'secret'],
    ['prompt', 'genai'],
    ['completion', 'genai'],
    ['messages', 'genai'],
    ['input', 'genai'],
    ['output', 'genai'],
    ['gen_ai.prompt', 'genai'],
    ['gen_ai.input.messages', 'genai'],
    ['gen_ai.output.messages', 'genai'],
    ['gen_ai.system_instructions', 'genai'],
    ['system_prompt', 'genai'],
    ['max_tokens', 'none'],
    ['input_tokens', 'none'],
    ['gen_ai.usage.output_tokens', 'none'],
    ['token_count', 'none'],
    ['message', 'none'],
    ['msg', 'none'],
    ['trace_id', 'none'],
    ['user_id', 'none'],
    ['content-type', 'none'],
  ];
  it.each(cases)('%s → %s', (key, cls) => {
    expect(classifyKey(key)).toBe(cls);
  });
});

describe('scrub: deep walk', () => {
  it('redacts by key, keeps numbers and booleans, scrubs patterns in other strings', () => {
    const input = {
      headers: { authorization: 'Bearer x', cookie: 'a=b', 'content-type': 'application/json' },
      prompt: 'tell me a secret',
      messages: [{ role: 'user', content: 'hi' }],
      usage: { input_tokens: 10, output_tokens: 20, max_tokens: 100 },
      token: 42,
      secret_enabled: true,
      note: 'used sk-abcdefghijklmnopqrstuvwx',
      list: ['ok', 'postgres://u:pw-123456@h/db'],
    };
    expect(scrub(input)).toEqual({
      headers: { authorization: R, cookie: R, 'content-type': 'application/json' },
      prompt: R,
      messages: R,
      usage: { input_tokens: 10, output_tokens: 20, max_tokens: 100 },
      token: 42,
      secret_enabled: true,
      note: `used ${R}`,
      list: ['ok', `postgres://u:${R}@h/db`],
    });
  });

  it('never mutates its input and returns the same reference when clean', () => {
    const dirty = { a: { password: 'x' }, b: ['sk-abcdefghijklmnopqrstuvwx'] };
    const snapshot = JSON.stringify(dirty);
    const out = scrub(dirty);
    expect(JSON.stringify(dirty)).toBe(snapshot);
    expect(out).not.toBe(dirty);
    const clean = { a: { b: [1, 'two', { c: null }] }, d: new Date(0) };
    expect(scrub(clean)).toBe(clean);
  });

  it('guards cycles and caps depth', () => {
    const a: Record<string, unknown> = { name: 'a', password: 'p' };
    a['self'] = a;
    const out = scrub(a) as Record<string, unknown>;
    expect(out['self']).toBe('[circular]');
    expect(out['password']).toBe(R);

    let deep: Record<string, unknown> = { leaf: 'sk-abcdefghijklmnopqrstuvwx' };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    const capped = JSON.stringify(scrub(deep, { maxDepth: 5 }));
    expect(capped).toContain('[truncated]');
    expect(capped).not.toContain('abcdefghij');
  });

  it('shared (non-cyclic) references are not mistaken for cycles', () => {
    const shared = { v: 1 };
    expect(scrub({ x: shared, y: shared })).toEqual({ x: { v: 1 }, y: { v: 1 } });
  });

  it('keeps Errors as Errors with scrubbed message, stack and own props', () => {
    const err = Object.assign(new TypeError('failed with sk-abcdefghijklmnopqrstuvwx'), {
      config: { headers: { Authorization: 'Bearer zzzzzzzzzzzz' } },
      code: 'E_UPSTREAM',
    });
    const out = scrub({ err }).err;
    expect(out).toBeInstanceOf(TypeError);
    expect(out.message).toBe(`failed with ${R}`);
    expect(out.stack).not.toContain('abcdefghij');
    expect(out.config.headers.Authorization).toBe(R);
    expect(out.code).toBe('E_UPSTREAM');
    expect(err.message).toContain('sk-abcdefghij'); // original untouched
  });

  it('walks Maps and leaves class instances alone', () => {
    const m = new Map<string, unknown>([
      ['password', 'x'],
      ['k', 'Bearer abcdefghijkl'],
    ]);
    const out = scrub({ m }).m as Map<string, unknown>;
    expect(out.get('password')).toBe(R);
    expect(out.get('k')).toBe(`Bearer ${R}`);
    const buf = Buffer.from('sk-abcdefghijklmnopqrstuvwx');
    expect(scrub({ buf }).buf).toBe(buf);
  });

  it('patterns can be turned off (key redaction only)', () => {
    const out = scrub({ note: 'sk-abcdefghijklmnopqrstuvwx', password: 'x' }, { patterns: false });
    expect(out).toEqual({ note: 'sk-abcdefghijklmnopqrstuvwx', password: R });
  });
});
