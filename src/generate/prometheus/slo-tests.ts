import { formatDuration, formatNumber } from '../../model/duration.js';
import { type BurnRateWindow, type Slo, TIME_WEIGHTED_KINDS } from '../../model/types.js';
import { eq, type Matcher, re, selector } from '../../promql/build.js';
import { firingMinutes, firstFiring, type Phase } from './simulate.js';
import { type LeSpelling, sliTestSeries, type TestSeries } from './sli/index.js';

/** The promtool unit-test file format (`promtool test rules`). */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly group_eval_order: readonly string[];
  readonly tests: readonly PromtoolTest[];
}

export interface PromtoolTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { series: string; values: string }[];
  readonly promql_expr_test: readonly { expr: string; eval_time: string; exp_samples: readonly { labels: string; value: number }[] }[];
}

/**
 * Rules are evaluated every 5 minutes in tests (input samples stay 1 minute apart): the long scenarios
 * span days, and promtool's cost grows with the square of the steps. Check times are multiples of it.
 */
const EVALUATION_MINUTES = 5;
export const TEST_EVALUATION_INTERVAL = `${EVALUATION_MINUTES}m`;
/** Events per minute in the synthetic traffic (10 per second). */
const EVENTS_PER_MINUTE = 600;
/** Prometheus trails the ideal maths by up to the 5m rate window and an evaluation or two. */
const MARGIN = 8;
const HEALTHY_LEAD_IN = 60;
const DAY = 1_440;

type Check = PromtoolTest['promql_expr_test'][number];

/**
 * Unit tests for one SLO's rules: an outage pages within minutes, recovery resolves the page, a slow burn
 * opens a ticket without paging, healthy traffic is silent for days, no traffic is not missing data,
 * missing data alerts, and the low-traffic guard holds. Expected times come from the ideal maths
 * (simulate.ts) plus a margin. Returns no tests when the SLI's input cannot be synthesised.
 */
export function sloTests(slo: Slo): PromtoolTest[] {
  const series = (le: LeSpelling) => sliTestSeries(slo, le);
  if (!series('prometheus2')) return [];
  const scenario = new Scenarios(slo, series);
  return [
    scenario.outage(),
    scenario.recovery(),
    scenario.slowBurn(),
    scenario.healthy(),
    scenario.noTraffic(),
    scenario.missingData(),
    scenario.lowTraffic(),
  ].filter((t): t is PromtoolTest => t !== undefined);
}

class Scenarios {
  private readonly page: readonly BurnRateWindow[];
  private readonly ticket: readonly BurnRateWindow[];

  constructor(
    private readonly slo: Slo,
    private readonly series: (le: LeSpelling) => readonly TestSeries[] | undefined,
  ) {
    this.page = slo.alerting.page ? slo.windows.filter((w) => w.severity === 'page') : [];
    this.ticket = slo.alerting.ticket ? slo.windows.filter((w) => w.severity === 'ticket') : [];
  }

  private detection?: { minute: number | undefined };

  /** Minute at which a full outage after a healthy hour first pages, ideally; undefined if it never can. */
  private outageDetection(): number | undefined {
    this.detection ??= { minute: this.computeOutageDetection() };
    return this.detection.minute;
  }

  private computeOutageDetection(): number | undefined {
    if (this.page.length === 0) return undefined;
    const longest = Math.max(...this.page.map((w) => w.long / 60));
    return firstFiring(this.slo, [healthy(HEALTHY_LEAD_IN), outage(longest + 60)], this.page);
  }

  outage(): PromtoolTest | undefined {
    const detected = this.outageDetection();
    if (detected === undefined) return undefined;
    const check = onStep(detected + MARGIN);
    return this.test(`an outage (100% errors) pages within ${check - HEALTHY_LEAD_IN} minutes`, 'prometheus2', [
      healthy(HEALTHY_LEAD_IN),
      outage(check - HEALTHY_LEAD_IN),
    ], [this.expectNone(this.pageAlerts(), HEALTHY_LEAD_IN - EVALUATION_MINUTES), this.expectFiring(this.pageAlerts(), check)]);
  }

  recovery(): PromtoolTest | undefined {
    const detected = this.outageDetection();
    if (detected === undefined) return undefined;
    const outageEnd = onStep(detected + MARGIN);
    const longestShort = Math.max(...this.page.map((w) => w.short / 60));
    const probe = [healthy(HEALTHY_LEAD_IN), outage(outageEnd - HEALTHY_LEAD_IN), healthy(longestShort + 3 * MARGIN)];
    const firing = firingMinutes(this.slo, probe, this.page);
    const resolved = onStep(firing.lastIndexOf(true) + 1 + MARGIN);
    return this.test(`the page resolves within ${resolved - outageEnd} minutes of recovery`, 'prometheus3', [
      healthy(HEALTHY_LEAD_IN),
      outage(outageEnd - HEALTHY_LEAD_IN),
      healthy(resolved - outageEnd),
    ], [this.expectFiring(this.pageAlerts(), outageEnd), this.expectNone(this.pageAlerts(), resolved)]);
  }

  /** Burning faster than any ticket factor and slower than any page factor. */
  slowBurn(): PromtoolTest | undefined {
    const factors = (ws: readonly BurnRateWindow[]) => ws.map((w) => w.factor);
    const pageFloor = this.page.length ? Math.min(...factors(this.page)) : 2 * Math.max(...factors(this.slo.windows));
    const burn = (pageFloor + Math.max(1, ...factors(this.ticket))) / 2;
    const badFraction = burn * this.slo.errorBudget;
    if (badFraction >= 1) return undefined;
    const leadIn = Math.min(DAY, ...this.slo.windows.filter((w) => w.severity === 'ticket').map((w) => w.long / 60));
    const detected = this.ticket.length
      ? firstFiring(this.slo, [healthy(leadIn), { minutes: 5 * DAY, badFraction }], this.ticket)
      : leadIn + 6 * 60;
    if (detected === undefined) return undefined;
    const end = onStep(detected + MARGIN);
    const phases = [healthy(leadIn), { minutes: end - leadIn, badFraction }];
    if (firstFiring(this.slo, phases, this.page) !== undefined) return undefined;
    const checks = [leadIn + 60, onStep((leadIn + end) / 2), end].map((t) => this.expectNone(this.pageAlerts(), t));
    if (this.ticket.length) checks.push(this.expectFiring(this.ticketAlerts(), end));
    const what = this.ticket.length ? 'opens a ticket and does not page' : 'does not page';
    return this.test(`a slow burn (${formatNumber(burn)}× budget) ${what}`, 'prometheus2', phases, checks);
  }

  healthy(): PromtoolTest {
    const days = 3;
    const phases = [{ minutes: days * DAY, badFraction: this.slo.errorBudget / 2 }];
    const checks = [60, DAY, 2 * DAY, days * DAY].map((t) => this.expectNone(this.allAlerts(), t));
    return this.test(`healthy traffic (half the error budget) is silent for ${days} days`, 'prometheus2', phases, checks);
  }

  /** Zero traffic: every series exists and stays flat. Not an outage, and not missing data. */
  noTraffic(): PromtoolTest | undefined {
    if (TIME_WEIGHTED_KINDS.has(this.slo.sli.kind)) return undefined;
    const minutes = onStep(Math.max(HEALTHY_LEAD_IN, (this.slo.alerting.missingDataFor ?? 0) / 60 + 2 * MARGIN));
    return this.test('no traffic raises no alert', 'prometheus2', [healthy(minutes)], [this.expectNone(this.allAlerts(), minutes)], 0);
  }

  missingData(): PromtoolTest | undefined {
    const after = this.slo.alerting.missingDataFor;
    if (after === undefined) return undefined;
    const check = onStep(after / 60 + MARGIN);
    return {
      name: `${this.slo.name}: missing data alerts after ${formatDuration(after)}`,
      interval: '1m',
      input_series: [{ series: 'up{job="unrelated"}', values: `1x${check}` }],
      promql_expr_test: [this.expectFiring([eq('alertname', this.slo.alerting.missingDataName)], check)],
    };
  }

  /** An outage among fewer events than the guard asks for must not page. */
  lowTraffic(): PromtoolTest | undefined {
    const minEvents = this.slo.alerting.minEvents;
    const detected = this.outageDetection();
    if (minEvents === undefined || detected === undefined) return undefined;
    const longest = Math.max(...this.page.map((w) => w.long / 60));
    const perMinute = minEvents / (2 * longest);
    const check = onStep(detected + MARGIN);
    return this.test(
      `an outage with fewer than ${minEvents} events does not page (low-traffic guard)`,
      'prometheus2',
      [healthy(HEALTHY_LEAD_IN), outage(check - HEALTHY_LEAD_IN)],
      [this.expectNone(this.pageAlerts(), check)],
      perMinute,
    );
  }


  private test(name: string, le: LeSpelling, phases: readonly Phase[], checks: Check[], perMinute = EVENTS_PER_MINUTE): PromtoolTest {
    return {
      name: `${this.slo.name}: ${name}`,
      interval: '1m',
      input_series: this.series(le)!.map((s) => ({ series: s.series, values: counterValues(s, phases, perMinute) })),
      promql_expr_test: checks,
    };
  }

  private sloMatchers(): Matcher[] {
    return [eq('service', this.slo.service.name), eq('slo', this.slo.name)];
  }

  private allAlerts(): Matcher[] {
    return [];
  }

  private pageAlerts(): Matcher[] {
    return this.byWindow(this.page);
  }

  private ticketAlerts(): Matcher[] {
    return this.byWindow(this.ticket);
  }

  /** Page and ticket alerts share a name; their long windows tell them apart whatever the severity labels. */
  private byWindow(windows: readonly BurnRateWindow[]): Matcher[] {
    const longs = [...new Set(windows.map((w) => formatDuration(w.long)))];
    return [eq('alertname', this.slo.alerting.name), re('long_window', longs.join('|'))];
  }

  private expectFiring(matchers: Matcher[], minute: number): Check {
    const alerts = selector('ALERTS', [...matchers, ...this.sloMatchers(), eq('alertstate', 'firing')]);
    return { expr: `max(${alerts})`, eval_time: `${minute}m`, exp_samples: [{ labels: '{}', value: 1 }] };
  }

  private expectNone(matchers: Matcher[], minute: number): Check {
    return { expr: selector('ALERTS', [...matchers, ...this.sloMatchers()]), eval_time: `${minute}m`, exp_samples: [] };
  }
}

/** The first evaluation at or after `minute`. */
const onStep = (minute: number) => Math.ceil(minute / EVALUATION_MINUTES) * EVALUATION_MINUTES;
const healthy = (minutes: number): Phase => ({ minutes, badFraction: 0 });
const outage = (minutes: number): Phase => ({ minutes, badFraction: 1 });

/** A counter in promtool's expanding notation: 0, then per phase `start+step x count`. */
function counterValues(series: TestSeries, phases: readonly Phase[], perMinute: number): string {
  let value = 0;
  const parts = ['0'];
  for (const { minutes, badFraction } of phases) {
    const share = series.role === 'total' ? 1 : series.role === 'bad' ? badFraction : 1 - badFraction;
    const step = perMinute * share;
    parts.push(`${formatNumber(value + step)}+${formatNumber(step)}x${minutes - 1}`);
    value += step * minutes;
  }
  return parts.join(' ');
}
