// Rules in the shape Sloth (prometheus/v1, v0.11) generates for one SLO: every window a rate() over raw
// series, the period SLI a mean of the 5m ratios recorded at every evaluation. Used as the baseline of
// the rule-timing and rule-cost benchmarks; the query templates use Sloth's {{.window}} placeholder.
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

export function slothGroups({ service, slo, errors, total, objective, period = '30d' }) {
  const id = `${service}-${slo}`;
  const budget = Number((1 - objective / 100).toPrecision(12));
  const sel = (name, extra = '') => `${name}{sloth_id="${id}", sloth_service="${service}", sloth_slo="${slo}"${extra}}`;
  const labels = (window) => ({ sloth_id: id, sloth_service: service, sloth_slo: slo, ...(window && { sloth_window: window }) });
  const fill = (q, w) => q.replaceAll('{{.window}}', w);
  const sli = WINDOWS.map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: `(${fill(errors, w)})\n/\n(${fill(total, w)})`,
    labels: labels(w),
  }));
  sli.push({
    record: `slo:sli_error:ratio_rate${period}`,
    expr: `sum_over_time(${sel('slo:sli_error:ratio_rate5m')}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(${sel('slo:sli_error:ratio_rate5m')}[${period}])`,
    labels: labels(period),
  });
  const on = 'on(sloth_id, sloth_slo, sloth_service) group_left';
  const meta = [
    { record: 'slo:objective:ratio', expr: `vector(${objective / 100})`, labels: labels() },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${objective / 100})`, labels: labels() },
    { record: 'slo:time_period:days', expr: `vector(${parseInt(period, 10)})`, labels: labels() },
    { record: 'slo:current_burn_rate:ratio', expr: `${sel('slo:sli_error:ratio_rate5m')}\n/ ${on}\n${sel('slo:error_budget:ratio')}`, labels: labels() },
    { record: 'slo:period_burn_rate:ratio', expr: `${sel(`slo:sli_error:ratio_rate${period}`)}\n/ ${on}\n${sel('slo:error_budget:ratio')}`, labels: labels() },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - ${sel('slo:period_burn_rate:ratio')}`, labels: labels() },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels(), sloth_mode: 'cli-gen-prom', sloth_objective: String(objective) } },
  ];
  const over = (w, f) => `max(${sel(`slo:sli_error:ratio_rate${w}`)} > (${f} * ${budget})) without (sloth_window)`;
  const pair = (l, s, f) => `(\n    ${over(s, f)}\n    and\n    ${over(l, f)}\n)`;
  const alerts = [
    { alert: `${id}-burn`, expr: `${pair('1h', '5m', 14.4)}\nor\n${pair('6h', '30m', 6)}`, labels: { sloth_severity: 'page' }, annotations: { summary: 'page' } },
    { alert: `${id}-burn`, expr: `${pair('1d', '2h', 3)}\nor\n${pair('3d', '6h', 1)}`, labels: { sloth_severity: 'ticket' }, annotations: { summary: 'ticket' } },
  ];
  return [
    { name: `sloth-slo-sli-recordings-${id}`, rules: sli },
    { name: `sloth-slo-meta-recordings-${id}`, rules: meta },
    { name: `sloth-slo-alerts-${id}`, rules: alerts },
  ];
}
