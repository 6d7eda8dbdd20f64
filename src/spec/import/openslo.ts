import { roundFloat } from '../../model/duration.js';
import type { ConfigIssue, FieldPath } from '../errors.js';
import type { ObsConfig, SliSpec, SloSpec } from '../schema.js';
import { queryProblem } from '../../promql/lint.js';
import { checkTypos, Issues, isNode, node, type Node, SLUG, SLUG_MESSAGE, slugify, uniqueIssues } from './common.js';
import { periodV1, periodV1alpha } from './openslo-period.js';
import type { ImportResult, SourceDocument, SpecImporter } from './types.js';

/**
 * OpenSLO `openslo/v1` and `openslo/v1alpha` (https://github.com/OpenSLO/OpenSLO). SLO documents become
 * SLOs; v1 SLI, DataSource and Service documents are read for what the SLOs refer to; alerting kinds are
 * ignored (obs generates its own multiwindow burn-rate alerts). Only Prometheus metric sources can be
 * imported. Queries are kept as written: a range like `[5m]` in them is the user's choice.
 */

type Version = 'v1' | 'v1alpha';

const VERSIONS: Record<string, Version> = { 'openslo/v1': 'v1', 'openslo/v1alpha': 'v1alpha' };
const KINDS = ['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'];
const OPS = ['lt', 'lte', 'gt', 'gte'] as const;
type Op = (typeof OPS)[number];

/** The fields of each OpenSLO object, per version: a near miss of one is reported as a typo. */
const KEYS = {
  document: ['apiVersion', 'kind', 'metadata', 'spec'],
  metadata: ['name', 'displayName', 'labels', 'annotations'],
  slo: {
    v1: ['description', 'service', 'indicator', 'indicatorRef', 'timeWindow', 'budgetingMethod', 'objectives', 'alertPolicies'],
    v1alpha: ['description', 'service', 'indicator', 'timeWindows', 'budgetingMethod', 'objectives'],
  },
  objective: {
    v1: ['displayName', 'op', 'value', 'target', 'targetPercent', 'timeSliceTarget', 'timeSliceWindow', 'indicator', 'indicatorRef', 'compositeWeight'],
    v1alpha: ['displayName', 'op', 'value', 'target', 'timeSliceTarget', 'ratioMetrics'],
  },
  sli: ['metadata', 'spec', 'description', 'ratioMetric', 'thresholdMetric'],
  ratioMetric: ['counter', 'good', 'bad', 'total', 'raw', 'rawType'],
  metric: ['metricSource'],
  metricSource: ['metricSourceRef', 'type', 'spec'],
  metricV1alpha: ['source', 'queryType', 'query', 'metadata'],
} as const;

/** A named document other documents can refer to. */
interface Named {
  readonly data: Node;
  readonly document: number;
}

/** What the documents of one file define, by kind and name. */
interface Catalog {
  readonly slis: Map<string, Named>;
  readonly dataSources: Map<string, Named>;
  readonly services: Map<string, Named>;
}

/** One SLO of ours, from one objective of an OpenSLO SLO. */
interface ImportedSlo {
  readonly service: string;
  readonly name: string;
  readonly spec: SloSpec;
  readonly document: number;
}

export const openSloImporter: SpecImporter = {
  format: 'openslo',
  detect: (doc) =>
    typeof doc === 'object' && doc !== null && String((doc as { apiVersion?: unknown }).apiVersion).startsWith('openslo/'),
  import: importOpenSlo,
};

function importOpenSlo(documents: readonly SourceDocument[]): ImportResult {
  const all: ConfigIssue[] = [];
  const catalog: Catalog = { slis: new Map(), dataSources: new Map(), services: new Map() };
  const sloDocs: { data: Node; version: Version; issues: Issues }[] = [];

  for (const { data, index } of documents) {
    const issues = new Issues(all, index);
    const header = readHeader(data, issues);
    if (!header) continue;
    if (header.kind === 'SLO') sloDocs.push({ data: header.data, version: header.version, issues });
    else if (header.kind === 'SLI') register(catalog.slis, header.data, issues);
    else if (header.kind === 'DataSource') register(catalog.dataSources, header.data, issues);
    else if (header.kind === 'Service') register(catalog.services, header.data, issues);
  }
  if (sloDocs.length === 0 && all.length === 0) all.push({ path: ['kind'], message: 'the file has no SLO document', document: 0 });

  const slos = sloDocs.flatMap(({ data, version, issues }) => importSlo(data, version, catalog, issues));
  const configs = groupByService(slos, catalog, all);
  if (all.length > 0) return { ok: false, issues: uniqueIssues(all) };
  return { ok: true, configs };
}

/** apiVersion and kind of a document; undefined (with an issue) when it is not an OpenSLO object. */
function readHeader(data: unknown, issues: Issues): { data: Node; version: Version; kind: string } | undefined {
  if (!isNode(data)) {
    issues.add([], 'must be an OpenSLO object (apiVersion, kind, metadata, spec)', data);
    return undefined;
  }
  const version = VERSIONS[String(data.apiVersion)];
  if (!version) {
    issues.add(['apiVersion'], 'must be openslo/v1 or openslo/v1alpha', data.apiVersion);
    return undefined;
  }
  const kind = data.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    issues.add(['kind'], `must be one of ${KINDS.join(', ')}`, kind);
    return undefined;
  }
  checkTypos(data, KEYS.document, [], issues);
  if (isNode(data.metadata)) checkTypos(data.metadata, KEYS.metadata, ['metadata'], issues);
  return { data, version, kind };
}

function register(map: Map<string, Named>, data: Node, issues: Issues): void {
  const name = metadataName(data, issues);
  if (name !== undefined && !map.has(name)) map.set(name, { data, document: issues.document });
}

function metadataName(data: Node, issues: Issues): string | undefined {
  const name = isNode(data.metadata) ? data.metadata.name : undefined;
  if (name === undefined) issues.add(['metadata', 'name'], 'is required (a string)');
  else if (typeof name !== 'string') issues.add(['metadata', 'name'], 'must be a string', name);
  else return name;
  return undefined;
}

/** The SLOs of one OpenSLO SLO document: one per objective. */
function importSlo(data: Node, version: Version, catalog: Catalog, issues: Issues): ImportedSlo[] {
  const name = metadataName(data, issues);
  if (name !== undefined && !SLUG.test(name)) issues.add(['metadata', 'name'], SLUG_MESSAGE, name);
  const spec = node(data.spec, ['spec'], issues);
  if (!spec) return [];
  checkTypos(spec, KEYS.slo[version], ['spec'], issues);
  const service = serviceName(spec, issues);
  const period = version === 'v1' ? periodV1(spec, issues) : periodV1alpha(spec, issues);
  checkBudgetingMethod(spec, issues);
  const objectives = objectiveList(spec.objectives, issues);
  const description = optionalString(spec, 'description', ['spec', 'description'], issues);

  return objectives.flatMap((raw, index): ImportedSlo[] => {
    const path = ['spec', 'objectives', index];
    const objective = node(raw, path, issues);
    if (!objective) return [];
    checkTypos(objective, KEYS.objective[version], path, issues);
    const percent = objectivePercent(objective, path, issues);
    const sli = version === 'v1' ? indicatorV1(spec, objective, path, catalog, issues) : indicatorV1alpha(spec, objective, path, issues);
    if (name === undefined || service === undefined || period === undefined || percent === undefined || !sli) return [];
    return [
      {
        service,
        name: objectives.length === 1 ? name : `${name}-${slugify(String(objective.displayName ?? '')) || index}`,
        document: issues.document,
        spec: { objective: percent, period, ...(description !== undefined && { description }), sli },
      },
    ];
  });
}

function serviceName(spec: Node, issues: Issues): string | undefined {
  const service = spec.service;
  const path = ['spec', 'service'];
  if (service === undefined) issues.add(path, 'is required (the name of the service the SLO belongs to)');
  else if (typeof service !== 'string') issues.add(path, 'must be a string', service);
  else if (!SLUG.test(service)) issues.add(path, SLUG_MESSAGE, service);
  else return service;
  return undefined;
}

/** Occurrences and both timeslice methods are computed the same way by our rules; a typo is reported. */
function checkBudgetingMethod(spec: Node, issues: Issues): void {
  const method = spec.budgetingMethod;
  if (method === undefined) return;
  if (typeof method !== 'string' || !['occurrences', 'timeslices', 'ratiotimeslices'].includes(method.toLowerCase())) {
    issues.add(['spec', 'budgetingMethod'], 'must be Occurrences, Timeslices or RatioTimeslices', method);
  }
}

/** `target: 0.995` (or v1's `targetPercent: 99.5`) → 99.5, without binary noise. */
function objectivePercent(objective: Node, path: FieldPath, issues: Issues): number | undefined {
  const { target, targetPercent } = objective;
  if (target !== undefined && targetPercent !== undefined) {
    issues.add([...path, 'targetPercent'], 'give target or targetPercent, not both');
    return undefined;
  }
  if (targetPercent !== undefined) {
    return inRange(targetPercent, 100, [...path, 'targetPercent'], 'a percentage such as 99.5', issues);
  }
  if (target === undefined) {
    issues.add([...path, 'target'], 'is required (a ratio such as 0.995)');
    return undefined;
  }
  const ratio = inRange(target, 1, [...path, 'target'], 'a ratio such as 0.995', issues);
  return ratio === undefined ? undefined : roundFloat(ratio * 100);
}

function inRange(value: unknown, max: number, path: FieldPath, example: string, issues: Issues): number | undefined {
  if (typeof value !== 'number') issues.add(path, `must be a number (${example})`, value);
  else if (!(value > 0 && value < max)) issues.add(path, `must be > 0 and < ${max} (${example})`, value);
  else return value;
  return undefined;
}

// ---- v1 indicators ----------------------------------------------------------------------------------

/** The objective's own indicator, else the SLO's; each inline or by reference to an SLI document. */
function indicatorV1(spec: Node, objective: Node, path: FieldPath, catalog: Catalog, issues: Issues): SliSpec | undefined {
  const own = objective.indicator !== undefined || objective.indicatorRef !== undefined;
  const owner = own ? { node: objective, path } : { node: spec, path: ['spec'] };
  const { indicator, indicatorRef } = owner.node;
  if (indicator !== undefined && indicatorRef !== undefined) {
    issues.add([...owner.path, 'indicatorRef'], 'give indicator or indicatorRef, not both');
    return undefined;
  }
  if (indicator !== undefined) {
    const inline = node(indicator, [...owner.path, 'indicator'], issues);
    if (!inline) return undefined;
    // The SLI's spec, or (leniently) its metrics written directly under `indicator`.
    const hasSpec = inline.spec !== undefined;
    const sliPath = hasSpec ? [...owner.path, 'indicator', 'spec'] : [...owner.path, 'indicator'];
    const sliSpec = node(hasSpec ? inline.spec : inline, sliPath, issues);
    return sliSpec && sliV1(sliSpec, sliPath, objective, path, catalog, issues);
  }
  if (indicatorRef === undefined) {
    issues.add(['spec', 'indicator'], 'is required (an inline SLI), or give indicatorRef naming an SLI document');
    return undefined;
  }
  const sli = typeof indicatorRef === 'string' ? catalog.slis.get(indicatorRef) : undefined;
  if (!sli) {
    issues.add([...owner.path, 'indicatorRef'], 'must name a kind: SLI document of this file', indicatorRef);
    return undefined;
  }
  const sliIssues = issues.in(sli.document);
  const sliSpec = node(sli.data.spec, ['spec'], sliIssues);
  return sliSpec && sliV1(sliSpec, ['spec'], objective, path, catalog, sliIssues, issues);
}

/**
 * An SLI spec: ratioMetric or thresholdMetric. `issues` point into the SLI's document; the objective's
 * own problems (op, value) go to `objectiveIssues`, its SLO document.
 */
function sliV1(
  sli: Node,
  path: FieldPath,
  objective: Node,
  objectivePath: FieldPath,
  catalog: Catalog,
  issues: Issues,
  objectiveIssues = issues,
): SliSpec | undefined {
  checkTypos(sli, KEYS.sli, path, issues);
  const { ratioMetric, thresholdMetric } = sli;
  if ((ratioMetric === undefined) === (thresholdMetric === undefined)) {
    issues.add(path, 'needs exactly one of ratioMetric or thresholdMetric');
    return undefined;
  }
  if (ratioMetric !== undefined) {
    const ratio = node(ratioMetric, [...path, 'ratioMetric'], issues);
    return ratio && ratioV1(ratio, [...path, 'ratioMetric'], catalog, issues);
  }
  const query = queryV1(thresholdMetric, [...path, 'thresholdMetric'], catalog, issues);
  const comparison = thresholdComparison(objective, objectivePath, objectiveIssues);
  return query !== undefined && comparison ? { threshold: { query, ...comparison } } : undefined;
}

/** good or bad over total; or raw, a stored ratio of successes or failures. */
function ratioV1(ratio: Node, path: FieldPath, catalog: Catalog, issues: Issues): SliSpec | undefined {
  checkTypos(ratio, KEYS.ratioMetric, path, issues);
  const { good, bad, total, raw } = ratio;
  if (raw !== undefined) {
    if (good !== undefined || bad !== undefined || total !== undefined) {
      issues.add([...path, 'raw'], 'cannot be combined with good, bad or total');
      return undefined;
    }
    return rawV1(ratio, path, catalog, issues);
  }
  if ((good === undefined) === (bad === undefined)) {
    issues.add(path, good === undefined ? 'needs good or bad (the numerator), and total' : 'needs good or bad, not both');
    return undefined;
  }
  const part = good !== undefined ? 'good' : 'bad';
  const numerator = queryV1(ratio[part], [...path, part], catalog, issues, true);
  const denominator = queryV1(total, [...path, 'total'], catalog, issues, true);
  if (numerator === undefined || denominator === undefined) return undefined;
  return { ratio: part === 'good' ? { good: numerator, total: denominator } : { errors: numerator, total: denominator } };
}

function rawV1(ratio: Node, path: FieldPath, catalog: Catalog, issues: Issues): SliSpec | undefined {
  const rawType = ratio.rawType;
  if (rawType !== 'success' && rawType !== 'failure') {
    if (rawType === undefined) issues.add([...path, 'rawType'], 'is required with raw (success or failure)');
    else issues.add([...path, 'rawType'], 'must be success or failure', rawType);
    return undefined;
  }
  const query = queryV1(ratio.raw, [...path, 'raw'], catalog, issues);
  if (query === undefined) return undefined;
  // A stored success ratio counts good events; its complement is the error ratio.
  return { errorRatio: { query: rawType === 'failure' ? query : `1 - (${query})` } };
}

/** The PromQL of a v1 metric: `{metricSource: {type: Prometheus, spec: {query}}}`. */
function queryV1(metric: unknown, path: FieldPath, catalog: Catalog, issues: Issues, events = false): string | undefined {
  const outer = node(metric, path, issues);
  if (outer) checkTypos(outer, KEYS.metric, path, issues);
  const source = node(outer?.metricSource, [...path, 'metricSource'], issues);
  if (!source) return undefined;
  const sourcePath = [...path, 'metricSource'];
  checkTypos(source, KEYS.metricSource, sourcePath, issues);
  if (!isPrometheus(source, sourcePath, catalog, issues)) return undefined;
  const spec = node(source.spec, [...sourcePath, 'spec'], issues);
  if (!spec) return undefined;
  // `query` is what the OpenSLO examples use; some tools write `promql`.
  const key = spec.query === undefined && spec.promql !== undefined ? 'promql' : 'query';
  return promql(spec[key], [...sourcePath, 'spec', key], issues, events);
}

/** The source's type, or that of the DataSource document it refers to, must be Prometheus. */
function isPrometheus(source: Node, path: FieldPath, catalog: Catalog, issues: Issues): boolean {
  if (source.type !== undefined) return checkPrometheus(source.type, [...path, 'type'], issues);
  const ref = source.metricSourceRef;
  if (ref === undefined) {
    issues.add([...path, 'type'], 'is required (Prometheus), or give metricSourceRef naming a DataSource document');
    return false;
  }
  const dataSource = typeof ref === 'string' ? catalog.dataSources.get(ref) : undefined;
  if (!dataSource) {
    issues.add([...path, 'metricSourceRef'], 'must name a kind: DataSource document of this file', ref);
    return false;
  }
  const type = isNode(dataSource.data.spec) ? dataSource.data.spec.type : undefined;
  return checkPrometheus(type, ['spec', 'type'], issues.in(dataSource.document));
}

function checkPrometheus(type: unknown, path: FieldPath, issues: Issues): boolean {
  if (typeof type === 'string' && type.toLowerCase() === 'prometheus') return true;
  issues.add(path, 'only Prometheus metric sources can be imported (obs generates Prometheus rules)', type);
  return false;
}

// ---- v1alpha indicators -----------------------------------------------------------------------------

/** An objective's ratioMetrics, else the SLO's thresholdMetric judged by the objective's op and value. */
function indicatorV1alpha(spec: Node, objective: Node, path: FieldPath, issues: Issues): SliSpec | undefined {
  if (objective.ratioMetrics !== undefined) {
    const ratio = node(objective.ratioMetrics, [...path, 'ratioMetrics'], issues);
    return ratio && ratioV1alpha(ratio, [...path, 'ratioMetrics'], issues);
  }
  const indicator = isNode(spec.indicator) ? spec.indicator : undefined;
  if (indicator?.thresholdMetric === undefined) {
    issues.add([...path, 'ratioMetrics'], 'is required (good and total), unless spec.indicator has a thresholdMetric');
    return undefined;
  }
  const query = queryV1alpha(indicator.thresholdMetric, ['spec', 'indicator', 'thresholdMetric'], issues);
  const comparison = thresholdComparison(objective, path, issues);
  return query !== undefined && comparison ? { threshold: { query, ...comparison } } : undefined;
}

function ratioV1alpha(ratio: Node, path: FieldPath, issues: Issues): SliSpec | undefined {
  checkTypos(ratio, KEYS.ratioMetric, path, issues);
  const { good, bad } = ratio;
  if ((good === undefined) === (bad === undefined)) {
    issues.add(path, good === undefined ? 'needs good (the numerator) and total' : 'needs good or bad, not both');
    return undefined;
  }
  const part = good !== undefined ? 'good' : 'bad';
  const numerator = queryV1alpha(ratio[part], [...path, part], issues, true);
  const total = queryV1alpha(ratio.total, [...path, 'total'], issues, true);
  if (numerator === undefined || total === undefined) return undefined;
  return { ratio: part === 'good' ? { good: numerator, total } : { errors: numerator, total } };
}

/** The PromQL of a v1alpha metric: `{source: prometheus, queryType: promql, query}`. */
function queryV1alpha(metric: unknown, path: FieldPath, issues: Issues, events = false): string | undefined {
  const spec = node(metric, path, issues);
  if (!spec) return undefined;
  checkTypos(spec, KEYS.metricV1alpha, path, issues);
  if (spec.source === undefined) {
    issues.add([...path, 'source'], 'is required (prometheus)');
    return undefined;
  }
  if (!checkPrometheus(spec.source, [...path, 'source'], issues)) return undefined;
  return promql(spec.query, [...path, 'query'], issues, events);
}

// ---- shared -----------------------------------------------------------------------------------------

/** The objective's `op` and `value`: good when `SLI <op> value` holds. */
function thresholdComparison(objective: Node, path: FieldPath, issues: Issues): { op: Op; value: number } | undefined {
  const { op, value } = objective;
  const validOp = OPS.includes(op as Op);
  if (op === undefined) issues.add([...path, 'op'], 'is required with a thresholdMetric (lt, lte, gt or gte)');
  else if (!validOp) issues.add([...path, 'op'], 'must be lt, lte, gt or gte', op);
  if (value === undefined) issues.add([...path, 'value'], 'is required with a thresholdMetric (the number the SLI is compared to)');
  else if (typeof value !== 'number') issues.add([...path, 'value'], 'must be a number', value);
  return validOp && typeof value === 'number' ? { op: op as Op, value } : undefined;
}

/**
 * A PromQL query, checked where the user wrote it. Ranges are the user's (OpenSLO has no window
 * placeholder); a ratio's parts must still be events per second.
 */
function promql(query: unknown, path: FieldPath, issues: Issues, events = false): string | undefined {
  if (query === undefined) issues.add(path, 'is required (a PromQL query)');
  else if (typeof query !== 'string' || query.trim() === '') issues.add(path, 'must be a PromQL query', query);
  else {
    const problem = queryProblem(query.trim(), { events });
    if (!problem) return query.trim();
    issues.add(path, problem.message);
  }
  return undefined;
}

/** Our configs, one per service in order of first appearance; a repeated SLO name is an issue. */
function groupByService(slos: readonly ImportedSlo[], catalog: Catalog, issues: ConfigIssue[]) {
  const configs = new Map<string, { config: ObsConfig & { slos: Record<string, SloSpec> }; document: number }>();
  for (const slo of slos) {
    let entry = configs.get(slo.service);
    if (!entry) {
      entry = { config: { service: serviceConfig(slo.service, catalog), slos: {} }, document: slo.document };
      configs.set(slo.service, entry);
    }
    if (slo.name in entry.config.slos) {
      issues.push({
        path: ['metadata', 'name'],
        message: `SLO "${slo.name}" of service "${slo.service}" is defined twice`,
        document: slo.document,
      });
      continue;
    }
    entry.config.slos[slo.name] = slo.spec;
  }
  return [...configs.values()];
}

/** A Service document of the same name lends its description. */
function serviceConfig(name: string, catalog: Catalog): ObsConfig['service'] {
  const spec = catalog.services.get(name)?.data.spec;
  const description = isNode(spec) && typeof spec.description === 'string' ? spec.description : undefined;
  return { name, ...(description !== undefined && { description }) };
}

// ---- tiny readers -----------------------------------------------------------------------------------

function objectiveList(value: unknown, issues: Issues): unknown[] {
  const path = ['spec', 'objectives'];
  if (Array.isArray(value) && value.length > 0) return value;
  if (value === undefined) issues.add(path, 'is required (a list)');
  else if (Array.isArray(value)) issues.add(path, 'must list at least one objective');
  else issues.add(path, 'must be a list', value);
  return [];
}

function optionalString(parent: Node, key: string, path: FieldPath, issues: Issues): string | undefined {
  const value = parent[key];
  if (value === undefined || typeof value === 'string') return value;
  issues.add(path, 'must be a string', value);
  return undefined;
}
