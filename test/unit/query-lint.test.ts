import { describe, expect, it } from 'vitest';
import { type LintOptions, queryProblem as problem } from '../../src/promql/lint.js';

/** The message of the query's first problem, if any. */
const queryProblem = (query: string, options?: LintOptions) => problem(query, options)?.message;

const ratioPart = { events: true, placeholder: '$window' } as const;
const sloth = { events: true, placeholder: '{{.window}}' } as const;

describe('user PromQL: a ratio part must be events per second', () => {
  it.each([
    ['sum(rate(http_requests_total{code=~"5.."}[$window]))'],
    ['sum(increase(x_total[$window]))'],
    ['sum(irate(x_total[$window] offset 1m))'],
    ['sum(rate(h_bucket{le="0.5"}[$window]))'],
    ['histogram_count(sum(rate(native_histogram[$window])))'],
    ['sum(rate(x_total[$window])) or vector(0)'],
    // A label value or a comment that looks like a range is no range: the query is parsed, not matched.
    ['sum(rate(x_total{path="/a[5m]"}[$window])) # was [5m]'],
  ])('accepts %s', (query) => {
    expect(queryProblem(query, ratioPart)).toBeUndefined();
  });

  it("accepts Sloth's window spellings and a count of samples over a subquery", () => {
    expect(queryProblem('sum(rate(x_total[{{ .window }}]))', sloth)).toBeUndefined();
    expect(queryProblem('sum_over_time((count(up{job="a"} == 0))[{{.window}}:]) OR on() vector(0)', sloth)).toBeUndefined();
  });

  it('rejects a counter read without rate(), and says how to write it', () => {
    expect(queryProblem('sum(x_count{job="api"})', ratioPart)).toBe(
      'reads the counter x_count as is, without rate(): a ratio needs events per second; write rate(x_count{job="api"}[$window])',
    );
    expect(queryProblem('sum(max_over_time(x_total[$window]))', ratioPart)).toMatch(/^reads the counter x_total through max_over_time\(\)/);
    expect(queryProblem('sum({__name__="x_sum"})', ratioPart)).toMatch(/^reads the counter x_sum as is/);
  });

  it('rejects a gauge read as is, but not a recording rule named as a rate', () => {
    expect(queryProblem('sum(queue_depth)', ratioPart)).toMatch(/^is not events per second: it reads queue_depth as is, which looks like a gauge/);
    expect(queryProblem('sum(job:http_requests:rate5m)', { events: true })).toBeUndefined();
  });

  it('does not ask errorRatio or threshold queries for events', () => {
    expect(queryProblem('max(kafka_consumergroup_lag)')).toBeUndefined();
  });
});

describe('user PromQL: the range is the window placeholder', () => {
  it('rejects a fixed range, in a selector or a subquery, naming it', () => {
    expect(queryProblem('sum(rate(x_total[5m]))', ratioPart)).toBe(
      'has a fixed range [5m]; write [$window] instead, so that the window is filled in for you',
    );
    expect(queryProblem('sum(rate(e_total[{{.window}}])) / sum(rate(r_total[1h]))', { placeholder: '{{.window}}' })).toMatch(/^has a fixed range \[1h\]/);
    expect(queryProblem('max_over_time(rate(x_total[$window])[30m:])', { placeholder: '$window' })).toMatch(/^has a fixed range \[30m\]/);
  });

  it('rejects a query without any range', () => {
    expect(queryProblem('slo:errors:ratio_rate5m', { placeholder: '{{.window}}' })).toBe(
      'has no [{{.window}}] range; put the window placeholder where the range goes, e.g. sum(rate(requests_total[{{.window}}]))',
    );
  });

  it('leaves ranges alone where the format fixes them (OpenSLO)', () => {
    expect(queryProblem('sum(rate(x_total[5m]))', { events: true })).toBeUndefined();
  });

  it('reports syntax errors at the character of the user\'s own text, as syntax errors', () => {
    expect(problem('sum(rate(x[$window])', ratioPart)).toEqual({
      message: 'is not valid PromQL: syntax error at character 21 (the expression ends too early)',
      syntax: true,
    });
    expect(problem('sum(x_total)', ratioPart)?.syntax).toBe(false);
  });
});
