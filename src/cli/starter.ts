/** The commented starter config `obs init` writes: valid as written, so `obs generate` works at once. */
export function starterConfig(service: string): string {
  return `import { defineConfig } from 'obs';

// One definition drives the SDK's metrics and every generated rule, alert and test.
// Reference: https://github.com/obs-dev/obs#config-reference
export default defineConfig({
  service: {
    name: '${service}',
    team: 'my-team',
    // Alerts link to <runbookBaseUrl>/<service>/slo-<name>.
    // runbookBaseUrl: 'https://runbooks.example.com',
    // Which series are this service's (default: { job: '${service}' }).
    // selector: { job: '${service}' },
  },
  slos: {
    // 99.9% of requests answer without a 5xx, over a rolling 30 days.
    availability: {
      objective: 99.9,
      period: '30d',
      sli: { http: {} },
    },
    // 99% of requests answer within 500 ms. The SDK adds 0.5 s to its histogram buckets.
    latency: {
      objective: 99,
      sli: { httpLatency: { threshold: '500ms' } },
      // No page for a few slow requests at night: burn alerts need 100 requests in their window.
      alerting: { minEvents: 100 },
    },
  },
});
`;
}
