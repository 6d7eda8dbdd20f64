import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSentry } from '../../src/sdk/sentry.js';

describe('starting Sentry', () => {
  afterEach(() => vi.restoreAllMocks());

  it('passes only options Sentry 11 honours: nothing is printed at start', async () => {
    const printed: string[] = [];
    const keep = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
    vi.spyOn(console, 'warn').mockImplementation(keep);
    vi.spyOn(console, 'error').mockImplementation(keep);
    vi.spyOn(console, 'log').mockImplementation(keep);
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    // a DSN nothing listens on: the point is what init prints, not delivery
    const sentry = startSentry({ name: 'quiet', version: '1.0.0' }, { dsn: 'http://public@127.0.0.1:9/1' });
    try {
      expect(sentry.enabled).toBe(true);
      expect(printed.filter((p) => /sentry/i.test(p))).toEqual([]);
    } finally {
      await sentry.close(500);
    }
  });
});
