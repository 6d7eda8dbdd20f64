import { collectDefaultMetrics, type OpenMetricsContentType, Registry } from 'prom-client';
import { getHeapStatistics } from 'node:v8';
import { heapSizeLimit, labelOverflow, sdkErrors } from '../../catalog/sdk-metrics.js';
import { createSafety, type Safety } from '../safe.js';
import type { Span } from '@opentelemetry/api';
import { activeTraceId, sampledTraceId } from './exemplar.js';
import { renderAll } from './exposition.js';
import { monitorEventLoop, PROM_CLIENT_LAG_GAUGES } from './event-loop.js';
import { CatalogCounter, CatalogGauge } from './instruments.js';
import { GuardFactory, type LabelLimits } from './labels.js';

export interface MetricsCoreOptions {
  /** Caps on distinct values per label name (see DEFAULT_LABEL_LIMITS). */
  readonly limits?: LabelLimits;
  /** Attach trace_id exemplars from the active OTel span to histogram observations. Default true. */
  readonly exemplars?: boolean;
  /**
   * prom-client's default Node metrics (event loop lag, heap, GC, CPU, handles), collected once per
   * registry. Default true; `{ prefix }` to prefix their names.
   */
  readonly defaultMetrics?: boolean | { readonly prefix?: string };
}

/** What every obs component shares: the registry, the label guards and the never-throw safety net. */
export class MetricsCore {
  /**
   * Our own registry (never prom-client's global one). OpenMetrics-typed, so prom-client metrics you add
   * may enable exemplars; obs renders both formats itself and negotiates per scrape.
   */
  readonly registry: Registry<OpenMetricsContentType> = openMetricsRegistry();
  readonly guards: GuardFactory;
  readonly safety: Safety;
  private readonly exemplarsEnabled: boolean;

  constructor(options: MetricsCoreOptions = {}) {
    // Internal counters: their label values are fixed by obs itself, so their guards never overflow.
    const internal = new GuardFactory({ metric: 1000, label: 1000, component: 1000 }, () => {});
    const overflow = new CatalogCounter(labelOverflow, this.registry, internal);
    const errors = new CatalogCounter(sdkErrors, this.registry, internal);
    this.guards = new GuardFactory(options.limits ?? {}, (metric, label) => overflow.inc([metric, label]));
    this.safety = createSafety((component) => errors.inc([component]));
    this.exemplarsEnabled = options.exemplars ?? true;
    const defaults = options.defaultMetrics ?? true;
    if (defaults !== false) {
      const prefix = typeof defaults === 'object' && defaults.prefix ? defaults.prefix : '';
      this.safety.run(
        'default_metrics',
        () => {
          collectDefaultMetrics({ register: this.registry, ...(prefix && { prefix }) });
          for (const name of PROM_CLIENT_LAG_GAUGES) this.registry.removeSingleMetric(prefix + name);
          // prom-client has no heap limit; alerts judge nodejs_heap_size_used_bytes against it. Fixed at startup.
          new CatalogGauge(heapSizeLimit, this.registry, internal).child([]).set(getHeapStatistics().heap_size_limit);
          this.stopEventLoop = monitorEventLoop(this, internal, this.safety);
        },
        undefined,
      );
    }
  }

  private stopEventLoop: (() => void) | undefined;

  /** Stops the event-loop monitor; the registry keeps its values. */
  stop(): void {
    this.stopEventLoop?.();
    this.stopEventLoop = undefined;
  }

  /** trace_id for an exemplar, or undefined (disabled, no span, or the OTel API failed). */
  traceId(): string | undefined {
    if (!this.exemplarsEnabled) return undefined;
    return this.safety.run('exemplars', activeTraceId, undefined);
  }

  /** trace_id of a given span for an exemplar (when the span is sampled). */
  traceIdOf(span: Span): string | undefined {
    if (!this.exemplarsEnabled) return undefined;
    try {
      return sampledTraceId(span);
    } catch (error) {
      this.safety.report('exemplars', error);
      return undefined;
    }
  }

  /** The exposition as one string: OpenMetrics (with exemplars) or the Prometheus text format. */
  metrics(format: 'prometheus' | 'openmetrics' = 'prometheus'): Promise<string> {
    return renderAll(this.registry, { openMetrics: format === 'openmetrics', onError: (_m, e) => this.safety.report('metrics', e) });
  }
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}
