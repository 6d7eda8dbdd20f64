// Alert timing of obs's SLO rules and of Sloth-shaped rules against the exact multiwindow model, on
// Sloth's getting-started SLO (99.9% over 30d) with promtool's rule engine at 1-minute steps.
// Traffic: 100 req/s with 0.05% background errors; each scenario starts after enough healthy history
// for every window it involves. Run with `npm run bench:rule-timing` (builds first); about 5 minutes.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { generate } from '../../dist/index.js';
import { modelFiring } from '../../dist/generate/prometheus/simulate.js';
import { slothGroups } from './sloth-shaped.mjs';

const exec = promisify(execFile);
// 100 req/s: every per-minute count below is a whole number, so promtool's expanded counters never dip
// by float noise (which rate() would read as a counter reset).
const PER_MINUTE = 6000;
const BACKGROUND = 0.0005;
const errors = 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))';
const total = 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))';

const result = generate({
  service: { name: 'myservice' },
  slos: { 'requests-availability': { objective: 99.9, period: '30d', sli: { ratio: { errors: errors.replace('{{.window}}', '$window'), total: total.replace('{{.window}}', '$window') } } } },
});
const obsRules = parse(result.files.find((f) => f.path === 'rules/myservice-slo-requests-availability.rules.yml').text);
const slo = (await import('../../dist/index.js')).resolveModel('bench', [
  { config: (await import('../../dist/index.js')).validateConfig({ service: { name: 'myservice' }, slos: { 'requests-availability': { objective: 99.9, period: '30d', sli: { http: {} } } } }, 'bench') },
]).slos[0];
const slothRules = { groups: slothGroups({ service: 'myservice', slo: 'requests-availability', errors, total, objective: 99.9 }) };

const H = 60;
const DAY = 1440;
const SCENARIOS = [
  { name: '100% errors for 60 min', severity: 'page', leadIn: 6 * H, phases: [[60, 1]], after: 60 },
  { name: '20× burn', severity: 'page', leadIn: 6 * H, phases: [[120, 0.02]], after: 60 },
  { name: '10× burn', severity: 'page', leadIn: 6 * H, phases: [[5 * H, 0.01]], after: 60 },
  { name: '2× burn', severity: 'ticket', leadIn: 3 * DAY, phases: [[36 * H, 0.002]], after: 6 * H },
  { name: '2× burn', severity: 'page', leadIn: 6 * H, phases: [[36 * H, 0.002]], after: 60 },
  { name: '0.9× burn', severity: 'ticket', leadIn: 3 * DAY, phases: [[36 * H, 0.0009]], after: 60 },
  { name: '5-minute 100% spike', severity: 'page', leadIn: 6 * H, phases: [[5, 1]], after: 60 },
];

function counter(phases, share) {
  let value = 0;
  const parts = ['0'];
  for (const [minutes, bad] of phases) {
    const step = PER_MINUTE * share(bad);
    parts.push(`${value + step}+${step}x${minutes - 1}`);
    value += step * minutes;
  }
  return parts.join(' ');
}

/** Firing minutes of ALERTS for one severity, read from promtool's failures of "expect nothing" checks. */
async function firingMinutes(dir, name, rules, scenario, matcher) {
  const phases = [[scenario.leadIn, BACKGROUND], ...scenario.phases, [scenario.after, BACKGROUND]];
  const end = phases.reduce((s, [m]) => s + m, 0);
  const from = scenario.leadIn - 10;
  writeFileSync(join(dir, `${name}.rules.yml`), stringify(rules));
  const test = {
    rule_files: [`${name}.rules.yml`],
    evaluation_interval: '1m',
    group_eval_order: rules.groups.map((g) => g.name),
    tests: [
      {
        interval: '1m',
        input_series: [
          { series: 'http_request_duration_seconds_count{job="myservice",code="500"}', values: counter(phases, (b) => b) },
          { series: 'http_request_duration_seconds_count{job="myservice",code="200"}', values: counter(phases, (b) => 1 - b) },
        ],
        promql_expr_test: Array.from({ length: end - from }, (_, i) => ({ expr: `ALERTS{alertstate="firing",${matcher}}`, eval_time: `${from + i}m`, exp_samples: [] })),
      },
    ],
  };
  const file = join(dir, `${name}.test.yml`);
  writeFileSync(file, stringify(test));
  const out = await exec('promtool', ['test', 'rules', file], { maxBuffer: 1 << 28 }).then((r) => r.stdout + r.stderr, (e) => e.stdout + e.stderr);
  const minutes = new Set([...out.matchAll(/time: (?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?,/g)].map((m) => Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)));
  return [...minutes].sort((a, b) => a - b);
}

const fmt = (m) => (m === undefined ? '—' : m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m`);

function summary(scenario, firing) {
  const onset = scenario.leadIn;
  const stop = onset + scenario.phases.reduce((s, [m]) => s + m, 0);
  const first = firing.find((m) => m >= onset);
  if (first === undefined) return { text: 'never fires' };
  let last = first;
  while (firing.includes(last + 1)) last++;
  if (scenario.name.includes('spike')) return { text: `fires ${last - first + 1} min` };
  return { text: `${fmt(first - onset)} / ${fmt(last + 1 - stop)}`, detect: first - onset, reset: last + 1 - stop };
}

const dir = mkdtempSync(join(tmpdir(), 'obs-timing-'));
const rows = await Promise.all(
  SCENARIOS.map(async (scenario, i) => {
    const windows = slo.windows.filter((w) => w.severity === scenario.severity);
    const phases = [{ minutes: scenario.leadIn, badFraction: BACKGROUND }, ...scenario.phases.map(([minutes, badFraction]) => ({ minutes, badFraction })), { minutes: scenario.after, badFraction: BACKGROUND }];
    const model = modelFiring(slo, phases, windows).flatMap((f, m) => (f ? [m] : []));
    const sloth = await firingMinutes(dir, `sloth-${i}`, slothRules, scenario, `sloth_severity="${scenario.severity}"`);
    const longs = windows.map((w) => (w.long % 86400 === 0 ? `${w.long / 86400}d` : `${w.long / 3600}h`)).join('|');
    const obs = await firingMinutes(dir, `obs-${i}`, obsRules, scenario, `long_window=~"${longs}"`);
    return { scenario, sloth: summary(scenario, sloth), obs: summary(scenario, obs), model: summary(scenario, model) };
  }),
);
console.log('| scenario | alert | Sloth-shaped detect / reset | obs detect / reset | exact model detect / reset |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.scenario.name} | ${r.scenario.severity} | ${r.sloth.text} | ${r.obs.text} | ${r.model.text} |`);
const timed = rows.filter((r) => r.model.detect !== undefined);
const worst = Math.max(0, ...timed.map((r) => Math.max(Math.abs(r.obs.detect - r.model.detect), Math.abs(r.obs.reset - r.model.reset))));
const agree = rows.every((r) => r.obs.text === r.model.text || r.model.detect !== undefined);
console.log(`\nobs vs model: detect and reset at most ${worst} minute(s) apart; silent and spike rows ${agree ? 'agree' : 'DIFFER'} (1-minute steps)`);
