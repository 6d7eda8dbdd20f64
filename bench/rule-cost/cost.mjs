// Rule-evaluation cost of obs's SLO rules against Sloth-shaped rules, side by side in one real
// Prometheus (2.42, 30s evaluation) on the same backfilled history (`promtool tsdb create-blocks-from
// openmetrics`): raw request counters for the last 3 days (the longest window any rule reads raw) and
// each rule set's own recorded series for 30 days, as if both had been running for a month.
// SLOS_PER_CASE SLOs with 2 raw series each, and as many with 24 (4 instances × 3 codes × 2 routes).
// Reads every group's evaluationTime from /api/v1/rules for MEASURE_SECONDS and prints the median cost
// per SLO per 30s cycle (the 5m period group counted at 1/10 of its cost, as it runs 10× less often).
// Also obs's rules before exact windows (obs-before.mjs). Run with `npm run bench:rules` (builds first);
// about 15–20 minutes on a busy 2-core machine, ~500 MB of temporary disk.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify, parse } from 'yaml';
import { generate } from '../../dist/index.js';
import { obsBeforeGroups } from './obs-before.mjs';
import { slothGroups } from './sloth-shaped.mjs';

const exec = promisify(execFile);
const SLOS_PER_CASE = Number(process.env.SLOS_PER_CASE ?? 5);
const MEASURE_SECONDS = Number(process.env.MEASURE_SECONDS ?? 420);
const PORT = Number(process.env.PORT ?? 19191);
const STEP = 30; // scrape and evaluation interval, seconds
const RAW_HISTORY = 3 * 86400 + 3600;
const PERIOD = 30 * 86400;
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;

const CASES = [
  { name: '2 raw series', series: [{ code: '200' }, { code: '500' }] },
  {
    name: '24 raw series',
    series: ['i0', 'i1', 'i2', 'i3'].flatMap((instance) => ['/a', '/b'].flatMap((route) => ['200', '404', '500'].map((code) => ({ instance, route, code })))),
  },
];

const errors = (job) => `sum(rate(http_request_duration_seconds_count{job="${job}",code=~"5.."}[{{.window}}]))`;
const total = (job) => `sum(rate(http_request_duration_seconds_count{job="${job}"}[{{.window}}]))`;

/** Deterministic noise, so values do not compress to nothing as constants would. */
let seed = 42;
const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

const dir = mkdtempSync(join(tmpdir(), 'obs-rule-cost-'));
const out = createWriteStream(join(dir, 'data.om'));
const write = (line) => (out.write(line) ? undefined : new Promise((r) => out.once('drain', r)));
const labelText = (labels) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');

async function series(name, labels, from, step, value) {
  const head = `${name}{${labelText(labels)}} `;
  let chunk = '';
  for (let t = from; t <= now; t += step) {
    chunk += `${head}${value(t)} ${t}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
}

const obsGroups = [];
const slothGroupsAll = [];
const beforeGroups = [];
const slos = [];
for (const [c, kase] of CASES.entries()) {
  for (let i = 0; i < SLOS_PER_CASE; i++) {
    const job = `svc-${c}-${i}`;
    slos.push({ case: kase.name, job });
    // Raw counters: ~10 req/s per SLO spread over the series, 0.1% of it 5xx.
    for (const labels of kase.series) {
      const perSecond = (labels.code === '500' ? 0.01 : 10) / kase.series.length;
      await series('http_request_duration_seconds_count', { job, ...labels }, now - RAW_HISTORY, STEP, (t) => Math.floor((t - (now - RAW_HISTORY)) * perSecond * (1 + 0.1 * noise())));
    }
    // Each rule set's recorded history.
    const sloth = { sloth_id: `${job}-availability`, sloth_service: job, sloth_slo: 'availability', sloth_window: '5m' };
    await series('slo:sli_error:ratio_rate5m', sloth, now - PERIOD, STEP, () => (0.001 * (1 + noise())).toFixed(6));
    const own = { service: job, slo: 'availability' };
    await series('slo:sli_errors:rate5m', own, now - RAW_HISTORY, STEP, () => (0.01 * (1 + noise())).toFixed(6));
    await series('slo:sli_total:rate5m', own, now - RAW_HISTORY, STEP, () => (10 * (1 + noise())).toFixed(6));
    await series('slo:sli_errors:step_rate5m', own, now - PERIOD, 300, () => (0.01 * (1 + noise())).toFixed(6));
    await series('slo:sli_total:step_rate5m', own, now - PERIOD, 300, () => (10 * (1 + noise())).toFixed(6));
    // obs before exact windows: its own 5m rates, recorded every evaluation for the whole period.
    const before = { service: job, slo: 'availability-before' };
    await series('slo:sli_errors:rate5m', before, now - PERIOD, STEP, () => (0.01 * (1 + noise())).toFixed(6));
    await series('slo:sli_total:rate5m', before, now - PERIOD, STEP, () => (10 * (1 + noise())).toFixed(6));

    const generated = generate({ service: { name: job }, slos: { availability: { objective: 99.9, sli: { ratio: { errors: errors(job).replace('{{.window}}', '$window'), total: total(job).replace('{{.window}}', '$window') } } } } });
    obsGroups.push(...parse(generated.files.find((f) => f.path === `rules/${job}-slo-availability.rules.yml`).text).groups);
    slothGroupsAll.push(...slothGroups({ service: job, slo: 'availability', errors: errors(job), total: total(job), objective: 99.9 }));
    beforeGroups.push(...obsBeforeGroups({ service: job, slo: 'availability-before', errors: errors(job), total: total(job), objective: 99.9 }));
  }
}
await write('# EOF\n');
await new Promise((r) => out.end(r));

console.log(`backfilling into ${dir} …`);
await exec('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], { maxBuffer: 1 << 26 });
rmSync(join(dir, 'data.om'));
writeFileSync(join(dir, 'obs.rules.yml'), stringify({ groups: obsGroups }));
writeFileSync(join(dir, 'sloth.rules.yml'), stringify({ groups: slothGroupsAll }));
writeFileSync(join(dir, 'before.rules.yml'), stringify({ groups: beforeGroups }));
writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: `${STEP}s` }, rule_files: ['obs.rules.yml', 'sloth.rules.yml', 'before.rules.yml'] }));

const prometheus = spawn('prometheus', [
  `--config.file=${join(dir, 'prometheus.yml')}`,
  `--storage.tsdb.path=${join(dir, 'tsdb')}`,
  `--web.listen-address=127.0.0.1:${PORT}`,
  '--storage.tsdb.retention.time=60d',
], { stdio: 'ignore' });

const samples = new Map(); // group name → Map(lastEvaluation → seconds)
const deadline = Date.now() + MEASURE_SECONDS * 1000;
try {
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10_000));
    const body = await fetch(`http://127.0.0.1:${PORT}/api/v1/rules`).then((r) => r.json()).catch(() => undefined);
    for (const g of body?.data?.groups ?? []) {
      if (!g.lastEvaluation || g.lastEvaluation.startsWith('0001')) continue;
      if (!samples.has(g.name)) samples.set(g.name, new Map());
      samples.get(g.name).set(g.lastEvaluation, g.evaluationTime);
    }
  }
} finally {
  prometheus.kill('SIGTERM');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const cost = (name) => median(samples.get(name)?.values() ?? []);
console.log(`\nPrometheus 2.42, ${STEP}s evaluation, ${SLOS_PER_CASE} SLOs per case; median ms per SLO per ${STEP}s cycle:\n`);
console.log('| raw series per SLO | obs before | obs (window group) | obs (period group, per cycle) | obs total | Sloth-shaped | obs / Sloth | obs before / Sloth |');
console.log('|---|---|---|---|---|---|---|---|');
for (const kase of CASES) {
  const jobs = slos.filter((s) => s.case === kase.name).map((s) => s.job);
  const sum = (names) => names.reduce((a, n) => a + cost(n), 0) / jobs.length;
  const window = sum(jobs.map((j) => `obs-slo-${j}-availability`)) * 1000;
  const period = (sum(jobs.map((j) => `obs-slo-${j}-availability-period`)) * 1000 * STEP) / 300;
  const sloth = sum(jobs.flatMap((j) => ['sli-recordings', 'meta-recordings', 'alerts'].map((k) => `sloth-slo-${k}-${j}-availability`))) * 1000;
  const before = sum(jobs.map((j) => `obs-before-${j}-availability-before`)) * 1000;
  console.log(`| ${kase.name.split(' ')[0]} | ${before.toFixed(2)} | ${window.toFixed(2)} | ${period.toFixed(3)} | ${(window + period).toFixed(2)} | ${sloth.toFixed(2)} | ${((window + period) / sloth).toFixed(2)} | ${(before / sloth).toFixed(2)} |`);
}
const counts = [...samples].map(([n, m]) => m.size);
console.log(`\n(evaluations observed per group: ${Math.min(...counts)}–${Math.max(...counts)})`);
rmSync(dir, { recursive: true, force: true });
