/**
 * Bounded label values. Every label of every obs metric goes through a LabelGuard: the first `cap`
 * distinct values pass, later new values become the overflow value (`other`) and are counted in
 * obs_metric_label_overflow_total{metric,label}. Known values stay cheap: one Set lookup.
 */

export const OVERFLOW_VALUE = 'other';
/** semconv: methods outside the well-known set are reported as _OTHER. */
export const OTHER_METHOD = '_OTHER';
/** The route label of a request no route template matched. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Default caps on distinct values, per label name. Override any of them with `limits` in createObs options. */
export const DEFAULT_LABEL_LIMITS: Readonly<Record<string, number>> = {
  http_route: 100,
  http_response_status_code: 60,
  error_type: 30,
  gen_ai_request_model: 20,
  gen_ai_provider_name: 20,
  gen_ai_operation_name: 20,
  obs_module: 20,
  from_provider: 20,
  to_provider: 20,
  dependency_system: 20,
  dependency_name: 50,
  operation: 50,
  cache: 50,
  event: 10,
  reason: 50,
  result: 5,
  period: 5,
  component: 20,
};
const FALLBACK_LIMIT = 50;
/** Longer values are cut: a label value is an identifier, not a payload. */
const MAX_VALUE_LENGTH = 128;

export type LabelLimits = Readonly<Record<string, number>>;

export type OverflowSink = (metric: string, label: string) => void;

export class LabelGuard {
  private readonly seen = new Set<string>();

  constructor(
    readonly metric: string,
    readonly label: string,
    readonly cap: number,
    private readonly onOverflow: OverflowSink,
    private readonly overflowValue: string = OVERFLOW_VALUE,
    /** Values that always pass and do not use up the cap (e.g. `unmatched`, `other`). */
    private readonly reserved: ReadonlySet<string> = new Set([overflowValue]),
  ) {}

  value(raw: unknown): string {
    let value = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
    if (this.seen.has(value) || this.reserved.has(value)) return value;
    if (value.length > MAX_VALUE_LENGTH) {
      value = value.slice(0, MAX_VALUE_LENGTH);
      if (this.seen.has(value)) return value;
    }
    if (this.seen.size < this.cap) {
      this.seen.add(value);
      return value;
    }
    this.onOverflow(this.metric, this.label);
    return this.overflowValue;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Creates guards for one metric's labels, with the caps from the options. */
export class GuardFactory {
  constructor(
    private readonly limits: LabelLimits,
    private readonly onOverflow: OverflowSink,
  ) {}

  limit(label: string): number {
    return this.limits[label] ?? DEFAULT_LABEL_LIMITS[label] ?? FALLBACK_LIMIT;
  }

  guard(metric: string, label: string, reserved: readonly string[] = []): LabelGuard {
    // '' is "no value" (Prometheus drops empty labels): it never uses up the cap.
    return new LabelGuard(metric, label, this.limit(label), this.onOverflow, OVERFLOW_VALUE, new Set([OVERFLOW_VALUE, '', ...reserved]));
  }

  /** A guard that admits only the listed values (an allow-list); anything else is `other`, no cap used. */
  allowList(metric: string, label: string, allowed: readonly string[]): LabelGuard {
    return new LabelGuard(metric, label, 0, this.onOverflow, OVERFLOW_VALUE, new Set([OVERFLOW_VALUE, ...allowed]));
  }
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** semconv http.request.method: the known methods as sent (case-sensitive), anything else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}

const STATUS_TEXT: string[] = [];
for (let code = 100; code < 600; code++) STATUS_TEXT[code] = String(code);

/** A status code as a label value; anything outside 100..599 is `other`. No allocation on the hot path. */
export function statusLabel(code: number): string {
  return (Number.isInteger(code) && STATUS_TEXT[code]) || OVERFLOW_VALUE;
}

/** Escapes a label value for the exposition formats (backslash, newline, double quote). */
export function escapeLabelValue(value: string): string {
  if (!/[\\\n"]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="x",b="y"` for the given names and values, skipping empty values (Prometheus treats them as absent). */
export function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i];
    if (v === undefined || v === '') continue;
    out += `${out === '' ? '' : ','}${names[i]}="${escapeLabelValue(v)}"`;
  }
  return out;
}
