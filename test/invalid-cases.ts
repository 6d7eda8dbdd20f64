/**
 * Invalid inputs and the exact message each must produce: obs configs (YAML unless `file` ends in .ts)
 * and Sloth and OpenSLO specs, each run through `obs generate --config <file>`.
 * `BASE` is a valid config; most cases change one field of it.
 */
const BASE = `service:
  name: api
slos:
  availability:
    objective: 99.9
    sli:
      http: {}
`;

const sli = (body: string) => `service:\n  name: api\nslos:\n  s:\n    objective: 99\n    sli:\n${body}`;
const slo = (body: string) => `service:\n  name: api\nslos:\n  s:\n${body}`;

type InvalidCase = { name: string; file?: string; input: string; message: string };

const ratio = (errors: string, total: string) => sli(`      ratio:\n        errors: '${errors}'\n        total: '${total}'\n`);

/** Queries that parse but mean the wrong thing: a ratio must be events per second over `$window`. */
const MEANING_CASES: InvalidCase[] = [
  {
    name: 'ratio total reading a histogram _count without rate()',
    input: ratio('sum(rate(x_count{job="api",code="500"}[$window]))', 'sum(x_count{job="api"})'),
    message: "obs.yaml:9: slos.s.sli.ratio.total: reads the counter x_count as is, without rate(): a ratio needs events per second; write rate(x_count{job=\"api\"}[$window])",
  },
  {
    name: 'ratio with a fixed range',
    input: ratio('sum(rate(x_total{code="500"}[5m]))', 'sum(rate(x_total[$window]))'),
    message: "obs.yaml:8: slos.s.sli.ratio.errors: has a fixed range [5m]; write [$window] instead, so that the window is filled in for you",
  },
  {
    name: 'ratio with no range at all',
    input: ratio('sum(job:errors:rate5m)', 'sum(job:requests:rate5m)'),
    message: "obs.yaml:8: slos.s.sli.ratio.errors: has no [$window] range; put the window placeholder where the range goes, e.g. sum(rate(requests_total[$window]))\nobs.yaml:9: slos.s.sli.ratio.total: has no [$window] range; put the window placeholder where the range goes, e.g. sum(rate(requests_total[$window]))",
  },
  {
    name: 'ratio of a gauge',
    input: ratio('sum(queue_rejected)', 'sum(queue_depth)'),
    message: "obs.yaml:8: slos.s.sli.ratio.errors: is not events per second: it reads queue_rejected as is, which looks like a gauge; a ratio counts events, e.g. sum(rate(requests_total[$window]))\nobs.yaml:9: slos.s.sli.ratio.total: is not events per second: it reads queue_depth as is, which looks like a gauge; a ratio counts events, e.g. sum(rate(requests_total[$window]))",
  },
  {
    name: 'ratio summing a counter over time',
    input: ratio('sum(increase(x_total{code="500"}[$window]))', 'sum(sum_over_time(x_total[$window]))'),
    message: "obs.yaml:9: slos.s.sli.ratio.total: reads the counter x_total through sum_over_time(): a ratio needs events per second; write rate(x_total[$window])",
  },
];

const TS_HEAD = "import { defineConfig } from 'obs';\n\nexport default defineConfig({\n  service: { name: 'api' },\n";

/** TypeScript configs: located like YAML ones, down to the column of a syntax error. */
const TS_CASES: InvalidCase[] = [
  {
    name: 'TS config with a duplicated SLO name',
    file: 'obs.config.ts',
    input: `${TS_HEAD}  slos: {\n    availability: { objective: 99.9, sli: { http: {} } },\n    availability: { objective: 99, sli: { http: { routes: ['/a'] } } },\n  },\n});\n`,
    message: "obs.config.ts:7: slos.availability: is written twice (lines 6 and 7); JavaScript keeps only the last one and silently drops the other: rename or remove one",
  },
  {
    name: 'TS config with a syntax error',
    file: 'obs.config.ts',
    input: `${TS_HEAD}  slos: {\n    a: { objective: 99.9 sli: { http: {} } },\n  },\n});\n`,
    message: "obs.config.ts:6:26: syntax error: Expected `,` or `}` but found `Identifier`\n  6 |     a: { objective: 99.9 sli: { http: {} } },\n    |                          ^",
  },
  {
    name: 'TS config that throws in a helper',
    file: 'obs.config.ts',
    input: "import { defineConfig } from 'obs';\n\nfunction objective(name: string): number {\n  throw new TypeError(`no objective for ${name}`);\n}\n\nexport default defineConfig({ service: { name: 'api' }, slos: { a: { objective: objective('a'), sli: { http: {} } } } });\n",
    message: "obs.config.ts:4: the config threw an error while loading: TypeError: no objective for a",
  },
  {
    name: 'TS config with a wrong type, located',
    file: 'obs.config.ts',
    input: `${TS_HEAD}  slos: {\n    a: {\n      objective: 99.9,\n      sli: { httpLatency: { threshold: '500' } },\n    },\n  },\n});\n`,
    message: "obs.config.ts:8: slos.a.sli.httpLatency.threshold: must be a duration such as 500ms or 2s, or a number of seconds, got \"500\"",
  },
  { name: 'garbage: one long line', input: `${'x'.repeat(5000)}\n`, message: "obs.yaml:1: must be an object, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"… (5000 characters)" },
  {
    name: 'garbage: thousands of unknown fields',
    input: Array.from({ length: 3000 }, (_, i) => `key${i + 1}: value\n`).join(''),
    message: [
      'obs.yaml:1: service: is required (an object)',
      'obs.yaml:1: slos: is required (an object)',
      ...Array.from({ length: 18 }, (_, i) => `obs.yaml:${i + 1}: key${i + 1}: unknown field`),
      'obs.yaml: … and 2982 more problems (is this the config you meant?)',
    ].join('\n'),
  },
  { name: 'garbage: binary', input: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)).toString('latin1'), message: "obs.yaml: is not a text file; --config takes an obs config (TS, YAML or JSON), or a Sloth or OpenSLO spec" },
];

const SLOTH_HEAD = 'version: prometheus/v1\nservice: api\nslos:\n  - name: availability\n    objective: 99.9\n    sli:\n';

/** Sloth and OpenSLO specs: every problem in the user's own field names and lines. */
const IMPORT_CASES: InvalidCase[] = [
  {
    name: 'Sloth events without the window placeholder',
    file: 'sloth.yml',
    input: `${SLOTH_HEAD}      events:\n        error_query: sum(rate(http_requests_total{code=~"5.."}[5m]))\n        total_query: sum(http_requests_total)\n`,
    message: "sloth.yml:8: slos[0].sli.events.error_query: has a fixed range [5m]; write [{{.window}}] instead, so that the window is filled in for you\nsloth.yml:9: slos[0].sli.events.total_query: reads the counter http_requests_total as is, without rate(): a ratio needs events per second; write rate(http_requests_total[{{.window}}])",
  },
  {
    name: 'Sloth raw query without the window placeholder',
    file: 'sloth.yml',
    input: `${SLOTH_HEAD}      raw:\n        error_ratio_query: slo:errors:ratio_rate5m\n`,
    message: "sloth.yml:8: slos[0].sli.raw.error_ratio_query: has no [{{.window}}] range; put the window placeholder where the range goes, e.g. sum(rate(requests_total[{{.window}}]))",
  },
  {
    name: 'Sloth query with a syntax error',
    file: 'sloth.yml',
    input: `${SLOTH_HEAD}      raw:\n        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}])\n`,
    message: "sloth.yml:8: slos[0].sli.raw.error_ratio_query: is not valid PromQL: syntax error at character 77 (the expression ends too early)",
  },
  { name: 'Sloth unknown version', file: 'sloth.yml', input: SLOTH_HEAD.replace('v1', 'v2') + '      raw:\n        error_ratio_query: x\n', message: "sloth.yml:1: version: is an unknown Sloth spec version (obs imports Sloth's prometheus/v1), got \"prometheus/v2\"" },
  {
    name: 'OpenSLO key typo',
    file: 'openslo.yml',
    input: 'apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: availability\nspec:\n  service: web\n  indicator:\n    metadata:\n      name: good\n    spec:\n      ratioMetric:\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: sum(rate(requests_total{code!~"5.."}[5m]))\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: sum(rate(requests_total[5m]))\n  timeWindow:\n    - duration: 28d\n      isRolling: true\n  objectivez:\n    - target: 0.99\n',
    message: "openslo.yml:26: spec.objectivez: unknown field; did you mean objectives?\nopenslo.yml:6: spec.objectives: is required (a list)",
  },
  {
    name: 'OpenSLO ratio of raw counters',
    file: 'openslo.yml',
    input: 'apiVersion: openslo/v1alpha\nkind: SLO\nmetadata:\n  name: checkout\nspec:\n  service: shop\n  timeWindows:\n    - unit: Day\n      count: 28\n      isRolling: true\n  objectives:\n    - target: 0.999\n      ratioMetrics:\n        good:\n          source: prometheus\n          queryType: promql\n          query: sum(checkout_total{status="ok"})\n        total:\n          source: prometheus\n          queryType: promql\n          query: sum(rate(checkout_total[5m])\n',
    message: "openslo.yml:17: spec.objectives[0].ratioMetrics.good.query: reads the counter checkout_total as is, without rate(): a ratio needs events per second; write rate(checkout_total{status=\"ok\"}[5m])\nopenslo.yml:21: spec.objectives[0].ratioMetrics.total.query: is not valid PromQL: syntax error at character 29 (the expression ends too early)",
  },
];

export const INVALID_CASES: readonly InvalidCase[] = [
  { name: 'objective of 100', input: BASE.replace('99.9', '100'), message: "obs.yaml:5: slos.availability.objective: must be > 0 and < 100, got 100" },
  { name: 'objective of 0', input: BASE.replace('99.9', '0'), message: "obs.yaml:5: slos.availability.objective: must be > 0 and < 100, got 0" },
  { name: 'objective as a string', input: BASE.replace('99.9', '"99.9%"'), message: "obs.yaml:5: slos.availability.objective: must be a percentage such as 99.9, got \"99.9%\"" },
  { name: 'objective missing', input: BASE.replace('    objective: 99.9\n', ''), message: "obs.yaml:5: slos.availability.objective: is required (a percentage such as 99.9)" },
  { name: 'service missing', input: BASE.replace('service:\n  name: api\n', ''), message: "obs.yaml:1: service: is required (an object)" },
  { name: 'service name with spaces', input: BASE.replace('name: api', 'name: my api'), message: "obs.yaml:2: service.name: must be letters, digits, dots, dashes or underscores, starting with a letter or digit, got \"my api\"" },
  { name: 'no SLOs', input: 'service:\n  name: api\nslos: {}\n', message: "obs.yaml:3: slos: must define at least one SLO" },
  { name: 'typo in a field', input: BASE.replace('objective', 'objectiv'), message: "obs.yaml:5: slos.availability.objective: is required (a percentage such as 99.9)\nobs.yaml:5: slos.availability.objectiv: unknown field; did you mean objective?" },
  { name: 'unknown top-level field', input: `${BASE}budget: 10\n`, message: "obs.yaml:8: budget: unknown field" },
  { name: 'two SLI kinds', input: sli('      http: {}\n      httpLatency:\n        threshold: 1s\n'), message: "obs.yaml:7: slos.s.sli: needs exactly one of http, httpLatency, genaiLatency, genaiErrors, ratio, errorRatio, threshold" },
  { name: 'no SLI kind', input: sli('      {}\n'), message: "obs.yaml:7: slos.s.sli: needs exactly one of http, httpLatency, genaiLatency, genaiErrors, ratio, errorRatio, threshold" },
  { name: 'unknown SLI kind', input: sli('      latency:\n        threshold: 1s\n'), message: "obs.yaml:8: slos.s.sli.latency: unknown field\nobs.yaml:7: slos.s.sli: needs exactly one of http, httpLatency, genaiLatency, genaiErrors, ratio, errorRatio, threshold" },
  { name: 'period not in days', input: slo('    objective: 99\n    period: 36h\n    sli:\n      http: {}\n'), message: "obs.yaml:6: slos.s.period: must be whole days from 7d to 90d (e.g. 7d, 28d, 30d, 90d), got \"36h\"" },
  { name: 'period too long', input: slo('    objective: 99\n    period: 1y\n    sli:\n      http: {}\n'), message: "obs.yaml:6: slos.s.period: must be a duration such as 5m, 1h or 30d, got \"1y\"" },
  { name: 'period too short', input: slo('    objective: 99\n    period: 1d\n    sli:\n      http: {}\n'), message: "obs.yaml:6: slos.s.period: must be whole days from 7d to 90d (e.g. 7d, 28d, 30d, 90d), got \"1d\"" },
  { name: 'latency threshold without unit', input: sli('      httpLatency:\n        threshold: "500"\n'), message: "obs.yaml:8: slos.s.sli.httpLatency.threshold: must be a duration such as 500ms or 2s, or a number of seconds, got \"500\"" },
  { name: 'latency threshold negative', input: sli('      httpLatency:\n        threshold: -1\n'), message: "obs.yaml:8: slos.s.sli.httpLatency.threshold: must be > 0, got -1" },
  { name: 'latency threshold missing', input: sli('      httpLatency: {}\n'), message: "obs.yaml:7: slos.s.sli.httpLatency.threshold: is required (a duration such as 500ms or 2s, or a number of seconds)" },
  {
    name: 'threshold not a bucket boundary',
    input: `histograms:\n  httpServerDuration:\n    buckets: [0.1, 0.25, 0.5, 1]\n${sli('      httpLatency:\n        threshold: 300ms\n')}`,
    message: "obs.yaml:11: slos.s.sli.httpLatency.threshold: 0.3s is not a bucket boundary of http_server_request_duration_seconds (histograms.httpServerDuration.buckets: 0.1, 0.25, 0.5, 1); add 0.3 to those buckets or use one of them",
  },
  {
    name: 'GenAI threshold not a bucket boundary',
    input: `histograms:\n  genaiOperationDuration:\n    buckets: [1, 2, 4, 8]\n${sli('      genaiLatency:\n        threshold: 5s\n')}`,
    message: "obs.yaml:11: slos.s.sli.genaiLatency.threshold: 5s is not a bucket boundary of gen_ai_client_operation_duration_seconds (histograms.genaiOperationDuration.buckets: 1, 2, 4, 8); add 5 to those buckets or use one of them",
  },
  { name: 'bad error status', input: sli('      http:\n        errorStatus: [500x]\n'), message: "obs.yaml:8: slos.s.sli.http.errorStatus[0]: must be a status code or class such as 503, 50x or 5xx, got \"500x\"" },
  { name: 'empty route list', input: sli('      http:\n        routes: []\n'), message: "obs.yaml:8: slos.s.sli.http.routes: must list at least one value, got an empty list" },
  { name: 'ratio with errors and good', input: sli('      ratio:\n        errors: a\n        good: b\n        total: c\n'), message: "obs.yaml:8: slos.s.sli.ratio: needs exactly one of errors or good, besides total" },
  { name: 'ratio without total', input: sli('      ratio:\n        errors: sum(rate(x[$window]))\n'), message: "obs.yaml:8: slos.s.sli.ratio.total: is required (a string)" },
  { name: 'ratio with invalid PromQL', input: sli('      ratio:\n        errors: sum(rate(x[$window])\n        total: sum(rate(y[$window]))\n'), message: "obs.yaml:8: slos.s.sli.ratio.errors: is not valid PromQL: syntax error at character 21 (the expression ends too early), got \"sum(rate(x[$window])\"" },
  { name: 'threshold with unknown op', input: sli('      threshold:\n        query: up\n        op: "<="\n        value: 1\n'), message: "obs.yaml:9: slos.s.sli.threshold.op: must be lt, lte, gt or gte, got \"<=\"" },
  { name: 'bad severity', input: `${BASE}    alerting:\n      page:\n        severity: high\n`, message: "obs.yaml:10: slos.availability.alerting.page.severity: must be critical, warning or info, got \"high\"" },
  { name: 'page is true', input: `${BASE}    alerting:\n      page: true\n`, message: "obs.yaml:9: slos.availability.alerting.page: must be false (disabled) or an object with severity, labels, annotations, got true" },
  { name: 'bad alert name', input: `${BASE}    alerting:\n      name: my-alert\n`, message: "obs.yaml:9: slos.availability.alerting.name: must be an alert name such as ChatApiLatencyBudgetBurn, got \"my-alert\"" },
  { name: 'minEvents not whole', input: `${BASE}    alerting:\n      minEvents: 2.5\n`, message: "obs.yaml:9: slos.availability.alerting.minEvents: must be a whole number, got 2.5" },
  { name: 'minEvents on a time-weighted SLI', input: sli('      errorRatio:\n        query: up\n').replace('    sli:', '    alerting:\n      minEvents: 10\n    sli:'), message: "obs.yaml:7: slos.s.alerting.minEvents: needs an SLI that counts events (http, httpLatency, genaiLatency, genaiErrors or ratio); errorRatio and threshold SLIs count evaluations" },
  { name: 'bad label name', input: `${BASE}    labels:\n      tier-1: "yes"\n`, message: "obs.yaml:9: slos.availability.labels.tier-1: name must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)" },
  { name: 'label value not a string', input: `${BASE}    labels:\n      tier: [1]\n`, message: "obs.yaml:9: slos.availability.labels.tier: must be a string" },
  { name: 'bad runbook URL', input: BASE.replace('  name: api\n', '  name: api\n  runbookBaseUrl: not a url\n'), message: "obs.yaml:3: service.runbookBaseUrl: must be a URL, got \"not a url\"" },
  { name: 'missingData for without unit', input: `${BASE}    alerting:\n      missingData:\n        for: 10\n`, message: "obs.yaml:10: slos.availability.alerting.missingData.for: must be a duration such as 5m, 1h or 30d, got 10" },
  { name: 'YAML syntax error', input: 'service:\n  name: api\nslos:\n  a: [\n', message: "obs.yaml:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]" },
  { name: 'empty file', input: '', message: "obs.yaml: the file is empty" },
  { name: 'not an object', input: '- a\n- b\n', message: "obs.yaml:1: must be an object" },
  { name: 'multi-document obs config', input: `${BASE}---\n${BASE}`, message: "obs.yaml: an obs config is a single YAML document (multi-document files are for Sloth specs)" },
  { name: 'TS config without default export', file: 'obs.config.ts', input: 'export const config = {};\n', message: "obs.config.ts: must export the config as default: `export default defineConfig({...})`" },
  { name: 'TS config that throws', file: 'obs.config.ts', input: "throw new Error('boom');\nexport default {};\n", message: "obs.config.ts:1: the config threw an error while loading: boom" },
  {
    name: 'TS config with a wrong type',
    file: 'obs.config.ts',
    input: "import { defineConfig } from 'obs';\nexport default defineConfig({ service: { name: 'api' }, slos: { a: { objective: 120, sli: { http: {} } } } });\n",
    message: "obs.config.ts:2: slos.a.objective: must be > 0 and < 100, got 120",
  },
  ...MEANING_CASES,
  ...TS_CASES,
  ...IMPORT_CASES,
];
