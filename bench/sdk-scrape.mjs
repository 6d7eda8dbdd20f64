// Scrape cost of the obs SDK vs plain prom-client with 10,000 HTTP histogram label combinations.
// Usage: npm run build && node --expose-gc bench/sdk-scrape.mjs   (OBS_DIST=<dir> to use another build)
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Histogram, Registry } from 'prom-client';

import { pathToFileURL } from 'node:url';

const dist = process.env.OBS_DIST ? pathToFileURL(`${process.env.OBS_DIST.replace(/\/+$/, '')}/`) : new URL('../dist/', import.meta.url);
const { createObs } = await import(new URL('sdk/index.js', dist).href);
const { HTTP_DURATION_BUCKETS, httpServerRequestDuration } = await import(new URL('catalog/index.js', dist).href);
const { exposition } = await import(new URL('sdk/metrics/exposition.js', dist).href);

const ROUTES = 100;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = Array.from({ length: 25 }, (_, i) => 200 + i * 12);
const RUNS = Number(process.env.RUNS ?? 7);
const config = {
  service: { name: 'bench' },
  slos: { latency: { objective: 99, sli: { httpLatency: { threshold: '300ms' } } } },
};

function* combos() {
  let i = 0;
  for (let r = 0; r < ROUTES; r++)
    for (const method of METHODS)
      for (const status of STATUSES) yield { method, route: `/api/v1/resource${r}/:id`, status, d: ((i++ % 997) + 1) / 1000 };
}

const heap = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

// --- obs --- (the instance's fixed cost is measured apart from its per-series cost)
const obs = createObs(config, { defaultMetrics: false });
let before = heap();
for (const c of combos()) obs.http.record({ method: c.method, route: c.route, status: c.status, durationSeconds: c.d });
const obsHeap = heap() - before;

// --- plain prom-client, same metric ---
const registry = new Registry();
const hist = new Histogram({
  name: httpServerRequestDuration.name,
  help: httpServerRequestDuration.help,
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
  buckets: [...HTTP_DURATION_BUCKETS, 0.3].sort((a, b) => a - b),
  registers: [registry],
});
before = heap();
for (const c of combos()) hist.observe({ http_request_method: c.method, http_route: c.route, http_response_status_code: c.status }, c.d);
const promHeap = heap() - before;

/** Runs fn RUNS times; median wall time and the longest event-loop block seen while it ran. */
async function timed(fn) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const h = monitorEventLoopDelay({ resolution: 1 });
    // and a 1 ms ticker: the largest gap between its ticks is the longest block, seen from a timer
    let last = performance.now();
    let gap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 1);
    await new Promise((r) => setTimeout(r, 5));
    gap = 0;
    h.enable();
    const t0 = performance.now();
    const bytes = await fn();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 3)); // let both observe the last turn
    h.disable();
    clearInterval(ticker);
    results.push({ ms, loop: Math.max(h.max / 1e6, gap), bytes });
  }
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    ms: +med(results.map((r) => r.ms)).toFixed(1),
    loopMaxMedianMs: +med(results.map((r) => r.loop)).toFixed(1),
    loopMaxWorstMs: +Math.max(...results.map((r) => r.loop)).toFixed(1),
    mb: +(results[0].bytes / 1e6).toFixed(1),
  };
}

const immediate = () => new Promise((r) => setImmediate(r));
async function renderObs(openMetrics) {
  let bytes = 0;
  for await (const chunk of exposition(obs.registry, { openMetrics })) {
    bytes += chunk.length;
    await immediate();
  }
  return bytes;
}

async function serve(handler) {
  const server = createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/metrics` };
}

/** One scrape by curl (another process, so the client's parsing does not load our event loop). */
function curl(url, accept) {
  return new Promise((resolve, reject) => {
    const args = ['-s', '-o', '/dev/null', '-w', '%{size_download}', ...(accept ? ['-H', `Accept: ${accept}`] : []), url];
    execFile('curl', args, (err, stdout) => (err ? reject(err) : resolve(Number(stdout))));
  });
}

const ours = await serve(obs.metricsHandler);
const plain = await serve(async (_req, res) => {
  const text = await registry.metrics();
  res.writeHead(200, { 'Content-Type': registry.contentType });
  res.end(text);
});

const OM = 'application/openmetrics-text;version=1.0.0';
const rows = {
  'obs, in-process render (text)': await timed(() => renderObs(false)),
  'obs, in-process render (OpenMetrics)': await timed(() => renderObs(true)),
  'prom-client registry.metrics()': await timed(async () => (await registry.metrics()).length),
  'obs, HTTP scrape by curl (text)': await timed(() => curl(ours.url)),
  'obs, HTTP scrape by curl (OpenMetrics)': await timed(() => curl(ours.url, OM)),
  'prom-client, HTTP scrape by curl': await timed(() => curl(plain.url)),
};
ours.server.close();
plain.server.close();

console.log(`10,000 label combinations of ${httpServerRequestDuration.name} (16 buckets), median of ${RUNS} runs; loopMax = longest event-loop block (monitorEventLoopDelay)`);
console.table(rows);
console.log(
  `heap per 1,000 combinations: obs ${(obsHeap / 10 / 1024).toFixed(0)} KiB, prom-client ${(promHeap / 10 / 1024).toFixed(0)} KiB` +
    (globalThis.gc ? '' : ' (run with --expose-gc for accurate numbers)'),
);
