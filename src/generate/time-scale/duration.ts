/**
 * Durations divided by the time scale. Whole milliseconds are Prometheus' finest unit, so a scale is
 * accepted only when every whole minute divides into whole milliseconds (N divides 60000); durations
 * with odd seconds (the "just under" windows such as 5h59m59s) round to the nearest millisecond, never
 * to zero — they only exist to exclude one boundary sample, which a sub-millisecond shift cannot change.
 */
import { parseDuration } from '../../model/duration.js';

/** The largest scale: the shortest window obs generates (5m) becomes 1s, scraped every 250ms. */
export const MAX_TIME_SCALE = 300;

export class TimeScaleError extends Error {}

/** Throws a one-line error unless `scale` is a whole number from 1 to MAX_TIME_SCALE that divides 60000. */
export function checkTimeScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_TIME_SCALE || 60_000 % scale !== 0) {
    throw new TimeScaleError(
      `--time-scale must be a whole number from 1 to ${MAX_TIME_SCALE} that divides 60000 (e.g. 10, 60, 120), so that every minute scales to whole milliseconds; got ${Number.isNaN(scale) ? 'not a number' : scale}`,
    );
  }
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Whole milliseconds as Prometheus writes them: 1074983 → 17m54s983ms. */
export function formatMilliseconds(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount > 0) out += `${amount}${unit}`;
    rest -= amount * size;
  }
  return out;
}

/** A duration in milliseconds divided by `scale`: whole milliseconds, at least 1 for a non-zero one. */
export function scaleMilliseconds(ms: number, scale: number): number {
  if (ms === 0) return 0;
  return Math.max(1, Math.round(ms / scale));
}

/** `5m` → `5s` at scale 60. Throws on text that is not a Prometheus duration (names `where`). */
export function scaleDuration(text: string, scale: number, where: string): string {
  const seconds = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  if (seconds === undefined) throw new TimeScaleError(`${where}: "${text}" is not a duration`);
  return formatMilliseconds(scaleMilliseconds(Math.round(seconds * 1000), scale));
}

/** Milliseconds of a duration text (for "what scrape interval does this need"). */
export function durationMs(text: string): number {
  return Math.round((parseDuration(text) ?? Number(text)) * 1000);
}
