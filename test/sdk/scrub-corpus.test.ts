/**
 * The scrubber against a generated corpus: every credential shape × every place a service really puts one
 * (header, query, body, log field, message, `%s` argument, error message, stack, JSON nested in a string),
 * through the three exits (pino lines, Sentry events, span attributes). Each secret is random (seeded), so
 * a pattern that only knows a few literals fails here. Every log line must stay valid JSON.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Event } from '@sentry/node';
import { describe, expect, it } from 'vitest';
import { createLogging } from '../../src/sdk/logging.js';
import { REDACTED, scrub, scrubString } from '../../src/sdk/scrub.js';
import { scrubEvent } from '../../src/sdk/sentry.js';
import { scrubSpan } from '../../src/sdk/tracing.js';

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
/** What people put in passwords, minus the separators a bare value cannot contain (whitespace, quotes, `\\&,;{}[]`). */
const PASSWORD = `${ALNUM}!@#$%^*()+=.:/~-_<>?|`;
const URL_PASSWORD = `${ALNUM}-._~!$*+=`;

type Pick = (n: number) => number;
const chars = (r: Pick, alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[r(alphabet.length)]).join('');
/** Starts and ends with a letter or digit, so the secret's edges are not mistaken for separators. */
const password = (r: Pick, alphabet = PASSWORD) => `${chars(r, ALNUM, 2)}${chars(r, alphabet, 10 + r(14))}${chars(r, ALNUM, 2)}`;

interface Credential {
  /** The bytes that must never leave the process. */
  readonly secret: string;
  /** How it appears in free text (with whatever context identifies it). */
  readonly text: string;
  /** How it appears as a structured field / header / query parameter. */
  readonly key: string;
  readonly value: string;
}

type Shape = (r: Pick) => Credential;
const bare = (secret: string): Credential => ({ secret, text: secret, key: 'detail', value: secret });
const assigned = (key: string, secret: string, sep = '='): Credential => ({ secret, text: `${key}${sep}${secret}`, key, value: secret });

const SHAPES: Record<string, Shape> = {
  'openai project key': (r) => bare(`sk-proj-${chars(r, B64URL, 48)}`),
  'anthropic key': (r) => bare(`sk-ant-api03-${chars(r, B64URL, 80)}`),
  'google api key': (r) => bare(`AIza${chars(r, B64URL, 35)}`),
  'aws access key id': (r) => bare(`AKIA${chars(r, UPPER_DIGITS, 16)}`),
  'aws secret, env style': (r) => assigned('aws_secret_access_key', chars(r, B64, 40)),
  'aws secret, upper env style': (r) => assigned('AWS_SECRET_ACCESS_KEY', chars(r, B64, 40)),
  'aws secret, INI with spaces': (r) => assigned('aws_secret_access_key', chars(r, B64, 40), ' = '),
  'github token': (r) => bare(`ghp_${chars(r, ALNUM, 36)}`),
  'slack token': (r) => bare(`xoxb-${chars(r, '0123456789', 12)}-${chars(r, ALNUM, 24)}`),
  'stripe key': (r) => bare(`sk_live_${chars(r, ALNUM, 24)}`),
  jwt: (r) => bare(`eyJhbGciOiJIUzI1NiJ9.eyJ${chars(r, B64URL, 30)}.${chars(r, B64URL, 43)}`),
  'bearer token': (r) => {
    const secret = chars(r, B64URL, 32);
    return { secret, text: `Authorization: Bearer ${secret}`, key: 'authorization', value: `Bearer ${secret}` };
  },
  'basic auth': (r) => {
    const secret = Buffer.from(`user:${password(r)}`).toString('base64');
    return { secret, text: `Authorization: Basic ${secret}`, key: 'authorization', value: `Basic ${secret}` };
  },
  'password=': (r) => assigned('password', password(r)),
  'db_password (env)': (r) => assigned('DB_PASSWORD', password(r)),
  'camelCase dbPassword': (r) => assigned('dbPassword', password(r)),
  '*_secret (env)': (r) => assigned('STRIPE_WEBHOOK_SECRET', chars(r, ALNUM, 32)),
  '*_token (env)': (r) => assigned('gitlab_private_token', chars(r, B64URL, 26)),
  'client_secret: (yaml)': (r) => assigned('client_secret', password(r), ': '),
  'x-api-key header': (r) => assigned('x-api-key', chars(r, ALNUM, 40), ': '),
  'password in a URL': (r) => {
    const secret = password(r, URL_PASSWORD);
    const url = `postgres://app:${secret}@db.internal:5432/app`;
    return { secret, text: url, key: 'database_url', value: url };
  },
  'PEM private key': (r) => {
    const body = Array.from({ length: 4 }, () => chars(r, B64, 64)).join('\n');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    return { secret: body, text: pem, key: 'detail', value: pem };
  },
};

const SAMPLES_PER_SHAPE = 4;

function corpus(): [string, Credential][] {
  const r = rng(0x5eed);
  return Object.entries(SHAPES).flatMap(([name, make]) =>
    Array.from({ length: SAMPLES_PER_SHAPE }, (_, i) => [`${name} #${i + 1}`, make(r)] as [string, Credential]),
  );
}

/** Every 8-character window of the secret (and its URL-encoded form): a partial leak fails too. */
function leaks(output: string, c: Credential): string[] {
  const forms = new Set([c.secret, encodeURIComponent(c.secret)]);
  const found: string[] = [];
  for (const form of forms) {
    for (let i = 0; i + 8 <= form.length; i++) {
      const window = form.slice(i, i + 8);
      if (output.includes(window)) found.push(window);
    }
  }
  return found;
}

type Logger = ReturnType<typeof createLogging>['logger'];
const query = (c: Credential) => `${c.key}=${c.key === 'database_url' ? c.value : encodeURIComponent(c.value)}`;

/** Where services put credentials in their logs. */
const LOG_PLACEMENTS: Record<string, (log: Logger, c: Credential) => void> = {
  header: (log, c) => log.info({ req: { method: 'GET', url: '/v1', headers: { 'content-type': 'application/json', [c.key]: c.value } } }, 'incoming'),
  query: (log, c) => log.info({ url: `/v1/items?page=2&${query(c)}&sort=asc` }, 'proxying'),
  'body (JSON)': (log, c) => log.info({ body: { user: 'bob', [c.key]: c.value } }, 'request body'),
  'body (form)': (log, c) => log.info({ body: `user=bob&${c.key}=${c.value}&remember=1` }, 'request body'),
  'log field': (log, c) => log.info({ [c.key]: c.value, user: 'bob' }, 'configured'),
  message: (log, c) => log.info(`connecting with ${c.text} now`),
  '%s argument': (log, c) => log.info('connecting with %s now', c.text),
  'error message': (log, c) => log.error({ err: new Error(`upstream failed: ${c.text}`) }, 'request failed'),
  'error as the log object': (log, c) => log.error(new Error(`upstream failed: ${c.text}`)),
  'stack only': (log, c) => {
    const err = new Error(`upstream failed: ${c.text}`);
    void err.stack; // V8 formats the stack on first read: now it holds the secret
    err.message = 'upstream failed';
    log.error({ err }, 'request failed');
  },
  'JSON body in an error message': (log, c) =>
    log.error({ err: new Error(`bad request ${JSON.stringify({ user: 'bob', [c.key]: c.value, n: 1 })}`) }, 'rejected'),
  'free text in a JSON error message': (log, c) => log.error(new Error(JSON.stringify({ error: 'denied', detail: c.text }))),
  'nested JSON string field': (log, c) => log.info({ response: JSON.stringify({ error: 'denied', echo: { [c.key]: c.value } }) }, 'upstream said'),
  'object key': (log, c) => log.info({ [c.text]: 1, n: 12345 }, 'odd key'),
  'JSON in JSON in a string': (log, c) =>
    log.warn({ event: JSON.stringify({ body: JSON.stringify({ [c.key]: c.value, ok: false }) }) }, 'webhook'),
};

/** Where credentials end up in Sentry events (before beforeSend). */
const SENTRY_PLACEMENTS: Record<string, (c: Credential) => Event> = {
  'exception value': (c) => ({ exception: { values: [{ type: 'Error', value: `upstream failed: ${c.text}` }] } }),
  'exception value with JSON body': (c) => ({
    exception: { values: [{ type: 'Error', value: `bad request ${JSON.stringify({ [c.key]: c.value })}` }] },
  }),
  message: (c) => ({ message: `connecting with ${c.text}` }),
  request: (c) => ({
    request: { url: `https://api.example.com/v1?${query(c)}`, query_string: query(c), headers: { [c.key]: c.value }, data: { [c.key]: c.value } },
  }),
  breadcrumbs: (c) => ({ breadcrumbs: [{ message: c.text, data: { [c.key]: c.value, url: `/v1?${query(c)}` } }] }),
  'extra with a nested JSON string': (c) => ({ extra: { body: JSON.stringify({ user: 'bob', [c.key]: c.value }) } }),
};

/** Where credentials end up on spans (attributes, exception events, status message). */
function spanOf(c: Credential): ReadableSpan {
  return {
    attributes: { 'url.full': `https://api.example.com/v1?${query(c)}`, [c.key]: c.value, 'db.query.text': `SELECT 1 -- ${c.text}` },
    events: [{ name: 'exception', time: [0, 0], attributes: { 'exception.message': `failed: ${c.text}`, 'exception.stacktrace': `Error: failed: ${c.text}\n    at x (a.js:1:1)` } }],
    status: { code: 2, message: `bad request ${JSON.stringify({ [c.key]: c.value })}` },
  } as unknown as ReadableSpan;
}

const CORPUS = corpus();

describe('scrubber corpus: credential shapes × placements', () => {
  it('covers every shape and placement', () => {
    expect(CORPUS).toHaveLength(Object.keys(SHAPES).length * SAMPLES_PER_SHAPE);
    expect(Object.keys(LOG_PLACEMENTS).length * CORPUS.length).toBeGreaterThan(1000);
  });

  describe.each(Object.entries(LOG_PLACEMENTS))('pino line, %s', (_placement, place) => {
    it.each(CORPUS)('%s', (_name, c) => {
      const lines: string[] = [];
      const { logger } = createLogging({ service: 'api' }, { destination: { write: (s: string) => void lines.push(s) } });
      place(logger, c);
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      expect(leaks(line, c), line).toEqual([]);
      expect(line).toContain(REDACTED);
    });
  });

  describe.each(Object.entries(SENTRY_PLACEMENTS))('Sentry event, %s', (_placement, build) => {
    it.each(CORPUS)('%s', (_name, c) => {
      const text = JSON.stringify(scrubEvent(build(c)));
      expect(leaks(text, c), text).toEqual([]);
    });
  });

  it.each(CORPUS)('span attributes, events and status: %s', (_name, c) => {
    const out = scrubSpan(spanOf(c));
    const text = JSON.stringify({ attributes: out.attributes, events: out.events, status: out.status });
    expect(leaks(text, c), text).toEqual([]);
  });
});

describe('scrubber keeps JSON valid and leaves lookalikes alone', () => {
  it('a JSON literal under a credential key stays a literal (numbers and booleans are kept)', () => {
    const lines = [
      '{"token":12345,"a":1}',
      '{"secret":true}',
      '{"password":null,"x":"y"}',
      '{"api_key": 1234567}',
      '{"msg":"aws secret rotated","n":1234567890123456789012345678901234567890}',
    ];
    for (const line of lines) {
      const out = scrubString(line);
      expect(() => JSON.parse(out) as unknown, out).not.toThrow();
      expect(out).toBe(line);
    }
  });

  it.each([
    'max_tokens=256 input_tokens=10 output_tokens=20',
    'token_count: 42 tokenizer=cl100k',
    'passwordless=true secret_name=db',
    'the key: value store',
  ])('leaves %s alone', (text) => {
    expect(scrubString(text)).toBe(text);
  });

  it('is idempotent over a scrubbed line with nested JSON', () => {
    const line = JSON.stringify({ msg: `bad ${JSON.stringify({ password: 'hunter2-hunter2', aws_secret_access_key: 'x'.repeat(40) })}` });
    const once = scrubString(line);
    expect(scrubString(once)).toBe(once);
    expect(JSON.parse(once)).toEqual({ msg: `bad ${JSON.stringify({ password: REDACTED, aws_secret_access_key: REDACTED })}` });
  });

  it('a deep walk redacts JSON nested in strings without breaking it', () => {
    const out = scrub({ body: JSON.stringify({ db_password: 'S3cret-value!' }) });
    expect(JSON.parse(out.body)).toEqual({ db_password: REDACTED });
  });
});
