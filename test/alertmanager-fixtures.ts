/** Shared by the Alertmanager tests: models from real configs, and the bundle written where amtool reads it. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { generateAlertmanager, type AlertmanagerOptions } from '../src/generate/alertmanager/index.js';
import { resolveModel } from '../src/model/resolve.js';
import type { Model } from '../src/model/types.js';
import type { ObsConfig } from '../src/spec/schema.js';
import { validateConfig } from '../src/spec/validate.js';
import { renderBundle } from '../src/write/render.js';

const exec = promisify(execFile);

export function modelOf(config: ObsConfig): Model {
  return resolveModel('obs.config.ts', [{ config: validateConfig(config), native: true }]);
}

/** Dummy secret files for every *_file field, so the config is complete as Alertmanager would read it. */
export function secretsIn(dir: string) {
  const secrets = { routingKey: join(dir, 'pagerduty-key'), slackUrl: join(dir, 'slack-url'), smtpPassword: join(dir, 'smtp-password') };
  writeFileSync(secrets.routingKey, '0123456789abcdef0123456789abcdef');
  writeFileSync(secrets.slackUrl, 'https://hooks.slack.com/services/T000/B000/XXXX');
  writeFileSync(secrets.smtpPassword, 'not-a-real-password');
  return secrets;
}

/** A service with two SLOs and every receiver kind; maintenance windows as given. */
export function fullConfig(dir: string, maintenance: NonNullable<ObsConfig['alerting']>['maintenance'] = []): ObsConfig {
  const s = secretsIn(dir);
  return {
    service: { name: 'chat-api' },
    slos: {
      availability: { objective: 99.9, sli: { http: {} } },
      latency: { objective: 99, sli: { httpLatency: { threshold: '500ms' } } },
    },
    alerting: {
      receivers: {
        pagerduty: { routingKeyFile: s.routingKey },
        slack: { apiUrlFile: s.slackUrl, channel: '#chat-api-alerts' },
        email: { to: 'oncall@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587', authUsername: 'am', authPasswordFile: s.smtpPassword },
        webhook: { url: 'http://127.0.0.1:9/hook' },
      },
      maintenance,
    },
  };
}

/** Renders the Alertmanager files as `obs generate` would and writes them under `dir`; returns alertmanager.yml's path. */
export function writeAlertmanager(dir: string, model: Model, options?: AlertmanagerOptions): string {
  for (const file of renderBundle(generateAlertmanager(model, options), 'obs.config.ts')) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
  return join(dir, 'compose/alertmanager/alertmanager.yml');
}

/** Runs amtool; resolves with its output, rejects with it on a non-zero exit. */
export async function amtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await exec('amtool', args, { timeout: 120_000 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`amtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}
