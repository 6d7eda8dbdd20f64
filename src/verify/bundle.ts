import { parse as parseYaml } from 'yaml';
import type { GeneratedFile } from '../generate/types.js';
import type { PrometheusRuleFile } from '../generate/prometheus/rule-types.js';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { type ParsedSelector, readSelector } from '../promql/parse.js';
import { type DashboardLike, type Target, targetsOf } from './dashboard-targets.js';

/**
 * What a live stack must show, read from the bundle generated in memory: the Prometheus rule files, the
 * alerts and dashboard targets with the metrics each needs, and the Alertmanager config.
 */

export const ALERTMANAGER_CONFIG = 'compose/alertmanager/alertmanager.yml';
const RULE_FILE = /^rules\/[^/]+\.rules\.yml$/;

export interface ExpectedGroup {
  readonly file: string;
  readonly name: string;
  readonly interval?: string;
  /** Record and alert names, in file order. */
  readonly rules: readonly string[];
}

export interface ExpectedRecording {
  readonly name: string;
  readonly expr: string;
  readonly group: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Something of the bundle that reads metrics: an alert or a dashboard panel's target. */
export interface Consumer {
  /** How reports name it: `alert ChatApiHighErrorRate` or `panel obs-chat-api-service / Request rate`. */
  readonly label: string;
  readonly expr: string;
}

export interface Expectations {
  readonly groups: readonly ExpectedGroup[];
  readonly recordings: readonly ExpectedRecording[];
  readonly alerts: readonly Consumer[];
  /** Dashboard targets; LogQL ones are counted but not queried (Loki is not Prometheus). */
  readonly panels: readonly Target[];
  /** The bundle's alertmanager.yml as an object; absent when the config has no alerting. */
  readonly alertmanager?: Record<string, unknown>;
}

function contentOf(file: GeneratedFile): unknown {
  return typeof file.content === 'string' ? parseYaml(file.content) : file.content;
}

export function expectationsOf(files: readonly GeneratedFile[]): Expectations {
  const groups: ExpectedGroup[] = [];
  const recordings: ExpectedRecording[] = [];
  const alerts: Consumer[] = [];
  for (const file of files.filter((f) => RULE_FILE.test(f.path))) {
    for (const group of (contentOf(file) as PrometheusRuleFile).groups) {
      groups.push({
        file: file.path,
        name: group.name,
        ...(group.interval !== undefined && { interval: group.interval }),
        rules: group.rules.map((r) => ('record' in r ? r.record : r.alert)),
      });
      for (const rule of group.rules) {
        if ('record' in rule) recordings.push({ name: rule.record, expr: rule.expr, group: group.name, ...(rule.labels && { labels: rule.labels }) });
        else alerts.push({ label: `alert ${rule.alert}`, expr: rule.expr });
      }
    }
  }
  const dashboards = files.filter((f) => /^dashboards\/[^/]+\.json$/.test(f.path)).map((f) => f.content as DashboardLike);
  const am = files.find((f) => f.path === ALERTMANAGER_CONFIG);
  return {
    groups,
    recordings,
    alerts,
    panels: targetsOf(dashboards),
    ...(am && { alertmanager: contentOf(am) as Record<string, unknown> }),
  };
}

export function panelLabel(t: Target): string {
  return `panel ${t.dashboard} / ${t.panel}`;
}

/** A selector as an instant-vector query of its own (ranges and offsets dropped): does it have series now? */
export function selectorText(s: ParsedSelector): string {
  const matchers = s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`);
  return `${s.metric ?? ''}{${matchers.join(', ')}}`;
}

/** Past this many alternatives an expression is read strictly: every selector needed. */
const MAX_ALTERNATIVES = 64;

/**
 * What an expression needs to have data, as alternatives (any one suffices), each a list of selectors
 * that must all have series: `a or b` needs a or b, `a unless b` needs a, `a / b` needs a and b.
 */
export function selectorAlternatives(expr: string): ParsedSelector[][] {
  const walk = (node: SyntaxNode): ParsedSelector[][] => {
    if (node.name === 'VectorSelector') return [[readSelector(node, expr)]];
    if (node.name === 'BinaryExpr' && node.firstChild && node.lastChild && node.firstChild !== node.lastChild) {
      const op = node.firstChild.nextSibling?.name;
      const [left, right] = [walk(node.firstChild), walk(node.lastChild)];
      if (op === 'Or') return [...left, ...right];
      if (op === 'Unless') return left;
      return both(left, right);
    }
    let out: ParsedSelector[][] = [[]];
    for (let child = node.firstChild; child; child = child.nextSibling) out = both(out, walk(child));
    return out;
  };
  const both = (a: ParsedSelector[][], b: ParsedSelector[][]): ParsedSelector[][] => {
    if (a.length * b.length > MAX_ALTERNATIVES) return [[...a.flat(), ...b.flat()]];
    return a.flatMap((x) => b.map((y) => [...x, ...y]));
  };
  return walk(parser.parse(expr).topNode);
}

/** The recordings an expression reads directly (one level, not resolved to scrapes), as instant selectors. */
export function recordedInputs(expr: string, recordings: readonly ExpectedRecording[]): string[] {
  const names = new Set(recordings.map((r) => r.name));
  const selectors = selectorAlternatives(expr).flat().filter((s) => s.metric !== undefined && names.has(s.metric));
  return [...new Set(selectors.map(selectorText))].sort();
}

export type LeafKind = 'metric' | 'selector';

/** False when an equality matcher of the selector contradicts a label the recording rule sets. */
function compatible(rule: ExpectedRecording, selector: ParsedSelector): boolean {
  return selector.matchers.every((m) => m.op !== '=' || rule.labels?.[m.label] === undefined || rule.labels[m.label] === m.value);
}

const leafOf: Record<LeafKind, (s: ParsedSelector) => string | undefined> = { metric: (s) => s.metric, selector: selectorText };

/** Resolved alternatives by expression, per recording set and leaf kind: the checks ask for the same ones again and again. */
const resolved = new WeakMap<readonly ExpectedRecording[], Record<LeafKind, Map<string, string[][]>>>();

/**
 * The alternatives of an expression once the bundle's recordings are resolved to what their rules read,
 * each leaf a metric name or a selector: what scrapes must provide for it to have data.
 */
export function inputAlternatives(expr: string, recordings: readonly ExpectedRecording[], kind: LeafKind): string[][] {
  if (!resolved.has(recordings)) resolved.set(recordings, { metric: new Map(), selector: new Map() });
  const memo = resolved.get(recordings)![kind];
  const byName = new Map<string, ExpectedRecording[]>();
  for (const r of recordings) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const resolve = (e: string, stack: readonly string[]): string[][] => {
    const known = memo.get(e);
    if (known) return known;
    const out: string[][] = [];
    for (const alternative of selectorAlternatives(e)) {
      let combos: string[][] = [[]];
      for (const selector of alternative) {
        // The recording's rules this selector can read: `x{slo="a"}` reads the rule recording x for SLO a.
        const rules = selector.metric === undefined ? undefined : byName.get(selector.metric)?.filter((r) => compatible(r, selector));
        const options =
          rules?.length && !stack.includes(selector.metric!)
            ? rules.flatMap((r) => resolve(r.expr, [...stack, selector.metric!]))
            : [leafOf[kind](selector) === undefined ? [] : [leafOf[kind](selector)!]];
        combos = combos.length * options.length > MAX_ALTERNATIVES ? [[...combos.flat(), ...options.flat()]] : combos.flatMap((c) => options.map((o) => [...c, ...o]));
      }
      out.push(...combos);
    }
    const seen = new Set<string>();
    const unique = out.map((a) => [...new Set(a)].sort()).filter((a) => !seen.has(a.join('\n')) && seen.add(a.join('\n')));
    memo.set(e, unique);
    return unique;
  };
  return resolve(expr, []);
}

/** Every metric an expression may read, recordings resolved: the names to ask Prometheus about. */
export function inputMetrics(expr: string, recordings: readonly ExpectedRecording[]): string[] {
  return [...new Set(inputAlternatives(expr, recordings, 'metric').flat())].sort();
}

/** Every raw selector (with its matchers) an expression may read, recordings resolved. */
export function inputSelectors(expr: string, recordings: readonly ExpectedRecording[]): string[] {
  return [...new Set(inputAlternatives(expr, recordings, 'selector').flat())].sort();
}

/** Of the alternatives, the one with the fewest leaves that `has` not: none missing means the expression can have data. */
export function missingInputs(alternatives: readonly string[][], has: (leaf: string) => boolean): string[] {
  let best: string[] | undefined;
  for (const alternative of alternatives) {
    const missing = alternative.filter((leaf) => !has(leaf));
    if (best === undefined || missing.length < best.length) best = missing;
  }
  return best ?? [];
}
