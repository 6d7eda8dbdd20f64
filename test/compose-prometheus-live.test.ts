/**
 * A real Prometheus (Debian's 2.42) started with the generated prometheus.yml — targets re-pointed at
 * 127.0.0.1 ports, rule files at the bundle's rules/ — loads every rule group and evaluates every rule
 * without an error. Group intervals are shortened to 1s so that the 5m period groups evaluate too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_PATHS, generateCompose, type PrometheusConfig } from '../src/generate/compose/index.js';
import { generateBundle } from '../src/generate/index.js';
import { exampleModel, withStack } from './compose-fixtures.js';
import { tempDir, ruleFileOf, freePort } from './helpers.js';

interface RuleStatus {
  readonly name: string;
  readonly health: string;
  readonly lastError?: string;
  readonly lastEvaluation: string;
}
interface GroupStatus {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly RuleStatus[];
}


let dir: string;
let prometheus: ChildProcess | undefined;
let stderr = '';
let url: string;
let expectedGroups: string[] = [];

beforeAll(async () => {
  const model = withStack(await exampleModel());
  const files = [...generateBundle(model), ...generateCompose(model)];
  dir = tempDir('obs-prom-live-');
  mkdirSync(join(dir, 'rules'));
  for (const file of files.filter((f) => /^rules\/[^/]+\.rules\.yml$/.test(f.path))) {
    const rules = ruleFileOf(file);
    expectedGroups.push(...rules.groups.map((g) => g.name));
    const fast = { groups: rules.groups.map((g) => ({ ...g, interval: '1s' })) };
    writeFileSync(join(dir, file.path), stringify(fast, { lineWidth: 0 }));
  }
  expect(expectedGroups.length).toBeGreaterThan(0);

  // Nothing listens on `closed`: scrapes fail (up == 0), which the rules must survive.
  const closed = await freePort();
  const port = await freePort();
  const generated = files.find((f) => f.path === COMPOSE_PATHS.prometheus)!.content as PrometheusConfig;
  const local: PrometheusConfig = {
    ...generated,
    global: { ...generated.global, scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(dir, 'rules', '*.rules.yml')],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${closed}`] }] }] },
    scrape_configs: generated.scrape_configs.map((job) => ({
      ...job,
      static_configs: job.static_configs.map((sc) => ({ ...sc, targets: sc.targets.map(() => `127.0.0.1:${job.job_name === 'prometheus' ? port : closed}`) })),
      ...(job.relabel_configs && {
        relabel_configs: job.relabel_configs.map((r) => (r.target_label === '__address__' && r.replacement ? { ...r, replacement: `127.0.0.1:${closed}` } : r)),
      }),
    })),
  };
  const { remote_write: _none, ...withoutRemote } = local;
  writeFileSync(join(dir, 'prometheus.yml'), stringify(withoutRemote));
  url = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr!.on('data', (d) => (stderr += String(d)));
  for (let i = 0; i < 150; i++) {
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
    await sleep(200);
  }
}, 300_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function groups(): Promise<GroupStatus[]> {
  const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: GroupStatus[] } };
  return body.data.groups;
}

const NEVER = '0001-01-01T00:00:00Z';

describe('a real Prometheus with the generated prometheus.yml', () => {
  it('loads every rule group and evaluates every rule without an error', async () => {
    let loaded: GroupStatus[] = [];
    // Poll until every rule has been evaluated once (the mechanism, not a duration).
    for (let i = 0; i < 900; i++) {
      loaded = await groups();
      const rules = loaded.flatMap((g) => g.rules);
      if (rules.length > 0 && rules.every((r) => r.lastEvaluation !== NEVER)) break;
      await sleep(200);
    }
    expect(loaded.map((g) => g.name).sort(), stderr).toEqual([...expectedGroups].sort());
    const rules = loaded.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    expect(rules.filter((r) => r.lastEvaluation === NEVER).map((r) => `${r.group}/${r.name}`), 'rules never evaluated').toEqual([]);
    const failing = rules.filter((r) => r.health !== 'ok').map((r) => `${r.group}/${r.name}: ${r.health} ${r.lastError ?? ''}`);
    expect(failing).toEqual([]);
  }, 300_000);
});
