import { describe, expect, it } from 'vitest';
import { SeriesCache } from '../../src/sdk/metrics/series-cache.js';

describe('SeriesCache', () => {
  it('finds every stored combination and nothing else, like a Map keyed by the joined values', () => {
    const cache = new SeriesCache();
    const reference = new Map<string, number>();
    const methods = ['GET', 'POST'];
    const routes = ['/a', '/b', '/users/:id', 'unmatched'];
    const statuses = ['200', '404', '500'];
    const errors = ['', '500', 'TypeError'];
    let next = 0;
    // a deterministic shuffle of every combination, stored half by half, checked after each insert
    const all = methods.flatMap((m) => routes.flatMap((r) => statuses.flatMap((s) => errors.map((e) => [m, r, s, e]))));
    const order = all.map((_, i) => (i * 37) % all.length);
    for (const i of order) {
      const combo = all[i]!;
      cache.set(combo, next);
      reference.set(combo.join('|'), next++);
      expect(cache.get(combo)).toBe(reference.get(combo.join('|')));
    }
    for (const combo of all) expect(cache.get(combo)).toBe(reference.get(combo.join('|')));
    expect(cache.get(['GET', '/a', '200'])).toBeUndefined(); // a prefix is not a combination
    expect(cache.get(['GET', '/a', '200', '', 'extra'])).toBeUndefined();
    expect(cache.get(['PUT', '/a', '200', ''])).toBeUndefined();
  });

  it('keeps single-key levels apart when a second key arrives, and overwrites a stored combination', () => {
    const cache = new SeriesCache();
    cache.set(['GET', '/a'], 1);
    cache.set(['GET', '/b'], 2);
    cache.set(['POST', '/a'], 3);
    cache.set(['GET', '/a'], 4);
    expect([cache.get(['GET', '/a']), cache.get(['GET', '/b']), cache.get(['POST', '/a']), cache.get(['POST', '/b'])]).toEqual([4, 2, 3, undefined]);
  });

  it('holds the series of a metric without labels, and forgets everything on clear()', () => {
    const cache = new SeriesCache();
    expect(cache.get([])).toBeUndefined();
    cache.set([], 0);
    cache.set(['x'], 1);
    expect([cache.get([]), cache.get(['x'])]).toEqual([0, 1]);
    cache.clear();
    expect([cache.get([]), cache.get(['x'])]).toEqual([undefined, undefined]);
  });
});
