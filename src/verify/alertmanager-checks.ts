import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../model/duration.js';
import type { CheckResult, LiveState } from './types.js';

/**
 * The running Alertmanager against the bundle's alertmanager.yml. Alertmanager answers its config
 * re-serialised with every default filled in (global URLs, receivers' default titles, `continue: false`),
 * so the bundle's config must be *contained* in the running one: every field the bundle sets has the
 * same value there. What is not compared, because a stack localises it: the paths of `*_file` secrets
 * (only their presence is) and `templates` paths. Secrets given inline show as `<secret>` and match
 * any value. Lists must have the same length; receivers must be the same set.
 */

const SECRET = '<secret>';
const MATCHER_KEYS = new Set(['matchers', 'source_matchers', 'target_matchers']);

/** `a = "b"` and `a="b"` and `a=b` are the same matcher. */
export function normaliseMatcher(text: string): string {
  const m = /^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return text.trim();
  const raw = m[3]!;
  const value = /^".*"$/.test(raw) ? (JSON.parse(raw) as string) : raw;
  return `${m[1]}${m[2]}${JSON.stringify(value)}`;
}

function sameScalar(expected: unknown, actual: unknown): boolean {
  if (actual === SECRET) return true;
  if (String(expected) === String(actual)) return true;
  const [e, a] = [parseDuration(String(expected)), parseDuration(String(actual))];
  return e !== undefined && e === a;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where `actual` differs from what `expected` sets; one line per difference, by YAML path. */
export function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: the bundle has a list, the running config ${actual === undefined ? 'has none' : JSON.stringify(actual)}`];
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (MATCHER_KEYS.has(key)) {
      const [e, a] = [expected.map((m) => normaliseMatcher(String(m))).sort(), actual.map((m) => normaliseMatcher(String(m))).sort()];
      return e.join(', ') === a.join(', ') ? [] : [`${path}: the bundle has [${e.join(', ')}], the running config [${a.join(', ')}]`];
    }
    if (expected.length !== actual.length) return [`${path}: the bundle has ${expected.length} entries, the running config ${actual.length}`];
    return expected.flatMap((item, i) => differences(item, actual[i], `${path}[${i}]`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: missing in the running config`];
    const out: string[] = [];
    for (const [key, value] of Object.entries(expected)) {
      const at = path ? `${path}.${key}` : key;
      // A secret file's path is the stack's own (localised); that the field is there is what matters.
      if (key.endsWith('_file')) {
        if (!(key in actual) && !(key.slice(0, -'_file'.length) in actual)) out.push(`${at}: missing in the running config`);
        continue;
      }
      out.push(...differences(value, actual[key], at));
    }
    // An integration the bundle does not have (e.g. a webhook added by hand) is a difference too.
    for (const key of Object.keys(actual)) if (key.endsWith('_configs') && !(key in expected)) out.push(`${path ? `${path}.` : ''}${key}: in the running config, not in the bundle`);
    return out;
  }
  if (actual === undefined) return [`${path}: missing in the running config (the bundle has ${JSON.stringify(expected)})`];
  return sameScalar(expected, actual) ? [] : [`${path}: the bundle has ${JSON.stringify(expected)}, the running config ${JSON.stringify(actual)}`];
}

function parseRunning(state: LiveState): { config?: Record<string, unknown>; problem?: string } {
  const am = state.alertmanager;
  if (!am) return {};
  if ('unreachable' in am) return { problem: am.unreachable };
  try {
    const config = parseYaml(am.config) as unknown;
    return isObject(config) ? { config } : { problem: 'its /api/v2/status has no config' };
  } catch (error) {
    return { problem: `its config does not parse as YAML: ${(error as Error).message.split('\n')[0]}` };
  }
}

const FIX = 'run Alertmanager with the compose/alertmanager/alertmanager.yml of a fresh `obs generate` (secret files and template paths may be your own), then reload it (POST /-/reload or SIGHUP)';

/** Reachable, and every section but the route (checked on its own) as the bundle has it. */
export function checkAlertmanagerConfig(bundle: Record<string, unknown>, state: LiveState): CheckResult {
  const { config, problem } = parseRunning(state);
  const problems: string[] = problem ? [problem] : [];
  if (config) {
    const { route: _route, templates: _templates, receivers, ...rest } = bundle;
    problems.push(...differences(rest, config, ''));
    const byName = (list: unknown) => new Map(((Array.isArray(list) ? list : []) as Record<string, unknown>[]).map((r) => [String(r.name), r]));
    const [want, have] = [byName(receivers), byName(config.receivers)];
    for (const [name, receiver] of want) {
      if (!have.has(name)) problems.push(`receivers: ${name} missing in the running config`);
      else problems.push(...differences(receiver, have.get(name), `receivers[${name}]`));
    }
    for (const name of have.keys()) if (!want.has(name)) problems.push(`receivers: ${name} in the running config, not in the bundle`);
  }
  const summary = problem ? 'Alertmanager not usable' : `Alertmanager's running config ${problems.length ? 'differs from' : 'matches'} the bundle's alertmanager.yml`;
  return { name: 'alertmanager-config', ok: problems.length === 0, summary, problems, notes: [], ...(problems.length > 0 && { fix: problem ? 'start Alertmanager, or pass its URL to --alertmanager' : FIX }) };
}

type Route = Record<string, unknown>;

function matchersOf(route: Route): string[] {
  const legacy = [
    ...Object.entries(isObject(route.match) ? route.match : {}).map(([k, v]) => `${k}="${String(v)}"`),
    ...Object.entries(isObject(route.match_re) ? route.match_re : {}).map(([k, v]) => `${k}=~"${String(v)}"`),
  ];
  return [...(Array.isArray(route.matchers) ? route.matchers.map(String) : []), ...legacy].map(normaliseMatcher).sort();
}

const setOf = (v: unknown) => (Array.isArray(v) ? v.map(String).sort().join(', ') : '');

/** The route tree node by node: receiver, matchers, continue, group_by, timings, time intervals, children. */
export function routeDifferences(expected: Route, actual: Route, path: string): string[] {
  const out: string[] = [];
  const compare = (field: string, want: string, have: string) => {
    if (want !== have) out.push(`${path}: ${field} is ${have || '(none)'} in the running config, ${want || '(none)'} in the bundle`);
  };
  compare('receiver', String(expected.receiver ?? ''), String(actual.receiver ?? ''));
  compare('matchers', matchersOf(expected).join(', '), matchersOf(actual).join(', '));
  compare('continue', String(expected.continue === true), String(actual.continue === true));
  compare('group_by', setOf(expected.group_by), setOf(actual.group_by));
  compare('mute_time_intervals', setOf(expected.mute_time_intervals), setOf(actual.mute_time_intervals));
  compare('active_time_intervals', setOf(expected.active_time_intervals), setOf(actual.active_time_intervals));
  for (const timing of ['group_wait', 'group_interval', 'repeat_interval']) {
    if (expected[timing] !== undefined && !sameScalar(expected[timing], actual[timing])) compare(timing, String(expected[timing]), String(actual[timing] ?? ''));
  }
  const [want, have] = [(expected.routes ?? []) as Route[], (actual.routes ?? []) as Route[]];
  if (want.length !== have.length) out.push(`${path}: ${have.length} child routes in the running config, ${want.length} in the bundle`);
  for (let i = 0; i < Math.min(want.length, have.length); i++) out.push(...routeDifferences(want[i]!, have[i]!, `${path}.routes[${i}]`));
  return out;
}

export function checkAlertmanagerRoutes(bundle: Record<string, unknown>, state: LiveState): CheckResult {
  const { config, problem } = parseRunning(state);
  const problems = problem ? [`not checked: ${problem}`] : [];
  if (config) {
    if (!isObject(config.route)) problems.push('route: missing in the running config');
    else problems.push(...routeDifferences(bundle.route as Route, config.route, 'route'));
  }
  const count = (r: Route): number => 1 + ((r.routes ?? []) as Route[]).reduce((n, c) => n + count(c), 0);
  const summary = `routing tree (${count(bundle.route as Route)} routes) ${problems.length ? 'differs from' : 'matches'} the bundle's`;
  return { name: 'alertmanager-routes', ok: problems.length === 0, summary, problems, notes: [], ...(problems.length > 0 && { fix: problem ? 'start Alertmanager, or pass its URL to --alertmanager' : FIX }) };
}
