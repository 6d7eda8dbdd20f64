// HTTP throughput/latency of the obs SDK against its peers: the same Express 5 app (`GET /users/:id`, small
// JSON body) uninstrumented, with prom-client by hand, express-prom-bundle, OpenTelemetry defaults, obs metrics
// and obs metrics + tracing + logs. One app per variant in bench/http-apps/.
//
// Usage: npx tsc -p tsconfig.build.json && npx node bench/http.bench.mjs [options]
//   --rounds N (5)  --warmup S (2)  --duration S (8)  --connections N (50)  --variants a,b,...  --json FILE
//   --profile VARIANT [--prof-dir DIR] [--prof-skip S]   one loaded run of VARIANT under `node --cpu-prof`; top
//       frames printed, start-up and warm-up (the first S seconds, default warm-up + 1) left out
//   --extra NAME=FILE   an ad-hoc variant (e.g. a candidate fix), appended to the variants
//
// Each round runs every variant once (order rotated per round): the server is started pinned to core 0
// (`taskset -c 0`), warmed up, loaded by autocannon pinned to core 1 (a child process: this file with
// --load), then stopped with SIGTERM (the app flushes its telemetry and reports its counters). The driver
// (and the OTLP sink it hosts) pins itself to core 1 as well, so core 0 belongs to the server alone.
// Reported: per variant the median req/s and p99 over the rounds, and the median of the per-round ratios
// to `bare` (same round, so machine noise that lasts a round cancels). Also the server's CPU time per request
// (from /proc, over the measured window) and its ratio to bare's, which does not depend on the server being
// saturated. Before the rounds, a probe per variant sends 20 sequential requests: the body, the /metrics
// count for the route and the exact spans per request (nothing can be dropped at that rate) are checked.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import http from 'node:http';
import os from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
// Node runs this TypeScript module by stripping its types
import { decodeTraceRequest } from '../test/sdk/fixtures/otlp-proto.ts';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APPS = fileURLToPath(new URL('./http-apps/', import.meta.url));
const LOCAL_NODE = join(ROOT, 'node_modules/.bin/node');
const NODE = existsSync(LOCAL_NODE) ? LOCAL_NODE : process.execPath;

const VARIANTS = {
  bare: { app: 'bare.mjs' },
  'prom-client-hand': { app: 'prom-client-hand.mjs', metrics: 'http_request_duration_seconds_count' },
  'express-prom-bundle': { app: 'express-prom-bundle.mjs', metrics: 'http_request_duration_seconds_count' },
  'otel-default': { app: 'otel-default.mjs', preload: 'otel-register.mjs', traced: true },
  'obs-metrics': { app: 'obs-metrics.mjs', metrics: 'http_server_request_duration_seconds_count' },
  'obs-full': { app: 'obs-full.mjs', traced: true, metrics: 'http_server_request_duration_seconds_count' },
};

function parseArgs(argv) {
  const o = { rounds: 5, warmup: 2, duration: 8, connections: 50, variants: Object.keys(VARIANTS) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--duration') o.duration = Number(v());
    else if (a === '--connections') o.connections = Number(v());
    else if (a === '--variants') o.variants = v().split(',');
    else if (a === '--json') o.json = v();
    else if (a === '--profile') o.profile = v();
    else if (a === '--prof-dir') o.profDir = v();
    else if (a === '--prof-skip') o.profSkip = Number(v());
    else if (a === '--load') o.load = JSON.parse(v());
    else if (a === '--extra') {
      // ad-hoc variant, e.g. a candidate fix: --extra name=/abs/path/app.mjs (appended to --variants)
      const [name, file] = v().split('=');
      VARIANTS[name] = { app: file, traced: true, metrics: process.env.BENCH_EXTRA_METRICS || undefined };
      o.extra = [...(o.extra ?? []), name];
    }
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.extra) o.variants = [...o.variants.filter((n) => !o.extra.includes(n)), ...o.extra];
  for (const name of o.variants) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

// ------------------------------------------------------------------------------------------------------
// --load: the autocannon child (pinned to core 1 by the parent). Prints one JSON line.

async function loadMode({ port, warmup, duration, connections }) {
  const { default: autocannon } = await import('autocannon');
  // 100 distinct ids, cycled per connection; static requests are built once (no per-request setup cost)
  const requests = Array.from({ length: 100 }, (_, i) => ({ method: 'GET', path: `/users/${i + 1}` }));
  const opts = { url: `http://127.0.0.1:${port}`, connections, requests };
  if (warmup > 0) await autocannon({ ...opts, duration: warmup });
  const lat = [];
  process.stderr.write('@@measure\n'); // the parent samples core 0's CPU accounting from here
  const run = autocannon({ ...opts, duration });
  run.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) lat.push(ms);
  });
  const r = await run;
  lat.sort((a, b) => a - b);
  const out = {
    rps: r.requests.total / (r.duration || duration),
    rpsAvg: r.requests.average,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    // float latencies from the response events (autocannon's own histogram is whole milliseconds)
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    acP99: r.latency.p99,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ------------------------------------------------------------------------------------------------------
// OTLP/HTTP sink (protobuf or JSON): 200 to every POST, counts spans of the current epoch (one epoch = one
// server run).

/** Spans of one /v1/traces body, each with its scope name. */
function spansIn(body, proto) {
  if (proto) return decodeTraceRequest(body);
  const doc = JSON.parse(body.toString('utf8'));
  return (doc.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((sp) => ({ ...sp, scope: ss.scope?.name }))),
  );
}

function startSink() {
  let epoch;
  const reset = () => {
    epoch = { posts: 0, bytes: 0, spans: 0, names: new Map(), otherPaths: new Map(), parseErrors: 0 };
  };
  reset();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const e = epoch;
      const proto = String(req.headers['content-type']).includes('protobuf');
      if (!req.url.startsWith('/v1/traces')) {
        e.otherPaths.set(req.url, (e.otherPaths.get(req.url) ?? 0) + 1);
      } else {
        e.posts += 1;
        e.bytes += body.length;
        try {
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          for (const sp of spansIn(body, proto)) {
            e.spans += 1;
            // ids in span names (none expected: names use route templates) are folded for the breakdown
            const key = `${(sp.scope || '?').replace('@opentelemetry/', '')}: ${String(sp.name).replace(/\/\d+/g, '/N')}`;
            e.names.set(key, (e.names.get(key) ?? 0) + 1);
          }
        } catch {
          e.parseErrors += 1;
        }
      }
      // an empty ExportTraceServiceResponse in the request's encoding
      res.writeHead(200, { 'content-type': proto ? 'application/x-protobuf' : 'application/json' });
      res.end(proto ? '' : '{}');
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        take() {
          const e = epoch;
          reset();
          return e;
        },
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      });
    });
  });
}

// ------------------------------------------------------------------------------------------------------
// Server and load processes

let HAS_TASKSET = true;
try {
  execFileSync('taskset', ['-V'], { stdio: 'ignore' });
} catch {
  HAS_TASKSET = false;
}
const pinned = (core, cmd, args) => (HAS_TASKSET ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

function startServer(name, sink, extraNodeArgs = []) {
  const v = VARIANTS[name];
  const args = ['--disable-warning=ExperimentalWarning', ...extraNodeArgs];
  if (v.preload) args.push('--import', resolve(APPS, v.preload));
  args.push(resolve(APPS, v.app));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    // otel-default: the NodeSDK's default exporters (traces, and metrics/logs should they export) → the sink
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    // obs-full
    BENCH_OTLP_ENDPOINT: sink.url,
    BENCH_LOG_DEST: '/dev/null',
  };
  const [cmd, cmdArgs] = pinned(0, NODE, args);
  const child = spawn(cmd, cmdArgs, { cwd: APPS, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  const messages = [];
  const waiters = [];
  let buf = '';
  child.stdout.on('data', (d) => {
    if (stdout.length < 20_000) stdout += d;
  });
  child.stderr.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('@@')) {
        const msg = JSON.parse(line.slice(2));
        messages.push(msg);
        for (const w of [...waiters]) if (w.pred(msg)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(msg));
      } else if (stderr.length < 20_000) stderr += `${line}\n`;
    }
  });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const next = (pred, timeoutMs = 20_000) => {
    const found = messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      waiters.push(w);
      const t = setTimeout(() => reject(new Error(`${name}: timed out waiting for the app; stderr:\n${stderr}\nstdout:\n${stdout}`)), timeoutMs);
      exited.then(() => setTimeout(() => reject(new Error(`${name}: app exited; stderr:\n${stderr}`)), 100));
      const done = w.resolve;
      w.resolve = (m) => (clearTimeout(t), done(m));
    });
  };
  return {
    child,
    next,
    exited,
    stderr: () => stderr,
    async ready() {
      return (await next((m) => m.ready)).port;
    },
    /** SIGTERM; resolves with the app's exit report (flushed telemetry counters). */
    async stop() {
      child.kill('SIGTERM');
      let report;
      try {
        report = await next((m) => m.exit, 15_000);
      } catch (err) {
        child.kill('SIGKILL');
        report = { exit: false, error: String(err.message).slice(0, 500) };
      }
      await exited;
      return report;
    },
  };
}

// CPU accounting (clock ticks, USER_HZ = 100) of both cores, the server and the load generator, over the
// measured window: tells whether the server was saturated and how much CPU other processes took (other
// engineers share the machine). The server's CPU time per request does not depend on saturation.
function procTicks(pid) {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const g = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return Number(g[11]) + Number(g[12]); // utime + stime
}
function cpuTicks(serverPid, loadPid) {
  try {
    const stat = readFileSync('/proc/stat', 'utf8').split('\n');
    const core = (n) => {
      const f = stat.find((l) => l.startsWith(`cpu${n} `)).trim().split(/\s+/).slice(1).map(Number);
      // tasks: user nice system steal; irq+softirq apart (mostly the loopback network stack)
      return { tasks: f[0] + f[1] + f[2] + f[7], irq: f[5] + f[6] };
    };
    const self = process.cpuUsage();
    return {
      t: performance.now(),
      c0: core(0),
      c1: core(1),
      server: procTicks(serverPid),
      load: procTicks(loadPid),
      driver: (self.user + self.system) / 1e4,
    };
  } catch {
    return null;
  }
}

function runLoad(port, { warmup, duration, connections }, serverPid) {
  const [cmd, args] = pinned(1, NODE, [SELF, '--load', JSON.stringify({ port, warmup, duration, connections })]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let t0 = null;
    let t1 = null;
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n') && !t1) t1 = cpuTicks(serverPid, child.pid);
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (!t0 && err.includes('@@measure')) t0 = cpuTicks(serverPid, child.pid);
    });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      try {
        const result = JSON.parse(line);
        if (t0 && t1) {
          const wall = ((t1.t - t0.t) / 1000) * 100;
          const d = (f) => f(t1) - f(t0);
          const server = d((x) => x.server);
          result.serverCpu = server / wall; // share of core 0 the server used
          result.cpuUsPerReq = (server * 1e4) / result.total; // server CPU µs per request (excl. softirq)
          result.core0Irq = d((x) => x.c0.irq) / wall;
          result.core0Other = Math.max(0, (d((x) => x.c0.tasks) - server) / wall); // other processes on core 0
          result.loadCpu = d((x) => x.load) / wall;
          result.core1Other = Math.max(0, (d((x) => x.c1.tasks) - d((x) => x.load) - d((x) => x.driver)) / wall);
        }
        resolve(result);
      } catch {
        reject(new Error(`load child failed (${code}): ${err}${out}`));
      }
    });
  });
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

/** Sum of a counter family's samples whose labels mention the users route (any label spelling). */
function routeCount(exposition, family) {
  let n = 0;
  const lines = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(family)) continue;
    if (!/users/.test(line)) continue;
    lines.push(line);
    n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { n, lines };
}

// ------------------------------------------------------------------------------------------------------
// Probe: sequential requests, so no span can be dropped: exact spans per request, and the metrics check.

const PROBE_REQUESTS = 20;

async function probe(name, sink) {
  const v = VARIANTS[name];
  sink.take();
  const srv = startServer(name, sink);
  const port = await srv.ready();
  const problems = [];
  for (let i = 1; i <= PROBE_REQUESTS; i++) {
    const r = await get(port, `/users/${i}`);
    if (r.status !== 200 || JSON.parse(r.body).id !== String(i)) problems.push(`GET /users/${i} → ${r.status} ${r.body.slice(0, 80)}`);
  }
  let metricLines = [];
  if (v.metrics) {
    const m = await get(port, '/metrics');
    const { n, lines } = routeCount(m.body, v.metrics);
    metricLines = lines;
    if (m.status !== 200 || n !== PROBE_REQUESTS) problems.push(`/metrics: status ${m.status}, ${v.metrics} for the users route = ${n}, expected ${PROBE_REQUESTS}`);
  }
  const report = await srv.stop();
  const e = sink.take();
  return {
    name,
    problems,
    metricLines,
    spans: e.spans,
    spansPerRequest: e.spans / PROBE_REQUESTS,
    spanNames: Object.fromEntries([...e.names].map(([k, n]) => [k, n / PROBE_REQUESTS])),
    otherPosts: Object.fromEntries(e.otherPaths),
    report,
  };
}

// ------------------------------------------------------------------------------------------------------
// One measured run

async function measure(name, sink, o, extraNodeArgs) {
  sink.take();
  const srv = startServer(name, sink, extraNodeArgs);
  const port = await srv.ready();
  let load;
  let report;
  try {
    load = await runLoad(port, o, srv.child.pid);
  } finally {
    report = await srv.stop();
  }
  const e = sink.take();
  return {
    variant: name,
    ...load,
    served: report.requests,
    spans: e.spans,
    spansPerRequest: report.requests ? e.spans / report.requests : null,
    droppedSpans: report.droppedSpans ?? null,
    spanStats: report.spanStats ?? null,
    exportPosts: e.posts,
    exportBytes: e.bytes,
    shutdownMs: report.shutdownMs,
    appError: report.error ?? report.exitError ?? null,
  };
}

// ------------------------------------------------------------------------------------------------------
// CPU profile summary

function summarizeProfile(file, skipSeconds = 0, top = 25) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  // drop start-up and warm-up: keep samples from skipSeconds after the profile started
  {
    let t = 0;
    let first = prof.samples.length;
    for (let i = 0; i < prof.samples.length; i++) {
      t += prof.timeDeltas[i] ?? 0;
      if (t >= skipSeconds * 1e6) {
        first = i;
        break;
      }
    }
    prof.samples = prof.samples.slice(first);
    prof.timeDeltas = prof.timeDeltas.slice(first);
  }
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = prof.timeDeltas.reduce((a, b) => a + b, 0);
  const DIST = `${ROOT}dist/`;
  // who owns a frame: obs (this repo's dist/), a package, the bench app, or nobody (node internals, native)
  const owner = (cf) => {
    const url = cf.url ?? '';
    const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (m) return m[1];
    if (url.includes(DIST)) return 'obs';
    if (url.includes(APPS)) return 'bench app';
    return null;
  };
  const where = (cf) => {
    const url = cf.url ?? '';
    const o = owner(cf);
    const file = url.includes(DIST) ? url.slice(url.indexOf(DIST) + ROOT.length) : url.slice(url.lastIndexOf('/') + 1);
    if (o && o !== 'obs' && o !== 'bench app') return `${o} ${file}:${cf.lineNumber + 1}`;
    return url ? `${file}:${cf.lineNumber + 1}` : '';
  };
  const frameKey = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`.trim();
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  const self = new Map();
  const attributed = new Map(); // leaf time charged to the nearest owned frame (node internals → their caller)
  const attributedObs = new Map();
  const inclObs = new Map(); // samples with obs anywhere on the stack... minus nothing: an upper bound
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    const leaf = byId.get(prof.samples[i]);
    add(self, frameKey(leaf), dt);
    let charged = false;
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      const o = owner(n.callFrame);
      if (o) {
        add(attributed, o, dt);
        if (o === 'obs') add(attributedObs, frameKey(n), dt);
        charged = true;
        break;
      }
    }
    if (!charged) add(attributed, ['(idle)', '(garbage collector)', '(program)'].includes(leaf.callFrame.functionName) ? leaf.callFrame.functionName : 'node internals (no JS owner)', dt);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  const sorted = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log(`\nprofile ${file}: ${(total / 1e6).toFixed(1)} s sampled (after skipping the first ${skipSeconds} s)`);
  console.log(`\ntop ${top} self-time frames:`);
  for (const [k, us] of sorted(self, top)) console.log(`  ${pct(us).padStart(6)}  ${k}`);
  console.log('\ntime by owner (node-internal/native leaf time charged to the nearest package/obs/app frame above it):');
  for (const [k, us] of sorted(attributed, 20)) console.log(`  ${pct(us).padStart(6)}  ${k}`);
  console.log('\nobs time by function (same charging):');
  for (const [k, us] of sorted(attributedObs, 25)) console.log(`  ${pct(us).padStart(6)}  ${k}`);
  void inclObs;
}

async function profileMode(o, sink) {
  const dir = o.profDir ?? join(os.tmpdir(), `obs-http-prof-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const r = await measure(o.profile, sink, o, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  console.log(`${o.profile} under --cpu-prof: ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  // the app starts in about a second; skip that and the warm-up
  for (const f of files) summarizeProfile(join(dir, f), o.profSkip ?? o.warmup + 1);
}

// ------------------------------------------------------------------------------------------------------

/** Content hash of dist/ (other people rebuild it): printed at start and end so a mid-run rebuild shows. */
function distFingerprint() {
  const h = createHash('sha1');
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        h.update(p).update(readFileSync(p));
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  walk(join(ROOT, 'dist'));
  return { hash: h.digest('hex').slice(0, 12), built: new Date(newest).toISOString() };
}

const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.load) return loadMode(o.load);
  if (!existsSync(join(ROOT, 'dist/sdk/index.js'))) throw new Error('dist/ missing: run `npx tsc -p tsconfig.build.json` first');
  // the driver and its OTLP sink share core 1 with autocannon; core 0 is the server's
  if (HAS_TASKSET) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const sink = await startSink();
  try {
    if (o.profile) return await profileMode(o, sink);

    const startedAt = new Date();
    const load0 = os.loadavg();
    const dist0 = distFingerprint();
    console.log(
      `obs HTTP bench — ${startedAt.toISOString()}, node ${nodeVersion}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ` +
        `taskset ${HAS_TASKSET ? 'server→0, autocannon→1' : 'UNAVAILABLE (no pinning)'}, load avg ${load0.map((x) => x.toFixed(2)).join(' ')}`,
    );
    console.log(`${o.rounds} rounds × ${o.variants.length} variants, warm-up ${o.warmup} s + ${o.duration} s, ${o.connections} connections`);
    console.log(`dist/ ${dist0.hash} (newest file ${dist0.built})\n`);

    // probes: correctness + exact spans per request (sequential requests: nothing dropped)
    const probes = {};
    for (const name of o.variants) {
      const p = await probe(name, sink);
      probes[name] = p;
      const spanInfo = VARIANTS[name].traced ? `, ${fmt(p.spansPerRequest, 2)} spans/request ${JSON.stringify(p.spanNames)}` : '';
      console.log(`probe ${name}: ${p.problems.length ? `PROBLEMS ${p.problems.join('; ')}` : 'ok'}${spanInfo}`);
      if (p.metricLines.length) console.log(`  ${p.metricLines[0]}`);
      if (Object.keys(p.otherPosts).length) console.log(`  other OTLP posts: ${JSON.stringify(p.otherPosts)}`);
    }

    const runs = [];
    for (let r = 0; r < o.rounds; r++) {
      const k = r % o.variants.length;
      const order = [...o.variants.slice(k), ...o.variants.slice(0, k)];
      for (const name of order) {
        const m = await measure(name, sink, o);
        m.round = r;
        runs.push(m);
        const extra = VARIANTS[name].traced
          ? `  spans/req ${fmt(m.spansPerRequest, 2)} dropped ${m.droppedSpans ?? '?'}`
          : '';
        const bad = m.non2xx || m.errors || m.timeouts ? `  non2xx ${m.non2xx} errors ${m.errors} timeouts ${m.timeouts}` : '';
        console.log(
          `round ${r + 1} ${name.padEnd(20)} ${fmt(m.rps).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  server ${fmt(m.cpuUsPerReq, 1)} µs/req, cpu ${fmt(m.serverCpu * 100)}% (softirq ${fmt(m.core0Irq * 100)}%, others ${fmt(m.core0Other * 100)}%), loadgen ${fmt(m.loadCpu * 100)}% (others on core 1 ${fmt(m.core1Other * 100)}%)${extra}${bad}${m.appError ? `  APP ERROR ${m.appError}` : ''}`,
        );
        await sleep(300);
      }
    }
    const load1 = os.loadavg();
    const dist1 = distFingerprint();

    // summary
    const byRound = (name) => runs.filter((m) => m.variant === name);
    const ratioTo = (name, base) => {
      const xs = [];
      for (let r = 0; r < o.rounds; r++) {
        const a = runs.find((m) => m.variant === name && m.round === r);
        const b = runs.find((m) => m.variant === base && m.round === r);
        if (a && b) xs.push(a.rps / b.rps);
      }
      return xs;
    };
    // capacity ratio: bare's server CPU per request over the variant's, same round (saturation-independent)
    const cpuRatioTo = (name, base) => {
      const xs = [];
      for (let r = 0; r < o.rounds; r++) {
        const a = runs.find((m) => m.variant === name && m.round === r);
        const b = runs.find((m) => m.variant === base && m.round === r);
        if (a?.cpuUsPerReq && b?.cpuUsPerReq) xs.push(b.cpuUsPerReq / a.cpuUsPerReq);
      }
      return xs;
    };
    const summary = {};
    for (const name of o.variants) {
      const ms = byRound(name);
      const rps = ms.map((m) => m.rps);
      const ratios = o.variants.includes('bare') ? ratioTo(name, 'bare') : [];
      summary[name] = {
        rps: median(rps),
        rpsMin: Math.min(...rps),
        rpsMax: Math.max(...rps),
        ratio: ratios.length ? median(ratios) : null,
        ratioMin: ratios.length ? Math.min(...ratios) : null,
        ratioMax: ratios.length ? Math.max(...ratios) : null,
        p50: median(ms.map((m) => m.p50)),
        p99: median(ms.map((m) => m.p99)),
        serverCpu: median(ms.map((m) => m.serverCpu ?? NaN)),
        cpuUsPerReq: median(ms.map((m) => m.cpuUsPerReq ?? NaN)),
        cpuRatio: o.variants.includes('bare') ? median(cpuRatioTo(name, 'bare')) : null,
        othersMax: Math.max(...ms.map((m) => Math.max(m.core0Other ?? NaN, m.core1Other ?? NaN))),
        spansPerRequestProbe: VARIANTS[name].traced ? probes[name].spansPerRequest : null,
        spansPerRequestLoad: VARIANTS[name].traced ? median(ms.map((m) => m.spansPerRequest)) : null,
        droppedSpans: VARIANTS[name].traced ? ms.map((m) => m.droppedSpans) : null,
        served: ms.map((m) => m.served),
      };
    }
    const others = runs.map((m) => Math.max(m.core0Other ?? 0, m.core1Other ?? 0));
    const unsaturated = runs.filter((m) => m.serverCpu !== undefined && m.serverCpu < 0.9).length;
    console.log(`\nload avg at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(
      `other processes during measured windows: median ${fmt(median(others) * 100)}%, max ${fmt(Math.max(...others) * 100)}% of a core; ` +
        `${unsaturated}/${runs.length} runs with the server below 90% of core 0`,
    );
    console.log(
      dist1.hash === dist0.hash
        ? `dist/ unchanged during the run (${dist0.hash})\n`
        : `WARNING: dist/ changed during the run (${dist0.hash} → ${dist1.hash}, rebuilt ${dist1.built}): results mix two builds\n`,
    );
    console.log(
      '| variant | median req/s (min–max) | ratio to bare (min–max) | p50 ms | p99 ms | spans/request (probe; under load) | dropped spans per run | server CPU µs/req | capacity ratio to bare | server CPU use |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const name of o.variants) {
      const s = summary[name];
      const spans = s.spansPerRequestProbe === null ? '–' : `${fmt(s.spansPerRequestProbe, 2)}; ${fmt(s.spansPerRequestLoad, 2)}`;
      const dropped = s.droppedSpans ? s.droppedSpans.map((d) => d ?? '?').join(', ') : '–';
      console.log(
        `| ${name} | ${fmt(s.rps)} (${fmt(s.rpsMin)}–${fmt(s.rpsMax)}) | ${fmt(s.ratio, 2)} (${fmt(s.ratioMin, 2)}–${fmt(s.ratioMax, 2)}) | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${spans} | ${dropped} | ${fmt(s.cpuUsPerReq, 1)} | ${fmt(s.cpuRatio, 2)} | ${fmt(s.serverCpu * 100)}% |`,
      );
    }
    const targets = [];
    if (summary['obs-metrics']?.ratio != null) {
      const x = summary['obs-metrics'].ratio;
      const c = summary['obs-metrics'].cpuRatio;
      targets.push(`obs-metrics ≥ 0.95 × bare: ${x.toFixed(2)} (capacity ratio ${fmt(c, 2)}) → ${x >= 0.95 ? 'MET' : 'MISSED'}`);
    }
    if (summary['obs-full'] && summary['otel-default']) {
      const xs = ratioTo('obs-full', 'otel-default');
      const x = median(xs);
      targets.push(
        `obs-full ≥ 2 × otel-default: ${x.toFixed(2)}× (per-round ${xs.map((v) => v.toFixed(2)).join(', ')}) → ${x >= 2 ? 'MET' : 'MISSED'}`,
      );
      const cx = median(cpuRatioTo('obs-full', 'otel-default'));
      targets[targets.length - 1] += ` (capacity ratio ${fmt(cx, 2)}×)`;
      summary.fullOverOtel = { median: x, perRound: xs, capacity: cx };
    }
    console.log(`\n${targets.join('\n')}`);
    if (o.json) {
      writeFileSync(
        o.json,
        JSON.stringify({ startedAt, node: nodeVersion, dist: [dist0, dist1], loadavgStart: load0, loadavgEnd: load1, options: o, probes, runs, summary }, null, 2),
      );
      console.log(`raw results: ${o.json}`);
    }
  } finally {
    await sink.close();
  }
}

await main();
