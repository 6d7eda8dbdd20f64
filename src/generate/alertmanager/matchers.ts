/**
 * Classic Alertmanager matchers (`name="value"`), always double-quoted: that form means the same to
 * Alertmanager 0.25's parser and to the UTF-8 parser of 0.27+, so the file survives an upgrade.
 */
import type { Matcher } from './types.js';

/** `name="value"`: the label equals the value. */
export function eq(name: string, value: string): Matcher {
  return `${name}=${quote(value)}`;
}

/** `name!="value"`. */
export function ne(name: string, value: string): Matcher {
  return `${name}!=${quote(value)}`;
}

/** `name=~"a|b"`: the label is one of the literal values (Alertmanager anchors the regex). */
export function oneOf(name: string, values: readonly string[]): Matcher {
  if (values.length === 1) return eq(name, values[0]!);
  return `${name}=~${quote(alternation(values))}`;
}

/** `name!~"a|b"`: the label is none of the literal values; an absent label (empty) matches. */
export function noneOf(name: string, values: readonly string[]): Matcher {
  return `${name}!~${quote(alternation(values))}`;
}

/** `name=~".+"`: the label is present. */
export function present(name: string): Matcher {
  return `${name}=~".+"`;
}

function alternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** The classic parser unquotes `\\`, `\"` and `\n`. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
