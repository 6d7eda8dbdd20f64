import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, parseDuration } from '../../src/model/duration.js';

describe('durations', () => {
  it.each([
    ['5m', 300],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['0.5s', 0.5],
    ['30d', 2_592_000],
    ['2w', 1_209_600],
  ])('parses %s as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '5', 'm5', '5 m', '1y', '-5m', '5min'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [300, '5m'],
    [3600, '1h'],
    [5 * 3600 + 36 * 60, '5h36m'],
    [4032 * 60, '2d19h12m'],
    [2_592_000, '30d'],
    [0.5, '500ms'],
  ])('formats %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('numbers', () => {
  it.each([
    [1 - 0.999, '0.001'],
    [(100 - 99.9) / 100, '0.001'],
    [14.4 * 0.001, '0.0144'],
    [0.1 + 0.2, '0.3'],
    [99.95, '99.95'],
    [1000, '1000'],
  ])('writes %d as %s, without float noise', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
