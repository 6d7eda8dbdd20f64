/** Prometheus rule groups (rule files, Mimir namespaces, PrometheusRule specs) and promtool tests, time-scaled. */
import { parseDuration, roundFloat } from '../../model/duration.js';
import { scaleDuration } from './duration.js';
import { scalePromQL, type ScaleOptions } from './promql.js';

type Obj = Record<string, unknown>;

/** What the rewrite saw: calendar functions it left alone, and the shortest window it produced. */
export interface ScaleNotes {
  readonly calendar: Map<string, Set<string>>;
  /** Alerts whose expression reads the wall clock: their promtool tests cannot pass scaled. */
  readonly calendarAlerts: Set<string>;
  shortestRangeMs?: number;
}

export function newNotes(): ScaleNotes {
  return { calendar: new Map(), calendarAlerts: new Set() };
}

function note(notes: ScaleNotes, where: string, calendar: readonly string[], shortest: number | undefined): void {
  for (const fn of calendar) notes.calendar.set(fn, (notes.calendar.get(fn) ?? new Set()).add(where));
  if (shortest !== undefined) notes.shortestRangeMs = Math.min(notes.shortestRangeMs ?? Infinity, shortest);
}

function expr(text: unknown, scale: number, where: string, notes: ScaleNotes, options: ScaleOptions = {}, alert?: unknown): string {
  if (typeof text !== 'string') throw new Error(`${where}: expr is not a string`);
  const scaled = scalePromQL(text, scale, where, options);
  note(notes, where, scaled.calendar, scaled.shortestRangeMs);
  if (typeof alert === 'string' && scaled.calendar.length > 0) notes.calendarAlerts.add(alert);
  return scaled.expr;
}

/** The SLO windows, in seconds, that the file's `…:rate<window>` recordings name. */
function windowSeconds(groups: readonly Obj[]): Set<number> {
  const out = new Set<number>();
  for (const group of groups) {
    for (const rule of (group.rules as Obj[] | undefined) ?? []) {
      const window = typeof rule.record === 'string' ? /:rate(\w+)$/.exec(rule.record)?.[1] : undefined;
      const seconds = window === undefined ? undefined : parseDuration(window);
      if (seconds !== undefined) out.add(seconds);
    }
  }
  return out;
}

const DURATION_KEYS = ['interval', 'for', 'keep_firing_for', 'evaluation_interval', 'eval_time', 'query_offset'] as const;

/** Every duration-valued key of `value` scaled. */
function durations(value: Obj, scale: number, where: string): Obj {
  const out: Obj = { ...value };
  for (const key of DURATION_KEYS) {
    if (typeof value[key] === 'string') out[key] = scaleDuration(value[key], scale, `${where}.${key}`);
  }
  return out;
}

/** `{ groups: [...] }`: group intervals, every rule's expr, for and keep_firing_for. */
export function scaleRuleGroups(file: Obj, scale: number, where: string, notes: ScaleNotes): Obj {
  const groups = (file.groups as Obj[] | undefined) ?? [];
  const options = { windowSeconds: windowSeconds(groups) };
  return {
    ...file,
    groups: groups.map((group, g) => ({
      ...durations(group, scale, `${where}: groups[${g}]`),
      rules: ((group.rules as Obj[] | undefined) ?? []).map((rule, r) => {
        const at = `${where}: groups[${g}].rules[${r}] (${String(rule.alert ?? rule.record)})`;
        return { ...durations(rule, scale, at), expr: expr(rule.expr, scale, at, notes, options, rule.alert) };
      }),
    })),
  };
}

/**
 * A promtool test file: its evaluation interval, each test's series interval and every eval_time, and
 * the PromQL it queries. Input values stay per step, so each step is N× shorter: ratios, increases and
 * counts read the same, per-second rates read N× higher — except counters of seconds (`*_seconds_total`,
 * e.g. CPU time), which count wall time and so grow N× slower per step. Tests of alerts that read the
 * wall clock (see ScaleNotes.calendarAlerts; run the rules files first) are left out, and the file says
 * which.
 */
export function scalePromtoolTests(file: Obj, scale: number, where: string, notes: ScaleNotes): { content: Obj; dropped: string[] } {
  const dropped: string[] = [];
  const tests = ((file.tests as Obj[] | undefined) ?? []).filter((test) => {
    const bound = readsCalendarAlert(test, notes.calendarAlerts);
    if (bound) dropped.push(String(test.name ?? ''));
    return !bound;
  });
  const content = {
    ...durations(file, scale, where),
    tests: tests.map((test, t) => {
      const at = `${where}: tests[${t}]`;
      const scaled: Obj = durations(test, scale, at);
      if (Array.isArray(test.input_series)) {
        scaled.input_series = (test.input_series as Obj[]).map((s) =>
          typeof s.series === 'string' && /^[a-zA-Z_:][\w:]*_seconds_total\b/.test(s.series) && typeof s.values === 'string' ? { ...s, values: divideValues(s.values, scale) } : s,
        );
      }
      if (Array.isArray(test.alert_rule_test)) {
        scaled.alert_rule_test = (test.alert_rule_test as Obj[]).map((a, i) => durations(a, scale, `${at}.alert_rule_test[${i}]`));
      }
      if (Array.isArray(test.promql_expr_test)) {
        scaled.promql_expr_test = (test.promql_expr_test as Obj[]).map((q, i) => {
          const qat = `${at}.promql_expr_test[${i}]`;
          return { ...durations(q, scale, qat), expr: expr(q.expr, scale, qat, notes) };
        });
      }
      return scaled;
    }),
  };
  return { content, dropped };
}

function readsCalendarAlert(test: Obj, alerts: ReadonlySet<string>): boolean {
  const named = [
    ...((test.alert_rule_test as Obj[] | undefined) ?? []).map((a) => a.alertname),
    ...((test.promql_expr_test as Obj[] | undefined) ?? []).flatMap((q) => [...String(q.expr).matchAll(/alertname="([^"]+)"/g)].map((m) => m[1])),
  ];
  return named.some((name) => typeof name === 'string' && alerts.has(name));
}

const VALUE_TERM = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:([+-])(\d+(?:\.\d+)?(?:e[+-]?\d+)?))?(x\d+)?$/i;

/** promtool's expanding notation (`0 6+6x39`) with every value and increment divided by `scale`. */
export function divideValues(values: string, scale: number): string {
  return values
    .split(/\s+/)
    .filter(Boolean)
    .map((term) => {
      const m = VALUE_TERM.exec(term);
      if (!m) return term; // `_`, `stale`, `_x3`
      const [, start, sign, step, times] = m;
      const div = (n: string) => String(roundFloat(Number(n) / scale));
      return `${div(start!)}${sign ? `${sign}${div(step!)}` : ''}${times ?? ''}`;
    })
    .join(' ');
}
