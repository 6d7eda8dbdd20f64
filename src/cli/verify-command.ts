import { findConfigFile, loadConfig } from '../spec/load.js';
import { resolveModel } from '../model/resolve.js';
import { EXIT_INVALID, EXIT_OK, type CliIo, UsageError } from './io.js';

/**
 * `obs verify`: the bundle generated in memory from the config (as `obs generate` would write it) against
 * a live Prometheus (and Alertmanager). Exit 0 when every check passes, 1 naming each failure.
 */
export async function verifyCommand(io: CliIo, flags: { config?: string; prometheus?: string; alertmanager?: string; json?: boolean }): Promise<number> {
  if (!flags.prometheus) throw new UsageError('--prometheus URL is required (e.g. --prometheus http://127.0.0.1:9090)');
  for (const [flag, url] of [['--prometheus', flags.prometheus], ['--alertmanager', flags.alertmanager]] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`${flag} takes an http(s) URL, got "${url}"`);
  }
  const loaded = await loadConfig(findConfigFile(io.cwd, flags.config), io.cwd);
  const model = resolveModel(loaded.source, loaded.documents, loaded.locate);
  const [{ generateBundle }, verify] = await Promise.all([import('../generate/index.js'), import('../verify/index.js')]);
  const expected = verify.expectationsOf(generateBundle(model));
  if (flags.alertmanager && !expected.alertmanager) io.err(`warning: ${model.source} has no alerting: the Alertmanager checks are skipped`);

  let state: Awaited<ReturnType<typeof verify.fetchLiveState>>;
  try {
    state = await verify.fetchLiveState(expected, { prometheus: flags.prometheus, ...(flags.alertmanager && { alertmanager: flags.alertmanager }) });
  } catch (error) {
    if (!(error instanceof verify.UnreachableError)) throw error;
    io.err(`obs verify: ${error.message}`);
    return EXIT_INVALID;
  }
  const report = verify.verify(expected, state);
  if (flags.json) io.out(verify.reportJson(report));
  else for (const line of verify.formatReport(report)) io.out(line);
  return report.ok ? EXIT_OK : EXIT_INVALID;
}
