/**
 * compose/loki/loki.yml: Loki 3.x as a single binary. The interface mirrors the keys of Loki's
 * configuration reference (grafana.com/docs/loki/latest/configure/) for the blocks we set — no Loki
 * binary can run here, so these types are what keeps a key from being misspelt.
 */
import { formatDuration } from '../../model/duration.js';
import type { LogsSetup } from '../../model/stack-types.js';
import { LOKI_RULES_DIR, STACK_PORTS } from '../stack-ids.js';
import { AUDIT_LABEL } from './pipeline.js';

type Duration = string;

export interface LokiConfig {
  readonly auth_enabled: boolean;
  readonly server: { readonly http_listen_port: number; readonly grpc_listen_port: number; readonly log_level: 'debug' | 'info' | 'warn' | 'error' };
  readonly common: {
    readonly instance_addr: string;
    readonly path_prefix: string;
    readonly replication_factor: number;
    readonly storage: { readonly filesystem: { readonly chunks_directory: string; readonly rules_directory: string } };
    readonly ring: { readonly kvstore: { readonly store: 'inmemory' | 'memberlist' | 'consul' | 'etcd' } };
  };
  readonly schema_config: {
    readonly configs: readonly {
      readonly from: string;
      readonly store: 'tsdb';
      readonly object_store: 'filesystem' | 's3' | 'gcs' | 'azure';
      readonly schema: 'v13';
      readonly index: { readonly prefix: string; readonly period: Duration };
    }[];
  };
  readonly limits_config: {
    readonly retention_period: Duration;
    readonly retention_stream: readonly { readonly selector: string; readonly priority: number; readonly period: Duration }[];
    readonly allow_structured_metadata: boolean;
    readonly volume_enabled: boolean;
    readonly reject_old_samples: boolean;
    readonly reject_old_samples_max_age: Duration;
  };
  readonly compactor: {
    readonly working_directory: string;
    readonly compaction_interval: Duration;
    readonly retention_enabled: boolean;
    readonly retention_delete_delay: Duration;
    /** Loki 3 refuses to start with retention on and no delete request store. */
    readonly delete_request_store: 'filesystem' | 's3' | 'gcs' | 'azure';
  };
  readonly ruler: {
    readonly alertmanager_url: string;
    readonly enable_api: boolean;
    readonly rule_path: string;
    readonly storage: { readonly type: 'local'; readonly local: { readonly directory: string } };
    readonly ring: { readonly kvstore: { readonly store: 'inmemory' } };
    readonly wal: { readonly dir: string };
  };
  readonly analytics: { readonly reporting_enabled: boolean };
}

/** The first day of the schema period: any past date; fixed so regenerating never moves it. */
export const SCHEMA_FROM = '2024-04-01';

export function lokiConfig(logs: LogsSetup): LokiConfig {
  return {
    auth_enabled: false,
    server: { http_listen_port: STACK_PORTS.loki, grpc_listen_port: 9096, log_level: 'info' },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: '/loki',
      replication_factor: 1,
      storage: { filesystem: { chunks_directory: '/loki/chunks', rules_directory: '/loki/rules' } },
      ring: { kvstore: { store: 'inmemory' } },
    },
    schema_config: {
      configs: [{ from: SCHEMA_FROM, store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    limits_config: {
      retention_period: formatDuration(logs.retention),
      // The audit trail outlives ordinary logs (compliance); the higher priority wins on overlap.
      retention_stream: [{ selector: `{${AUDIT_LABEL}="true"}`, priority: 1, period: formatDuration(logs.auditRetention) }],
      // trace_id and span_id travel as structured metadata, not labels.
      allow_structured_metadata: true,
      volume_enabled: true,
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
    },
    compactor: {
      working_directory: '/loki/compactor',
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: 'filesystem',
    },
    ruler: {
      alertmanager_url: `http://alertmanager:${STACK_PORTS.alertmanager}`,
      enable_api: true,
      rule_path: '/loki/rules-temp',
      // Rule files of tenant `fake` (auth off) are read from <directory>/fake/.
      storage: { type: 'local', local: { directory: LOKI_RULES_DIR } },
      ring: { kvstore: { store: 'inmemory' } },
      wal: { dir: '/loki/ruler-wal' },
    },
    analytics: { reporting_enabled: false },
  };
}
