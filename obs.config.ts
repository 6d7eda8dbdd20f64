import { defineConfig } from 'obs';

// The example service: an AI chat/RAG API. `npx obs generate` turns this file into rules/.
export default defineConfig({
  service: {
    name: 'chat-api',
    team: 'ai-platform',
    owner: 'ai-platform-oncall',
    runbookBaseUrl: 'https://runbooks.example.com',
  },
  // The SDK prices every model call (obs_gen_ai_cost_usd_total) and exposes the budgets.
  genai: {
    prices: {
      'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
      'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
    },
    budgets: { daily: 10, monthly: 100 },
    // Retrieval-augmented answers: their end-to-end p95 is alerted on (thresholds.genai.ragLatencyP95).
    rag: { routes: ['/v1/chat'] },
  },
  // What the service runs on: each entry enables its exporter's alerts (and, later, dashboard rows).
  dependencies: {
    postgres: {},
    redis: {},
    nginx: {},
    host: {},
    containers: {},
    queues: { names: ['embeddings', 'ingest'] },
    certificates: ['api.example.com:443'],
    endpoints: ['https://api.example.com/health'],
    backups: { rpo: '1h' },
  },
  // Defaults come from our users' KPIs; override only what differs for this service.
  thresholds: {
    http: { latencyP95: '2s', latencyP99: '5s' },
    database: { latencyP95: '500ms' },
  },
  alerting: {
    receivers: {
      pagerduty: { routingKeyFile: '/etc/alertmanager/secrets/pagerduty-routing-key' },
      slack: { apiUrlFile: '/etc/alertmanager/secrets/slack-api-url', channel: '#chat-api-alerts' },
      email: {
        to: 'ai-platform@example.com',
        from: 'alertmanager@example.com',
        smarthost: 'smtp.example.com:587',
        authUsername: 'alertmanager@example.com',
        authPasswordFile: '/etc/alertmanager/secrets/smtp-password',
      },
    },
    maintenance: [
      // Sunday-night database upgrades: the dependency alerts of that window are expected.
      { name: 'db-maintenance', timeZone: 'Europe/Paris', weekdays: ['sunday'], times: [{ start: '02:00', end: '04:00' }], mute: { component: ['postgres'] } },
    ],
    links: {
      grafanaUrl: 'https://grafana.example.com',
      sentry: { url: 'https://sentry.io', org: 'example', project: 'chat-api' },
    },
  },
  slos: {
    availability: {
      description: 'Requests answered without a server error.',
      objective: 99.9,
      period: '30d',
      sli: { http: {} },
    },
    latency: {
      description: 'Chat and search requests answered within 500 ms (the p95 target).',
      objective: 95,
      sli: { httpLatency: { routes: ['/v1/chat', '/v1/search'], threshold: '500ms' } },
      alerting: { minEvents: 100 },
    },
    'latency-p99': {
      description: 'Requests answered within 1 s (the p99 target).',
      objective: 99,
      sli: { httpLatency: { threshold: '1s' } },
    },
    'llm-latency': {
      description: 'Model calls that complete within 5 s.',
      objective: 95,
      period: '28d',
      sli: { genaiLatency: { operations: ['chat'], threshold: '5s' } },
      alerting: { ticket: { severity: 'info' } },
    },
    'llm-errors': {
      description: 'Model calls that end without a provider error, timeout or rate limit.',
      objective: 99,
      period: '7d',
      sli: { genaiErrors: {} },
      alerting: { minEvents: 50 },
    },
    search: {
      description: 'Retrieval requests neither failed nor rate limited.',
      objective: 99.5,
      period: '90d',
      team: 'search',
      labels: { tier: '1' },
      sli: {
        ratio: {
          errors:
            'sum(rate(http_server_request_duration_seconds_count{job="chat-api",http_route="/v1/search",http_response_status_code=~"5..|429"}[$window]))',
          total: 'sum(rate(http_server_request_duration_seconds_count{job="chat-api",http_route="/v1/search"}[$window]))',
        },
      },
    },
  },
});
