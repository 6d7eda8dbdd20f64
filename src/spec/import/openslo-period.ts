import { parseDuration } from '../../model/duration.js';
import type { FieldPath } from '../errors.js';
import { checkTypos, DAY, type Issues, MAX_PERIOD_DAYS, MIN_PERIOD_DAYS, type Node, node } from './common.js';

/**
 * OpenSLO time windows → our period. Only rolling windows can be imported: our burn-rate alerts and
 * budget recordings look back over a fixed span, not a calendar month that resets.
 */

const RANGE_MESSAGE = `must be whole days from ${MIN_PERIOD_DAYS}d to ${MAX_PERIOD_DAYS}d (e.g. 28d or 30d)`;

/** Calendar units of OpenSLO's duration shorthand: months, quarters and years vary in length. */
const CALENDAR_SHORTHAND = /^\d+[MQY]$/;

/** v1: `timeWindow: [{duration: 28d, isRolling: true}]`. */
export function periodV1(spec: Node, issues: Issues): string | undefined {
  const path = ['spec', 'timeWindow', 0];
  const window = onlyWindow(spec.timeWindow, ['spec', 'timeWindow'], issues);
  if (window) checkTypos(window, ['duration', 'isRolling', 'calendar'], path, issues);
  if (!window || !rolling(window, path, issues)) return undefined;
  const duration = window.duration;
  const durationPath = [...path, 'duration'];
  if (duration === undefined) {
    issues.add(durationPath, 'is required (such as 28d)');
    return undefined;
  }
  if (typeof duration === 'string' && CALENDAR_SHORTHAND.test(duration)) {
    issues.add(durationPath, 'months, quarters and years have no fixed length; give days (e.g. 30d)', duration);
    return undefined;
  }
  const seconds = typeof duration === 'string' ? parseDuration(duration) : undefined;
  if (seconds === undefined) {
    issues.add(durationPath, 'must be a duration such as 28d or 4w', duration);
    return undefined;
  }
  return days(seconds, durationPath, duration, issues);
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3_600, day: DAY, week: 7 * DAY };

/** v1alpha: `timeWindows: [{unit: Day, count: 28, isRolling: true}]`. */
export function periodV1alpha(spec: Node, issues: Issues): string | undefined {
  const path = ['spec', 'timeWindows', 0];
  const window = onlyWindow(spec.timeWindows, ['spec', 'timeWindows'], issues);
  if (window) checkTypos(window, ['unit', 'count', 'isRolling', 'calendar'], path, issues);
  if (!window || !rolling(window, path, issues)) return undefined;
  const { unit, count } = window;
  const unitSeconds = typeof unit === 'string' ? UNIT_SECONDS[unit.toLowerCase()] : undefined;
  if (unitSeconds === undefined) {
    const message = ['month', 'quarter', 'year'].includes(String(unit).toLowerCase())
      ? 'months, quarters and years have no fixed length; use Day or Week (e.g. unit: Day, count: 30)'
      : 'must be Day or Week (or Hour, Minute, Second)';
    issues.add([...path, 'unit'], message, unit);
    return undefined;
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count <= 0) {
    issues.add([...path, 'count'], 'must be a whole number > 0', count);
    return undefined;
  }
  return days(count * unitSeconds, [...path, 'count'], count, issues);
}

function onlyWindow(value: unknown, path: FieldPath, issues: Issues): Node | undefined {
  if (value === undefined) {
    issues.add(path, 'is required (a list with one rolling window)');
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 1) {
    issues.add(path, 'must list exactly one time window', value);
    return undefined;
  }
  return node(value[0], [...path, 0], issues);
}

/** Rolling unless it says otherwise: `isRolling: false`, or a `calendar` anchor. */
function rolling(window: Node, path: FieldPath, issues: Issues): boolean {
  if (window.isRolling === false || (window.calendar !== undefined && window.isRolling !== true)) {
    const key = window.isRolling === false ? 'isRolling' : 'calendar';
    issues.add([...path, key], 'only rolling windows are supported (isRolling: true); obs budgets over a rolling period');
    return false;
  }
  return true;
}

function days(seconds: number, path: FieldPath, got: unknown, issues: Issues): string | undefined {
  const count = seconds / DAY;
  if (Number.isInteger(count) && count >= MIN_PERIOD_DAYS && count <= MAX_PERIOD_DAYS) return `${count}d`;
  issues.add(path, RANGE_MESSAGE, got);
  return undefined;
}
