/**
 * Grafana: one classic-JSON dashboard per service and kind (emitted when the config has what it shows)
 * and the provisioning that loads them with fixed datasource uids.
 *
 * Services written for obs (`ops` present) get the service overview, SLOs, logs and security, and GenAI,
 * dependencies and infrastructure when configured. Imported Sloth/OpenSLO services only have SLO
 * recordings, so they get the SLO dashboard alone (its panels read nothing but those recordings).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Model } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import { dashboardsProviderFile, datasourcesFile } from './datasources.js';
import { dependenciesDashboard, hasDependencies } from './dashboards/dependencies.js';
import { genaiDashboard } from './dashboards/genai.js';
import { hasInfrastructure, infrastructureDashboard } from './dashboards/infrastructure.js';
import { logsDashboard } from './dashboards/logs.js';
import { serviceDashboard } from './dashboards/service.js';
import { sloDashboard } from './dashboards/slo.js';

export { DATASOURCE_UIDS } from './datasources.js';

/** Every dashboard of the model, in a stable order. */
export function buildDashboards(model: Model): Dashboard[] {
  const dashboards: Dashboard[] = [];
  for (const service of model.services) {
    const slos = model.slos.filter((s) => s.service === service);
    const ops = service.ops;
    if (ops) dashboards.push(serviceDashboard(service, slos));
    if (slos.length > 0) dashboards.push(sloDashboard(service, slos));
    if (!ops) continue;
    if (ops.genai) dashboards.push(genaiDashboard(service, slos));
    if (hasDependencies(service)) dashboards.push(dependenciesDashboard(service));
    if (hasInfrastructure(service)) dashboards.push(infrastructureDashboard(service));
    dashboards.push(logsDashboard(service));
  }
  return dashboards;
}

export function generateGrafana(model: Model): GeneratedFile[] {
  const dashboards = buildDashboards(model);
  if (dashboards.length === 0) return [];
  return [
    ...dashboards.map((dashboard) => ({ path: `dashboards/${dashboard.uid}.json`, content: dashboard })),
    datasourcesFile(),
    dashboardsProviderFile(),
  ];
}
