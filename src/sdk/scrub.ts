/**
 * One redaction module for everything that leaves the process as text: pino log lines, Sentry events,
 * breadcrumbs and span attributes. Pure functions, no I/O, no module state except a bounded key cache.
 *
 * Two mechanisms:
 *  - by key: values under keys that name a credential (authorization, cookie, password, api_key, *token,
 *    *secret …) or GenAI content (prompt, completion, messages, input, output …) become `[redacted]`;
 *    numbers and booleans are kept (`max_tokens: 100`, `input_tokens: 5` stay readable);
 *  - by pattern: secrets embedded in any string (provider API keys, bearer tokens, JWTs, passwords in URLs,
 *    `password=…` pairs, PEM private keys, AWS key ids and the 40-char secret next to them).
 */

export const REDACTED = '[redacted]';

type Replacer = (substring: string, ...groups: string[]) => string;

interface Pattern {
  readonly name: string;
  /** Cheap pre-check; the regex only runs when the hint matches. */
  readonly hint: string | RegExp;
  readonly re: RegExp;
  readonly replace: string | Replacer;
}

/**
 * Secret patterns. They run over text that may be a serialized JSON line (pino's streamWrite) with JSON
 * nested in its strings (`JSON.stringify(body)` in an Error message): so no match ever consumes a quote
 * or a backslash (an escaped quote `\"` closes a nested string and must survive), and quotes around keys
 * and values may come escaped (`\*["']`). Whatever they redact, a valid JSON line stays valid JSON.
 */
const PATTERNS: readonly Pattern[] = [
  {
    name: 'pem-private-key',
    hint: 'PRIVATE',
    // the body stays inside one (JSON) string: no raw quote, escapes consumed whole; spaces may be URL-encoded
    re: /-----BEGIN(?:(?: |%20|\+)[A-Z]+)*?(?: |%20|\+)PRIVATE(?: |%20|\+)KEY-----(?:[^"\\]|\\.)*?-----END(?:(?: |%20|\+)[A-Z]+)*?(?: |%20|\+)PRIVATE(?: |%20|\+)KEY-----/g,
    replace: REDACTED,
  },
  // scheme://user:password@host → keep user, drop password
  {
    name: 'url-password',
    hint: '://',
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@"'\\]+):([^\s@/"'\\]+)@/gi,
    replace: (_m, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  },
  // "Authorization: Basic xxx", authorization=Digest …, "authorization":"whatever", \"authorization\":\"…\"
  {
    name: 'authorization-header',
    hint: /authori[sz]ation/i,
    re: /\b((?:proxy-)?authori[sz]ation\\*["']?\s*[:=]\s*\\*["']?)(?:(?:Basic|Bearer|Digest|Negotiate|Token)\s+)?(?!\[redacted\])[^\s"'\\,;]+/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    name: 'bearer-token',
    hint: 'earer',
    re: /\b([Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  { name: 'jwt', hint: 'eyJ', re: /\beyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // OpenAI (sk-…, sk-proj-…, sk-svcacct-…), Anthropic (sk-ant-api03-…)
  { name: 'openai-anthropic-key', hint: 'sk-', re: /\bsk-[A-Za-z0-9][A-Za-z0-9_-]{15,}/g, replace: REDACTED },
  { name: 'google-api-key', hint: 'AIza', re: /\bAIza[0-9A-Za-z_-]{35}/g, replace: REDACTED },
  {
    name: 'github-token',
    hint: /gh[pousr]_|github_pat_/,
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
    replace: REDACTED,
  },
  { name: 'slack-token', hint: 'xox', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, replace: REDACTED },
  { name: 'stripe-key', hint: /_live_|_test_/, re: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: REDACTED },
  // password=…, DB_PASSWORD=…, aws_secret_access_key=…, api-key: …, "client_secret":"…", \"password\":\"…\", ?token=…
  {
    name: 'secret-assignment',
    hint: /(?:key|token|secret|passw(?:or)?d|pwd|phrase|credentials?)\\*["']?\s*[:=]/i,
    re: secretAssignment(),
    replace: redactAssignment,
  },
];

/**
 * `<key><sep><value>` where the key *ends* with a credential word, so `_`-joined names
 * (`aws_secret_access_key`, `STRIPE_WEBHOOK_SECRET`, `db_password`) and camelCase (`dbPassword`) match,
 * while `max_tokens` and `token_count` do not (the word must end the key).
 * A quoted value runs to its closing quote (or a backslash: the escape that closes a nested string);
 * a bare one to whitespace, a quote, a backslash or a list/query separator.
 */
function secretAssignment(): RegExp {
  const word = '(?:api[_.-]?key|access[_.-]?key|secret[_.-]?key|private[_.-]?key|secret|token|password|passwd|passphrase|pwd|credentials?)';
  const notDone = String.raw`(?!\[redacted\])`;
  const value = String.raw`(?:(?<dq>\\*")${notDone}[^"\\]+|(?<sq>\\*')${notDone}[^'\\]+|${notDone}(?<bare>[^\s"'\\&,;{}[\]]{3,}))`;
  // The match starts at the credential word: whatever prefixes it (`aws_secret_`, `DB_`, `db`) is left in
  // place, and requiring the separator right after the word is what makes the word end the key.
  return new RegExp(String.raw`(?<key>${word})(?<kq>\\*["']?)(?<sep>\s*[:=]\s*)${value}`, 'gi');
}

interface AssignmentGroups {
  key: string;
  kq: string;
  sep: string;
  dq?: string;
  sq?: string;
  bare?: string;
}

/** Keeps the key, its quotes and the separator. A bare value after a quoted key is a JSON literal: kept. */
function redactAssignment(match: string, ...rest: unknown[]): string {
  const g = rest[rest.length - 1] as AssignmentGroups;
  if (g.bare !== undefined) return g.kq.includes('"') ? match : `${g.key}${g.kq}${g.sep}${REDACTED}`;
  return `${g.key}${g.kq}${g.sep}${g.dq ?? g.sq ?? ''}${REDACTED}`;
}

const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[0-9A-Z]{16}\b/g;
const AWS_CONTEXT = /aws.{0,24}secret|secret.?access.?key/i;
/**
 * A 40-char base64 run, not part of a longer run: what an AWS secret access key looks like (`=` may precede
 * it). It must hold a letter: a 40-digit JSON number is no key, and replacing it would break the line.
 */
const AWS_SECRET = /(?<![A-Za-z0-9/+])(?=[0-9/+]*[A-Za-z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every hint, and the AWS checks, in one case-insensitive alternation: a clean string (almost every log
 * line and span attribute) costs one scan instead of a dozen. Only a pre-filter: a hit runs the patterns.
 */
const ANY_HINT = new RegExp(
  [
    ...PATTERNS.map((p) => (typeof p.hint === 'string' ? escapeRegExp(p.hint) : p.hint.source)),
    AWS_KEY_ID.source,
    AWS_CONTEXT.source,
  ].join('|'),
  'i',
);

function hinted(hint: string | RegExp, s: string): boolean {
  return typeof hint === 'string' ? s.includes(hint) : hint.test(s);
}

/**
 * Redacts secret patterns inside one string. Returns the input unchanged (same string) when nothing matched.
 * Each pattern runs only when its cheap hint matches, so a clean log line costs a few `includes` scans.
 */
export function scrubString(input: string): string {
  if (input.length < 8 || !ANY_HINT.test(input)) return input;
  let out = input;
  const awsContext = hasMatch(AWS_KEY_ID, out) || AWS_CONTEXT.test(out);
  for (const p of PATTERNS) {
    if (!hinted(p.hint, out)) continue;
    p.re.lastIndex = 0;
    if (p.re.test(out)) {
      p.re.lastIndex = 0;
      out = typeof p.replace === 'string' ? out.replace(p.re, p.replace) : out.replace(p.re, p.replace);
    }
  }
  if (awsContext) {
    AWS_KEY_ID.lastIndex = 0;
    out = out.replace(AWS_KEY_ID, REDACTED);
    AWS_SECRET.lastIndex = 0;
    out = out.replace(AWS_SECRET, REDACTED);
  }
  return out;
}

function hasMatch(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  const r = re.test(s);
  re.lastIndex = 0;
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Key classification

export type KeyClass = 'secret' | 'genai' | 'none';

const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'cookies',
  'setcookie',
  'xapikey',
  'apikey',
  'apisecret',
  'xauthtoken',
  'xamzsecuritytoken',
  'xgoogapikey',
  'credentials',
  'credential',
  'passwd',
  'pwd',
  'passphrase',
  'privatekey',
  'jwt',
  'bearer',
  'dsn',
]);

const GENAI_KEYS = new Set([
  'prompt',
  'prompts',
  'completion',
  'completions',
  'messages',
  'input',
  'inputs',
  'output',
  'outputs',
  'inputmessages',
  'outputmessages',
  'inputtext',
  'outputtext',
  'prompttext',
  'completiontext',
  'systeminstructions',
  'systemprompt',
  'userprompt',
]);

const keyCache = new Map<string, KeyClass>();
const KEY_CACHE_MAX = 2048;

/**
 * Classifies an object key. `gen_ai.input.messages` → genai (last dotted segment), `x-api-key` → secret,
 * `db_password` → secret, `max_tokens` → none, `csrf_token` → secret.
 */
export function classifyKey(key: string): KeyClass {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const cls = computeKeyClass(key);
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(key, cls);
  return cls;
}

function computeKeyClass(key: string): KeyClass {
  const lower = key.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const last = (dot >= 0 ? lower.slice(dot + 1) : lower).replace(/[^a-z0-9]/g, '');
  const whole = lower.replace(/[^a-z0-9]/g, '');
  if (GENAI_KEYS.has(last) || GENAI_KEYS.has(whole)) return 'genai';
  if (SECRET_KEYS.has(last) || SECRET_KEYS.has(whole)) return 'secret';
  if (last.includes('password') || last.includes('secret')) return 'secret';
  if (last.endsWith('token') || last.endsWith('apikey') || last.endsWith('accesskey')) return 'secret';
  return 'none';
}

// ---------------------------------------------------------------------------------------------------------
// Deep walk

export interface ScrubOptions {
  /** Also run the string patterns over every string (default true). Off when a later pass scrubs the text. */
  readonly patterns?: boolean;
  /** Depth below which values become `[truncated]` (default 16). */
  readonly maxDepth?: number;
}

const CIRCULAR = '[circular]';
const TRUNCATED = '[truncated]';

/**
 * Returns a scrubbed copy of `value` (the input is never mutated). Plain objects, arrays, Maps and Errors are
 * walked; Errors stay Errors (same prototype, so serializers still recognise them); other class instances
 * (Date, Buffer, …) are returned as-is. Cycles become `[circular]`, depth beyond `maxDepth` `[truncated]`.
 * Returns the same reference when nothing needed changing, so clean objects cost no allocation.
 */
export function scrub<T>(value: T, options: ScrubOptions = {}): T {
  return walk(value, 0, { patterns: options.patterns ?? true, maxDepth: options.maxDepth ?? 16, ancestors: [] }) as T;
}

interface WalkCtx {
  readonly patterns: boolean;
  readonly maxDepth: number;
  /** The objects above the current one (at most maxDepth): a short array beats a WeakSet per call. */
  readonly ancestors: object[];
}

function walk(value: unknown, depth: number, ctx: WalkCtx): unknown {
  if (typeof value === 'string') return ctx.patterns ? scrubString(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (ctx.ancestors.includes(value)) return CIRCULAR;
  if (depth >= ctx.maxDepth) return TRUNCATED;
  ctx.ancestors.push(value);
  try {
    if (Array.isArray(value)) return walkArray(value, depth, ctx);
    if (value instanceof Error) return walkError(value, depth, ctx);
    if (value instanceof Map) return walkMap(value, depth, ctx);
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    return walkRecord(value as Record<string, unknown>, depth, ctx);
  } finally {
    ctx.ancestors.pop();
  }
}

const KEEP = Symbol('keep');

/** `[redacted]` for a value under a credential or GenAI key, else KEEP (numbers and booleans are always kept). */
function byKey(key: string, v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return KEEP;
  return classifyKey(key) === 'none' ? KEEP : REDACTED;
}

/** A value's scrubbed form: redacted by its key, else walked. */
function scrubEntry(key: string, v: unknown, depth: number, ctx: WalkCtx): unknown {
  const redacted = byKey(key, v);
  return redacted === KEEP ? walk(v, depth + 1, ctx) : redacted;
}

function walkRecord(obj: Record<string, unknown>, depth: number, ctx: WalkCtx): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const next = scrubEntry(key, v, depth, ctx);
    if (next !== v) {
      out ??= { ...obj };
      out[key] = next;
    }
  }
  return out ?? obj;
}

function walkArray(arr: readonly unknown[], depth: number, ctx: WalkCtx): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const next = walk(v, depth + 1, ctx);
    if (next !== v) {
      out ??= arr.slice();
      out[i] = next;
    }
  }
  return out ?? (arr as unknown[]);
}

function walkMap(map: Map<unknown, unknown>, depth: number, ctx: WalkCtx): Record<string, unknown> | Map<unknown, unknown> {
  let changed = false;
  const out = new Map<unknown, unknown>();
  for (const [k, v] of map) {
    const next = typeof k === 'string' ? scrubEntry(k, v, depth, ctx) : walk(v, depth + 1, ctx);
    if (next !== v) changed = true;
    out.set(k, next);
  }
  return changed ? out : map;
}

function walkError(err: Error, depth: number, ctx: WalkCtx): Error {
  let changed = false;
  const props: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(err)) {
    const v = (err as unknown as Record<string, unknown>)[key];
    const next = key === 'message' || key === 'stack' ? walk(v, depth + 1, ctx) : scrubEntry(key, v, depth, ctx);
    if (next !== v) changed = true;
    props[key] = next;
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && !Object.prototype.hasOwnProperty.call(err, 'cause')) {
    const next = walk(cause, depth + 1, ctx);
    if (next !== cause) changed = true;
    props['cause'] = next;
  }
  if (!changed) return err;
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  for (const [key, v] of Object.entries(props)) {
    const enumerable = Object.prototype.propertyIsEnumerable.call(err, key);
    Object.defineProperty(copy, key, { value: v, enumerable, writable: true, configurable: true });
  }
  return copy;
}

/**
 * pino `redact` paths: the usual places credentials travel in request logs. No wildcard paths: they cost
 * ~7 µs per line in fast-redact, and the by-key walk (formatters.log) already redacts these keys at any depth.
 */
export const REDACT_PATHS: readonly string[] = [
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'request.headers.authorization',
  'request.headers.cookie',
  'request.headers["x-api-key"]',
  'response.headers["set-cookie"]',
];
