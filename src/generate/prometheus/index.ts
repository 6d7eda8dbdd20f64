import type { Model, Slo } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import type { PrometheusRuleFile, PrometheusRuleGroup } from './rule-types.js';
import { sloAlertingRules } from './slo-alerts.js';
import { sloRecordingRules } from './slo-rules.js';
import { type PromtoolTestFile, sloTests, TEST_EVALUATION_INTERVAL } from './slo-tests.js';

export type { PrometheusRuleFile, PrometheusRuleGroup } from './rule-types.js';

/**
 * One group per SLO holding its recordings then its alerts: rules in a group run in order, so each
 * alert reads recordings made in the same evaluation (no cross-group lag, no test jitter).
 */
export function sloRuleGroup(slo: Slo): PrometheusRuleGroup {
  return { name: `obs-slo-${slo.service.name}-${slo.name}`, rules: [...sloRecordingRules(slo), ...sloAlertingRules(slo)] };
}

/** rules/<service>-slo.rules.yml and its promtool tests, for every service. */
export function generatePrometheusSlo(model: Model): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const service of model.services) {
    const slos = model.slos.filter((s) => s.service === service);
    const ruleFile = `${service.name}-slo.rules.yml`;
    const groups = slos.map(sloRuleGroup);
    const rules: PrometheusRuleFile = { groups };
    const testsBySlo = slos.map((slo) => ({ slo, tests: sloTests(slo) }));
    const tests: PromtoolTestFile = {
      rule_files: [ruleFile],
      evaluation_interval: TEST_EVALUATION_INTERVAL,
      group_eval_order: groups.map((g) => g.name),
      tests: testsBySlo.flatMap((t) => t.tests),
    };
    const warnings = testsBySlo
      .filter((t) => t.tests.length === 0)
      .map(({ slo }) => `slos.${slo.name}: not unit-tested: obs cannot synthesise input series for its ${slo.sli.kind} query`);
    files.push({ path: `rules/${ruleFile}`, content: rules });
    files.push({ path: `rules/${service.name}-slo.test.yml`, content: tests, ...(warnings.length > 0 && { warnings }) });
  }
  return files;
}
