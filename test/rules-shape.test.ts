import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { PrometheusRuleFile } from '../src/generate/prometheus/rule-types.js';
import type { PromtoolTestFile } from '../src/generate/prometheus/slo-tests.js';
import { GOLDEN_CASES } from './cases.js';
import { listFiles, ROOT } from './helpers.js';
import { parseDuration } from '../src/model/duration.js';

const BUNDLES = [join(ROOT, 'rules'), ...GOLDEN_CASES.map((c) => join(c.golden, 'rules'))];
const files = (suffix: string) =>
  BUNDLES.flatMap((dir) => listFiles(dir).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f)));
/** rules/<service>-slo-<slo>.rules.yml: one per SLO. */
const sloRuleFiles = () => files('.rules.yml').filter((f) => /\/rules\/[^/]+-slo-[^/]+\.rules\.yml$/.test(f));

/** Raw series are read over at most this range by any rule (README: no rule reads days of raw series). */
const RAW_RANGE_LIMIT = 6 * 3_600;

/** Every `metric{…}[range]` in an expression. */
function ranges(expr: string): { metric: string; seconds: number }[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\[([0-9a-z]+)\]/g)].map((m) => ({ metric: m[1]!, seconds: parseDuration(m[2]!)! }));
}

describe('generated rules', () => {
  it('finds one SLO rule file per SLO', () => expect(sloRuleFiles().length).toBeGreaterThan(20));

  it.each(sloRuleFiles())('%s holds its SLO\'s window group then a 5m period group, recordings before alerts', (file) => {
    const rules = parse(readFileSync(file, 'utf8')) as PrometheusRuleFile;
    expect(rules.groups.length).toBe(2);
    for (let i = 0; i < rules.groups.length; i += 2) {
      const [windows, period] = [rules.groups[i]!, rules.groups[i + 1]!];
      expect(period.name).toBe(`${windows.name}-period`);
      expect(windows.interval).toBeUndefined();
      expect(period.interval).toBe('5m');
      expect(period.rules.every((r) => 'record' in r)).toBe(true);
      const recordings = windows.rules.filter((r) => 'record' in r).map((r) => (r as { record: string }).record);
      // Per alert window: bad and all events per second and their ratio, plus the current burn rate.
      const ratios = recordings.filter((r) => r.startsWith('slo:sli_error:ratio_rate'));
      expect(ratios.length).toBeGreaterThanOrEqual(4);
      for (const ratio of ratios) {
        const window = ratio.slice('slo:sli_error:ratio_rate'.length);
        expect(recordings).toContain(`slo:sli_errors:rate${window}`);
        expect(recordings).toContain(`slo:sli_total:rate${window}`);
      }
      expect(new Set(recordings).size).toBe(recordings.length);
      // Recordings come before the alerts that read them, so one evaluation sees fresh values.
      const firstAlert = windows.rules.findIndex((r) => 'alert' in r);
      if (firstAlert >= 0) expect(windows.rules.slice(firstAlert).every((r) => 'alert' in r)).toBe(true);
    }
  });

  it.each(sloRuleFiles())('%s reads raw series over 6h at most, and over 5m in the period group', (file) => {
    const rules = parse(readFileSync(file, 'utf8')) as PrometheusRuleFile;
    for (const group of rules.groups) {
      const limit = group.interval === undefined ? RAW_RANGE_LIMIT : 300;
      for (const rule of group.rules) {
        const raw = ranges(rule.expr).filter((r) => !r.metric.startsWith('slo:'));
        for (const r of raw) expect(r.seconds, `${group.name}: ${rule.expr}`).toBeLessThanOrEqual(limit);
      }
    }
  });

  it.each(files('.yml'))('%s has no float noise and no timestamps', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\d\.\d*(0{6,}|9{6,})\d/);
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  it.each(BUNDLES)('%s tests every SLO it can: outage, recovery, 20× burn, slow burn, healthy days', (dir) => {
    const testFiles = listFiles(dir).filter((f) => /-slo-.*\.test\.yml$/.test(f));
    const bySlo = new Map<string, string[]>();
    for (const file of testFiles) {
      const tests = parse(readFileSync(join(dir, file), 'utf8')) as PromtoolTestFile;
      const rules = parse(readFileSync(join(dir, tests.rule_files[0]!), 'utf8')) as PrometheusRuleFile;
      expect(tests.group_eval_order).toEqual(rules.groups.map((g) => g.name));
      // Timing tests evaluate every minute; the days-long ones every 15 minutes.
      expect(tests.evaluation_interval).toBe(file.endsWith('.days.test.yml') ? '15m' : '1m');
      const slo = file.replace(/^.*-slo-/, '').replace(/(\.days)?\.test\.yml$/, '');
      for (const t of tests.tests) {
        expect(t.name.startsWith(`${slo}: `), `${file}: ${t.name}`).toBe(true);
        bySlo.set(slo, [...(bySlo.get(slo) ?? []), t.name]);
      }
    }
    expect(bySlo.size).toBeGreaterThan(0);
    for (const names of bySlo.values()) {
      const own = names.join('\n');
      expect(own).toMatch(/healthy traffic .* is silent for 3 days/);
      expect(own).toMatch(/a slow burn .* (opens a ticket .* and )?does not page/);
      if (/an outage \(100% errors\) pages/.test(own)) {
        expect(own).toMatch(/an outage \(100% errors\) pages \d+ minutes? in, within one evaluation of the exact model/);
        expect(own).toMatch(/the page resets \d+ minutes? after recovery, within one evaluation of the exact model/);
      }
    }
  });
});
