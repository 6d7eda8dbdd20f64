/**
 * A test-only stage after generateBundle: the bundle with every SLO period, burn-rate window, `for`,
 * rule-group interval and PromQL duration N times shorter, Alertmanager's grouping timers likewise, and
 * Prometheus scraping and evaluating often enough for the shortest scaled window. With N = 60 an hour
 * of alerting plays out in a minute: an end-to-end test sees a page, a ticket and a resolution in
 * minutes. Never for production: every scaled file says so in its first lines.
 *
 * What does not scale: wall-clock PromQL (`time()`, `day_of_month()`, `days_in_month()`, …) and the
 * numeric second constants compared with it (the monthly projection's 86400, a certificate's 14 days in
 * seconds, a backup's RPO), maintenance windows (calendar times), label values naming a window
 * (`long_window: 1h` stays the window's name) and annotation text. Loki (LogQL) rules and dashboards are
 * left as generated. Numbers in SLO rules that are window lengths in seconds do scale: the low-traffic
 * guard's `rate14m * 840 >= 50` counts events in the window, and the long-window averages' weights
 * (`* 21600 … / 86400`) scale together (see ScaleOptions.windowSeconds). Tests of alerts that read the
 * wall clock are left out of the scaled promtool files (each file lists them).
 */
import { parse } from 'yaml';
import { Document } from 'yaml';
import type { GeneratedFile } from '../types.js';
import { checkTimeScale } from './duration.js';
import { scaleAlertmanager, scalePrometheusConfig, scrapeIntervalFor } from './configs.js';
import { newNotes, scalePromtoolTests, scaleRuleGroups, type ScaleNotes } from './rules.js';

export { checkTimeScale, MAX_TIME_SCALE, TimeScaleError } from './duration.js';

export interface TimeScaledBundle {
  readonly files: GeneratedFile[];
  /** The scrape and evaluation interval the scaled bundle needs (written into its prometheus.yml). */
  readonly scrapeInterval: string;
  /** Wall-clock PromQL functions left unscaled → the rules that call them. */
  readonly calendar: ReadonlyMap<string, ReadonlySet<string>>;
  /** Promtool tests left out of the scaled test files (their alerts read the wall clock), by file. */
  readonly droppedTests: ReadonlyMap<string, readonly string[]>;
}

type Obj = Record<string, unknown>;
type Kind = 'rules' | 'tests' | 'prometheusRule' | 'alertmanager' | 'prometheus';

function kindOf(path: string): Kind | undefined {
  if (path.startsWith('rules/loki/')) return undefined; // LogQL: left as generated
  if (/^rules\/.*\.test\.yml$/.test(path)) return 'tests';
  if (/^rules\/.*\.rules\.yml$/.test(path) || /^rules\/mimir\/.*\.ya?ml$/.test(path)) return 'rules';
  if (/^kubernetes\/prometheusrule-.*\.yaml$/.test(path)) return 'prometheusRule';
  if (path === 'compose/alertmanager/alertmanager.yml') return 'alertmanager';
  if (path === 'compose/prometheus/prometheus.yml') return 'prometheus';
  return undefined;
}

/** The header line every scaled file carries, so no one mistakes it for the production bundle. */
export function timeScaleHeader(scale: number, scrapeInterval: string): string {
  return `# TIME-SCALED ${scale}x FOR TESTS ONLY (obs generate --time-scale ${scale}): every window, period, for and interval is ${scale} times shorter; scrape every ${scrapeInterval} or faster. Never deploy this file.\n`;
}

/** `files` (as generateBundle returns them) time-scaled by `scale`; throws TimeScaleError on a bad scale. */
export function timeScaleBundle(files: readonly GeneratedFile[], scale: number): TimeScaledBundle {
  checkTimeScale(scale);
  const notes: ScaleNotes = newNotes();
  const scaled = new Map<string, Obj>();
  const dropped = new Map<string, string[]>();
  // Rules before tests: a test of an alert that reads the wall clock is left out of the scaled tests.
  const ordered = [...files].sort((a, b) => Number(kindOf(a.path) === 'tests') - Number(kindOf(b.path) === 'tests'));
  for (const file of ordered) {
    const kind = kindOf(file.path);
    if (kind === undefined || kind === 'prometheus') continue;
    const content = (typeof file.content === 'string' ? parse(file.content) : file.content) as Obj;
    if (kind === 'rules') scaled.set(file.path, scaleRuleGroups(content, scale, file.path, notes));
    else if (kind === 'tests') {
      const tests = scalePromtoolTests(content, scale, file.path, notes);
      scaled.set(file.path, tests.content);
      if (tests.dropped.length > 0) dropped.set(file.path, tests.dropped);
    } else if (kind === 'alertmanager') scaled.set(file.path, scaleAlertmanager(content, scale, file.path));
    else {
      const spec = scaleRuleGroups(content.spec as Obj, scale, file.path, notes);
      scaled.set(file.path, { ...content, spec });
    }
  }
  const scrapeInterval = scrapeIntervalFor(notes.shortestRangeMs ?? 300_000 / scale);
  const header = timeScaleHeader(scale, scrapeInterval);
  const out = files.map((file): GeneratedFile => {
    const kind = kindOf(file.path);
    if (kind === 'prometheus') {
      const content = (typeof file.content === 'string' ? parse(file.content) : file.content) as Obj;
      scaled.set(file.path, scalePrometheusConfig(content, scrapeInterval));
    }
    const content = scaled.get(file.path);
    if (content === undefined) return file;
    const left = (dropped.get(file.path) ?? []).map((name) => `# Left out (the alert reads the wall clock, which does not scale): ${name}\n`).join('');
    const text = header + left + new Document(content, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 });
    return { ...file, content: text };
  });
  return { files: out, scrapeInterval, calendar: notes.calendar, droppedTests: dropped };
}
