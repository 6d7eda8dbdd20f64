// Start-up of the obs CLI for a one-SLO config: wall and CPU time of whole processes, medians of
// interleaved rounds. With `--baseline DIR` (the dist/ of another build), each scenario runs the two
// builds alternately and reports their ratio.
// With --instructions, each process runs once under valgrind's callgrind instead, and the count of
// instructions it executed is reported: a count, not a time, so other tenants of the machine do not move it.
// Usage: node bench/startup.bench.mjs [--current DIR (default dist/)] [--baseline DIR] [--rounds N] [--instructions]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    current: { type: 'string', default: join(ROOT, 'dist') },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '11' },
    instructions: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const builds = { current: resolve(values.current), ...(values.baseline && { baseline: resolve(values.baseline) }) };

const dir = mkdtempSync(join(tmpdir(), 'obs-startup-'));
writeFileSync(
  join(dir, 'obs.config.ts'),
  "import { defineConfig } from 'obs';\n\nexport default defineConfig({\n  service: { name: 'one' },\n  slos: { availability: { objective: 99.9, sli: { http: {} } } },\n});\n",
);
writeFileSync(join(dir, 'obs.config.yaml'), 'service:\n  name: one\nslos:\n  availability:\n    objective: 99.9\n    sli:\n      http: {}\n');

const SCENARIOS = [
  { name: 'node -e 0 (floor)', args: () => ['-e', '0'] },
  { name: 'obs --version', args: (dist) => [join(dist, 'cli/main.js'), '--version'] },
  { name: 'obs check (YAML)', args: (dist) => [join(dist, 'cli/main.js'), 'check', '--config', 'obs.config.yaml'] },
  { name: 'obs generate (YAML)', args: (dist) => [join(dist, 'cli/main.js'), 'generate', '--config', 'obs.config.yaml', '--out', 'out-yaml'] },
  { name: 'obs generate (TS, rerun)', args: (dist) => [join(dist, 'cli/main.js'), 'generate', '--config', 'obs.config.ts', '--out', 'out-ts'] },
  {
    name: 'obs generate (TS, edited: no transpile cache)',
    env: { JITI_FS_CACHE: 'false' },
    args: (dist) => [join(dist, 'cli/main.js'), 'generate', '--config', 'obs.config.ts', '--out', 'out-ts'],
  },
];

/** Wall and user+system CPU seconds of one process, from GNU time. */
function measure(args, env) {
  const { stderr, status } = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (status !== 0) throw new Error(`${args.join(' ')} failed:\n${stderr}`);
  const [wall, user, sys] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

/** Instructions (millions) one process executes, counted by callgrind. */
function instructions(args, env) {
  const { stderr, status } = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', process.execPath, ...args],
    { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const collected = /Collected : (\d+)/.exec(stderr);
  if (status !== 0 || !collected) throw new Error(`valgrind ${args.join(' ')} failed:\n${stderr}`);
  return Math.round(Number(collected[1]) / 1e6);
}

if (values.instructions) {
  console.log('instructions executed (millions), one callgrind run per build after a warm-up run');
  for (const scenario of SCENARIOS) {
    const counts = Object.fromEntries(
      Object.entries(builds).map(([build, dist]) => {
        measure(scenario.args(dist), scenario.env);
        return [build, instructions(scenario.args(dist), scenario.env)];
      }),
    );
    const cells = Object.entries(counts).map(([build, n]) => `${build} ${n}M`);
    const ratio = builds.baseline ? `  ratio current/baseline ${(counts.current / counts.baseline).toFixed(2)}` : '';
    console.log(`${scenario.name.padEnd(46)} ${cells.join('   ')}${ratio}`);
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`${rounds} interleaved rounds; ms, median (wall / cpu)`);
for (const scenario of SCENARIOS) {
  const samples = Object.fromEntries(Object.keys(builds).map((b) => [b, { wall: [], cpu: [] }]));
  for (let i = 0; i < rounds + 1; i++) {
    for (const [build, dist] of Object.entries(builds)) {
      const m = measure(scenario.args(dist), scenario.env);
      if (i === 0) continue; // warm-up: page cache, jiti's transpile cache
      samples[build].wall.push(m.wall);
      samples[build].cpu.push(m.cpu);
    }
  }
  const cells = Object.entries(samples).map(([build, s]) => `${build} ${median(s.wall)} / ${median(s.cpu)}`);
  const ratio = builds.baseline
    ? `  ratio current/baseline: wall ${(median(samples.current.wall) / median(samples.baseline.wall)).toFixed(2)}, cpu ${(median(samples.current.cpu) / median(samples.baseline.cpu)).toFixed(2)}`
    : '';
  console.log(`${scenario.name.padEnd(46)} ${cells.join('   ')}${ratio}`);
}
rmSync(dir, { recursive: true, force: true });
