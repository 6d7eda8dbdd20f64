/**
 * The two steps a release pipeline runs against Sentry: apply the alert rules (idempotent: rules are
 * matched by name, updated in place) and upload the build's source maps under the release name the SDK
 * reports. Both take the API token from SENTRY_AUTH_TOKEN and never write it anywhere.
 */

/** Node ≥ 18 (global fetch), no dependency: run with `node sentry/apply-alert-rules.mjs`. */
export const APPLY_SCRIPT = `#!/usr/bin/env node
// Creates or updates the Sentry alert rules of alert-rules.json (same folder), matched by name.
// Needs SENTRY_AUTH_TOKEN (scopes alerts:write, project:read, team:read). Optional: SENTRY_URL (self-hosted),
// SENTRY_ALERT_TEAM (team slug e-mailed by the error-spike metric alert).
import { readFileSync } from 'node:fs';

const rules = JSON.parse(readFileSync(new URL('./alert-rules.json', import.meta.url), 'utf8'));
const token = process.env.SENTRY_AUTH_TOKEN;
if (!token) {
  console.error('apply-alert-rules: set SENTRY_AUTH_TOKEN to a Sentry auth token (scopes alerts:write, project:read, team:read)');
  process.exit(2);
}
const base = (process.env.SENTRY_URL || rules.sentry.url).replace(/\\/+$/, '') + '/api/0';
const { org, project } = rules.sentry;

async function api(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(method + ' ' + path + ': ' + response.status + ' ' + (await response.text()).slice(0, 500));
  return response.status === 204 ? undefined : response.json();
}

async function upsert(kind, list, item, rule) {
  const existing = (await api('GET', list)).find((r) => r.name === rule.name);
  if (existing) await api('PUT', item(existing.id), rule);
  else await api('POST', list, rule);
  console.log(kind + ' "' + rule.name + '": ' + (existing ? 'updated' : 'created'));
}

try {
  let actions = [];
  if (process.env.SENTRY_ALERT_TEAM) {
    const team = await api('GET', '/teams/' + org + '/' + process.env.SENTRY_ALERT_TEAM + '/');
    actions = [{ type: 'email', targetType: 'team', targetIdentifier: String(team.id) }];
  }
  const issues = '/projects/' + org + '/' + project + '/rules/';
  for (const rule of rules.issueAlerts) await upsert('issue alert', issues, (id) => issues + id + '/', rule);
  const metrics = '/organizations/' + org + '/alert-rules/';
  for (const rule of rules.metricAlerts) {
    const body = { ...rule, triggers: rule.triggers.map((t) => ({ ...t, actions: t.actions.length > 0 ? t.actions : actions })) };
    await upsert('metric alert', metrics, (id) => metrics + id + '/', body);
  }
} catch (error) {
  console.error('apply-alert-rules: ' + error.message);
  process.exit(1);
}
`;

/** sentry-cli reads SENTRY_URL, SENTRY_ORG, SENTRY_PROJECT and SENTRY_AUTH_TOKEN from the environment. */
export function uploadScript(service: string, target: { url: string; org: string; project: string }, distDir: string): string {
  return `#!/bin/sh
# Uploads the source maps of this build to Sentry under the release the SDK reports
# (SENTRY_RELEASE, else ${service}@<version>), so stack traces show the original source.
# Run in CI after the build: SENTRY_AUTH_TOKEN=… sh sentry/upload-sourcemaps.sh [${distDir}]
set -eu
: "\${SENTRY_AUTH_TOKEN:?set SENTRY_AUTH_TOKEN to a Sentry auth token with the project:releases scope}"
export SENTRY_AUTH_TOKEN
export SENTRY_URL="\${SENTRY_URL:-${target.url}}"
export SENTRY_ORG="\${SENTRY_ORG:-${target.org}}"
export SENTRY_PROJECT="\${SENTRY_PROJECT:-${target.project}}"
VERSION="\${OBS_SERVICE_VERSION:-$(node -p 'require("./package.json").version')}"
RELEASE="\${SENTRY_RELEASE:-${service}@$VERSION}"
DIST="\${1:-${distDir}}"
SENTRY_CLI="\${SENTRY_CLI:-npx --yes @sentry/cli@2}"

$SENTRY_CLI releases new "$RELEASE"
# Debug ids tie each bundle to its map, whatever path the files are served from.
$SENTRY_CLI sourcemaps inject "$DIST"
$SENTRY_CLI sourcemaps upload --release "$RELEASE" "$DIST"
$SENTRY_CLI releases finalize "$RELEASE"
echo "source maps of $DIST uploaded for release $RELEASE"
`;
}
