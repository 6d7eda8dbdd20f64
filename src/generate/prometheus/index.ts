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
 * Per SLO, its own rule file and two promtool test files that can run in parallel:
 * rules/<service>-slo-<slo>.rules.yml (its two groups), rules/<service>-slo-<slo>.test.yml (alert timing,
 * evaluated every minute) and rules/<service>-slo-<slo>.days.test.yml (scenarios that span days, evaluated
 * every 5 minutes). promtool evaluates every group of the rule files a test names: one file per SLO keeps
 * each test's cost independent of how many SLOs the service has.
 */
export function generatePrometheusSlo(model: Model): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const slo of model.slos) {
    const base = `${slo.service.name}-slo-${slo.name}`;
    const ruleFile = `${base}.rules.yml`;
    const groups = sloRuleGroups(slo);
    const rules: PrometheusRuleFile = { groups };
    const { timing, days } = sloTests(slo);
    const warnings =
      timing.length + days.length === 0
        ? [`slos.${slo.name}: not unit-tested: obs cannot synthesise input series for its ${slo.sli.kind} query`]
        : [];
    files.push({ path: `rules/${ruleFile}`, content: yamlText(rules as never), ...(warnings.length > 0 && { warnings }) });
    if (timing.length > 0) files.push({ path: `rules/${base}.test.yml`, content: testFile(ruleFile, groups, timing, TIMING_EVALUATION_MINUTES) });
    if (days.length > 0) files.push({ path: `rules/${base}.days.test.yml`, content: testFile(ruleFile, groups, days, DAYS_EVALUATION_MINUTES) });
  }
  return files;
}

function testFile(ruleFile: string, groups: readonly PrometheusRuleGroup[], tests: PromtoolTest[], everyMinutes: number): string {
  const file: PromtoolTestFile = { rule_files: [ruleFile], evaluation_interval: `${everyMinutes}m`, group_eval_order: groups.map((g) => g.name), tests };
  return yamlText(file as never);
}
