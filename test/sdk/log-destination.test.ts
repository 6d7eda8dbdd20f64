import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type LineSink, TurnBatchedDestination } from '../../src/sdk/log-destination.js';

function recordingSink() {
  const writes: string[] = [];
  const sink = {
    write: (text: string) => (writes.push(text), true),
    flush: (cb?: (error?: Error) => void) => cb?.(),
    flushSync: () => undefined,
    on: () => sink,
  };
  return { writes, sink: sink as unknown as LineSink };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatchedDestination', () => {
  it('writes the lines of one event-loop turn in one write, in order, when the turn ends', async () => {
    const { writes, sink } = recordingSink();
    const dest = new TurnBatchedDestination(sink);
    dest.write('a\n');
    dest.write('b\n');
    dest.write('c\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\nc\n']);
    dest.write('d\n');
    await turn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('flush() and flushSync() write the pending lines at once', () => {
    const { writes, sink } = recordingSink();
    const dest = new TurnBatchedDestination(sink);
    dest.write('a\n');
    let flushed = false;
    dest.flush(() => (flushed = true));
    expect([writes, flushed]).toEqual([['a\n'], true]);
    dest.write('b\n');
    dest.flushSync();
    expect(writes).toEqual(['a\n', 'b\n']);
  });

  // A line logged just before the process dies must not be lost in the batch.
  it.each([
    ['process.exit()', "logger.info('last words'); process.exit(3);", 3],
    ['an uncaught exception', "logger.info('last words'); throw new Error('boom');", 1],
    ['the end of the program', "logger.info('last words');", 0],
  ])('writes the pending turn to stdout on %s', (_name, body, code) => {
    const script = `import { createLogging } from ${JSON.stringify(new URL('../../dist/sdk/logging.js', import.meta.url).href)};
      const { logger } = createLogging({ service: 'api' }); ${body}`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(code);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toMatchObject([{ level: 'info', msg: 'last words', service: 'api' }]);
  });
});
