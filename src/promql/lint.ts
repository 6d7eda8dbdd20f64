import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { readSelector } from './parse.js';
import { WINDOW_PLACEHOLDER } from './window.js';

/**
 * Checks of user-written PromQL that a syntax check cannot make: a ratio's parts must be events per
 * second, and the rate window must be the placeholder obs (or Sloth) fills in. Decided on the parsed
 * query (Prometheus' own lezer grammar), so comments, strings and odd spacing cannot fool it.
 */

export interface LintOptions {
  /**
   * The placeholder as the user's format spells it (`$window`, `{{.window}}`): every range must be it.
   * Undefined when ranges are fixed by design (OpenSLO queries are run as written).
   */
  readonly placeholder?: string;
  /** The query is a ratio's errors, good or total: it must be events per second. */
  readonly events?: boolean;
}

export interface QueryProblem {
  /** Text completing "<field>: …", with the fix. */
  readonly message: string;
  /** The query does not parse (as opposed to: it parses, but means the wrong thing). */
  readonly syntax: boolean;
}

/** The first problem of a user query; undefined when it is fine. */
export function queryProblem(query: string, options: LintOptions = {}): QueryProblem | undefined {
  const message = problemText(query, options);
  return message === undefined ? undefined : { message, syntax: message.startsWith(SYNTAX) };
}

const SYNTAX = 'is not valid PromQL';

function problemText(query: string, options: LintOptions): string | undefined {
  const { text, windows } = fillSameLength(query);
  const tree = parser.parse(text);
  let errorAt: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError && errorAt === undefined) errorAt = node.from;
    },
  });
  if (errorAt !== undefined) return `${SYNTAX}: syntax error at character ${errorAt + 1} (${nearText(query, errorAt)})`;

  const range = options.placeholder ? `[${options.placeholder}]` : '[5m]';
  const selectors = collect(tree.topNode, 'VectorSelector').map((node) => ({ node, context: rangeContext(node, text) }));
  if (options.events) {
    for (const { node, context } of selectors) {
      const metric = readSelector(node, text).metric;
      if (metric === undefined || !COUNTER.test(metric) || context?.rate) continue;
      const fix = `rate(${quoteText(query.slice(node.from, node.to))}${range})`;
      const how = context ? `through ${context.fn}()` : 'as is, without rate()';
      return `reads the counter ${metric} ${how}: a ratio needs events per second; write ${fix}`;
    }
    const levels = selectors.filter(({ node, context }) => !context && !rateRecording(readSelector(node, text).metric));
    if (levels.length > 0 && levels.length === selectors.length) {
      const metric = readSelector(levels[0]!.node, text).metric ?? quoteText(query.slice(levels[0]!.node.from, levels[0]!.node.to));
      return (
        `is not events per second: it reads ${metric} as is, which looks like a gauge; ` +
        `a ratio counts events, e.g. sum(rate(requests_total${range}))`
      );
    }
  }
  if (!options.placeholder) return undefined;
  const ranges = collectRanges(tree.topNode);
  const fixed = ranges.find((r) => !windows.some((w) => w.from === r.from && w.to === r.to));
  if (fixed) {
    return `has a fixed range [${query.slice(fixed.from, fixed.to)}]; write ${range} instead, so that the window is filled in for you`;
  }
  if (ranges.length === 0) {
    return `has no ${range} range; put the window placeholder where the range goes, e.g. sum(rate(requests_total${range}))`;
  }
  return undefined;
}

/** Counters and the counter series of a classic histogram or summary. */
const COUNTER = /_(total|count|bucket|sum)$/;
const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);

/** `job:http_requests:rate5m`: a recording rule named, by Prometheus' convention, as a rate. */
function rateRecording(metric: string | undefined): boolean {
  return metric !== undefined && /:(i?rate|increase)[^:]*$/.test(metric);
}

/**
 * The function a selector's values go to over a range (rate, sum_over_time, …): that of the nearest
 * matrix selector or subquery around it. Undefined for an instant read.
 */
function rangeContext(selector: SyntaxNode, text: string): { fn: string; rate: boolean } | undefined {
  let node = selector.parent;
  while (node && node.name !== 'MatrixSelector' && node.name !== 'SubqueryExpr') node = node.parent;
  if (!node) return undefined;
  while (node && node.name !== 'FunctionCall') node = node.parent;
  const id = node?.getChild('FunctionIdentifier');
  const fn = id ? text.slice(id.from, id.to) : 'a range';
  return { fn, rate: RATE_FUNCTIONS.has(fn) };
}

/** The range of every matrix selector and subquery (not a subquery's step, not an offset). */
function collectRanges(top: SyntaxNode): { from: number; to: number }[] {
  return [...collect(top, 'MatrixSelector'), ...collect(top, 'SubqueryExpr')].flatMap((node) => {
    const range = node.getChild('DurationExpr');
    return range ? [{ from: range.from, to: range.to }] : [];
  });
}

function collect(top: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = top.cursor();
  do {
    if (cursor.name === name) out.push(cursor.node);
  } while (cursor.next());
  return out;
}

/**
 * Fills each placeholder with a duration of its own length (`$window` → `000005m`), so offsets in the
 * parsed text are offsets in the user's text, and the placeholders' spans are known.
 */
function fillSameLength(query: string): { text: string; windows: { from: number; to: number }[] } {
  const windows: { from: number; to: number }[] = [];
  const text = query.replace(WINDOW_PLACEHOLDER, (match: string, offset: number) => {
    windows.push({ from: offset, to: offset + match.length });
    return '5m'.padStart(match.length, '0');
  });
  return { text, windows };
}

function nearText(query: string, at: number): string {
  const rest = query.slice(at, at + 20);
  return rest ? `near "${rest}"` : 'the expression ends too early';
}

/** Quotes at most 80 characters of the user's text. */
function quoteText(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= 80 ? flat : `${flat.slice(0, 77)}…`;
}
