/** compose/tempo/tempo.yml: a single-binary Tempo taking OTLP over HTTP and gRPC, blocks on local disk. */
import { STACK_PORTS } from '../stack-ids.js';

/** Two weeks of traces: enough to follow an exemplar or a log line's trace_id back through an incident. */
export const TRACE_RETENTION = '336h';

export const TEMPO_CONFIG = {
  stream_over_http_enabled: true,
  server: { http_listen_port: STACK_PORTS.tempo, log_level: 'info' },
  distributor: {
    receivers: {
      otlp: {
        protocols: {
          http: { endpoint: `0.0.0.0:${STACK_PORTS.otlpHttp}` },
          grpc: { endpoint: `0.0.0.0:${STACK_PORTS.otlpGrpc}` },
        },
      },
    },
  },
  compactor: { compaction: { block_retention: TRACE_RETENTION } },
  storage: {
    trace: {
      backend: 'local',
      wal: { path: '/var/tempo/wal' },
      local: { path: '/var/tempo/blocks' },
    },
  },
} as const;
