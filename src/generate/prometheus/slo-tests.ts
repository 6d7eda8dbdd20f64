import { formatDuration, formatNumber } from '../../model/duration.js';
import { type BurnRateWindow, type Slo, TIME_WEIGHTED_KINDS } from '../../model/types.js';
import { eq, type Matcher, re, selector } from '../../promql/build.js';
import { modelFires, modelResets, type Phase } from './simulate.js';
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
 * Timing tests evaluate the rules every minute, as often as input samples arrive, so every check is
 * tight: an alert fires within one evaluation of the exact model and never one evaluation before it.
 * Tests that span days evaluate every 15 minutes (in a file of their own): promtool's cost grows with the
 * square of the steps for rules over long ranges.
 */
export const TIMING_EVALUATION_MINUTES = 1;
export const DAYS_EVALUATION_MINUTES = 15;
/** Events per minute in the synthetic traffic (10 per second). */
const EVENTS_PER_MINUTE = 600;
const HEALTHY_LEAD_IN = 60;
/** The outage lasts this long past the model's page in the recovery test, so the page has settled. */
const OUTAGE_PAST_PAGE = 10;
const DAY = 1_440;

type Check = PromtoolTest['promql_expr_test'][number];

/**
 * Unit tests for one SLO's rules, timed against the exact multiwindow model (simulate.ts) computed from
 * the very series each test feeds: an outage pages within one evaluation of the model and not one
 * evaluation before it; the page resets within one evaluation of the model's reset and not before; a
 * 20× burn pages on time; a slow burn opens a ticket on time without paging; healthy traffic is silent
 * for days; no traffic is not missing data; missing data alerts; the low-traffic guard holds.
 * Returns no tests when the SLI's input cannot be synthesised.
 */
export function sloTests(slo: Slo): { timing: PromtoolTest[]; days: PromtoolTest[] } {
  const series = (le: LeSpelling) => sliTestSeries(slo, le);
  if (!series('prometheus2')) return { timing: [], days: [] };
  const minutely = new Scenarios(slo, series, TIMING_EVALUATION_MINUTES);
  const daily = new Scenarios(slo, series, DAYS_EVALUATION_MINUTES);
  const defined = (tests: (PromtoolTest | undefined)[]) => tests.filter((t): t is PromtoolTest => t !== undefined);
  return {
    timing: defined([
      minutely.outage(),
      minutely.recovery(),
      minutely.burn(20),
      minutely.noTraffic(),
      minutely.missingData(),
      minutely.lowTraffic(),
    ]),
    days: defined([daily.slowBurn(), daily.healthy()]),
  };
}

class Scenarios {
  private readonly page: readonly BurnRateWindow[];
  private readonly ticket: readonly BurnRateWindow[];

  constructor(
    private readonly slo: Slo,
    private readonly series: (le: LeSpelling) => readonly TestSeries[] | undefined,
    /** Minutes between rule evaluations in this test file. */
    private readonly every: number,
  ) {
    this.page = slo.alerting.page ? slo.windows.filter((w) => w.severity === 'page') : [];
    this.ticket = slo.alerting.ticket ? slo.windows.filter((w) => w.severity === 'ticket') : [];
  }

  private detection?: { minute: number | undefined };

  /** Minute at which the model pages on a full outage after a healthy hour; undefined if it never can. */
  private outageDetection(): number | undefined {
    this.detection ??= { minute: this.computeOutageDetection() };
    return this.detection.minute;
  }

  private computeOutageDetection(): number | undefined {
    if (this.page.length === 0) return undefined;
    const longest = Math.max(...this.page.map((w) => w.long / 60));
    return modelFires(this.slo, [healthy(HEALTHY_LEAD_IN), outage(longest + 60)], this.page);
  }

  outage(): PromtoolTest | undefined {
    const detected = this.outageDetection();
    if (detected === undefined) return undefined;
    const end = detected + this.every;
    return this.test(
      `an outage (100% errors) pages ${minutes(detected - HEALTHY_LEAD_IN)} in, within one evaluation of the exact model`,
      'prometheus2',
      [healthy(HEALTHY_LEAD_IN), outage(end - HEALTHY_LEAD_IN)],
      this.onTime(this.pageAlerts(), detected),
    );
  }

  recovery(): PromtoolTest | undefined {
    const detected = this.outageDetection();
    if (detected === undefined) return undefined;
    const outageEnd = detected + OUTAGE_PAST_PAGE;
    const longestShort = Math.max(...this.page.map((w) => w.short / 60));
    const probe = [healthy(HEALTHY_LEAD_IN), outage(outageEnd - HEALTHY_LEAD_IN), healthy(2 * longestShort + 60)];
    const reset = modelResets(this.slo, probe, this.page, outageEnd);
    if (reset === undefined) return undefined;
    const end = reset + this.every;
    return this.test(
      `the page resets ${minutes(reset - outageEnd)} after recovery, within one evaluation of the exact model`,
      'prometheus3',
      [healthy(HEALTHY_LEAD_IN), outage(outageEnd - HEALTHY_LEAD_IN), healthy(end - outageEnd)],
      [
        this.expectFiring(this.pageAlerts(), outageEnd),
        // Not reset before the model: still firing at the model's last firing evaluation.
        this.expectFiring(this.pageAlerts(), reset - this.every),
        this.expectNone(this.pageAlerts(), end),
      ],
    );
  }

  /** A steady burn at `factor`× the budget pages within one evaluation of the model. */
  burn(factor: number): PromtoolTest | undefined {
    const badFraction = factor * this.slo.errorBudget;
    if (this.page.length === 0 || badFraction >= 1) return undefined;
    const longest = Math.max(...this.page.map((w) => w.long / 60));
    const phases = [healthy(HEALTHY_LEAD_IN), { minutes: longest + 60, badFraction }];
    const detected = modelFires(this.slo, phases, this.page);
    if (detected === undefined) return undefined;
    const end = detected + this.every;
    return this.test(
      `a ${factor}× burn pages ${minutes(detected - HEALTHY_LEAD_IN)} in, within one evaluation of the exact model`,
      'prometheus2',
      [healthy(HEALTHY_LEAD_IN), { minutes: end - HEALTHY_LEAD_IN, badFraction }],
      this.onTime(this.pageAlerts(), detected),
    );
  }

  /** Burning faster than any ticket factor and slower than any page factor. */
  slowBurn(): PromtoolTest | undefined {
    const factors = (ws: readonly BurnRateWindow[]) => ws.map((w) => w.factor);
    const pageFloor = this.page.length ? Math.min(...factors(this.page)) : 2 * Math.max(...factors(this.slo.windows));
    const burn = (pageFloor + Math.max(1, ...factors(this.ticket))) / 2;
    const badFraction = burn * this.slo.errorBudget;
    if (badFraction >= 1) return undefined;
    // A day of history (or the longest ticket window, if shorter), so every window sees real traffic.
    const leadIn = Math.min(DAY, ...this.ticket.map((w) => w.long / 60));
    const detected = this.ticket.length
      ? modelFires(this.slo, [healthy(leadIn), { minutes: 5 * DAY, badFraction }], this.ticket)
      : leadIn + 6 * 60;
    if (detected === undefined) return undefined;
    const end = this.up(detected + this.every);
    const phases = [healthy(leadIn), { minutes: end - leadIn, badFraction }];
    if (modelFires(this.slo, phases, this.page) !== undefined) return undefined;
    const checks = [leadIn + 60, this.up((leadIn + end) / 2), end].map((t) => this.expectNone(this.pageAlerts(), t));
    if (this.ticket.length) checks.push(...this.onTime(this.ticketAlerts(), detected));
    const what = this.ticket.length ? `opens a ticket ${minutes(detected - leadIn)} in, within one evaluation of the exact model, and does not page` : 'does not page';
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
    const minutes = Math.max(HEALTHY_LEAD_IN, (this.slo.alerting.missingDataFor ?? 0) / 60 + 15);
    return this.test('no traffic raises no alert', 'prometheus2', [healthy(minutes)], [this.expectNone(this.allAlerts(), minutes)], 0);
  }

  missingData(): PromtoolTest | undefined {
    const after = this.slo.alerting.missingDataFor;
    if (after === undefined) return undefined;
    const check = after / 60 + this.every;
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
    const check = detected + 15;
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

  /** Firing one evaluation after the model at the latest, and not one evaluation before it. */
  private onTime(matchers: Matcher[], modelMinute: number): Check[] {
    return [this.expectNone(matchers, this.down(modelMinute - this.every)), this.expectFiring(matchers, this.up(modelMinute + this.every))];
  }

  /** The evaluation at or after `minute`, and the one at or before it. */
  private up(minute: number): number {
    return Math.ceil(minute / this.every) * this.every;
  }

  private down(minute: number): number {
    return Math.floor(minute / this.every) * this.every;
  }

  private expectFiring(matchers: Matcher[], minute: number): Check {
    const alerts = selector('ALERTS', [...matchers, ...this.sloMatchers(), eq('alertstate', 'firing')]);
    return { expr: `max(${alerts})`, eval_time: `${minute}m`, exp_samples: [{ labels: '{}', value: 1 }] };
  }

  private expectNone(matchers: Matcher[], minute: number): Check {
    return { expr: selector('ALERTS', [...matchers, ...this.sloMatchers()]), eval_time: `${minute}m`, exp_samples: [] };
  }
}

const healthy = (minutes: number): Phase => ({ minutes, badFraction: 0 });
const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;
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
