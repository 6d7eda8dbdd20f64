/**
 * Host and container alerts: node_exporter (CPU, memory, filesystems, OOM kills, clock) and cAdvisor
 * (CPU throttling, memory against the limit, restarts), with the node-mixin's expression shapes. Each
 * group exists only when the service's `dependencies` names `host` or `containers`.
 */
import { formatNumber } from '../../../model/duration.js';
import type { ExporterTarget, Thresholds } from '../../../model/ops-types.js';
import type { Service } from '../../../model/types.js';
import { labelMatchers } from '../../../promql/build.js';
import {
  containerCpuThrottledRatio,
  containerMemoryRatio,
  containerRestarts,
  hostClockDrift,
  hostClockOffset,
  hostCpuRatio,
  hostDiskAvailablePredicted,
  hostDiskRatio,
  hostMemoryRatio,
  hostOomKills,
  hostWritableFilesystems,
} from '../../queries/infrastructure.js';
import { belowThreshold, counter, fires, healthy, percent } from './build.js';
import { over, ownerOf } from './dependencies.js';
import { at, exporterDown, flat, on, series } from './targets.js';
import type { OpsAlert } from './types.js';

export function infrastructureAlerts(service: Service): OpsAlert[] {
  const ops = service.ops;
  if (!ops) return [];
  const { host, containers } = ops.dependencies;
  const escalation = ownerOf(service, 'the platform the service runs on');
  return [
    ...(host ? hostAlerts(host, ops.thresholds, escalation) : []),
    ...(containers ? containerAlerts(containers, ops.thresholds, escalation) : []),
  ];
}

/** Real filesystems only: node_exporter also reports tmpfs, overlay and other pseudo filesystems. */
function hostAlerts(host: ExporterTarget, t: Thresholds, escalation: string): OpsAlert[] {
  const s = host.selector;
  const h = t.host;
  // The infrastructure dashboard plots the same builders: each panel shows the number its alert judges.
  const sel = labelMatchers(s);
  const cpu = hostCpuRatio(sel, '5m');
  const memory = hostMemoryRatio(sel);
  const writable = hostWritableFilesystems(sel);
  const disk = hostDiskRatio(sel);
  const fullIn24h = hostDiskAvailablePredicted(sel, '6h', 86_400);
  const offset = hostClockOffset(sel);
  const drift = hostClockDrift(sel, '5m');
  const skew = `(${offset} > ${formatNumber(h.clockSkew)} and ${drift} >= 0) or (${offset} < -${formatNumber(h.clockSkew)} and ${drift} <= 0)`;

  /** Two CPUs, `busy` share of each second not idle. */
  const cpuAt = (busy: number) =>
    ['0', '1'].flatMap((cpuId) => [
      series(s, 'node_cpu_seconds_total', { cpu: cpuId, mode: 'idle' }, counter({ minutes: 40, perMinute: 60 * (1 - busy) })),
      series(s, 'node_cpu_seconds_total', { cpu: cpuId, mode: 'user' }, counter({ minutes: 40, perMinute: 60 * busy })),
    ]);
  const memAt = (used: number) => [
    series(s, 'node_memory_MemTotal_bytes', {}, flat(1000, 40)),
    series(s, 'node_memory_MemAvailable_bytes', {}, flat(1000 - used, 40)),
  ];
  const fs = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
  const fsAt = (availValues: string, minutes = 40) => [
    series(s, 'node_filesystem_size_bytes', fs, flat(1000, minutes)),
    series(s, 'node_filesystem_avail_bytes', fs, availValues),
    series(s, 'node_filesystem_readonly', fs, flat(0, minutes)),
  ];

  return [
    exporterDown('NodeExporterDown', 'node_exporter', 'the host', 'infrastructure', 'host', host, escalation),
    {
      name: 'HostHighCpuUsage',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: `${cpu} > ${formatNumber(h.cpuRatio)}`,
      for: '15m',
      threshold: h.cpuRatio,
      summary: 'Host CPU usage is high.',
      description: `CPU of ${at('instance')} is {{ $value | humanizePercentage }} busy (alert above ${percent(h.cpuRatio)}).`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `The CPUs of the host have been more than ${percent(h.cpuRatio)} busy on average for 15 minutes.`,
        impact: 'Requests queue for CPU: latency rises and health checks may time out.',
        confirm: [
          { query: cpu, look: 'Share of CPU time not idle.' },
          { query: `sum by (mode) (rate(${on(s, 'node_cpu_seconds_total')}[5m]))`, look: 'Which mode: user (the application), system, iowait (disk), steal (noisy neighbour).' },
        ],
        causes: ['More traffic than the host is sized for.', 'A hot loop or a runaway batch job.', 'iowait from a saturated disk; steal on an oversubscribed VM.'],
        mitigation: ['Find the process with `top`; scale out or move batch work elsewhere.', 'Roll back a deploy that raised CPU per request.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(h.cpuRatio))} busy`, cpuAt(over(h.cpuRatio)), '30m'),
        healthy(`${percent(h.cpuRatio / 2)} busy`, cpuAt(h.cpuRatio / 2), '30m'),
        belowThreshold(`just under ${percent(h.cpuRatio)}`, cpuAt(h.cpuRatio - 0.01), '30m'),
      ],
    },
    {
      name: 'HostHighMemoryUsage',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: `${memory} > ${formatNumber(h.memoryRatio)}`,
      for: '15m',
      threshold: h.memoryRatio,
      summary: 'Host memory usage is high.',
      description: `${at('instance')} uses {{ $value | humanizePercentage }} of its memory (alert above ${percent(h.memoryRatio)}).`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `Less than ${percent(1 - h.memoryRatio)} of the host's memory is available (MemAvailable).`,
        impact: 'Near the limit the kernel reclaims cache (slower I/O) and then kills processes (see HostOomKillDetected).',
        confirm: [{ query: memory, look: 'Share of memory not available.' }, { query: on(s, 'node_memory_MemAvailable_bytes'), look: 'Bytes still available.' }],
        causes: ['A memory leak in a process (growing steadily since its start).', 'More processes or containers than the host is sized for.'],
        mitigation: ['Find the process with `ps aux --sort=-rss | head`; restart a leaking one and file the leak.', 'Add memory or move workloads.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(h.memoryRatio))} used`, memAt(over(h.memoryRatio) * 1000), '30m'),
        healthy(`${percent(h.memoryRatio / 2)} used`, memAt((h.memoryRatio / 2) * 1000), '30m'),
        belowThreshold(`just under ${percent(h.memoryRatio)}`, memAt(Math.round(h.memoryRatio * 1000) - 1), '30m'),
      ],
    },
    {
      name: 'HostFilesystemAlmostFull',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: `(${disk} > ${formatNumber(h.diskRatio)}) and ${writable}`,
      for: '15m',
      threshold: h.diskRatio,
      summary: 'A filesystem is almost full.',
      description: `${at('mountpoint')} on ${at('instance')} is {{ $value | humanizePercentage }} full (alert above ${percent(h.diskRatio)}).`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `More than ${percent(h.diskRatio)} of the filesystem is used.`,
        impact: 'When it is full, writes fail: databases stop, logs are lost, uploads fail.',
        confirm: [{ query: disk, look: 'Share used per mountpoint.' }, { query: 'du -xh --max-depth=2 <mountpoint> | sort -h | tail', look: 'What takes the space.' }],
        causes: ['Logs or core dumps not rotated.', 'Database or WAL growth; backups written to the local disk.', 'Docker images and volumes left behind (`docker system df`).'],
        mitigation: ['Delete or rotate what is not needed (`journalctl --vacuum-size`, `docker system prune`).', 'Grow the volume.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(h.diskRatio))} full`, fsAt(flat((1 - over(h.diskRatio)) * 1000, 40)), '30m'),
        healthy(`${percent(h.diskRatio / 2)} full`, fsAt(flat((1 - h.diskRatio / 2) * 1000, 40)), '30m'),
        belowThreshold(`just under ${percent(h.diskRatio)}`, fsAt(flat(Math.round((1 - h.diskRatio) * 1000) + 1, 40)), '30m'),
      ],
    },
    {
      name: 'HostFilesystemFillingUp',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: `${fullIn24h} < 0 and (${disk} > 0.6) and ${writable}`,
      for: '1h',
      summary: 'A filesystem is predicted to be full within 24 hours.',
      description: `At the growth of the last 6 hours, ${at('mountpoint')} on ${at('instance')} will be full within 24 hours.`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: 'The filesystem is more than 60% used and the trend of the last 6 hours reaches 0 bytes available within 24 hours.',
        impact: 'None yet; when it is full, writes fail.',
        confirm: [{ query: fullIn24h, look: 'Negative: bytes short in 24 hours at the current trend.' }],
        causes: ['A log or data growth that started recently (debug logging left on, a retry storm).', 'A backup or export writing to the local disk.'],
        mitigation: ['Find what grows (`du`), stop it or move it; grow the volume if the growth is legitimate.'],
        escalation,
      },
      cases: [
        // 1000 bytes; avail falls 2 bytes a minute from 380: 62% used, full in about 3 hours.
        fires('losing 2 bytes a minute at 62% used', fsAt('380-2x100', 100), '90m'),
        healthy('stable at 62% used', fsAt(flat(380, 100), 100), '90m'),
      ],
    },
    {
      name: 'HostOomKillDetected',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: `${hostOomKills(sel, '5m')} > 0`,
      for: '1m',
      summary: 'The kernel killed a process for lack of memory.',
      description: `${at('instance')} had {{ $value | humanize }} OOM kills in 5 minutes.`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: 'The Linux OOM killer ended at least one process because memory ran out (host-wide or in a cgroup).',
        impact: 'The killed process (often the service or its database) restarted or stopped: errors during the restart.',
        confirm: [{ query: hostOomKills(sel, '1h'), look: 'OOM kills in the last hour.' }, { query: 'journalctl -k | grep -i "killed process"', look: 'Which process was killed and its memory.' }],
        causes: ['A container memory limit lower than the process needs.', 'A memory leak or an unusually large request (a big upload, a large model response).'],
        mitigation: ['Raise the limit of the killed container or fix the leak.', 'Cap the input size that triggered it.'],
        escalation,
      },
      cases: [
        fires('one OOM kill', [series(s, 'node_vmstat_oom_kill', {}, '0x10 1x20')], '13m'),
        healthy('no OOM kill', [series(s, 'node_vmstat_oom_kill', {}, flat(2, 30))], '13m'),
      ],
    },
    {
      name: 'HostClockSkew',
      domain: 'infrastructure',
      component: 'host',
      severity: 'warning',
      expr: skew,
      for: '10m',
      threshold: h.clockSkew,
      summary: 'The host clock is drifting.',
      description: `The clock of ${at('instance')} is {{ $value | humanizeDuration }} off its reference and not converging.`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `The clock offset reported by the kernel exceeds ${formatNumber(h.clockSkew * 1000)} ms and is not shrinking.`,
        impact: 'Wrong timestamps: tokens (JWT) rejected as not yet valid or expired, misordered logs and traces, TLS errors.',
        confirm: [{ query: offset, look: 'Offset in seconds.' }, { query: on(s, 'node_timex_sync_status'), look: '0 when the clock is not synchronised.' }],
        causes: ['NTP (chrony, systemd-timesyncd) stopped or cannot reach its servers.', 'A VM resumed from suspension.'],
        mitigation: ['`chronyc tracking` / `timedatectl status`; restart the time daemon and allow UDP 123 outbound.'],
        escalation,
      },
      cases: [
        fires(`${formatNumber(2 * h.clockSkew * 1000)} ms off`, [series(s, 'node_timex_offset_seconds', {}, flat(2 * h.clockSkew, 30))], '20m'),
        fires(`${formatNumber(2 * h.clockSkew * 1000)} ms behind`, [series(s, 'node_timex_offset_seconds', {}, flat(-2 * h.clockSkew, 30))], '20m'),
        healthy('1 ms off', [series(s, 'node_timex_offset_seconds', {}, flat(0.001, 30))], '20m'),
        belowThreshold(`just under ${formatNumber(h.clockSkew * 1000)} ms`, [series(s, 'node_timex_offset_seconds', {}, flat(h.clockSkew - 0.001, 30))], '20m'),
      ],
    },
  ];
}

function containerAlerts(containers: ExporterTarget, t: Thresholds, escalation: string): OpsAlert[] {
  const s = containers.selector;
  const c = t.containers;
  const sel = labelMatchers(s);
  const throttled = containerCpuThrottledRatio(sel, '5m');
  // Absent for containers without a memory limit: nothing to be near.
  const memory = containerMemoryRatio(sel);
  const ctr = { name: 'chat-api', image: 'chat-api:1.4.2', id: '/docker/4f2a' };
  const periods = (share: number) => [
    series(s, 'container_cpu_cfs_periods_total', ctr, counter({ minutes: 40, perMinute: 600 })),
    series(s, 'container_cpu_cfs_throttled_periods_total', ctr, counter({ minutes: 40, perMinute: 600 * share })),
  ];
  const mem = (used: number, max = 1000) => [
    series(s, 'container_memory_working_set_bytes', ctr, flat(used, 40)),
    series(s, 'container_spec_memory_limit_bytes', ctr, flat(max, 40)),
  ];
  return [
    exporterDown('CadvisorDown', 'cAdvisor', 'the containers', 'infrastructure', 'container', containers, escalation),
    {
      name: 'ContainerCpuThrottled',
      domain: 'infrastructure',
      component: 'container',
      severity: 'warning',
      expr: `${throttled} > ${formatNumber(c.cpuThrottledRatio)}`,
      for: '15m',
      threshold: c.cpuThrottledRatio,
      summary: 'A container is CPU-throttled.',
      description: `Container ${at('name')} on ${at('instance')} is throttled in {{ $value | humanizePercentage }} of its CPU periods (alert above ${percent(c.cpuThrottledRatio)}).`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `In more than ${percent(c.cpuThrottledRatio)} of CFS periods the container used up its CPU quota and had to wait.`,
        impact: 'Requests stall for the rest of each period: tail latency rises even when the host has idle CPU.',
        confirm: [{ query: throttled, look: 'Share of periods throttled per container.' }],
        causes: ['A CPU limit lower than the peak need (Node.js garbage collection bursts, JSON parsing of large payloads).', 'More work per request after a deploy.'],
        mitigation: ['Raise the CPU limit (or remove it and keep a request), or scale out.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(c.cpuThrottledRatio))} of the periods throttled`, periods(over(c.cpuThrottledRatio)), '30m'),
        healthy('no throttling', periods(0), '30m'),
        belowThreshold(`just under ${percent(c.cpuThrottledRatio)}`, periods(c.cpuThrottledRatio - 0.01), '30m'),
      ],
    },
    {
      name: 'ContainerMemoryNearLimit',
      domain: 'infrastructure',
      component: 'container',
      severity: 'warning',
      expr: `${memory} > ${formatNumber(c.memoryRatio)}`,
      for: '15m',
      threshold: c.memoryRatio,
      summary: 'A container is close to its memory limit.',
      description: `Container ${at('name')} on ${at('instance')} uses {{ $value | humanizePercentage }} of its memory limit (alert above ${percent(c.memoryRatio)}).`,
      dashboard: 'infrastructure',
      runbook: {
        meaning: `The working set of the container exceeds ${percent(c.memoryRatio)} of its memory limit.`,
        impact: 'At the limit the kernel OOM-kills the container: the requests in flight fail and it restarts.',
        confirm: [{ query: memory, look: 'Share of the limit per container.' }],
        causes: ['A memory leak (the working set grows from each start).', 'A limit set below the real need; for Node.js, --max-old-space-size above the limit.'],
        mitigation: ['Raise the limit, and keep V8\'s heap limit below it.', 'Restart a leaking container while the leak is fixed.'],
        escalation,
      },
      cases: [
        fires(`${percent(over(c.memoryRatio))} of the limit`, mem(over(c.memoryRatio) * 1000), '30m'),
        healthy(`${percent(c.memoryRatio / 2)} of the limit`, mem((c.memoryRatio / 2) * 1000), '30m'),
        healthy('no limit', mem(5000, 0), '30m'),
        belowThreshold(`just under ${percent(c.memoryRatio)}`, mem(Math.round(c.memoryRatio * 1000) - 1), '30m'),
      ],
    },
    {
      name: 'ContainerRestarting',
      domain: 'infrastructure',
      component: 'container',
      severity: 'warning',
      // A restart keeps the container (and its series) but changes its start time; a redeploy makes a
      // new container, hence a new series, and does not count.
      expr: `${containerRestarts(sel, '15m')} > 0`,
      for: '1m',
      summary: 'A container restarted.',
      description: `Container ${at('name')} on ${at('instance')} restarted {{ $value | humanize }} times in 15 minutes.`,
      dashboard: 'infrastructure',
      sentry: true,
      runbook: {
        meaning: 'The container started again without being recreated: it crashed or was OOM-killed and its restart policy brought it back.',
        impact: 'Requests in flight during each restart fail; repeated restarts mean an outage.',
        confirm: [
          { query: containerRestarts(sel, '1h'), look: 'Restarts per container in the last hour.' },
          { query: 'docker inspect --format "{{.State.ExitCode}} {{.State.OOMKilled}}" <container>', look: 'Exit code and whether it was OOM-killed.' },
        ],
        causes: ['An uncaught exception or unhandled rejection at start or under load.', 'OOM kill at the memory limit.', 'A failing health check with a restart policy.'],
        mitigation: ['Read the logs of the previous run (`docker logs --since`), roll back the latest deploy if it started then.'],
        escalation,
      },
      cases: [
        fires('restarted once', [series(s, 'container_start_time_seconds', ctr, '1000x10 1660x20')], '13m'),
        healthy('running since its start', [series(s, 'container_start_time_seconds', ctr, flat(1000, 30))], '13m'),
      ],
    },
  ];
}
