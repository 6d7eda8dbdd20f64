/**
 * The PromQL and LogQL targets of generated Grafana dashboards, and Grafana's variables substituted as
 * Grafana would send them: shared by `obs verify` (which queries every target of a live Prometheus)
 * and the dashboard tests.
 */

/** As much of a dashboard panel as the targets need (Grafana classic JSON). */
interface PanelLike {
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string };
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string; readonly datasource?: { readonly type?: string } }[];
  readonly panels?: readonly PanelLike[];
}

/** A dashboard as the bundle holds it: its uid and its panels (rows' nested panels included). */
export interface DashboardLike {
  readonly uid?: string;
  readonly panels?: readonly unknown[];
}

export interface Target {
  readonly dashboard: string;
  readonly panel: string;
  readonly panelType: string;
  readonly refId: string;
  readonly language: 'promql' | 'logql';
  readonly expr: string;
}

function allPanels(panels: readonly PanelLike[]): PanelLike[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

export function targetsOf(dashboards: readonly DashboardLike[]): Target[] {
  return dashboards.flatMap((dashboard) =>
    allPanels((dashboard.panels ?? []) as readonly PanelLike[]).flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({
        dashboard: dashboard.uid ?? '',
        panel: panel.title ?? '',
        panelType: panel.type,
        refId: t.refId ?? '',
        language: (t.datasource?.type ?? panel.datasource?.type) === 'loki' ? ('logql' as const) : ('promql' as const),
        expr: t.expr ?? '',
      })),
    ),
  );
}

/**
 * What Grafana sends for the dashboard's variables: "All" (`.+`) for every label variable, and a range
 * for `$__rate_interval` (4 × the scrape interval or more) and Loki's `$__auto`.
 */
export function substitute(expr: string, rateInterval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__auto', rateInterval)
    .replace(/\$(job|instance|route)\b/g, '.+');
}
