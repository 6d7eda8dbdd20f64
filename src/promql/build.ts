import { formatNumber } from '../model/duration.js';
import type { Labels } from '../model/types.js';

/** Small typed builders for the PromQL we emit: every label value is escaped in one place. */

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
export const re = (label: string, value: string): Matcher => ({ label, op: '=~', value });
export const neq = (label: string, value: string): Matcher => ({ label, op: '!=', value });

/** A PromQL string literal (Go escaping; JSON's is a compatible subset). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Escapes RE2 metacharacters so a route such as /v1/chat.completions matches literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** label="a" for one value, label=~"a|b" for several, all matched literally. */
export function oneOf(label: string, values: readonly string[]): Matcher {
  return values.length === 1 ? eq(label, values[0]!) : re(label, values.map(escapeRegex).join('|'));
}

export function selector(metric: string, matchers: readonly Matcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(',')}}`;
}

export function labelMatchers(labels: Labels): Matcher[] {
  return Object.entries(labels).map(([label, value]) => eq(label, value));
}

/**
 * Matches a histogram bucket on Prometheus 2 and 3 alike. Prometheus 3 normalises classic-histogram
 * `le` values to floats ("1" is stored as "1.0"), so an integer boundary needs both spellings.
 */
export function leMatcher(threshold: number): Matcher {
  const text = formatNumber(threshold);
  return Number.isInteger(threshold) ? re('le', `${escapeRegex(text)}(\\.0)?`) : eq('le', text);
}

/** `sum(rate(<selector>[<window>]))`: events per second, aggregated to a single series. */
export function sumRate(series: string, window: string): string {
  return `sum(rate(${series}[${window}]))`;
}
