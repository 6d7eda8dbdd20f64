/** Durations as Prometheus writes them: 1w, 3d, 1h30m, 500ms. Seconds are our internal unit. */

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|w|d|h|m|s))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g;

/** Parses `5m`, `1h30m`, `0.5s`, `500ms`; returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return roundFloat(seconds);
}

/** Formats whole seconds the way Prometheus prints them, largest unit first: 4032m → 2d19h12m. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  if (!Number.isInteger(seconds)) return `${Math.round(seconds * 1000)}ms`;
  let rest = seconds;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit]!;
    const amount = Math.floor(rest / size);
    if (amount > 0) out += `${amount}${unit}`;
    rest -= amount * size;
  }
  return out;
}

/** Strips binary floating-point noise: 1 - 0.999 → 0.001, never 0.0010000000000000009. */
export function roundFloat(value: number): number {
  // integers below 10^12 are exact already (most counter values): skip the string round trip
  if (Number.isInteger(value) && Math.abs(value) < 1e12) return value;
  return Number(value.toPrecision(12));
}

/** A number as a human writes it in PromQL or YAML. */
export function formatNumber(value: number): string {
  return String(roundFloat(value));
}
