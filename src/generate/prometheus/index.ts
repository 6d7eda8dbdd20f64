import type { Model, Slo } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import type { PrometheusRuleFile, PrometheusRuleGroup } from './rule-types.js';
import { remembered } from '../remembered.js';
import { sloAlertingRules } from './slo-alerts.js';
import { yamlText } from './yaml-text.js';
import { sloPeriodRules, sloRecordingRules } from './slo-rules.js';
import { formatDuration } from '../../model/duration.js';
import { PERIOD_STEP } from '../../model/windows.js';
import { DAYS_EVALUATION_MINUTES, type PromtoolTest, type PromtoolTestFile, sloTests, TIMING_EVALUATION_MINUTES } from './slo-tests.js';

export type { PrometheusRuleFile, PrometheusRuleGroup } from './rule-types.js';

/**
 * Two groups per SLO. The first holds the window recordings then the alerts: rules in a group run in
 * order, so each alert reads recordings made in the same evaluation (no cross-group lag, no test
 * jitter). The second records the period SLI every 5m; nothing in the first group depends on it.
 */
export function sloRuleGroups(slo: Slo): readonly PrometheusRuleGroup[] {
  return remembered(ruleGroups, slo, buildRuleGroups);
}

const ruleGroups = new WeakMap<Slo, readonly PrometheusRuleGroup[]>();

function buildRuleGroups(slo: Slo): PrometheusRuleGroup[] {
  const name = `obs-slo-${slo.service.name}-${slo.name}`;
  return [
    { name, rules: [...sloRecordingRules(slo), ...sloAlertingRules(slo)] },
    { name: `${name}-period`, interval: formatDuration(PERIOD_STEP), rules: sloPeriodRules(slo) },
  ];
}

/**
 * rules/<service>-slo.rules.yml for every service, and per SLO two promtool test files that can run in
 * parallel: rules/<service>-slo-<slo>.test.yml (alert timing, evaluated every minute) and
 * rules/<service>-slo-<slo>.days.test.yml (scenarios that span days, evaluated every 5 minutes).
 */
export function generatePrometheusSlo(model: Model): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const service of model.services) {
    const slos = model.slos.filter((s) => s.service === service);
    const ruleFile = `${service.name}-slo.rules.yml`;
    const groups = slos.flatMap(sloRuleGroups);
    const rules: PrometheusRuleFile = { groups };
    const warnings: string[] = [];
    const testFiles: GeneratedFile[] = [];
    for (const slo of slos) {
      const { timing, days } = sloTests(slo);
      if (timing.length + days.length === 0) {
        warnings.push(`slos.${slo.name}: not unit-tested: obs cannot synthesise input series for its ${slo.sli.kind} query`);
        continue;
      }
      const base = `rules/${service.name}-slo-${slo.name}`;
      if (timing.length > 0) testFiles.push({ path: `${base}.test.yml`, content: testFile(ruleFile, groups, timing, TIMING_EVALUATION_MINUTES) });
      if (days.length > 0) testFiles.push({ path: `${base}.days.test.yml`, content: testFile(ruleFile, groups, days, DAYS_EVALUATION_MINUTES) });
    }
    files.push({ path: `rules/${ruleFile}`, content: yamlText(rules as never), ...(warnings.length > 0 && { warnings }) }, ...testFiles);
  }
  return files;
}

function testFile(ruleFile: string, groups: readonly PrometheusRuleGroup[], tests: PromtoolTest[], everyMinutes: number): string {
  const file: PromtoolTestFile = { rule_files: [ruleFile], evaluation_interval: `${everyMinutes}m`, group_eval_order: groups.map((g) => g.name), tests };
  return yamlText(file as never);
}
