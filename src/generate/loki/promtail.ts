/**
 * compose/promtail/promtail.yml for setups still on Promtail (end of life 2026-03-02; Alloy is the
 * default). Keys follow Promtail's configuration reference; the pipeline is pipeline.ts's definition.
 */
import { STACK_PORTS } from '../stack-ids.js';
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

/** Promtail pipeline stages we use; each is a one-key object, as in the reference. */
export type PromtailStage =
  | { readonly json: { readonly expressions: Readonly<Record<string, string>> } }
  | { readonly labels: Readonly<Record<string, string>> }
  | { readonly structured_metadata: Readonly<Record<string, string>> }
  | { readonly timestamp: { readonly source: string; readonly format: string; readonly action_on_failure?: 'fudge' | 'skip' } };

export interface PromtailRelabel {
  readonly source_labels?: readonly string[];
  readonly regex?: string;
  readonly target_label: string;
  readonly replacement?: string;
}

export interface PromtailScrapeConfig {
  readonly job_name: string;
  readonly docker_sd_configs?: readonly {
    readonly host: string;
    readonly refresh_interval: string;
    readonly filters: readonly { readonly name: string; readonly values: readonly string[] }[];
  }[];
  readonly static_configs?: readonly { readonly targets: readonly string[]; readonly labels: Readonly<Record<string, string>> }[];
  readonly relabel_configs?: readonly PromtailRelabel[];
  readonly pipeline_stages: readonly PromtailStage[];
}

export interface PromtailConfig {
  readonly server: { readonly http_listen_port: number; readonly grpc_listen_port: number; readonly log_level: string };
  readonly positions: { readonly filename: string };
  readonly clients: readonly { readonly url: string }[];
  readonly scrape_configs: readonly PromtailScrapeConfig[];
}

/** The static label of file-discovered lines (Docker ones carry `service` from the compose service). */
export const FILES_JOB = 'obs/files';

const same = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, n]));
/** `labels`/`structured_metadata` take `name: ''` for "the extracted field of the same name". */
const fromExtracted = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, '']));

export function promtailStages(): PromtailStage[] {
  return [
    { json: { expressions: same(EXTRACTED_FIELDS) } },
    { labels: fromExtracted(Object.keys(LABEL_FIELDS)) },
    { structured_metadata: fromExtracted(METADATA_FIELDS) },
    // Lines that are not the SDK's JSON (a crash's stack trace) keep the time Promtail read them.
    { timestamp: { source: TIMESTAMP_FIELD, format: TIMESTAMP_FORMAT, action_on_failure: 'fudge' } },
  ];
}

export function promtailConfig(): PromtailConfig {
  return {
    server: { http_listen_port: STACK_PORTS.promtail, grpc_listen_port: 0, log_level: 'info' },
    positions: { filename: '/var/lib/promtail/positions.yaml' },
    clients: [{ url: LOKI_PUSH_URL }],
    scrape_configs: [
      {
        job_name: 'docker',
        docker_sd_configs: [{ host: 'unix:///var/run/docker.sock', refresh_interval: '15s', filters: [{ name: 'label', values: [DOCKER_LOGS_LABEL] }] }],
        // Lines that are not JSON still get the service's label from the compose service name.
        relabel_configs: [{ source_labels: ['__meta_docker_container_label_com_docker_compose_service'], target_label: 'service' }],
        pipeline_stages: promtailStages(),
      },
      {
        job_name: 'files',
        // Promtail drops a file target without a label: `job` names the source, one value.
        static_configs: [{ targets: ['localhost'], labels: { job: FILES_JOB, __path__: LOG_FILES_GLOB } }],
        pipeline_stages: promtailStages(),
      },
    ],
  };
}
