/**
 * Grafana provisioning: the datasources with fixed uids (so dashboards and links never depend on what
 * Grafana would generate), exemplars and log lines linked to traces, and the dashboards provider.
 */
import type { GeneratedFile } from '../types.js';

export const DATASOURCE_UIDS = { prometheus: 'obs-prometheus', loki: 'obs-loki', tempo: 'obs-tempo' } as const;

/** Where the compose stack's services listen (compose/docker-compose.yml names them so). */
const URLS = { prometheus: 'http://prometheus:9090', loki: 'http://loki:3100', tempo: 'http://tempo:3200' } as const;

/** Inside the Grafana container: the bundle's dashboards/ is mounted here. */
export const DASHBOARDS_PATH = '/var/lib/grafana/dashboards';

/** The exemplar label the SDK attaches to histogram observations, and the JSON log field. */
const TRACE_ID = 'trace_id';

export function datasourcesFile(): GeneratedFile {
  return {
    path: 'compose/grafana/provisioning/datasources/obs.yml',
    content: {
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          uid: DATASOURCE_UIDS.prometheus,
          type: 'prometheus',
          access: 'proxy',
          url: URLS.prometheus,
          isDefault: true,
          editable: false,
          jsonData: {
            httpMethod: 'POST',
            // Latency panels' exemplars open the trace they came from.
            exemplarTraceIdDestinations: [{ name: TRACE_ID, datasourceUid: DATASOURCE_UIDS.tempo }],
          },
        },
        {
          name: 'Loki',
          uid: DATASOURCE_UIDS.loki,
          type: 'loki',
          access: 'proxy',
          url: URLS.loki,
          editable: false,
          jsonData: {
            maxLines: 1000,
            derivedFields: [
              {
                name: 'TraceID',
                // The SDK's JSON lines carry "trace_id":"<32 hex>" (pino mixin).
                matcherRegex: `"${TRACE_ID}":"([0-9a-f]{32})"`,
                // $$ escapes provisioning's own ${VAR} interpolation: Grafana sees ${__value.raw}.
                url: '$${__value.raw}',
                datasourceUid: DATASOURCE_UIDS.tempo,
                urlDisplayLabel: 'View trace',
              },
            ],
          },
        },
        {
          name: 'Tempo',
          uid: DATASOURCE_UIDS.tempo,
          type: 'tempo',
          access: 'proxy',
          url: URLS.tempo,
          editable: false,
          jsonData: {
            tracesToLogsV2: { datasourceUid: DATASOURCE_UIDS.loki, filterByTraceId: true, spanStartTimeShift: '-5m', spanEndTimeShift: '5m' },
            tracesToMetrics: { datasourceUid: DATASOURCE_UIDS.prometheus },
            serviceMap: { datasourceUid: DATASOURCE_UIDS.prometheus },
            nodeGraph: { enabled: true },
            lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
          },
        },
      ],
    },
  };
}

export function dashboardsProviderFile(): GeneratedFile {
  return {
    path: 'compose/grafana/provisioning/dashboards/obs.yml',
    content: {
      apiVersion: 1,
      providers: [
        {
          name: 'obs',
          orgId: 1,
          folder: 'obs',
          type: 'file',
          // Generated dashboards are changed in the config, not in the UI.
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: DASHBOARDS_PATH, foldersFromFilesStructure: false },
        },
      ],
    },
  };
}
