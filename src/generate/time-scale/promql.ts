/**
 * PromQL with every duration divided by the time scale, rewritten on Prometheus' own lezer parse tree
 * (never by a regex over the expression, which would also hit label values and strings): range
 * selectors `[5m]`, subquery ranges and steps `[1h:30s]`, offsets, and predict_linear's horizon (seconds
 * as a number, divided in place). What cannot scale is reported: calendar functions and `time()` read
 * the wall clock, and numeric second constants compared with them (86400, a certificate's 14 days) are
 * the user's thresholds, kept as they are.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { roundFloat } from '../../model/duration.js';
import { durationMs, scaleDuration, TimeScaleError } from './duration.js';

export interface ScaledPromQL {
  readonly expr: string;
  /** Wall-clock functions the expression calls (`time`, `day_of_month`, …): they do not scale. */
  readonly calendar: readonly string[];
  /** The shortest range-selector window after scaling, in milliseconds (undefined: none). */
  readonly shortestRangeMs?: number;
}

const CALENDAR = new Set(['time', 'timestamp', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);
/** Where a duration literal sits: a range, a subquery range or step, an offset. */
const DURATION_PARENTS = new Set(['DurationExpr', 'OffsetDurationExpr']);

interface Edit {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

export interface ScaleOptions {
  /**
   * Lengths in seconds of the SLO windows (from the `slo:…:rate<window>` recordings): in an expression
   * reading `slo:` recordings, a number that multiplies or divides and equals one of them is a window
   * length (the low-traffic guard's `rate14m * 840 >= 50`, the weights of the long-window averages) and
   * scales with the window. Thresholds (the right side of a comparison) never do.
   */
  readonly windowSeconds?: ReadonlySet<number>;
}

export function scalePromQL(expr: string, scale: number, where: string, options: ScaleOptions = {}): ScaledPromQL {
  const tree = parser.parse(expr);
  const windows = readsSloRecordings(tree.topNode, expr) ? options.windowSeconds : undefined;
  const edits: Edit[] = [];
  const calendar = new Set<string>();
  let shortestRangeMs: number | undefined;
  let error: number | undefined;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && error === undefined) error = ref.from;
      const node = ref.node;
      if (ref.name === 'NumberDurationLiteralInDurationContext') {
        const parent = node.parent;
        if (!parent || !DURATION_PARENTS.has(parent.name) || isComputed(node)) {
          throw new TimeScaleError(`${where}: the duration at character ${ref.from + 1} of \`${expr}\` is computed, not a literal; obs cannot scale it`);
        }
        const text = scaleDuration(expr.slice(ref.from, ref.to), scale, where);
        edits.push({ from: ref.from, to: ref.to, text });
        if (parent.name === 'DurationExpr' && parent.parent?.name === 'MatrixSelector') {
          const ms = durationMs(text);
          shortestRangeMs = shortestRangeMs === undefined ? ms : Math.min(shortestRangeMs, ms);
        }
        return false;
      }
      if (ref.name === 'NumberDurationLiteral' && windows && isFactor(node) && windows.has(Number(expr.slice(ref.from, ref.to)))) {
        edits.push({ from: ref.from, to: ref.to, text: String(roundFloat(Number(expr.slice(ref.from, ref.to)) / scale)) });
        return false;
      }
      if (ref.name === 'FunctionCall') {
        const name = functionName(node, expr);
        if (name !== undefined && CALENDAR.has(name)) calendar.add(name);
        if (name === 'predict_linear') {
          const horizon = argument(node, 1);
          if (horizon) edits.push({ from: horizon.from, to: horizon.to, text: `(${expr.slice(horizon.from, horizon.to)}) / ${scale}` });
        }
      }
      return undefined;
    },
  });
  if (error !== undefined) throw new TimeScaleError(`${where}: cannot parse \`${expr}\` at character ${error + 1}`);
  edits.sort((a, b) => b.from - a.from);
  let out = expr;
  for (const edit of edits) out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  return { expr: out, calendar: [...calendar].sort(), ...(shortestRangeMs !== undefined && { shortestRangeMs }) };
}

function readsSloRecordings(top: SyntaxNode, expr: string): boolean {
  let found = false;
  top.cursor().iterate((ref) => {
    if (ref.name === 'Identifier' && ref.node.parent?.name === 'VectorSelector' && expr.slice(ref.from, ref.to).startsWith('slo:')) found = true;
    return !found;
  });
  return found;
}

/** A number that is an operand of `*` or `/` (not of a comparison). */
function isFactor(node: SyntaxNode): boolean {
  if (node.parent?.name !== 'BinaryExpr') return false;
  for (let sibling = node.parent.firstChild; sibling; sibling = sibling.nextSibling) {
    if (sibling.name === 'Mul' || sibling.name === 'Div') return true;
  }
  return false;
}

const ARITHMETIC = new Set(['Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow']);

/**
 * Duration arithmetic (`[5m * 2]`, `offset (1h + 5m)`, Prometheus 3) would need the computed duration
 * scaled once, not each literal: refused rather than guessed (obs never generates it).
 */
function isComputed(literal: SyntaxNode): boolean {
  for (let node = literal.parent; node && DURATION_PARENTS.has(node.name); node = node.parent) {
    for (let child = node.firstChild; child; child = child.nextSibling) if (ARITHMETIC.has(child.name)) return true;
  }
  return false;
}

function functionName(call: SyntaxNode, expr: string): string | undefined {
  const id = call.getChild('FunctionIdentifier');
  return id ? expr.slice(id.from, id.to) : undefined;
}

/** The `index`-th argument node of a function call (arguments are the body's non-punctuation children). */
function argument(call: SyntaxNode, index: number): SyntaxNode | undefined {
  const body = call.getChild('FunctionCallBody');
  const args: SyntaxNode[] = [];
  for (let child = body?.firstChild; child; child = child.nextSibling) {
    if (!child.type.isError && child.name !== '(' && child.name !== ')' && child.name !== ',') args.push(child);
  }
  return args[index];
}
