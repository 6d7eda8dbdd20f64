/**
 * compose/alloy/config.alloy: Grafana Alloy reading the SDK's JSON logs from Docker and from files,
 * through the pipeline of pipeline.ts, into Loki. Each builder takes the arguments Alloy's component
 * reference names (grafana.com/docs/alloy/latest/reference/components/), typed.
 */
import { type AlloyBlock, AlloyRef, type AlloyValue, printAlloy } from './alloy-syntax.js';
import {
  DOCKER_LOGS_LABEL,
  EXTRACTED_FIELDS,
  LABEL_FIELDS,
  LOG_FILES_GLOB,
  LOKI_PUSH_URL,
  METADATA_FIELDS,
  TIMESTAMP_FIELD,
  TIMESTAMP_FORMAT,
} from './pipeline.js';
import { FILES_JOB } from './promtail.js';

const ref = (path: string) => new AlloyRef(path);

function component(name: string, label: string | undefined, args: Record<string, AlloyValue | undefined>, blocks: AlloyBlock[] = []): AlloyBlock {
  const attributes = Object.entries(args).filter((e): e is [string, AlloyValue] => e[1] !== undefined);
  return { name, ...(label !== undefined && { label }), attributes, blocks };
}

interface RelabelRule {
  readonly source_labels?: readonly string[];
  readonly regex?: string;
  readonly target_label: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labeldrop';
}
const rule = (r: RelabelRule) => component('rule', undefined, { ...r });

export function discoveryDocker(label: string, args: { host: string; refresh_interval: string; filter: readonly { name: string; values: readonly string[] }[] }): AlloyBlock {
  return component('discovery.docker', label, { host: args.host, refresh_interval: args.refresh_interval }, args.filter.map((f) => component('filter', undefined, { name: f.name, values: f.values })));
}

export function discoveryRelabel(label: string, args: { targets: AlloyRef | readonly never[]; rule: readonly RelabelRule[] }): AlloyBlock {
  return component('discovery.relabel', label, { targets: args.targets }, args.rule.map(rule));
}

export function lokiSourceDocker(label: string, args: { host: string; targets: AlloyRef; relabel_rules?: AlloyRef; forward_to: readonly AlloyRef[] }): AlloyBlock {
  return component('loki.source.docker', label, { host: args.host, targets: args.targets, relabel_rules: args.relabel_rules, forward_to: args.forward_to });
}

export function localFileMatch(label: string, args: { path_targets: readonly Record<string, string>[]; sync_period?: string }): AlloyBlock {
  return component('local.file_match', label, { path_targets: args.path_targets, sync_period: args.sync_period });
}

export function lokiSourceFile(label: string, args: { targets: AlloyRef; forward_to: readonly AlloyRef[] }): AlloyBlock {
  return component('loki.source.file', label, { targets: args.targets, forward_to: args.forward_to });
}

export type ProcessStage =
  | { readonly json: { readonly expressions: Record<string, string> } }
  | { readonly labels: { readonly values: Record<string, string> } }
  | { readonly structured_metadata: { readonly values: Record<string, string> } }
  | { readonly timestamp: { readonly source: string; readonly format: string; readonly action_on_failure?: 'fudge' | 'skip' } };

export function lokiProcess(label: string, args: { forward_to: readonly AlloyRef[]; stages: readonly ProcessStage[] }): AlloyBlock {
  const stages = args.stages.map((stage) => {
    const [kind, body] = Object.entries(stage)[0] as [string, Record<string, AlloyValue>];
    return component(`stage.${kind}`, undefined, body);
  });
  return component('loki.process', label, { forward_to: args.forward_to }, stages);
}

export function lokiWrite(label: string, args: { endpoint: { url: string } }): AlloyBlock {
  return component('loki.write', label, {}, [component('endpoint', undefined, { url: args.endpoint.url })]);
}

/** `name = ""` in a stage means "the extracted field of the same name". */
const fromExtracted = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, '']));

export function alloyStages(): ProcessStage[] {
  return [
    { json: { expressions: fromExtracted(EXTRACTED_FIELDS) } },
    { labels: { values: fromExtracted(Object.keys(LABEL_FIELDS)) } },
    { structured_metadata: { values: fromExtracted(METADATA_FIELDS) } },
    { timestamp: { source: TIMESTAMP_FIELD, format: TIMESTAMP_FORMAT, action_on_failure: 'fudge' } },
  ];
}

const DOCKER_HOST = 'unix:///var/run/docker.sock';

export function alloyBlocks(): AlloyBlock[] {
  const toPipeline = [ref('loki.process.sdk_json.receiver')];
  return [
    discoveryDocker('containers', { host: DOCKER_HOST, refresh_interval: '15s', filter: [{ name: 'label', values: [DOCKER_LOGS_LABEL] }] }),
    // Rules only (no targets): loki.source.docker applies them with the __meta_docker_* labels in view.
    // Lines that are not JSON (a crash's stack trace) still get the service label from compose.
    discoveryRelabel('containers', {
      targets: [],
      rule: [{ source_labels: ['__meta_docker_container_label_com_docker_compose_service'], target_label: 'service' }],
    }),
    lokiSourceDocker('containers', {
      host: DOCKER_HOST,
      targets: ref('discovery.docker.containers.targets'),
      relabel_rules: ref('discovery.relabel.containers.rules'),
      forward_to: toPipeline,
    }),
    localFileMatch('files', { path_targets: [{ __path__: LOG_FILES_GLOB, job: FILES_JOB }], sync_period: '15s' }),
    lokiSourceFile('files', { targets: ref('local.file_match.files.targets'), forward_to: toPipeline }),
    lokiProcess('sdk_json', { forward_to: [ref('loki.write.local.receiver')], stages: alloyStages() }),
    lokiWrite('local', { endpoint: { url: LOKI_PUSH_URL } }),
  ];
}

/** The file's text; the writer adds its "generated by obs" header as a `//` comment (Alloy has no `#`). */
export function alloyConfig(): string {
  return printAlloy(alloyBlocks(), '');
}
