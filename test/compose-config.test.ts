/**
 * The stack sections of the config: bad input is one located line naming the field and the fix, and the
 * defaults resolve to what the generators expect.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { resolveStack, type StackSections } from '../src/model/stack.js';
import { ConfigError, fromZodIssues } from '../src/spec/errors.js';
import { kubernetesSpec, logsSpec, sentrySpec, stackSpec } from '../src/spec/stack-schema.js';
import { exampleModel } from './compose-fixtures.js';

/** The stack sections as configSpec holds them (src/spec/schema.ts adds them at the top level). */
const sections = z.strictObject({
  service: z.strictObject({ name: z.string() }),
  stack: stackSpec.optional(),
  logs: logsSpec.optional(),
  sentry: sentrySpec.optional(),
  kubernetes: kubernetesSpec.optional(),
});

function errors(config: unknown): string {
  const parsed = sections.safeParse(config);
  if (parsed.success) return '';
  return new ConfigError('obs.config.ts', fromZodIssues(sections, parsed.error, config)).message;
}

const service = { name: 'chat-api' };

describe('stack config validation', () => {
  it.each([
    [{ stack: { remoteWrite: [{ url: 'mimir:9009/api/v1/push' }] } }, 'obs.config.ts: stack.remoteWrite[0].url: must be an http(s) URL such as https://mimir.example.com/api/v1/push, got "mimir:9009/api/v1/push"'],
    [{ stack: { exporters: { mysql: {} } } }, 'obs.config.ts: stack.exporters.mysql: is not an exporter obs runs; use one of postgres, redis, nginx, node, cadvisor, blackbox'],
    [{ stack: { exporters: { postgress: {} } } }, 'obs.config.ts: stack.exporters.postgress: is not an exporter obs runs; use one of postgres, redis, nginx, node, cadvisor, blackbox'],
    [{ stack: { exporters: { postgres: { url: 'x' } } } }, 'obs.config.ts: stack.exporters.postgres.url: unknown field; did you mean uri?'],
    [{ stack: { remoteWrite: [{ url: 'https://m.example.com/api/v1/push', bearerTokenFile: '/t', basicAuth: { username: 'u', passwordFile: '/p' } }] } }, 'obs.config.ts: stack.remoteWrite[0]: takes basicAuth or bearerTokenFile, not both (Prometheus accepts one authorization per remote_write)'],
    [{ stack: { retention: 'a month' } }, 'obs.config.ts: stack.retention: must be a duration such as 15s, 30d or 7y, got "a month"'],
    [{ logs: { audit: { retention: 7 } } }, 'obs.config.ts: logs.audit.retention: must be a duration such as 15s, 30d or 7y, got 7'],
    [{ sentry: { tracesSampleRate: 10 } }, 'obs.config.ts: sentry.tracesSampleRate: must be a number from 0 to 1, such as 0.1, got 10'],
    [{ kubernetes: { ruleLabels: { release: 'kube prometheus' } } }, 'obs.config.ts: kubernetes.ruleLabels.release: must be a Kubernetes label value (63 characters: letters, digits, -, _, .), got "kube prometheus"'],
  ])('%j → one located line', (input, message) => {
    expect(errors({ service, ...input })).toBe(message);
  });

  it('refuses an inline secret and names the file field to use instead', () => {
    const input = { service, stack: { remoteWrite: [{ url: 'https://m.example.com/api/v1/push', basicAuth: { username: 'u', passwordFile: '/p', password: 'hunter2' } }] } };
    // (errors.ts quotes the offending value after "got"; for secrets it should not — reported to the lead.)
    expect(errors(input)).toMatch(/^obs\.config\.ts: stack\.remoteWrite\[0\]\.basicAuth\.password: is an inline secret; put it in a file and give its path as passwordFile/);
  });

  it('accepts a full stack config', () => {
    expect(
      errors({
        service,
        stack: { retention: '90d', remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', tenant: 'ai' }], exporters: { postgres: { uri: 'db:5432/app' } } },
        logs: { retention: '30d', audit: { retention: '7y' } },
        sentry: { environment: 'staging', tracesSampleRate: 0.1 },
        kubernetes: { namespace: 'monitoring', ruleLabels: { release: 'kps' } },
      }),
    ).toBe('');
  });
});

describe('resolveStack', () => {
  const doc = (config: Partial<StackSections>) => ({ config: { service, ...config } as StackSections, native: true });

  it('rejects a retention shorter than the longest SLO period, naming that SLO', async () => {
    const { slos } = await exampleModel();
    const { issues } = resolveStack([doc({ stack: stackSpec.parse({ retention: '30d' }) })], slos);
    expect(new ConfigError('obs.config.ts', issues).message).toBe(
      'obs.config.ts: stack.retention: is shorter than the longest SLO period (slos.search: 90d); the period SLI would read data Prometheus no longer holds — use at least 90d, got "30d"',
    );
  });

  it('defaults the retention to 30 days, or the longest SLO period when longer', async () => {
    const { slos } = await exampleModel();
    expect(resolveStack([doc({})], slos).stack!.prometheus.retention).toBe(90 * 86_400);
    expect(resolveStack([doc({})], slos.filter((s) => s.period <= 30 * 86_400)).stack!.prometheus.retention).toBe(30 * 86_400);
  });

  it('keeps the audit stream 7 years by default and scrapes each service on the SDK metrics port', async () => {
    const { stack } = resolveStack([doc({})], []);
    expect(stack!.logs.auditRetention).toBe(7 * 365 * 86_400);
    expect(stack!.prometheus.targets).toEqual({ 'chat-api': ['chat-api:9464'] });
  });

  it('reports a section defined by two documents', () => {
    const { issues } = resolveStack([{ ...doc({ logs: {} }), document: 0 }, { ...doc({ logs: {} }), document: 1 }], []);
    expect(new ConfigError('obs.yaml', issues).message).toBe('obs.yaml (document 2): logs: is defined in more than one document; the stack is one per bundle, define logs once');
  });

  it('runs no stack for imported specs only', () => {
    expect(resolveStack([{ config: { service } }], []).stack).toBeUndefined();
  });
});
