import type { Slo } from '../../../model/types.js';

/** An SLI as two PromQL expressions in events per second over one window, each a single series. */
export interface SliQueries {
  readonly errors: string;
  readonly total: string;
}

/** How one synthetic input series of a promtool test moves: with good events, bad events, or both. */
export type EventRole = 'good' | 'bad' | 'total';

export interface TestSeries {
  /** `metric{label="value",...}` as promtool's input_series wants it. */
  readonly series: string;
  readonly role: EventRole;
}

/** Which spelling of an integer `le` boundary a synthetic histogram uses ("1" on Prometheus 2, "1.0" on 3). */
export type LeSpelling = 'prometheus2' | 'prometheus3';

/** One SLI kind: its queries and the raw series a unit test feeds it. Dispatched once, per kind. */
export interface SliKindModule<S> {
  queries(sli: S, slo: Slo, window: string): SliQueries;
  /** Undefined when the kind cannot synthesise input for its queries (the SLO is then not unit-tested). */
  testSeries(sli: S, slo: Slo, le: LeSpelling): readonly TestSeries[] | undefined;
}
