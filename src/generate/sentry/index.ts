/**
 * sentry/: the environment the SDK reads, the project's alert rules as Sentry's API takes them, the
 * script that applies them and the source-map upload step. The rules and scripts need to know the
 * Sentry organisation and project (alerting.links.sentry); without it only the environment is written.
 */
import type { SentrySetup, WithStack } from '../../model/stack-types.js';
import type { Model, Service } from '../../model/types.js';
import type { GeneratedFile } from '../types.js';
import { sentryAlertRules } from './alert-rules.js';
import { APPLY_SCRIPT, uploadScript } from './scripts.js';

export { sentryAlertRules, type SentryAlertRules } from './alert-rules.js';

export const SENTRY_PATHS = {
  env: (service: string) => `sentry/${service}.env`,
  rules: 'sentry/alert-rules.json',
  apply: 'sentry/apply-alert-rules.mjs',
  upload: 'sentry/upload-sourcemaps.sh',
} as const;

/** Variables the SDK reads (src/sdk/sentry.ts, src/sdk/start.ts) and what they are for. */
export function sentryEnv(service: Service, setup: SentrySetup, environment: string, project: string | undefined): string {
  return [
    `# The Sentry environment of ${service.name} for the obs SDK: load it into the service's environment`,
    '# (compose `env_file:`, a Kubernetes ConfigMap), then set SENTRY_DSN from your secret store.',
    `# SENTRY_DSN: the DSN of ${project ? `project ${project}` : 'the project'} (Project settings → Client Keys). Empty keeps Sentry off.`,
    'SENTRY_DSN=',
    `SENTRY_ENVIRONMENT=${environment}`,
    `# The release the SDK reports, default ${service.name}@<version> (OBS_SERVICE_VERSION, else package.json);`,
    '# upload-sourcemaps.sh uploads the source maps under the same name.',
    `# SENTRY_RELEASE=${service.name}@1.0.0`,
    `OBS_ENVIRONMENT=${environment}`,
    '# Share of traces also sent to Sentry, and of those the share profiled (config: sentry.*SampleRate).',
    `OBS_SENTRY_TRACES_SAMPLE_RATE=${setup.tracesSampleRate}`,
    `OBS_SENTRY_PROFILES_SAMPLE_RATE=${setup.profilesSampleRate}`,
    '',
  ].join('\n');
}

export function generateSentry(model: Model & WithStack): GeneratedFile[] {
  const setup = model.stack?.sentry;
  if (!setup) return [];
  const link = model.alerting?.links.sentry;
  const environment = setup.environment ?? link?.environment ?? 'production';
  const native = model.services.filter((s) => s.ops);
  const files: GeneratedFile[] = native.map((s) => ({ path: SENTRY_PATHS.env(s.name), content: sentryEnv(s, setup, environment, link?.project) }));
  // One Sentry project per link: its rules are those of the first service (one service per project).
  const service = native[0];
  if (!link || !service) return files;
  return [
    ...files,
    { path: SENTRY_PATHS.rules, content: sentryAlertRules(service, { ...setup, environment }, link) },
    { path: SENTRY_PATHS.apply, content: APPLY_SCRIPT },
    { path: SENTRY_PATHS.upload, content: uploadScript(service.name, link, setup.sourceMaps) },
  ];
}
