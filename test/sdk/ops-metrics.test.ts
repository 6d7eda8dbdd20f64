import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvents, heapSizeLimit, heapSizeUsed, processStartTime } from '../../src/catalog/sdk-metrics.js';
import { createLogging } from '../../src/sdk/logging.js';
import { MetricsCore } from '../../src/sdk/metrics/core.js';
import { Security } from '../../src/sdk/security.js';
import { ROOT } from '../helpers.js';

/** The SDK series the operational alerts need beyond the instruments: heap limit and audit trail volume. */
const cores: MetricsCore[] = [];
const newCore = (options?: ConstructorParameters<typeof MetricsCore>[0]) => {
  const core = new MetricsCore(options);
  cores.push(core);
  return core;
};
afterEach(() => {
  for (const core of cores.splice(0)) core.stop();
});

/** The value of an unlabelled series in the Prometheus text format. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('runtime series for the heap alert', () => {
  it("exports V8's heap limit next to prom-client's heap and start time", async () => {
    const text = await newCore().metrics();
    expect(sample(text, heapSizeLimit.name)).toBe(getHeapStatistics().heap_size_limit);
    expect(sample(text, heapSizeUsed.name)).toBeGreaterThan(0);
    expect(sample(text, processStartTime.name)).toBeGreaterThan(0);
  });

  it('leaves it out with the default metrics', async () => {
    expect(sample(await newCore({ defaultMetrics: false }).metrics(), heapSizeLimit.name)).toBeUndefined();
  });
});

describe('audit trail volume', () => {
  const quiet = { write: () => {} };

  it('counts the lines of the audit logger and its children, not other lines or disabled levels', () => {
    const logging = createLogging({ service: 'api' }, { destination: quiet, level: 'info' });
    logging.audit.info({ action: 'login' }, 'user logged in');
    logging.audit.warn('access denied');
    logging.audit.child({ admin: true }).info('role granted');
    logging.audit.debug('below the level: not written, not counted');
    logging.logger.info('an ordinary line');
    logging.logger.child({ audit: 'spoofed' }).info('not the audit logger');
    expect(logging.auditEvents()).toBe(3);
  });

  it('exports them as obs_audit_events_total, up to date at each scrape', async () => {
    const core = newCore({ defaultMetrics: false });
    const logging = createLogging({ service: 'api' }, { destination: quiet });
    const security = new Security(core);
    security.countAuditEvents(() => logging.auditEvents());
    security.countAuditEvents(() => logging.auditEvents());
    expect(sample(await core.metrics(), auditEvents.name)).toBe(0);
    logging.audit.info('one');
    logging.audit.info('two');
    expect(sample(await core.metrics(), auditEvents.name)).toBe(2);
    logging.audit.info('three');
    expect(sample(await core.metrics(), auditEvents.name)).toBe(3);
  });

  it('never throws into the scrape when the source fails', async () => {
    const core = newCore({ defaultMetrics: false });
    new Security(core).countAuditEvents(() => {
      throw new Error('broken source');
    });
    expect(sample(await core.metrics(), auditEvents.name)).toBe(0);
    // counted during the first scrape, after obs_sdk_errors_total was rendered: visible in the next one
    expect(await core.metrics()).toMatch(/obs_sdk_errors_total\{component="security"\} 1\n/);
  });
});

/** startObs wires the audit logger to the counter: a real process, as a service runs (needs `npm run build`). */
describe('startObs', () => {
  it('exports the audit trail volume and the heap limit', async () => {
    const script = `
      import { startObs } from ${JSON.stringify(join(ROOT, 'dist/sdk/start.js'))};
      const obs = await startObs({
        config: { service: { name: 'audit-it' }, slos: { availability: { objective: 99, sli: { http: {} } } } },
        handleSignals: false,
        telemetry: { logging: { destination: { write() {} } } },
      });
      obs.audit.info({ action: 'login' }, 'user logged in');
      obs.audit.info({ action: 'role_granted' }, 'role granted');
      obs.logger.info('not an audit line');
      process.stdout.write(await obs.metrics());
      await obs.shutdown();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', SENTRY_DSN: '' },
    });
    expect(sample(stdout, auditEvents.name)).toBe(2);
    expect(sample(stdout, heapSizeLimit.name)).toBeGreaterThan(0);
  }, 300_000);
});
