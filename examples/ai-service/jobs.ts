/**
 * Background work: two in-process queues, `ingest` (chunk a new document) and `embeddings` (embed
 * chunks), each drained by one worker. Instrumented with obs.queue(): job duration by result, the backlog
 * (obs_queue_depth) at every change, and the running workers (obs_queue_workers).
 */
import type { QueueWorker, RunningObs } from 'obs/sdk';
import { type FaultSwitch, sleep } from './faults.ts';
import type { Llm } from './llm.ts';
import type { DocumentStore } from './store.ts';

export const QUEUES = ['embeddings', 'ingest'] as const;
export type QueueName = (typeof QUEUES)[number];

export type JobPayload = { readonly queue: 'embeddings'; readonly texts: readonly string[] } | { readonly queue: 'ingest'; readonly documentId: number };

interface Job {
  readonly id: string;
  readonly payload: JobPayload;
}

/** A backlog this long means the workers are gone or hopelessly behind: producers get 503. */
const MAX_BACKLOG = 10_000;
/** How often an idle or stopped worker looks again. */
const IDLE_POLL_MS = 200;

export class QueueFullError extends Error {
  readonly status = 503;
  readonly expose = true;
  constructor(queue: string) {
    super(`queue ${queue} is full`);
    this.name = 'QueueFullError';
  }
}

export class JobFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFailedError';
  }
}

export class JobQueues {
  private readonly obs: RunningObs;
  private readonly faults: FaultSwitch;
  private readonly llm: Llm;
  private readonly store: DocumentStore;
  private readonly pending: Record<QueueName, Job[]> = { embeddings: [], ingest: [] };
  private readonly wakers: Record<QueueName, (() => void) | undefined> = { embeddings: undefined, ingest: undefined };
  private running = false;
  private loops: Promise<void>[] = [];
  private nextId = 1;
  readonly processed: Record<QueueName, { ok: number; failed: number }> = { embeddings: { ok: 0, failed: 0 }, ingest: { ok: 0, failed: 0 } };

  constructor(obs: RunningObs, faults: FaultSwitch, llm: Llm, store: DocumentStore) {
    this.obs = obs;
    this.faults = faults;
    this.llm = llm;
    this.store = store;
    for (const name of QUEUES) obs.queue(name).depth(0);
  }

  /** Adds a job; returns its id. Throws QueueFullError (503) when the backlog is at its cap. */
  enqueue(payload: JobPayload): string {
    const queue = payload.queue;
    if (this.pending[queue].length >= MAX_BACKLOG) throw new QueueFullError(queue);
    const id = `${queue}-${this.nextId++}`;
    this.pending[queue].push({ id, payload });
    this.obs.queue(queue).depth(this.pending[queue].length);
    this.wakers[queue]?.();
    return id;
  }

  backlog(queue: QueueName): number {
    return this.pending[queue].length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = QUEUES.map((name) => this.work(name));
  }

  /** Stops the workers after their current job. */
  async stop(): Promise<void> {
    this.running = false;
    for (const name of QUEUES) this.wakers[name]?.();
    await Promise.all(this.loops);
  }

  private idle(queue: QueueName): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, IDLE_POLL_MS);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers[queue] = done;
    });
  }

  /** One worker: announces itself while running (not while the fault switch stops it), drains its queue. */
  private async work(name: QueueName): Promise<void> {
    const queue = this.obs.queue(name);
    let worker: QueueWorker | undefined;
    while (this.running) {
      const stopped = this.faults.current.workersStopped;
      if (stopped && worker) {
        worker.stop();
        worker = undefined;
      } else if (!stopped && !worker) worker = queue.worker();
      const job = stopped ? undefined : this.pending[name].shift();
      if (!job) {
        await this.idle(name);
        continue;
      }
      queue.depth(this.pending[name].length);
      try {
        await queue.job(() => this.run(job.payload));
        this.processed[name].ok++;
      } catch (error) {
        this.processed[name].failed++;
        this.obs.logger.error({ err: error, queue: name, job: job.id }, 'job failed');
      }
    }
    worker?.stop();
  }

  private async run(payload: JobPayload): Promise<void> {
    const f = this.faults.current;
    await sleep(f.jobLatencyMs);
    if (this.faults.hits(f.jobFailRate)) throw new JobFailedError(`${payload.queue} job failed: the vector index rejected the batch`);
    if (payload.queue === 'embeddings') {
      await this.llm.embed(payload.texts, 'embeddings');
      return;
    }
    const doc = await this.store.get(payload.documentId);
    if (!doc) throw new JobFailedError(`ingest: document ${payload.documentId} not found`);
    const chunks = doc.body.split(/(?<=\.)\s+/).filter((c) => c.trim() !== '');
    this.enqueue({ queue: 'embeddings', texts: [doc.title, ...chunks] });
  }
}
