/**
 * The service's caches (answers to repeated questions, search results): Redis when REDIS_URL is set and
 * `ioredis` is installed, else an LRU map in the process. The fault switch's cacheHitRate is the share of
 * lookups allowed to hit when the entry is there (the rest behave as evicted), so a cold cache can be
 * simulated without restarting.
 */
import type { RunningObs } from 'obs/sdk';
import type { FaultSwitch } from './faults.ts';
import { optionalImport } from './store.ts';

interface Backend {
  readonly system: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Least recently used entries go first; entries expire after their TTL. */
class MemoryBackend implements Backend {
  readonly system = 'memory';
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private readonly capacity: number;
  constructor(capacity = 1000) {
    this.capacity = capacity;
  }
  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires < Date.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }
  async set(key: string, value: string, ttlSeconds: number) {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
  async ping() {}
  async close() {
    this.entries.clear();
  }
}

/** The parts of ioredis used here: it is optional, so typed structurally. */
interface RedisClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  ping(): Promise<unknown>;
  quit(): Promise<unknown>;
}

class RedisBackend implements Backend {
  readonly system = 'redis';
  private readonly client: RedisClient;
  constructor(client: RedisClient) {
    this.client = client;
  }
  async get(key: string) {
    return (await this.client.get(key)) ?? undefined;
  }
  async set(key: string, value: string, ttlSeconds: number) {
    await this.client.set(key, value, 'EX', ttlSeconds);
  }
  async ping() {
    await this.client.ping();
  }
  async close() {
    await this.client.quit();
  }
}

export type CacheKind = 'answers' | 'search';

export class Caches {
  private readonly obs: RunningObs;
  private readonly faults: FaultSwitch;
  private readonly backend: Backend;
  private constructor(obs: RunningObs, faults: FaultSwitch, backend: Backend) {
    this.obs = obs;
    this.faults = faults;
    this.backend = backend;
  }

  static async open(obs: RunningObs, faults: FaultSwitch, redisUrl: string | undefined): Promise<Caches> {
    let backend: Backend | undefined;
    if (redisUrl) {
      const ioredis = await optionalImport<{ default: new (url: string, o: { lazyConnect: boolean; maxRetriesPerRequest: number }) => RedisClient }>('ioredis');
      if (ioredis) backend = new RedisBackend(new ioredis.default(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 }));
      else obs.logger.warn({ dependency: 'redis' }, 'REDIS_URL is set but the ioredis package is not installed (npm i ioredis): caching in memory');
    }
    return new Caches(obs, faults, backend ?? new MemoryBackend());
  }

  get system(): string {
    return this.backend.system;
  }

  /** A remote cache is a dependency (timed); the in-process map is not. */
  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.backend.system === 'memory') return fn();
    return this.obs.dependencies.track({ system: this.backend.system, name: 'cache', operation }, fn);
  }

  /**
   * Looks a value up and counts the lookup: answers in obs_gen_ai_cache_requests_total (the model
   * response cache), search results in obs_cache_requests_total.
   */
  async lookup(kind: CacheKind, key: string, module: string): Promise<string | undefined> {
    const stored = await this.call('GET', () => this.backend.get(`${kind}:${key}`));
    const hit = stored !== undefined && this.faults.hits(this.faults.current.cacheHitRate);
    if (kind === 'answers') this.obs.genai.cache(hit ? 'hit' : 'miss', module);
    else this.obs.dependencies.cache(kind, hit);
    return hit ? stored : undefined;
  }

  store(kind: CacheKind, key: string, value: string, ttlSeconds = 600): Promise<void> {
    return this.call('SET', () => this.backend.set(`${kind}:${key}`, value, ttlSeconds));
  }

  ping(): Promise<void> {
    return this.backend.ping();
  }
  close(): Promise<void> {
    return this.backend.close();
  }
}
