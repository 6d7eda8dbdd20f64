/** Numbers as panel descriptions print them (same wording as the alerts' descriptions). */
import { formatDuration, formatNumber } from '../../model/duration.js';

/** 0.01 → '1%'. */
export function percent(ratio: number): string {
  return `${formatNumber(ratio * 100)}%`;
}

/** 2 → '2s', 0.5 → '500ms', 1209600 → '14d'. */
export function seconds(value: number): string {
  if (value < 1) return `${formatNumber(value * 1000)}ms`;
  return Number.isInteger(value) && value >= 60 ? formatDuration(value) : `${formatNumber(value)}s`;
}

/** 10 → '$10', 10 / 24 → '$0.42'. */
export function usd(value: number): string {
  return `$${Number.isInteger(value) ? value : value.toFixed(2)}`;
}
