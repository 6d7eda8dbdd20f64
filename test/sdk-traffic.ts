import { rmSync } from 'node:fs';
import type { ProcessGroup } from '../src/dev/processes.js';
import type { Obs } from '../src/sdk/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Traffic {
  /** Runs `body` again and again, `pauseMs` apart, until stop(); failures are part of the traffic. */
  loop(body: () => Promise<unknown>, pauseMs: number): void;
  /** Stops every loop and waits for them (bounded: a hung request does not hold the test up). */
  stop(): Promise<void>;
}

/** Background load for the live tests, stopped in afterAll. */
export function traffic(): Traffic {
  let running = true;
  const loops: Promise<void>[] = [];
  return {
    loop(body, pauseMs) {
      loops.push(
        (async () => {
          while (running) {
            await body().catch(() => undefined);
            await sleep(pauseMs);
          }
        })(),
      );
    },
    async stop() {
      running = false;
      await Promise.race([Promise.all(loops), sleep(8000)]);
    },
  };
}

/** The HTTP routes of the example's SLOs and security events, as the live tests' in-process apps serve them. */
export function httpLoad(load: Traffic, url: string, pauseMs: number): void {
  load.loop(() => fetch(`${url}/v1/chat`).then((r) => r.text()), pauseMs);
  load.loop(() => fetch(`${url}/v1/search`).then((r) => r.text()), pauseMs);
  load.loop(() => fetch(`${url}/login`, { method: 'POST' }).then((r) => r.text()), 100);
  load.loop(() => fetch(`${url}/admin`).then((r) => r.text()), 200);
}

/**
 * GenAI calls (two providers, rate limits, upstream errors, fallbacks, cache hits), Postgres and Redis
 * calls (a deadlock now and then) and three caches through the SDK: every GenAI and dependency series
 * the bundle queries. One call in `chatEvery` is a chat; the rest are embeddings.
 */
export function sdkLoad(load: Traffic, obs: Obs, options: { readonly chatEvery: number; readonly pauseMs: number }): void {
  let call = 0;
  load.loop(async () => {
    const i = call++;
    const [provider, model] = i % 2 ? ['anthropic', 'claude-sonnet-4'] : ['openai', 'gpt-4o'];
    await obs.genai
      .track({ provider, model, operation: i % options.chatEvery === 0 ? 'chat' : 'embeddings', module: i % 3 ? 'rag-answer' : 'triage' }, async (span) => {
        span.firstChunk();
        span.usage({ inputTokens: 1200, outputTokens: 300 });
        span.cache(i % 4 === 0 ? 'hit' : 'miss');
        await sleep(5);
        if (i % 7 === 0) throw Object.assign(new Error('slow down'), { status: 429 });
        if (i % 11 === 0) throw Object.assign(new Error('upstream'), { status: 503 });
      })
      .catch(() => obs.genai.fallback(provider, provider === 'openai' ? 'anthropic' : 'openai', 'rag-answer'));
    obs.dependencies.record({ system: 'postgresql', name: 'orders-db', operation: 'SELECT orders' }, 0.004 + (i % 5) * 0.01, i % 13 === 0 ? '40P01' : '');
    obs.dependencies.record({ system: 'redis', name: 'sessions', operation: 'GET' }, 0.001);
    obs.dependencies.cache(['sessions', 'embeddings', 'profiles'][i % 3]!, i % 3 !== 0);
  }, options.pauseMs);
}

/** A server the live test started, if it got that far. */
interface Closable {
  close(callback: () => void): unknown;
}

/**
 * A live test's afterAll: the load first (nothing then calls a stopped server), the processes, the
 * servers, the SDK, then the temporary directories. Parts the set-up never reached are undefined or ''.
 */
export async function stopLiveTest(parts: {
  readonly load: Traffic;
  readonly group: ProcessGroup;
  readonly servers: readonly (Closable | undefined)[];
  readonly obs: Obs | undefined;
  readonly dirs: readonly string[];
}): Promise<void> {
  await parts.load.stop();
  await parts.group.stopAll();
  for (const server of parts.servers) if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await parts.obs?.shutdown();
  for (const dir of parts.dirs) if (dir) rmSync(dir, { recursive: true, force: true });
}
