// obs's SLO rules as they were before exact windows (commit a2565ce), for the cost benchmark's
// "before" column: raw 5m rates, then every window and the period as sums of the 5m rates recorded at
// every evaluation.
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];

export function obsBeforeGroups({ service, slo, errors, total, objective }) {
  const budget = Number((1 - objective / 100).toPrecision(12));
  const labels = { service, slo };
  const sel = (name) => `${name}{service="${service}",slo="${slo}"}`;
  const e = sel('slo:sli_errors:rate5m');
  const t = sel('slo:sli_total:rate5m');
  const fill = (q) => q.replaceAll('{{.window}}', '5m');
  const ratio = (w) => (w === '5m' ? `${e} / (${t} > 0)` : `sum_over_time(${e}[${w}]) / (sum_over_time(${t}[${w}]) > 0)`);
  const burn = (w, f) => `${sel(`slo:sli_error:ratio_rate${w}`)} / ${budget} > ${f}`;
  const alert = (l, s, f, severity) => ({ alert: `${service}-before-burn`, expr: `${burn(l, f)}\nand\n${burn(s, f)}`, labels: { severity, long_window: l }, annotations: { summary: 'burn' } });
  return [
    {
      name: `obs-before-${service}-${slo}`,
      rules: [
        { record: 'slo:sli_errors:rate5m', expr: `(${fill(errors)}) or 0 * (${fill(total)})`, labels },
        { record: 'slo:sli_total:rate5m', expr: fill(total), labels },
        ...WINDOWS.map((w) => ({ record: `slo:sli_error:ratio_rate${w}`, expr: ratio(w), labels })),
        { record: 'slo:objective:ratio', expr: `vector(${objective / 100})`, labels },
        { record: 'slo:current_burn_rate:ratio', expr: `${sel('slo:sli_error:ratio_rate1h')} / ${budget}`, labels },
        { record: 'slo:period_burn_rate:ratio', expr: `${sel('slo:sli_error:ratio_rate30d')} / ${budget}`, labels },
        { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - ${sel('slo:period_burn_rate:ratio')}`, labels },
        { record: 'obs_slo_info', expr: 'vector(1)', labels },
        alert('1h', '5m', 14.4, 'critical'),
        alert('6h', '30m', 6, 'critical'),
        alert('1d', '2h', 3, 'warning'),
        alert('3d', '6h', 1, 'warning'),
      ],
    },
  ];
}
