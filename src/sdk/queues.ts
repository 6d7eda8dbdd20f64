import { queueDepth, queueJobDuration, queueWorkers } from '../catalog/queues.js';
import type { MetricsCore } from './metrics/core.js';
import { CatalogGauge, CatalogHistogram } from './metrics/instruments.js';

/**
 * Queue and background-job metrics: `obs.queue('emails')` gives the handle a producer uses to report the
 * backlog and a worker uses to time its jobs and announce itself. The dependency alerts
 * (QueueBacklogGrowing, QueueJobFailures, QueueWorkersAbsent) read exactly these series.
 *
 *   const emails = obs.queue('emails');
 *   const worker = emails.worker();            // obs_queue_workers{queue="emails"} += 1 until stop()
 *   await emails.job(() => send(message));     // obs_queue_job_duration_seconds{queue, result}
 *   emails.depth(await redis.llen('emails'));  // obs_queue_depth{queue="emails"}
 */
export interface Queue {
  readonly name: string;
  /** Times fn as one job: result="success", or "failure" when it throws/rejects (the error is passed on). */
  job<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Records a job you timed yourself. */
  record(durationSeconds: number, ok: boolean): void;
  /** The number of jobs waiting, as the broker reports it (LLEN, getWaitingCount, …). */
  depth(waiting: number): void;
  /** Announces a running worker of this queue; stop() when it shuts down (idempotent). */
  worker(): QueueWorker;
}

export interface QueueWorker {
  stop(): void;
}

export class Queues {
  private readonly duration: CatalogHistogram;
  private readonly depthGauge: CatalogGauge;
  private readonly workersGauge: CatalogGauge;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly core: MetricsCore) {
    this.duration = new CatalogHistogram(queueJobDuration, core.registry, core.guards, {
      overrides: { result: core.guards.allowList(queueJobDuration.name, 'result', ['success', 'failure']) },
    });
    this.depthGauge = new CatalogGauge(queueDepth, core.registry, core.guards);
    this.workersGauge = new CatalogGauge(queueWorkers, core.registry, core.guards);
  }

  /** The handle of one queue (the same object for the same name). */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.create(String(name));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private create(name: string): Queue {
    const { core, duration, depthGauge, workersGauge } = this;
    const safely = (fn: () => void) => core.safety.run('queues', fn, undefined);
    const record = (seconds: number, ok: boolean, traceId?: string) =>
      safely(() => {
        if (Number.isFinite(seconds) && seconds >= 0) duration.observe([name, ok ? 'success' : 'failure'], seconds, traceId);
      });
    // Shown as 0 from the first use, so "no worker" is a value and not only a missing series.
    safely(() => workersGauge.child([name]).inc(0));
    return {
      name,
      async job<T>(fn: () => T | Promise<T>): Promise<T> {
        const start = performance.now();
        const traceId = core.traceId();
        try {
          const result = await fn();
          record((performance.now() - start) / 1000, true, traceId);
          return result;
        } catch (error) {
          record((performance.now() - start) / 1000, false, traceId);
          throw error;
        }
      },
      record: (seconds, ok) => record(seconds, ok),
      depth: (waiting) =>
        safely(() => {
          if (Number.isFinite(waiting) && waiting >= 0) depthGauge.child([name]).set(waiting);
        }),
      worker: () => {
        safely(() => workersGauge.child([name]).inc());
        let running = true;
        return {
          stop: () => {
            if (!running) return;
            running = false;
            safely(() => workersGauge.child([name]).dec());
          },
        };
      },
    };
  }
}
