/**
 * Load generator for the example service: a steady rate of a realistic request mix over every route,
 * with valid API keys, plus a trickle of what real traffic always has (an expired key, a user probing
 * a confidential document). Self-contained: a client does not import the server's code.
 *
 *   node examples/ai-service/load.ts --url http://127.0.0.1:3000 --rps 20      (until SIGINT/SIGTERM)
 *   const load = startLoad({ url, rps: 20 }); …; await load.stop(); load.stats()
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface LoadOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Requests per second, steady. */
  readonly rps: number;
  /** Aborting it stops the load, like stop(). */
  readonly signal?: AbortSignal;
  /** API key of the ordinary user. Default: the demo's `demo-user-token`. */
  readonly token?: string;
  /** API key with the `confidential` scope. Default: the demo's `demo-admin-token`. */
  readonly adminToken?: string;
  /** Per-request timeout. Default 30 s. */
  readonly timeoutMs?: number;
  /** Requests in flight at most; a tick that finds them all busy drops its requests (counted). Default max(50, 10 × rps). */
  readonly maxInFlight?: number;
}

export interface LoadStats {
  /** Requests sent. */
  readonly sent: number;
  /** Finished requests by HTTP status; `error` for a network error, `timeout` past timeoutMs. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests not sent because maxInFlight requests were pending (the service is slower than the rate). */
  readonly dropped: number;
}

export interface Load {
  stop(): Promise<void>;
  stats(): LoadStats;
}

const QUESTIONS = [
  'How do refunds work?',
  'How long does a refund take for an annual plan?',
  'How do I reset my password?',
  'What are the API rate limits?',
  'What happens when I exceed the rate limit?',
  'How long are chat transcripts kept?',
  'Do you support single sign-on?',
  'How do I export my data?',
  'Which model answers my questions?',
  'How large can an uploaded document be?',
  'When are invoices issued?',
  'Is my data encrypted?',
  'How are incidents communicated?',
  'Can I configure OIDC?',
  'How fast are uploaded documents searchable?',
  'What does the audit log keep?',
];
const SEARCHES = ['refund', 'password reset', 'rate limit', 'retention', 'sso', 'export', 'invoice', 'encryption', 'incident', 'upload'];
/** The seeded corpus has 48 documents; every 12th is confidential. */
const DOCUMENTS = 48;
const CONFIDENTIAL = (id: number) => id % 12 === 0;

interface Shot {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly token: string | undefined;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One request of the mix. Weights are per 100 requests. */
function nextShot(user: string, admin: string): Shot {
  const r = Math.random() * 100;
  if (r < 26) return { method: 'POST', path: '/v1/chat', body: { question: pick(QUESTIONS), stream: Math.random() < 0.2 }, token: user };
  if (r < 52) return { method: 'GET', path: `/v1/search?q=${encodeURIComponent(pick(SEARCHES))}`, token: user };
  if (r < 80) {
    // 2% of document reads miss (404); confidential documents are read by the admin.
    const id = Math.random() < 0.02 ? 100_000 + Math.floor(Math.random() * 1000) : 1 + Math.floor(Math.random() * DOCUMENTS);
    return { method: 'GET', path: `/v1/documents/${id}`, token: CONFIDENTIAL(id) ? admin : user };
  }
  if (r < 90) return { method: 'POST', path: '/v1/embeddings', body: { texts: [pick(QUESTIONS), pick(SEARCHES)] }, token: user };
  if (r < 98) return { method: 'POST', path: '/v1/documents', body: { title: `Note ${Math.floor(Math.random() * 1e6)}`, body: `${pick(QUESTIONS)} ${pick(QUESTIONS)}` }, token: user };
  // What production traffic always has a little of: an expired key, a user probing a confidential document.
  if (r < 99) return { method: 'GET', path: `/v1/search?q=${encodeURIComponent(pick(SEARCHES))}`, token: 'expired-token' };
  return { method: 'GET', path: '/v1/documents/12', token: user };
}

/** Tick of the scheduler: requests are spread over the second rather than sent in one burst. */
const TICK_MS = 50;

export function startLoad(options: LoadOptions): Load {
  if (!(options.rps > 0) || !Number.isFinite(options.rps)) throw new RangeError(`rps: must be a positive number, got ${options.rps}`);
  const base = new URL(options.url);
  const user = options.token ?? 'demo-user-token';
  const admin = options.adminToken ?? 'demo-admin-token';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? Math.max(50, Math.ceil(options.rps * 10));
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const byStatus: Record<string, number> = {};
  let sent = 0;
  let dropped = 0;
  let credit = 0;
  let last = performance.now();

  const count = (key: string) => {
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  };

  async function send(shot: Shot): Promise<void> {
    const headers: Record<string, string> = {};
    if (shot.token !== undefined) headers.authorization = `Bearer ${shot.token}`;
    if (shot.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(new URL(shot.path, base), {
        method: shot.method,
        headers,
        ...(shot.body !== undefined && { body: JSON.stringify(shot.body) }),
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping.signal]),
      });
      await res.arrayBuffer();
      count(String(res.status));
    } catch (error) {
      if (stopping.signal.aborted) return;
      count((error as Error).name === 'TimeoutError' ? 'timeout' : 'error');
    }
  }

  const timer = setInterval(() => {
    const now = performance.now();
    credit = Math.min(credit + ((now - last) / 1000) * options.rps, options.rps);
    last = now;
    for (; credit >= 1; credit--) {
      if (inFlight.size >= maxInFlight) {
        dropped++;
        continue;
      }
      sent++;
      const p = send(nextShot(user, admin)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }, TICK_MS);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      clearInterval(timer);
      // Requests in flight get a moment to finish; the rest are aborted.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (grace = setTimeout(r, 2000)))]);
      clearTimeout(grace);
      stopping.abort();
      await Promise.allSettled([...inFlight]);
    })());
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) void stop();

  return { stop, stats: () => ({ sent, byStatus: { ...byStatus }, dropped }) };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, rps: { type: 'string', default: '20' }, token: { type: 'string' } },
  });
  const rps = Number(values.rps);
  if (!(rps > 0)) {
    process.stderr.write(`load: --rps must be a positive number, got ${values.rps}\n`);
    process.exit(2);
  }
  const load = startLoad({ url: values.url, rps, ...(values.token && { token: values.token }) });
  const report = (msg: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, url: values.url, rps, ...load.stats() })}\n`);
  report('load started');
  const every = setInterval(() => report('load'), 10_000);
  const finish = () => {
    clearInterval(every);
    void load.stop().then(() => {
      report('load stopped');
      process.exit(0);
    });
  };
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
