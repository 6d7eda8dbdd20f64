/**
 * Maintenance windows: each becomes a `time_interval`, and the routes mute, during it, the alerts it
 * names. Alertmanager mutes on the route an alert lands on and stops at the first matching child
 * route, so an alert named by two windows must land on a route that carries both: every overlapping
 * combination of windows gets its own child route, most specific first.
 */
import type { MaintenanceWindow } from '../../model/types.js';
import { oneOf } from './matchers.js';
import type { Route, TimeInterval } from './types.js';

export function buildTimeIntervals(windows: readonly MaintenanceWindow[]): TimeInterval[] {
  return windows.map((window) => ({
    name: window.name,
    time_intervals: [
      {
        weekdays: window.weekdays.flatMap(weekdayRanges),
        ...(window.times.length > 0 && {
          times: window.times.map((t) => ({ start_time: t.start, end_time: t.end })),
        }),
        location: window.timeZone,
      },
    ],
  }));
}

/** Alertmanager's week starts on Sunday. */
const WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * Alertmanager rejects a range that wraps past Saturday ('saturday:sunday': "start day cannot be
 * before end day"), which people write for weekends: such a range becomes its two halves.
 */
export function weekdayRanges(weekdays: string): string[] {
  const [start, end] = weekdays.split(':');
  if (end === undefined || WEEK.indexOf(start!) <= WEEK.indexOf(end)) return [weekdays];
  const range = (from: string, to: string) => (from === to ? from : `${from}:${to}`);
  return [range(start!, 'saturday'), range('sunday', end)];
}

/** Label → accepted values; an alert matches when every label has one of its values. Empty = all. */
type Selector = ReadonlyMap<string, readonly string[]>;

interface MuteSet {
  readonly intervals: readonly string[];
  readonly selector: Selector;
}

/**
 * The child routes that mute maintenance windows under a route whose alerts all have `severity`
 * (undefined: alerts of no known severity, which only windows that do not select by severity mute).
 */
export function muteRoutes(windows: readonly MaintenanceWindow[], severity: string | undefined): Route[] {
  const routes: Route[] = [];
  for (const set of overlappingSets(windows)) {
    const severities = set.selector.get('severity');
    if (severities && (severity === undefined || !severities.includes(severity))) continue;
    const matchers = [...set.selector.entries()]
      .filter(([label]) => label !== 'severity')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, values]) => oneOf(label, values));
    routes.push({ ...(matchers.length > 0 && { matchers }), mute_time_intervals: set.intervals });
  }
  return routes;
}

/**
 * Every combination of windows whose selectors can match the same alert, with the intersection of
 * their selectors; larger combinations first so an alert lands on the route muting all its windows.
 * Windows with the same selector are merged first, which keeps the usual case linear.
 */
export function overlappingSets(windows: readonly MaintenanceWindow[]): MuteSet[] {
  const merged: MuteSet[] = [];
  for (const window of windows) {
    const selector = normalise(window.mute);
    const same = merged.findIndex((set) => sameSelector(set.selector, selector));
    if (same >= 0) merged[same] = { ...merged[same]!, intervals: [...merged[same]!.intervals, window.name] };
    else merged.push({ intervals: [window.name], selector });
  }
  const sets: MuteSet[] = [];
  const extend = (from: number, current: MuteSet | undefined): void => {
    for (let i = from; i < merged.length; i++) {
      const next = current ? intersect(current, merged[i]!) : merged[i]!;
      if (!next) continue;
      sets.push(next);
      extend(i + 1, next);
    }
  };
  extend(0, undefined);
  // Stable sort: among sets of one size, the order of the windows in the config.
  return sets.sort((a, b) => b.intervals.length - a.intervals.length);
}

function normalise(mute: MaintenanceWindow['mute']): Selector {
  const selector = new Map<string, readonly string[]>();
  for (const label of Object.keys(mute).sort()) {
    const values = [...new Set(mute[label])];
    if (values.length > 0) selector.set(label, values);
  }
  return selector;
}

function sameSelector(a: Selector, b: Selector): boolean {
  if (a.size !== b.size) return false;
  for (const [label, values] of a) {
    const other = b.get(label);
    if (!other || other.length !== values.length || values.some((v) => !other.includes(v))) return false;
  }
  return true;
}

/** The alerts both sets mute, or undefined when no alert can match both. */
function intersect(a: MuteSet, b: MuteSet): MuteSet | undefined {
  const selector = new Map(a.selector);
  for (const [label, values] of b.selector) {
    const mine = selector.get(label);
    const both = mine ? mine.filter((v) => values.includes(v)) : values;
    if (both.length === 0) return undefined;
    selector.set(label, both);
  }
  return { intervals: [...a.intervals, ...b.intervals], selector };
}
