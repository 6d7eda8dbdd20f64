import { parsePromQL, type ParsedSelector } from '../../../promql/parse.js';
import { eq, selector } from '../../../promql/build.js';
import type { TestSeries } from './types.js';

/**
 * Synthetic input for a unit test of user-written PromQL: raw series such that the "part" expression
 * (errors, or good) sees some events and the total expression sees all of them. Works for the usual
 * `sum(rate(metric{matchers}[w]))` shapes; returns undefined when no labels satisfy the matchers.
 */
export function synthesizeSeries(part: string, total: string, partRole: 'bad' | 'good'): TestSeries[] | undefined {
  const partSelectors = parsePromQL(part).selectors;
  const totalSelectors = parsePromQL(total).selectors;
  const otherRole = partRole === 'bad' ? 'good' : 'bad';
  const metrics = [...new Set([...partSelectors, ...totalSelectors].map((s) => s.metric))];
  if (metrics.some((m) => m === undefined)) return undefined;

  const out: TestSeries[] = [];
  for (const metric of metrics as string[]) {
    const inPart = partSelectors.filter((s) => s.metric === metric);
    const inTotal = totalSelectors.filter((s) => s.metric === metric);
    const matching = satisfy([...inPart, ...inTotal]);
    if (!matching) return undefined;
    if (inPart.length === 0) {
      out.push({ series: render(metric, matching), role: 'total' });
      continue;
    }
    out.push({ series: render(metric, matching), role: partRole });
    if (inTotal.length > 0) {
      const rest = satisfyNot(inTotal, inPart);
      if (!rest) return undefined;
      out.push({ series: render(metric, rest), role: otherRole });
    }
  }
  return out;
}

type Labels = Record<string, string>;

function render(metric: string, labels: Labels): string {
  return selector(metric, Object.entries(labels).filter(([, v]) => v !== '').map(([k, v]) => eq(k, v)));
}

/** Labels that satisfy every matcher of every selector, or undefined. */
function satisfy(selectors: readonly ParsedSelector[]): Labels | undefined {
  const matchers = selectors.flatMap((s) => s.matchers);
  const labels: Labels = {};
  for (const label of new Set(matchers.map((m) => m.label))) {
    const own = matchers.filter((m) => m.label === label);
    const value = candidates(own.map((m) => m.value)).find((v) => own.every((m) => matches(m, v)));
    if (value === undefined) return undefined;
    labels[label] = value;
  }
  return labels;
}

/** Labels that satisfy the `must` selectors but none of the `mustNot` ones (a good event beside a bad one). */
function satisfyNot(must: readonly ParsedSelector[], mustNot: readonly ParsedSelector[]): Labels | undefined {
  const base = satisfy(must);
  if (!base) return undefined;
  const required = must.flatMap((s) => s.matchers);
  // Break one matcher of each excluded selector by changing the label it constrains.
  const labels = { ...base };
  for (const excluded of mustNot) {
    if (!selectorMatches(excluded, labels)) continue;
    let broken = false;
    for (const m of excluded.matchers) {
      const constraints = required.filter((r) => r.label === m.label);
      const value = candidates([m.value, ...constraints.map((c) => c.value)]).find(
        (v) => !matches(m, v) && constraints.every((c) => matches(c, v)),
      );
      if (value !== undefined) {
        labels[m.label] = value;
        broken = true;
        break;
      }
    }
    if (!broken) return undefined;
  }
  return mustNot.some((s) => selectorMatches(s, labels)) ? undefined : labels;
}

function selectorMatches(s: ParsedSelector, labels: Labels): boolean {
  return s.matchers.every((m) => matches(m, labels[m.label] ?? ''));
}

function matches(m: ParsedSelector['matchers'][number], value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return anchored(m.value).test(value);
    case '!~':
      return !anchored(m.value).test(value);
  }
}

function anchored(regex: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch {
    return /$^/;
  }
}

const COMMON_VALUES = ['', '200', '500', '503', '429', '404', '2xx', '5xx', 'ok', 'error', 'success', 'failure', 'true', 'false', '0', '1', 'GET', 'POST', 'x'];

/** Values worth trying: the matchers' own literals, an example string of each regex, common label values. */
function candidates(patterns: readonly string[]): string[] {
  return [...new Set([...patterns, ...patterns.flatMap(regexExamples), ...COMMON_VALUES])];
}

/** A few strings a simple regex matches: each top-level alternative with `.`→0, classes→first char. */
function regexExamples(regex: string): string[] {
  return splitAlternatives(regex.replace(/^\^|\$$/g, '')).map((alt) =>
    alt
      .replace(/\\d/g, '0')
      .replace(/\\w/g, 'a')
      .replace(/\[\^[^\]]*\]/g, 'z')
      .replace(/\[(\\?.)[^\]]*\]/g, (_, c: string) => c.replace(/^\\/, ''))
      .replace(/\(\?:|\(|\)/g, '')
      .replace(/.[*?]|\{0(,\d*)?\}/g, '')
      .replace(/[+]|\{\d+(,\d*)?\}/g, '')
      .replace(/\\(.)/g, '$1')
      .replace(/\./g, '0')
      .split('|')[0]!,
  );
}

function splitAlternatives(regex: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') i++;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '|' && depth === 0) {
      out.push(regex.slice(start, i));
      start = i + 1;
    }
  }
  out.push(regex.slice(start));
  return out;
}
