import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../helpers.js';
import { attr, spansOf, startReceiver } from './fixtures/telemetry-harness.js';

/** `node --import obs/register app.mjs` in a child process, as a service runs in production. */
const REGISTER = join(ROOT, 'dist/sdk/register.js');
const APP = join(ROOT, 'test/sdk/fixtures/register-app.mjs');

let child: ChildProcess | undefined;
afterEach(() => child?.kill('SIGKILL'));

function start(env: Record<string, string>) {
  child = spawn(process.execPath, ['--import', REGISTER, APP], {
    cwd: ROOT,
    // Spans go to a closed port: export failures are counted, never felt by requests.
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', SENTRY_DSN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      const json = JSON.parse(line) as Record<string, unknown>;
      if (typeof json.listening === 'number') resolve(json.listening);
      else lines.push(json);
    });
    child!.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { listening, lines, stderr: () => stderr, process: child };
}

describe('node --import obs/register', () => {
  it('starts metrics, logs and tracing from the config before the app, and flushes on SIGTERM', async () => {
    // NODE_ENV=production: Express's default handler would print the stack to stderr (it is quiet under `test`)
    const app = start({ OBS_CONFIG: 'test/sdk/fixtures/register-config.yaml', OBS_ENVIRONMENT: 'test', NODE_ENV: 'production' });
    const port = await app.listening;
    for (const id of [1, 2, 3]) expect((await fetch(`http://127.0.0.1:${port}/users/${id}`)).status).toBe(200);
    const boom = await fetch(`http://127.0.0.1:${port}/boom`);
    expect(boom.status).toBe(500);
    const boomBody = (await boom.json()) as { trace_id?: string };
    expect(boomBody).toEqual({ error: 'Internal Server Error', status: 500, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/users/:id",http_response_status_code="200"',
    );
    expect(metrics).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*le="0.3"/);
    expect(metrics).toMatch(/http_response_status_code="500",error_type="(Error|500)"/);
    expect(metrics).toContain('obs_trace_spans_dropped_total{reason="queue_full"} 0');

    // log lines reach the pipe when the app's event-loop turn ends: wait for them, not for a fixed time
    await vi.waitFor(() => expect(app.lines.some((l) => l.msg === 'request failed')).toBe(true), { timeout: 60_000, interval: 20 });
    const log = app.lines.find((l) => l.msg === 'user fetched');
    expect(log).toMatchObject({ level: 'info', service: 'register-it', env: 'test', user: '1' });
    expect(log!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // the error handler's one JSON line, in the failing request's trace, scrubbed
    const failed = app.lines.filter((l) => l.msg === 'request failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'error', http_route: '/boom', http_response_status_code: 500, trace_id: boomBody.trace_id });
    expect(JSON.stringify(failed[0])).not.toContain('hunter2-planted');
    expect(app.stderr()).toBe('');

    app.process.kill('SIGTERM');
    const [code, signal] = (await once(app.process, 'exit')) as [number | null, string | null];
    expect(signal ?? code).toBe('SIGTERM');
  });

  it('exports one span per request, named after the route by the obs adapter', async () => {
    const otlp = await startReceiver();
    try {
      const app = start({
        OBS_CONFIG: 'test/sdk/fixtures/register-config.yaml',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      });
      const port = await app.listening;
      expect((await fetch(`http://127.0.0.1:${port}/users/42`)).status).toBe(200);
      // A caller's W3C traceparent is continued.
      const [callerTrace, callerSpan] = ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'];
      await fetch(`http://127.0.0.1:${port}/users/7`, { headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` } });
      app.process.kill('SIGTERM');
      await once(app.process, 'exit');
      const traceId = app.lines.find((l) => l.msg === 'user fetched' && l.user === '42')?.trace_id;
      const spans = spansOf(otlp.bodies);
      const own = spans.filter((s) => s.traceId === traceId);
      expect(own.map((s) => [s.name, s.kind, attr(s, 'http.route'), attr(s, 'http.response.status_code')])).toEqual([
        ['GET /users/:id', 2, '/users/:id', 200],
      ]);
      const continued = spans.filter((s) => s.traceId === callerTrace);
      expect(continued.map((s) => [s.name, s.parentSpanId])).toEqual([['GET /users/:id', callerSpan]]);
      expect(app.lines.find((l) => l.user === '7')?.trace_id).toBe(callerTrace);
    } finally {
      await otlp.close();
    }
  });

  it('stops before the app starts when the config is invalid, naming the field', async () => {
    const app = start({ OBS_CONFIG: 'test/fixtures/import/sloth-raw-ratio.yml' });
    await expect(app.listening).rejects.toThrow(/exited 1: obs: test\/fixtures\/import\/sloth-raw-ratio.yml: the SDK needs an obs config/);
  });
});
