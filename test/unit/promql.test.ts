import { describe, expect, it } from 'vitest';
import { escapeRegex, leMatcher, oneOf, quote, selector } from '../../src/promql/build.js';
import { parsePromQL } from '../../src/promql/parse.js';
import { withWindow } from '../../src/promql/window.js';

describe('PromQL builders', () => {
  it('matches integer bucket boundaries as Prometheus 2 ("1") and 3 ("1.0") spell them', () => {
    expect(selector('h_bucket', [leMatcher(1)])).toBe('h_bucket{le=~"1(\\\\.0)?"}');
    const re = new RegExp(`^(?:${leMatcher(5).value})$`);
    expect(['5', '5.0'].map((le) => re.test(le))).toEqual([true, true]);
    expect(['50', '5.5', '+Inf'].map((le) => re.test(le))).toEqual([false, false, false]);
  });

  it('matches fractional boundaries exactly', () => {
    expect(selector('h_bucket', [leMatcher(0.5)])).toBe('h_bucket{le="0.5"}');
    expect(selector('h_bucket', [leMatcher(0.1 + 0.2)])).toBe('h_bucket{le="0.3"}');
  });

  it('escapes label values and regex metacharacters', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(escapeRegex('/v1/chat.completions')).toBe('/v1/chat\\.completions');
    expect(oneOf('http_route', ['/a', '/b.c'])).toEqual({ label: 'http_route', op: '=~', value: '/a|/b\\.c' });
  });

  it('parses selectors, including __name__ matchers, and reports syntax errors', () => {
    const parsed = parsePromQL('sum(rate(x_total{code=~"5.."}[5m])) / sum(rate({__name__="y_total",job="a"}[5m]))');
    expect(parsed.errorAt).toBeUndefined();
    expect(parsed.selectors).toEqual([
      { metric: 'x_total', matchers: [{ label: 'code', op: '=~', value: '5..' }] },
      { metric: 'y_total', matchers: [{ label: 'job', op: '=', value: 'a' }] },
    ]);
    expect(parsed.split?.op).toBe('/');
    expect(parsePromQL('sum(rate(x[5m])').errorAt).toBeDefined();
  });

  it('fills the window placeholder in our and in Sloth\'s spelling, subqueries included', () => {
    expect(withWindow('rate(x[$window]) + rate(y[{{.window}}]) + max_over_time(z[{{ .window }}:])', '5m')).toBe(
      'rate(x[5m]) + rate(y[5m]) + max_over_time(z[5m:])',
    );
  });
});
