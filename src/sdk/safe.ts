/**
 * "The SDK never hurts the host": every instrumentation path runs through these guards. An exception
 * inside obs is swallowed and counted in obs_sdk_errors_total{component}; it never reaches a request.
 */

export type ErrorSink = (component: string, error: unknown) => void;

export interface Safety {
  /** Runs fn; on an exception counts it for `component` and returns `fallback`. */
  run<T>(component: string, fn: () => T, fallback: T): T;
  /** Counts an exception that was already caught. */
  report(component: string, error: unknown): void;
}

export function createSafety(sink: ErrorSink): Safety {
  const report = (component: string, error: unknown) => {
    try {
      sink(component, error);
    } catch {
      // The error counter itself failed: nothing left to do without hurting the host.
    }
  };
  return {
    report,
    run(component, fn, fallback) {
      try {
        return fn();
      } catch (error) {
        report(component, error);
        return fallback;
      }
    },
  };
}
