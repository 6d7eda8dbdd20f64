import { describe, expect, it } from 'vitest';
import { sentryTracesRate } from '../../src/sdk/telemetry.js';

describe('the share of traces sent to Sentry', () => {
  it('takes the option first, then the env file the bundle generates, else none', () => {
    expect(sentryTracesRate(0.5, '0.1')).toBe(0.5);
    expect(sentryTracesRate(undefined, '0.1')).toBe(0.1);
    expect(sentryTracesRate(undefined, undefined)).toBe(0);
    expect(sentryTracesRate(undefined, ' ')).toBe(0);
  });

  it('ignores values that are not a share', () => {
    for (const bad of ['abc', '1.5', '-0.1', 'NaN']) expect(sentryTracesRate(undefined, bad), bad).toBe(0);
  });
});
