import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { PrometheusRuleFile } from '../src/generate/prometheus/rule-types.js';
import type { PromtoolTestFile } from '../src/generate/prometheus/slo-tests.js';
import { GOLDEN_CASES } from './cases.js';
import { listFiles, ROOT } from './helpers.js';

const BUNDLES = [join(ROOT, 'rules'), ...GOLDEN_CASES.map((c) => join(c.golden, 'rules'))];
const files = (suffix: string) =>
  BUNDLES.flatMap((dir) => listFiles(dir).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f)));

/** As stated in the README: recording rules per SLO. */
const RECORDINGS_PER_SLO = 15;

describe('generated rules', () => {
  it.each(files('.rules.yml'))('%s has one group per SLO with at most 16 recording rules', (file) => {
    const rules = parse(readFileSync(file, 'utf8')) as PrometheusRuleFile;
    for (const group of rules.groups) {
      const recordings = group.rules.filter((r) => 'record' in r);
      expect(recordings.length).toBe(RECORDINGS_PER_SLO);
      expect(recordings.length).toBeLessThanOrEqual(16);
      // Recordings come before the alerts that read them, so one evaluation sees fresh values.
      const firstAlert = group.rules.findIndex((r) => 'alert' in r);
      if (firstAlert >= 0) expect(group.rules.slice(firstAlert).every((r) => 'alert' in r)).toBe(true);
    }
  });

  it.each(files('.yml'))('%s has no float noise and no timestamps', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\d\.\d*(0{6,}|9{6,})\d/);
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
  });

  it.each(files('.test.yml'))('%s tests every SLO it can: outage, recovery, slow burn, healthy days', (file) => {
    const tests = parse(readFileSync(file, 'utf8')) as PromtoolTestFile;
    const rules = parse(readFileSync(join(file, '..', tests.rule_files[0]!), 'utf8')) as PrometheusRuleFile;
    expect(tests.group_eval_order).toEqual(rules.groups.map((g) => g.name));
    const names = tests.tests.map((t) => t.name);
    for (const slo of new Set(names.map((n) => n.split(':')[0]))) {
      const own = names.filter((n) => n.startsWith(`${slo}:`)).join('\n');
      expect(own).toMatch(/healthy traffic .* is silent for 3 days/);
      if (/an outage \(100% errors\) pages/.test(own)) expect(own).toMatch(/the page resolves within \d+ minutes of recovery/);
      expect(own).toMatch(/a slow burn .* (opens a ticket and )?does not page/);
    }
  });
});
