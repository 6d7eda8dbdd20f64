/** The stack's Prometheus and Alertmanager configs, time-scaled. */
import { durationMs, formatMilliseconds, scaleDuration } from './duration.js';

type Obj = Record<string, unknown>;

/**
 * Alertmanager's route tree: group_wait, group_interval and repeat_interval at every level. Time
 * intervals (maintenance windows) are calendar times and stay as they are.
 */
export function scaleAlertmanager(config: Obj, scale: number, where: string): Obj {
  const route = (node: Obj, path: string): Obj => {
    const out: Obj = { ...node };
    for (const key of ['group_wait', 'group_interval', 'repeat_interval']) {
      if (typeof node[key] === 'string') out[key] = scaleDuration(node[key], scale, `${where}: ${path}.${key}`);
    }
    if (Array.isArray(node.routes)) out.routes = (node.routes as Obj[]).map((r, i) => route(r, `${path}.routes[${i}]`));
    return out;
  };
  return config.route ? { ...config, route: route(config.route as Obj, 'route') } : config;
}

/**
 * Prometheus: the scrape and evaluation intervals (global and per job) at most `interval`, the one the
 * scale needs (a quarter of the shortest scaled window, see scrapeIntervalFor); never longer than the
 * bundle's own. Scrape timeouts are capped likewise.
 */
export function scalePrometheusConfig(config: Obj, interval: string): Obj {
  const global = (config.global as Obj | undefined) ?? {};
  const atMost = (value: unknown) => (typeof value === 'string' && durationMs(value) < durationMs(interval) ? value : interval);
  const job = (c: Obj): Obj => {
    const out: Obj = { ...c };
    if (c.scrape_interval !== undefined) out.scrape_interval = atMost(c.scrape_interval);
    if (c.scrape_timeout !== undefined) out.scrape_timeout = atMost(c.scrape_timeout);
    return out;
  };
  return {
    ...config,
    global: {
      ...global,
      scrape_interval: atMost(global.scrape_interval),
      evaluation_interval: atMost(global.evaluation_interval),
      ...(global.scrape_timeout !== undefined && { scrape_timeout: atMost(global.scrape_timeout) }),
    },
    ...(Array.isArray(config.scrape_configs) && { scrape_configs: (config.scrape_configs as Obj[]).map(job) }),
  };
}

/**
 * The scrape (and evaluation) interval a scaled bundle needs: a rate window must hold at least 4
 * samples, so a quarter of the shortest scaled range selector, in whole seconds when it is a second or
 * more (5m at scale 60 → 5s window → scrape every 1s).
 */
export function scrapeIntervalFor(shortestRangeMs: number): string {
  const quarter = Math.floor(shortestRangeMs / 4);
  return formatMilliseconds(quarter >= 1000 ? Math.floor(quarter / 1000) * 1000 : Math.max(1, quarter));
}
