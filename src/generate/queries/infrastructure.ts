/** Hosts (node_exporter), containers (cAdvisor) and blackbox probes, with the exporters' own names. */
import { formatNumber } from '../../model/duration.js';
import { eq, type Matcher, neq, selector } from '../../promql/build.js';
import { type Selector } from './common.js';

/** Filesystems that are not real disks: their fill level is meaningless. */
export const REAL_FILESYSTEMS: Matcher = { label: 'fstype', op: '!~', value: 'tmpfs|ramfs|squashfs|overlay|nsfs|fuse\\.lxcfs' };

/** cAdvisor's per-container series (the cgroup hierarchy's own series have an empty name). */
export const NAMED_CONTAINERS: Matcher = neq('name', '');

/** Busy share of all CPUs, per host (HostHighCpuUsage). */
export function hostCpuRatio(sel: Selector, range: string): string {
  return `1 - avg by (job, instance) (rate(${selector('node_cpu_seconds_total', [...sel, eq('mode', 'idle')])}[${range}]))`;
}

/** Memory in use (not available) as a share of total, per host (HostHighMemoryUsage). */
export function hostMemoryRatio(sel: Selector): string {
  return `1 - ${selector('node_memory_MemAvailable_bytes', sel)} / ${selector('node_memory_MemTotal_bytes', sel)}`;
}

/** Space used as a share of size, per real filesystem (HostFilesystemAlmostFull). */
export function hostDiskRatio(sel: Selector): string {
  const fs = [...sel, REAL_FILESYSTEMS];
  return `1 - ${selector('node_filesystem_avail_bytes', fs)} / ${selector('node_filesystem_size_bytes', fs)}`;
}

/** Real filesystems mounted read-write: the disk alerts skip read-only ones, which nothing can fill. */
export function hostWritableFilesystems(sel: Selector): string {
  return `${selector('node_filesystem_readonly', [...sel, REAL_FILESYSTEMS])} == 0`;
}

/** Bytes free per real filesystem `horizon` seconds ahead, at the trend of the range (HostFilesystemFillingUp: 6h → 24h). */
export function hostDiskAvailablePredicted(sel: Selector, range: string, horizon: number): string {
  return `predict_linear(${selector('node_filesystem_avail_bytes', [...sel, REAL_FILESYSTEMS])}[${range}], ${formatNumber(horizon)})`;
}

/** Clock offset from the reference, seconds (HostClockSkew). */
export function hostClockOffset(sel: Selector): string {
  return selector('node_timex_offset_seconds', sel);
}

/** How fast the clock offset changes, seconds per second (HostClockSkew: only while it is not converging). */
export function hostClockDrift(sel: Selector, range: string): string {
  return `deriv(${selector('node_timex_offset_seconds', sel)}[${range}])`;
}

/** Processes the kernel killed for lack of memory over the range (HostOomKillDetected: 5m). */
export function hostOomKills(sel: Selector, range: string): string {
  return `increase(${selector('node_vmstat_oom_kill', sel)}[${range}])`;
}

/** Share of CFS periods in which each container was throttled (ContainerCpuThrottled). */
export function containerCpuThrottledRatio(sel: Selector, range: string): string {
  const named = [...sel, NAMED_CONTAINERS];
  const by = 'sum by (job, instance, name)';
  return `${by} (rate(${selector('container_cpu_cfs_throttled_periods_total', named)}[${range}])) / ${by} (rate(${selector('container_cpu_cfs_periods_total', named)}[${range}]))`;
}

/** Working set as a share of the memory limit; absent without a limit (ContainerMemoryNearLimit). */
export function containerMemoryRatio(sel: Selector): string {
  const named = [...sel, NAMED_CONTAINERS];
  return `${selector('container_memory_working_set_bytes', named)} / (${selector('container_spec_memory_limit_bytes', named)} > 0)`;
}

/** Container starts over the range, per container: each change of its start time is a restart (ContainerRestarting: 15m). */
export function containerRestarts(sel: Selector, range: string): string {
  return `changes(${selector('container_start_time_seconds', [...sel, NAMED_CONTAINERS])}[${range}])`;
}

/** Seconds until the first certificate of each probed chain expires (TLSCertificateExpiringSoon). */
export function certificateExpirySeconds(sel: Selector): string {
  return `${selector('probe_ssl_earliest_cert_expiry', sel)} - time()`;
}

/** 1 when the probe succeeded (EndpointProbeFailed). */
export function probeSuccess(sel: Selector): string {
  return selector('probe_success', sel);
}

export function probeDuration(sel: Selector): string {
  return selector('probe_duration_seconds', sel);
}
