/**
 * The panel and variable kit every dashboard is built from, on top of the Grafana Foundation SDK: it
 * makes the conventions (datasource variables, units, descriptions, thresholds drawn as lines, exemplars
 * on latency) the only way to write a panel, and fills in what the SDK leaves empty (panel ids, refIds).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  type DataSourceRef,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  type RowPanel,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardKind, ExporterTarget, Service } from '../../model/types.js';
import { dashboardUid } from '../../model/ops-types.js';
import { labelMatchers, type Matcher, re, selector } from '../../promql/build.js';
import { DATASOURCE_UIDS } from './datasources.js';

/** Panels name their datasource through these variables, never by uid (dashboard-linter's rule). */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${prometheus_datasource}' };
export const LOKI: DataSourceRef = { type: 'loki', uid: '${loki_datasource}' };

/** Grafana's range variables: rate() windows follow the scrape interval and the zoom. */
export const RATE_INTERVAL = '$__rate_interval';
export const LOKI_RANGE = '$__auto';

const GREEN = 'green';
const ORANGE = 'orange';
const RED = 'red';

export interface Step {
  readonly value: number;
  readonly color: string;
}

export interface Thresholds {
  /** Colour below the first step. */
  readonly base: string;
  readonly steps: readonly Step[];
}

/** Higher is worse: green below, orange from `warning`, red from `critical` (or red from `warning` alone). */
export function badAbove(warning: number, critical?: number): Thresholds {
  const steps = critical === undefined ? [{ value: warning, color: RED }] : [{ value: warning, color: ORANGE }, { value: critical, color: RED }];
  return { base: GREEN, steps };
}

/**
 * Several limits on one panel (an SLO's threshold below the alert's): orange from the lowest, red from
 * the highest, each drawn as a dashed line.
 */
export function limits(values: readonly number[]): Thresholds {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return { base: GREEN, steps: sorted.map((value, i) => ({ value, color: i === sorted.length - 1 ? RED : ORANGE })) };
}

/** Lower is worse (SLIs, hit ratios, budget left): red below `value`, orange below `good` when given. */
export function badBelow(value: number, good?: number): Thresholds {
  const steps = good === undefined ? [{ value, color: GREEN }] : [{ value, color: ORANGE }, { value: good, color: GREEN }];
  return { base: RED, steps };
}

export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

/** What every panel must say: dashboard-linter fails a panel without title, description or unit. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and what good looks like. */
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly min?: number;
  readonly max?: number;
  /** Drawn as dashed lines on time series, colouring stats. */
  readonly thresholds?: Thresholds;
  /** Grid width (of 24) and height. */
  readonly width?: number;
  readonly height?: number;
  /** Latency panels: exemplars link to the trace datasource. */
  readonly exemplars?: boolean;
  /** Shows this panel over a fixed range (an SLO's period) whatever the dashboard's time picker says. */
  readonly timeFrom?: string;
  /** Shown instead of "No data" when no series exists (e.g. nothing firing). */
  readonly noValue?: string;
}

function thresholds(spec: PanelSpec): ThresholdsConfigBuilder {
  const base = spec.thresholds?.base ?? GREEN;
  // Grafana's base step has no value (null): "everything below the first step".
  const steps = [{ value: null, color: base }, ...(spec.thresholds?.steps ?? [])];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

function promTarget(query: Query, instant: boolean, exemplar: boolean): prometheus.DataqueryBuilder {
  const target = new prometheus.DataqueryBuilder().expr(query.expr).datasource(PROMETHEUS).legendFormat(query.legend ?? '__auto');
  if (instant) target.instant();
  else target.range();
  if (exemplar) target.exemplar(true);
  return target;
}

/** A time series of PromQL targets with its thresholds drawn as lines. */
export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .thresholds(thresholds(spec))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(spec.thresholds ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off))
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .fillOpacity(10)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  common(panel, spec);
  for (const query of spec.queries) panel.withTarget(promTarget(query, false, spec.exemplars === true));
  return panel;
}

/** A headline number (the last value) coloured by its thresholds. */
export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .thresholds(thresholds(spec))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .span(spec.width ?? 6)
    .height(spec.height ?? 4);
  common(panel, spec);
  for (const query of spec.queries) panel.withTarget(promTarget(query, true, false));
  return panel;
}

function common(panel: timeseries.PanelBuilder | stat.PanelBuilder, spec: PanelSpec): void {
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.timeFrom !== undefined) panel.timeFrom(spec.timeFrom);
  if (spec.noValue !== undefined) panel.noValue(spec.noValue);
}

/** A time series of LogQL metric queries (Loki datasource; ranges over `$__auto`). */
export function lokiTimeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(LOKI)
    .unit(spec.unit)
    .thresholds(thresholds(spec))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(spec.thresholds ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off))
    .fillOpacity(10)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  common(panel, spec);
  for (const query of spec.queries) panel.withTarget(new loki.DataqueryBuilder().expr(query.expr).datasource(LOKI).legendFormat(query.legend ?? '').range(true));
  return panel;
}

/** Log lines with details; the Loki datasource's derived field turns trace_id into a trace link. */
export function logsPanel(spec: Omit<PanelSpec, 'unit'> & { unit?: string }): logs.PanelBuilder {
  const panel = new logs.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(LOKI)
    .unit(spec.unit ?? 'none')
    .showTime(true)
    .enableLogDetails(true)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .sortOrder(LogsSortOrder.Descending)
    .span(spec.width ?? 24)
    .height(spec.height ?? 12);
  for (const query of spec.queries) panel.withTarget(new loki.DataqueryBuilder().expr(query.expr).datasource(LOKI).maxLines(1000));
  return panel;
}

// --- variables ---

export function prometheusDatasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('prometheus_datasource')
    .label('Prometheus')
    .type('prometheus')
    .current({ text: 'Prometheus', value: DATASOURCE_UIDS.prometheus });
}

export function lokiDatasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('loki_datasource').label('Loki').type('loki').current({ text: 'Loki', value: DATASOURCE_UIDS.loki });
}

/** A multi-value label variable over `label_values(<series>, <label>)`: all values by default (`.+`). */
export function labelVariable(name: string, series: string, label = name): QueryVariableBuilder {
  const query = `label_values(${series}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(name)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** `job` and `instance` (dashboard-linter's template-job/instance rules) among the targets `scope` selects. */
export function jobInstanceVariables(scope: readonly Matcher[]): QueryVariableBuilder[] {
  return [labelVariable('job', selector('up', scope)), labelVariable('instance', selector('up', [...scope, re('job', '$job')]))];
}

/** Narrowing matchers every panel adds: the job and instance the variables select. */
export const BY_VARIABLES: readonly Matcher[] = [re('job', '$job'), re('instance', '$instance')];

/** The service's own SDK series, narrowed by the dashboard's job and instance. */
export function serviceScope(service: Service): Matcher[] {
  return [...labelMatchers(service.selector), ...BY_VARIABLES];
}

/** An exporter target's series, narrowed by the dashboard's job and instance. */
export function targetScope(target: ExporterTarget): Matcher[] {
  return [...labelMatchers(target.selector), ...BY_VARIABLES];
}

// --- assembly ---

export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<Panel>[];
}

export interface DashboardSpec {
  readonly service: Service;
  readonly kind: DashboardKind;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly cog.Builder<VariableModel>[];
  readonly rows: readonly Row[];
  /** Dashboard time range default (`now-6h`). */
  readonly from?: string;
}

/** Tag shared by every dashboard of one service: the "related dashboards" link lists them. */
export const serviceTag = (service: Service) => `obs-service:${service.name}`;

/** Builds the classic dashboard JSON, read-only, with ids and refIds filled in. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(dashboardUid(spec.service.name, spec.kind))
    .description(spec.description)
    .tags(['obs', serviceTag(spec.service), spec.kind])
    .readonly()
    .refresh('1m')
    .time({ from: spec.from ?? 'now-6h', to: 'now' })
    .timezone('browser')
    .link(new DashboardLinkBuilder(`${spec.service.name} dashboards`).type(DashboardLinkType.Dashboards).tags([serviceTag(spec.service)]).asDropdown(true).keepTime(true).includeVars(false));
  for (const variable of spec.variables) builder.withVariable(variable);
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  return finalize(builder.build());
}

/**
 * The SDK leaves panel ids and query refIds empty: number panels 1.. and queries A, B, … per panel. Its
 * query objects also carry a marker method (`_implementsDataqueryVariant`); dropped so the result is plain data.
 */
function finalize(dashboard: Dashboard): Dashboard {
  let id = 0;
  const number = (panel: Panel | RowPanel) => {
    panel.id = ++id;
    if ('targets' in panel && panel.targets) {
      panel.targets.forEach((target, i) => {
        const query = target as { refId?: string; _implementsDataqueryVariant?: unknown };
        query.refId = String.fromCharCode(65 + i);
        delete query._implementsDataqueryVariant;
      });
    }
    if (panel.type === 'row') for (const child of (panel as RowPanel).panels) number(child);
  };
  for (const panel of dashboard.panels ?? []) number(panel);
  return dashboard;
}
