import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { sloRuleGroups } from '../../src/generate/prometheus/index.js';
import { yamlText } from '../../src/generate/prometheus/yaml-text.js';
import { sloTests, type PromtoolTestFile } from '../../src/generate/prometheus/slo-tests.js';
import { resolveModel } from '../../src/model/resolve.js';
import { validateConfig } from '../../src/spec/validate.js';

/** The hand-written YAML of SLO rule and promtool test files must read back as exactly what was generated. */
describe('SLO files rendered without the YAML library', () => {
  it('reads back identical for every scenario of every SLI kind', () => {
    const config = validateConfig(
      {
        service: { name: 'svc' },
        slos: {
          a: { objective: 99.9, sli: { http: { routes: ['/v1/chat: "x"'], errorStatus: ['5xx', '429'] } } },
          b: { objective: 99, period: '7d', sli: { httpLatency: { threshold: '1s' } }, alerting: { minEvents: 100 } },
          c: { objective: 99.5, period: '90d', sli: { ratio: { errors: 'sum(rate(x_total{code=~"5.."}[$window]))', total: 'sum(rate(x_total[$window]))' } } },
        },
      } as never,
      'obs.yaml',
    );
    for (const slo of resolveModel('obs.yaml', [{ config }]).slos) {
      const rules = { groups: sloRuleGroups(slo) };
      expect(parse(yamlText(rules as never))).toEqual(JSON.parse(JSON.stringify(rules)));
      const { timing, days } = sloTests(slo);
      for (const tests of [timing, days]) {
        const file: PromtoolTestFile = { rule_files: ['svc-slo.rules.yml'], evaluation_interval: '1m', group_eval_order: ['g-1', 'yes'], tests };
        expect(parse(yamlText(file as never))).toEqual(JSON.parse(JSON.stringify(file)));
      }
    }
  });

  it('quotes what YAML would misread', () => {
    const file: PromtoolTestFile = { rule_files: ['true'], evaluation_interval: '1m', group_eval_order: ['1.5', 'a: b', '#x', '{}', 'x #y', '-1', '.inf', '0x1f', 'ends:', ' lead', 'ok: fine?'], tests: [] };
    expect(parse(yamlText(file as never))).toEqual(file);
  });
});
