/**
 * `node --import obs/register app.js`: starts obs (traces, errors, logs, then metrics) from
 * ./obs.config.ts (or $OBS_CONFIG) before the app's modules load, as OpenTelemetry and Sentry require.
 * The app reaches the instance with `getObs()` from 'obs/sdk'. An invalid config stops the process with
 * the config error, before the app starts.
 */
import { ConfigError } from '../spec/errors.js';
import { startObs } from './start.js';

try {
  await startObs();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`obs: ${error.message}\n`);
  process.exit(1);
}
