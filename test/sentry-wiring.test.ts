/**
 * Sentry wiring: the environment file names exactly what the SDK reads, the alert rules are applied by the
 * generated script to a Sentry API stand-in on 127.0.0.1 (created once, then updated in place), and the
 * source-map step calls sentry-cli with the release name the SDK reports.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSentry, SENTRY_PATHS, type SentryAlertRules } from '../src/generate/sentry/index.js';
import { exampleModel, type StackModel, withStack, writeFiles } from './compose-fixtures.js';
import { ROOT, tempDir } from './helpers.js';

const run = promisify(execFile);

let model: StackModel;
let dir: string;

beforeAll(async () => {
  model = withStack(await exampleModel(), { sentry: { tracesSampleRate: 0.2, requestsPerHour: 36_000 } });
  dir = tempDir('obs-sentry-');
  writeFiles(dir, generateSentry(model));
});

const rules = () => generateSentry(model).find((f) => f.path === SENTRY_PATHS.rules)!.content as SentryAlertRules;

describe('sentry/<service>.env', () => {
  const env = () => Object.fromEntries(
    (generateSentry(model).find((f) => f.path === SENTRY_PATHS.env('chat-api'))!.content as string)
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=') as [string, string]),
  );

  it('sets the environment and sample rates from the config, and leaves the DSN empty', () => {
    expect(env()).toEqual({
      SENTRY_DSN: '',
      SENTRY_ENVIRONMENT: 'production',
      OBS_ENVIRONMENT: 'production',
      OBS_SENTRY_TRACES_SAMPLE_RATE: '0.2',
      OBS_SENTRY_PROFILES_SAMPLE_RATE: '0',
    });
  });

  it('names the variables the SDK reads for the DSN, the environment and the release', () => {
    const sdk = ['src/sdk/sentry.ts', 'src/sdk/start.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const name of ['SENTRY_DSN', 'SENTRY_ENVIRONMENT', 'SENTRY_RELEASE', 'OBS_ENVIRONMENT', 'OBS_SERVICE_VERSION']) {
      expect(sdk, name).toMatch(new RegExp(`process\\.env(?:\\.${name}\\b|\\['${name}'\\])`));
    }
  });
});

describe('sentry/alert-rules.json', () => {
  it('has a new-issue and a regression alert for the service in its environment', () => {
    const [fresh, regression] = rules().issueAlerts;
    expect(fresh!.conditions).toEqual([{ id: 'sentry.rules.conditions.first_seen_event.FirstSeenEventCondition' }]);
    expect(regression!.conditions).toEqual([{ id: 'sentry.rules.conditions.regression_event.RegressionEventCondition' }]);
    for (const rule of rules().issueAlerts) {
      expect(rule.environment).toBe('production');
      expect(rule.filters).toEqual([{ id: 'sentry.rules.filters.tagged_event.TaggedEventFilter', key: 'service', match: 'eq', value: 'chat-api' }]);
    }
  });

  it('sizes the error spike from the availability SLO: the page burn rate of its budget, per hour', () => {
    // 36,000 requests an hour × 0.1% budget × 14.4 = 518.4 errors an hour
    const [spike] = rules().metricAlerts;
    expect(spike!.triggers.map((t) => [t.label, t.alertThreshold])).toEqual([['critical', 519], ['warning', 260]]);
    expect(spike).toMatchObject({ aggregate: 'count()', dataset: 'events', timeWindow: 60, projects: ['chat-api'], query: 'service:chat-api' });
    expect(spike!.resolveThreshold).toBeLessThan(260);
  });
});

interface Call {
  readonly method: string;
  readonly path: string;
  readonly auth: string | undefined;
  readonly body: unknown;
}

describe('apply-alert-rules.mjs against a Sentry API on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  const calls: Call[] = [];
  const stored = { issue: [] as { id: string; name: string }[], metric: [] as { id: string; name: string }[] };
  let failWith: number | undefined;

  const body = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const call = { method: req.method!, path: req.url!, auth: req.headers.authorization, body: await body(req) };
      calls.push(call);
      const send = (status: number, data?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      if (failWith) return send(failWith, { detail: 'You do not have permission to perform this action.' });
      const kind = req.url!.startsWith('/api/0/projects/example/chat-api/rules/') ? 'issue' : req.url!.startsWith('/api/0/organizations/example/alert-rules/') ? 'metric' : undefined;
      if (req.url === '/api/0/teams/example/ai-platform/') return send(200, { id: '42', slug: 'ai-platform' });
      if (!kind) return send(404, { detail: 'not found' });
      if (req.method === 'GET') return send(200, stored[kind]);
      if (req.method === 'POST') {
        const created = { id: String(stored.issue.length + stored.metric.length + 1), name: (call.body as { name: string }).name };
        stored[kind].push(created);
        return send(201, created);
      }
      if (req.method === 'PUT') return send(200, call.body);
      send(405);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const apply = (env: Record<string, string>) =>
    run(process.execPath, [join(dir, SENTRY_PATHS.apply)], { env: { PATH: process.env['PATH'] ?? '', SENTRY_URL: url, ...env } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('creates the rules with the token from the environment, then updates them in place', async () => {
    const first = await apply({ SENTRY_AUTH_TOKEN: 'test-token', SENTRY_ALERT_TEAM: 'ai-platform' });
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('issue alert "chat-api: new issue in production": created');
    expect(first.stdout).toContain('metric alert "chat-api: error spike in production": created');
    expect(calls.every((c) => c.auth === 'Bearer test-token')).toBe(true);
    const metric = calls.find((c) => c.method === 'POST' && c.path === '/api/0/organizations/example/alert-rules/')!.body as SentryAlertRules['metricAlerts'][number];
    expect(metric.triggers[0]!.actions).toEqual([{ type: 'email', targetType: 'team', targetIdentifier: '42' }]);
    const posted = calls.filter((c) => c.method === 'POST').map((c) => (c.body as { name: string }).name);
    expect(posted).toEqual([...rules().issueAlerts, ...rules().metricAlerts].map((r) => r.name));

    calls.length = 0;
    const second = await apply({ SENTRY_AUTH_TOKEN: 'test-token' });
    expect(second.stdout.match(/updated/g)).toHaveLength(3);
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual([
      '/api/0/projects/example/chat-api/rules/1/',
      '/api/0/projects/example/chat-api/rules/2/',
      '/api/0/organizations/example/alert-rules/3/',
    ]);
  });

  it('refuses to run without SENTRY_AUTH_TOKEN, and reports API errors in one line', async () => {
    const none = await apply({});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('set SENTRY_AUTH_TOKEN');
    failWith = 403;
    const denied = await apply({ SENTRY_AUTH_TOKEN: 'test-token' });
    failWith = undefined;
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
    expect(denied.stderr).toContain('GET /projects/example/chat-api/rules/: 403');
  });
});

describe('upload-sourcemaps.sh', () => {
  it('runs sentry-cli for the release the SDK reports (<service>@<version>)', async () => {
    const log = join(dir, 'cli.log');
    const stub = join(dir, 'sentry-cli-stub');
    writeFileSync(stub, `#!/bin/sh\necho "$SENTRY_ORG/$SENTRY_PROJECT $*" >> ${log}\n`, { mode: 0o755 });
    const { stdout } = await run('sh', [join(dir, SENTRY_PATHS.upload)], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', SENTRY_AUTH_TOKEN: 'test-token', OBS_SERVICE_VERSION: '1.4.2', SENTRY_CLI: stub },
    });
    expect(stdout).toContain('release chat-api@1.4.2');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'example/chat-api releases new chat-api@1.4.2',
      'example/chat-api sourcemaps inject dist',
      'example/chat-api sourcemaps upload --release chat-api@1.4.2 dist',
      'example/chat-api releases finalize chat-api@1.4.2',
    ]);
  });

  it('fails before calling anything without SENTRY_AUTH_TOKEN', async () => {
    const error = await run('sh', [join(dir, SENTRY_PATHS.upload)], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } }).catch((e: { stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toContain('set SENTRY_AUTH_TOKEN');
  });
});
