/**
 * Invalid obs configs and the exact message each must produce. YAML unless the name ends in .ts.
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

export const INVALID_CASES: readonly { name: string; file?: string; input: string; message: string }[] = [
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
  { name: 'ratio with invalid PromQL', input: sli('      ratio:\n        errors: sum(rate(x[$window])\n        total: sum(rate(y[$window]))\n'), message: "obs.yaml:8: slos.s.sli.ratio.errors: is not valid PromQL: syntax error at character 16 (the expression ends too early), got \"sum(rate(x[$window])\"" },
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
  { name: 'TS config that throws', file: 'obs.config.ts', input: "throw new Error('boom');\nexport default {};\n", message: "obs.config.ts: could not load the config: boom" },
  {
    name: 'TS config with a wrong type',
    file: 'obs.config.ts',
    input: "import { defineConfig } from 'obs';\nexport default defineConfig({ service: { name: 'api' }, slos: { a: { objective: 120, sli: { http: {} } } } });\n",
    message: "obs.config.ts: slos.a.objective: must be > 0 and < 100, got 120",
  },
];
