/** Infrastructure: hosts (node_exporter), containers (cAdvisor), certificates and endpoint probes (blackbox). */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Service } from '../../../model/types.js';
import { eq, oneOf } from '../../../promql/build.js';
import {
  certificateExpirySeconds,
  containerCpuThrottledRatio,
  containerMemoryRatio,
  hostClockOffset,
  hostCpuRatio,
  hostDiskRatio,
  hostMemoryRatio,
  hostOomKills,
  probeDuration,
  probeSuccess,
} from '../../queries/index.js';
import {
  badAbove,
  badBelow,
  BY_VARIABLES,
  buildDashboard,
  jobInstanceVariables,
  prometheusDatasourceVariable,
  RATE_INTERVAL,
  type Row,
  targetScope,
  timeseriesPanel,
} from '../kit.js';
import { percent, seconds } from '../words.js';

export function hasInfrastructure(service: Service): boolean {
  const d = service.ops?.dependencies;
  return d !== undefined && (d.host !== undefined || d.containers !== undefined || d.certificates.length > 0 || d.endpoints.length > 0);
}

export function infrastructureDashboard(service: Service): Dashboard {
  const ops = service.ops!;
  const d = ops.dependencies;
  const t = ops.thresholds;
  const rows: Row[] = [];
  const jobs: string[] = [];
  if (d.host) {
    jobs.push(d.host.job);
    const sel = targetScope(d.host);
    rows.push({
      title: 'Hosts (node_exporter)',
      panels: [
        timeseriesPanel({
          title: 'Host CPU busy',
          description: `Share of all CPUs not idle, per host. Good: under ${percent(t.host.cpuRatio)} (dashed line, the HostCpuHigh threshold).`,
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 8,
          thresholds: badAbove(t.host.cpuRatio),
          queries: [{ expr: hostCpuRatio(sel, RATE_INTERVAL), legend: '{{instance}}' }],
        }),
        timeseriesPanel({
          title: 'Host memory used',
          description: `Memory not available to new processes as a share of total. Good: under ${percent(t.host.memoryRatio)}.`,
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 8,
          thresholds: badAbove(t.host.memoryRatio),
          queries: [{ expr: hostMemoryRatio(sel), legend: '{{instance}}' }],
        }),
        timeseriesPanel({
          title: 'Disk space used',
          description: `Space used per real filesystem (tmpfs, overlay and the like left out). Good: under ${percent(t.host.diskRatio)}.`,
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 8,
          thresholds: badAbove(t.host.diskRatio),
          queries: [{ expr: hostDiskRatio(sel), legend: '{{instance}} {{mountpoint}}' }],
        }),
        timeseriesPanel({
          title: 'Clock offset',
          description: `Offset of the host clock from its time source. Good: within ±${seconds(t.host.clockSkew)}; beyond it tokens and TLS fail.`,
          unit: 's',
          width: 12,
          thresholds: badAbove(t.host.clockSkew),
          queries: [{ expr: hostClockOffset(sel), legend: '{{instance}}' }],
        }),
        timeseriesPanel({
          title: 'OOM kills',
          description: 'Processes the kernel killed for lack of memory, per hour. Good: zero.',
          unit: 'short',
          min: 0,
          width: 12,
          thresholds: badAbove(1),
          queries: [{ expr: hostOomKills(sel, '1h'), legend: '{{instance}}' }],
        }),
      ],
    });
  }
  if (d.containers) {
    jobs.push(d.containers.job);
    const sel = targetScope(d.containers);
    rows.push({
      title: 'Containers (cAdvisor)',
      panels: [
        timeseriesPanel({
          title: 'Container CPU throttling',
          description: `Share of CFS periods in which the container was throttled by its CPU limit. Good: under ${percent(t.containers.cpuThrottledRatio)}; above it requests slow down.`,
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: badAbove(t.containers.cpuThrottledRatio),
          queries: [{ expr: containerCpuThrottledRatio(sel, RATE_INTERVAL), legend: '{{name}}' }],
        }),
        timeseriesPanel({
          title: 'Container memory / limit',
          description: `Working set as a share of the memory limit (containers without a limit are left out). Good: under ${percent(t.containers.memoryRatio)}; at 100% the container is OOM-killed.`,
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: badAbove(t.containers.memoryRatio),
          queries: [{ expr: containerMemoryRatio(sel), legend: '{{name}}' }],
        }),
      ],
    });
  }
  if (d.certificates.length > 0 || d.endpoints.length > 0) {
    jobs.push(d.blackboxJob);
    const probes = [eq('job', d.blackboxJob), ...BY_VARIABLES];
    const panels = [];
    // The same targets as the probe alerts: certificates and https endpoints expire; every target can fail.
    const tls = [...d.certificates, ...d.endpoints.filter((url) => url.startsWith('https://'))];
    const targets = [...d.endpoints, ...d.certificates];
    if (tls.length > 0) {
      panels.push(
        timeseriesPanel({
          title: 'Certificate expiry',
          description: `Time until the first certificate of each probed chain expires (${tls.join(', ')}). Good: more than ${seconds(t.certificates.warning)}; the alerts warn under ${seconds(t.certificates.warning)} and page under ${seconds(t.certificates.critical)}.`,
          unit: 's',
          min: 0,
          width: 8,
          thresholds: badBelow(t.certificates.critical, t.certificates.warning),
          queries: [{ expr: certificateExpirySeconds([...probes, oneOf('instance', tls)]), legend: '{{instance}}' }],
        }),
      );
    }
    const probed = [...probes, oneOf('instance', targets)];
    panels.push(
      timeseriesPanel({
        title: 'Endpoint up',
        description: `1 when the blackbox probe of each target succeeded (${targets.join(', ')}). Good: 1; 0 for 5 minutes fires EndpointProbeFailed.`,
        unit: 'bool',
        min: 0,
        max: 1,
        width: 8,
        thresholds: badBelow(1),
        queries: [{ expr: probeSuccess(probed), legend: '{{instance}}' }],
      }),
      timeseriesPanel({
        title: 'Endpoint probe duration',
        description: 'How long each probe took, from the blackbox exporter. Good: steady and well under the probe timeout.',
        unit: 's',
        min: 0,
        width: 8,
        queries: [{ expr: probeDuration(probed), legend: '{{instance}}' }],
      }),
    );
    rows.push({ title: 'Certificates and endpoints (blackbox_exporter)', panels });
  }
  return buildDashboard({
    service,
    kind: 'infrastructure',
    title: `${service.name} / Infrastructure`,
    description: `Hosts, containers, certificates and endpoint probes of ${service.name}, from the standard exporters.`,
    variables: [prometheusDatasourceVariable(), ...jobInstanceVariables([oneOf('job', [...new Set(jobs)])])],
    rows,
  });
}
