/**
 * Where obs's log lines go: one write per event-loop turn instead of one per line.
 *
 * pino's own destinations are either synchronous (one write(2) per line) or asynchronous, and the async
 * one is the expensive kind for a server: every turn that logs hands its own write to libuv's thread
 * pool. Measured per line with obs's formatting (bench notes in BENCHMARKS.md): async 5.6-8 µs, sync
 * 3.3-3.5 µs, batched per turn 2.4-2.9 µs. Lines logged during a turn are joined and handed to a
 * synchronous SonicBoom when the turn ends (setImmediate), so they reach the kernel as promptly as
 * pino's sync default (before any I/O of the next turn) and nothing depends on a timer. On process exit
 * (including an uncaught exception) the pending turn is written synchronously; only SIGKILL can lose it.
 */
import { pino, type DestinationStream } from 'pino';

/** The part of a SonicBoom destination this uses. */
export type LineSink = Pick<ReturnType<typeof pino.destination>, 'write' | 'flush' | 'flushSync' | 'on'>;

const live = new Set<TurnBatchedDestination>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const dest of live) dest.flushSync();
}

export class TurnBatchedDestination implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;
  private readonly endTurn = (): void => this.writePending();
  private readonly out: LineSink;

  constructor(out: LineSink) {
    this.out = out;
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', flushAllOnExit);
    }
    // the file or pipe went away for good (EPIPE is filtered by pino): stop buffering for it
    out.on('close', () => live.delete(this));
  }

  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.endTurn);
  }

  private writePending(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }

  /** What pino's `logger.flush(cb)` calls. */
  flush(cb?: (error?: Error) => void): void {
    this.writePending();
    this.out.flush(cb);
  }

  flushSync(): void {
    this.writePending();
    try {
      this.out.flushSync();
    } catch {
      /* exiting: nothing left to report to */
    }
  }
}

/** A batched destination on a file descriptor (1 = stdout) or a file path (directories created). */
export function batchedDestination(dest: number | string): TurnBatchedDestination {
  return new TurnBatchedDestination(pino.destination({ dest, sync: true, ...(typeof dest === 'string' && { mkdir: true }) }));
}
