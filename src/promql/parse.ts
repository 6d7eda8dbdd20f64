import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import type { MatchOp } from './build.js';

/** A vector selector found in an expression: its metric name (if any) and its label matchers. */
export interface ParsedSelector {
  readonly metric?: string;
  readonly matchers: readonly { label: string; op: MatchOp; value: string }[];
}

export interface ParsedExpr {
  /** Character offset of the first syntax error, when the expression does not parse. */
  readonly errorAt?: number;
  readonly selectors: readonly ParsedSelector[];
  /** The top-level binary operator and its two sides, when the expression is `a <op> b`. */
  readonly split?: { readonly op: string; readonly left: string; readonly right: string };
}

/**
 * Generating reads the same SLI queries several times (rules, test series, checks): at a thousand SLOs a
 * third of the parses were new. Results are read-only, so one parse serves them all.
 */
const parsed = new Map<string, ParsedExpr>();
const singleSeries = new Map<string, boolean>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= 20_000) cache.clear();
  cache.set(key, value);
  return value;
}

/** Parses PromQL with Prometheus' own lezer grammar (the one the Prometheus UI uses). */
export function parsePromQL(expr: string): ParsedExpr {
  return parsed.get(expr) ?? remember(parsed, expr, parseUncached(expr));
}

function parseUncached(expr: string): ParsedExpr {
  const tree = parser.parse(expr);
  let errorAt: number | undefined;
  const selectors: ParsedSelector[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError && errorAt === undefined) errorAt = node.from;
      if (node.name === 'VectorSelector') selectors.push(readSelector(node.node, expr));
    },
  });
  return { ...(errorAt !== undefined && { errorAt }), selectors, ...topLevelSplit(tree.topNode, expr) };
}

/** The metric name and label matchers of a VectorSelector node of `expr`'s tree. */
export function readSelector(node: SyntaxNode, expr: string): ParsedSelector {
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  let metric = node.getChild('Identifier') ? text(node.getChild('Identifier')!) : undefined;
  const matchers: { label: string; op: MatchOp; value: string }[] = [];
  const list = node.getChild('LabelMatchers');
  for (let m = list?.firstChild; m; m = m.nextSibling) {
    const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (!op || !value) continue;
    const label = name ? unquote(text(name)) : '__name__';
    const matcher = { label, op: text(op) as MatchOp, value: unquote(text(value)) };
    if (label === '__name__' && matcher.op === '=') metric = matcher.value;
    else matchers.push(matcher);
  }
  return { ...(metric !== undefined && { metric }), matchers };
}

/** Reads a PromQL string literal: "…" and '…' with Go escapes, or a raw `…`. */
function unquote(literal: string): string {
  if (!/^["'`]/.test(literal)) return literal;
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

/** True for `sum(...)`-style aggregations without by/without: already exactly one series. */
export function isSingleSeriesAggregate(expr: string): boolean {
  return singleSeries.get(expr) ?? remember(singleSeries, expr, singleSeriesUncached(expr));
}

function singleSeriesUncached(expr: string): boolean {
  let node: SyntaxNode | null = parser.parse(expr).topNode.firstChild;
  while (node?.name === 'ParenExpr') node = node.firstChild;
  return node?.name === 'AggregateExpr' && !node.getChild('AggregateModifier') && node.to - node.from === expr.trim().length;
}

function topLevelSplit(top: SyntaxNode, expr: string): Pick<ParsedExpr, 'split'> {
  let node: SyntaxNode | null = top.firstChild;
  while (node?.name === 'ParenExpr') node = node.firstChild;
  if (node?.name !== 'BinaryExpr') return {};
  const [left, op, right] = [node.firstChild, node.firstChild?.nextSibling, node.lastChild];
  if (!left || !op || !right || left === right) return {};
  return { split: { op: expr.slice(op.from, op.to), left: expr.slice(left.from, left.to), right: expr.slice(right.from, right.to) } };
}
