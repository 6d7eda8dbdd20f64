import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateBundle, type GeneratedFile } from '../src/generate/index.js';
import { checkTimeScale, timeScaleBundle, type TimeScaledBundle } from '../src/generate/time-scale/index.js';
import { durationMs, scaleDuration } from '../src/generate/time-scale/duration.js';
import { scalePrometheusConfig, scrapeIntervalFor } from '../src/generate/time-scale/configs.js';
import { scalePromQL } from '../src/generate/time-scale/promql.js';
import { divideValues } from '../src/generate/time-scale/rules.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { renderBundle } from '../src/write/render.js';
import { listFiles, ROOT, runCli, tempDir, promtoolAsync } from './helpers.js';


describe('scalePromQL rewrites every duration on the parse tree', () => {
  const at = (expr: string, scale = 60) => scalePromQL(expr, scale, 'test').expr;

  it('range selectors, subquery ranges and steps, offsets (also negative)', () => {
    expect(at('rate(x[5m])')).toBe('rate(x[5s])');
    expect(at('max_over_time(rate(x[1h])[1d:5m])')).toBe('max_over_time(rate(x[1m])[24m:5s])');
    expect(at('sum_over_time(x[17h54m59s] offset 5h57m30s)')).toBe('sum_over_time(x[17m54s983ms] offset 5m57s500ms)');
    expect(at('x offset -1w')).toBe('x offset -2h48m');
    expect(at('rate(x[1h] offset 1w)')).toBe('rate(x[1m] offset 2h48m)');
    expect(at('x[300]', 60)).toBe('x[5s]');
  });

  it('predict_linear: its horizon in seconds is divided in place', () => {
    expect(at('predict_linear(x[6h], 24 * 3600) < 0')).toBe('predict_linear(x[6m], (24 * 3600) / 60) < 0');
  });

  it('leaves strings, label values, numbers, @ timestamps and window labels alone', () => {
    expect(at('rate(x{le="5m",window=~"[1h]"}[5m]) > 300 and y @ 3600')).toBe('rate(x{le="5m",window=~"[1h]"}[5s]) > 300 and y @ 3600');
  });

  it('reports wall-clock functions, which cannot scale, and the shortest window', () => {
    const scaled = scalePromQL('sum(rate(c[1h])) * ((days_in_month() - day_of_month() + 1) * 86400 - time() % 86400) + rate(c[5m])', 60, 'test');
    expect(scaled.calendar).toEqual(['day_of_month', 'days_in_month', 'time']);
    expect(scaled.shortestRangeMs).toBe(5000);
    expect(scaled.expr).toContain('* 86400 - time() % 86400');
  });

  it('in SLO rules, a factor equal to an SLO window in seconds is that window and scales with it; thresholds do not', () => {
    const windows = { windowSeconds: new Set([300, 840, 21600, 86400]) };
    const guard = 'slo:sli_error:ratio_rate14m{slo="x"} / 0.01 > 14.4 and slo:sli_total:rate14m{slo="x"} * 840 >= 840';
    expect(scalePromQL(guard, 60, 'test', windows).expr).toBe('slo:sli_error:ratio_rate14m{slo="x"} / 0.01 > 14.4 and slo:sli_total:rate14m{slo="x"} * 14 >= 840');
    const average = '(slo:e:rate6h * 21600 + slo:e:rate5m offset 23h55m * 300) / 86400';
    expect(scalePromQL(average, 60, 'test', windows).expr).toBe('(slo:e:rate6h * 360 + slo:e:rate5m offset 23m55s * 5) / 1440');
    // Not an SLO expression: the number is the user's, kept.
    expect(scalePromQL('rate(x[5m]) * 300', 60, 'test', windows).expr).toBe('rate(x[5s]) * 300');
  });

  it('refuses duration arithmetic (Prometheus 3) rather than scale each literal of it', () => {
    expect(() => scalePromQL('rate(x[5m * 2])', 60, 'here')).toThrow(/^here: the duration at character 8 .* is computed, not a literal/);
    expect(() => scalePromQL('x offset (1h + 5m)', 60, 'here')).toThrow(/is computed/);
  });

  it('refuses what it cannot parse, naming where', () => {
    expect(() => scalePromQL('rate(x[5m]', 60, 'rules/a.rules.yml: groups[0].rules[1]')).toThrow(/^rules\/a\.rules\.yml: groups\[0\]\.rules\[1\]: cannot parse/);
  });
});

describe('promtool input series', () => {
  it('counters of seconds grow N times slower per scaled step; stale and missing samples stay', () => {
    expect(divideValues('0 6+6x39 _ stale _x3 120-60x2 1e3', 60)).toBe('0 0.1+0.1x39 _ stale _x3 2-1x2 16.6666666667');
  });
});

describe('durations and the scale', () => {
  it('rounds to whole milliseconds, never to zero', () => {
    expect(scaleDuration('15m', 60, 'x')).toBe('15s');
    expect(scaleDuration('4h', 60, 'x')).toBe('4m');
    expect(scaleDuration('30s', 60, 'x')).toBe('500ms');
    expect(scaleDuration('1s', 300, 'x')).toBe('3ms');
    expect(scaleDuration('1ms', 60, 'x')).toBe('1ms');
  });

  it.each([0, -5, 1.5, 7, 301, Number.NaN])('refuses the scale %s with one clear line', (scale) => {
    expect(() => checkTimeScale(scale)).toThrow(/^--time-scale must be a whole number from 1 to 300 that divides 60000/);
  });

  it.each([1, 10, 60, 120, 300])('accepts %s', (scale) => expect(() => checkTimeScale(scale)).not.toThrow());

  it.each([1, 10, 60, 120, 300])('at scale %s the scrape interval it sets leaves every scaled window 4 samples or more', (scale) => {
    const windows = ['5m', '30m', '1h', '17h54m59s'].map((w) => scalePromQL(`rate(x[${w}])`, scale, 'test').shortestRangeMs!);
    const interval = scrapeIntervalFor(Math.min(...windows));
    for (const window of windows) expect(window).toBeGreaterThanOrEqual(4 * durationMs(interval));
    expect(scrapeIntervalFor(5000)).toBe('1s');
    expect(scrapeIntervalFor(2500)).toBe('625ms');
  });

  it('never scrapes or evaluates less often than the bundle did (scale 1 keeps 15s)', () => {
    const config = { global: { scrape_interval: '15s', evaluation_interval: '15s' }, scrape_configs: [{ job_name: 'a', scrape_interval: '500ms' }] };
    expect(scalePrometheusConfig(config, '1m15s')).toEqual(config);
    expect(scalePrometheusConfig(config, '1s')).toEqual({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, scrape_configs: [{ job_name: 'a', scrape_interval: '500ms' }] });
  });
});

async function exampleBundle(): Promise<GeneratedFile[]> {
  const loaded = await loadConfig(join(ROOT, 'obs.config.ts'), ROOT);
  return generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate));
}

function writeFiles(dir: string, files: readonly GeneratedFile[]): void {
  for (const file of renderBundle(files, 'obs.config.ts')) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
}

const promtool = promtoolAsync;

describe('obs generate --time-scale', () => {
  it('writes the scaled bundle where --out says, each scaled file marked for tests only', async () => {
    const out = tempDir('obs-time-scale-cli-');
    const { code, stderr } = await runCli(['generate', '--config', join(ROOT, 'obs.config.ts'), '--out', out, '--time-scale', '60'], ROOT);
    expect(code).toBe(0);
    expect(stderr).toContain('time-scaled 60x for tests only: scrape and evaluate every 1s');
    const rules = readFileSync(join(out, 'rules/chat-api-slo-availability.rules.yml'), 'utf8');
    expect(rules.split('\n')[1]).toMatch(/^# TIME-SCALED 60x FOR TESTS ONLY/);
    expect(rules).toContain('[5s]');
  }, 300_000);

  it.each([
    [['--time-scale', '7', '--out', 'x'], /--time-scale must be a whole number from 1 to 300 that divides 60000 .*; got "7"/],
    [['--time-scale', '1.5', '--out', 'x'], /got "1\.5"/],
    [['--time-scale', '0', '--out', 'x'], /got "0"/],
    [['--time-scale', '60'], /--time-scale needs --out DIR/],
  ])('refuses %j with a usage error, writing nothing', async (args, message) => {
    const cwd = tempDir('obs-time-scale-cli-');
    const { code, stderr } = await runCli(['generate', ...args], cwd);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
    expect(listFiles(cwd)).toEqual([]);
  });
});

describe('the example bundle at scale 60', () => {
  let original: GeneratedFile[];
  let scaled: TimeScaledBundle;
  const dir = tempDir('obs-time-scale-');
  const paths = (suffix: string) => scaled.files.map((f) => f.path).filter((p) => p.startsWith('rules/') && !p.startsWith('rules/loki/') && p.endsWith(suffix));

  beforeAll(async () => {
    original = await exampleBundle();
    scaled = timeScaleBundle(original, 60);
    writeFiles(dir, scaled.files);
  });

  it('every scaled file says it is time-scaled and for tests only; the rest is unchanged', () => {
    const changed = scaled.files.filter((f, i) => f.content !== original[i]!.content).map((f) => f.path);
    expect(changed).toEqual(expect.arrayContaining(['compose/alertmanager/alertmanager.yml', 'compose/prometheus/prometheus.yml', 'rules/chat-api-slo-availability.rules.yml', 'rules/chat-api-service.rules.yml', 'rules/mimir/chat-api.yml', 'kubernetes/prometheusrule-chat-api.yaml']));
    for (const path of changed) {
      const text = renderBundle(scaled.files.filter((f) => f.path === path), 'obs.config.ts')[0]!.text;
      expect(text.split('\n').slice(0, 2).join('\n'), path).toContain('TIME-SCALED 60x FOR TESTS ONLY');
    }
    expect(changed.filter((p) => p.startsWith('dashboards/') || p.startsWith('rules/loki/'))).toEqual([]);
  });

  it('scales group intervals, for, Alertmanager timers, and sets the scrape interval the windows need', () => {
    const slo = parse(scaled.files.find((f) => f.path === 'rules/chat-api-slo-availability.rules.yml')!.content as string);
    expect(slo.groups[1].interval).toBe('5s');
    const ticket = slo.groups[0].rules.find((r: { alert?: string; labels?: { long_window?: string } }) => r.alert && r.labels?.long_window === '3d');
    expect(ticket.expr).toContain('ratio_rate3d');
    const service = parse(scaled.files.find((f) => f.path === 'rules/chat-api-service.rules.yml')!.content as string);
    expect(service.groups[0].rules.find((r: { alert?: string }) => r.alert === 'ServiceTargetDown').for).toBe('5s');
    const am = parse(scaled.files.find((f) => f.path === 'compose/alertmanager/alertmanager.yml')!.content as string);
    expect([am.route.group_wait, am.route.group_interval, am.route.repeat_interval]).toEqual(['500ms', '5s', '4m']);
    expect(scaled.scrapeInterval).toBe('1s');
    const prom = parse(scaled.files.find((f) => f.path === 'compose/prometheus/prometheus.yml')!.content as string);
    expect([prom.global.scrape_interval, prom.global.evaluation_interval]).toEqual(['1s', '1s']);
    expect([...scaled.calendar.keys()].sort()).toEqual(['day_of_month', 'days_in_month', 'time']);
    // The tests of wall-clock alerts are left out, and the file says so.
    const left = [...scaled.droppedTests.values()].flat();
    expect(new Set(left.map((name) => name.split(' ')[0]))).toEqual(new Set(['TLSCertificateExpiringSoon', 'BackupTooOld', 'GenAiBudgetProjectedOverspend']));
    const deps = renderBundle(scaled.files.filter((f) => f.path === 'rules/chat-api-dependencies.test.yml'), 'obs.config.ts')[0]!.text;
    expect(deps).toMatch(/# Left out \(the alert reads the wall clock, which does not scale\): BackupTooOld/);
  });

  it('a scaled SLO page fires at the scaled time: 62s into the outage test, and the unscaled rules fail that test', async () => {
    const test = parse(scaled.files.find((f) => f.path === 'rules/chat-api-slo-availability.test.yml')!.content as string);
    expect(test.evaluation_interval).toBe('1s');
    expect(test.tests[0].interval).toBe('1s');
    expect(test.tests[0].promql_expr_test.map((q: { eval_time: string }) => q.eval_time)).toEqual(['1m', '1m2s']);
    await promtool('test', 'rules', join(dir, 'rules/chat-api-slo-availability.test.yml'));
    // Control: the same scaled test against the production rules must fail (the windows are 60× too long).
    const control = tempDir('obs-time-scale-control-');
    writeFiles(control, original.filter((f) => f.path === 'rules/chat-api-slo-availability.rules.yml'));
    writeFiles(control, scaled.files.filter((f) => f.path === 'rules/chat-api-slo-availability.test.yml'));
    await expect(promtool('test', 'rules', join(control, 'rules/chat-api-slo-availability.test.yml'))).rejects.toThrow(/FAILED/);
  }, 300_000);

  it('promtool accepts every scaled rule file', async () => {
    const files = paths('.rules.yml').map((p) => join(dir, p));
    expect(files.length).toBeGreaterThan(3);
    expect(await promtool('check', 'rules', ...files)).toMatch(/SUCCESS/);
  }, 300_000);

  it('the scaled promtool tests pass: every alert fires N times sooner, as the scaled rules say', async () => {
    const tests = paths('.test.yml');
    expect(tests.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const queue = [...tests];
    // Two promtools at a time: the machine is shared.
    const worker = async () => {
      for (let test = queue.shift(); test !== undefined; test = queue.shift()) {
        await promtool('test', 'rules', join(dir, test)).catch((error: Error) => failures.push(error.message.slice(0, 3000)));
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  }, 600_000);
});
