/**
 * Health endpoints: `/health` (liveness: the process answers), `/health/ready` and `/health/detailed`
 * (registered component checks, run concurrently, each with a timeout). A failing critical check makes
 * the status `down` (HTTP 503); a failing non-critical one makes it `degraded` (still 200).
 */

export type HealthStatus = 'ok' | 'degraded' | 'down';

/** A check passes when it resolves to anything but `false`; it fails when it throws, rejects, returns false or times out. */
export type HealthCheck = () => unknown;

export interface HealthCheckOptions {
  /** A failing critical check makes the service `down` (503). Default true. */
  readonly critical?: boolean;
  /** Default 2000 ms. */
  readonly timeoutMs?: number;
}

export interface CheckResult {
  readonly status: 'ok' | 'down';
  readonly critical: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly service: string;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

export interface LivenessReport {
  readonly status: 'ok';
  readonly service: string;
  readonly uptimeSeconds: number;
}

interface Registered {
  readonly check: HealthCheck;
  readonly critical: boolean;
  readonly timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

/** Error text for the report: credentials in URLs are masked and the text is cut short. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//***:***@').slice(0, 200);
}

export class Health {
  private readonly checks = new Map<string, Registered>();
  private inFlight: Promise<HealthReport> | undefined;
  private readonly startedAt = Date.now();

  constructor(readonly service: string) {}

  register(name: string, check: HealthCheck, options: HealthCheckOptions = {}): void {
    this.checks.set(name, { check, critical: options.critical ?? true, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  unregister(name: string): boolean {
    return this.checks.delete(name);
  }

  live(): LivenessReport {
    return { status: 'ok', service: this.service, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  /** Runs every check concurrently; concurrent callers share one run. Never rejects. */
  run(): Promise<HealthReport> {
    this.inFlight ??= this.runAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runAll(): Promise<HealthReport> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([, c]) => runOne(c)));
    const checks: Record<string, CheckResult> = {};
    let status: HealthStatus = 'ok';
    entries.forEach(([name], i) => {
      const result = results[i]!;
      checks[name] = result;
      if (result.status === 'down') status = result.critical ? 'down' : status === 'down' ? 'down' : 'degraded';
    });
    return { status, service: this.service, checks };
  }
}

async function runOne(c: Registered): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs);
    timer.unref?.();
  });
  try {
    const value = await Promise.race([Promise.resolve().then(c.check), timeout]);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    if (value === false) return { status: 'down', critical: c.critical, latencyMs, error: 'check returned false' };
    return { status: 'ok', critical: c.critical, latencyMs };
  } catch (error) {
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 'down', critical: c.critical, latencyMs, error: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** HTTP status of a report: 503 when down, else 200. */
export function healthHttpStatus(report: HealthReport): number {
  return report.status === 'down' ? 503 : 200;
}

/** The readiness view: statuses only, no error text (probes and load balancers need no more). */
export function readinessView(report: HealthReport): HealthReport {
  const checks: Record<string, CheckResult> = {};
  for (const [name, r] of Object.entries(report.checks)) checks[name] = { status: r.status, critical: r.critical, latencyMs: r.latencyMs };
  return { ...report, checks };
}
