import { MissingBinaryError } from '../dev/processes.js';
import { DevStackAborted, DevStackError, FAULT_PRESETS, type LocalStack, startLocalStack } from '../dev/stack.js';
import { cap } from '../spec/errors.js';
import { EXIT_INVALID, EXIT_OK, type CliIo, UsageError } from './io.js';

export interface DevFlags {
  readonly config?: string;
  readonly bundle?: string;
  readonly rps?: string;
  readonly 'no-load'?: boolean;
  readonly target?: readonly string[];
  readonly webhook?: string;
  readonly 'scrape-interval'?: string;
}

const DEFAULT_RPS = 5;

/** `obs dev`: runs the local stack until SIGINT/SIGTERM (or `q` on a terminal), then stops all of it. */
export async function devCommand(io: CliIo, flags: DevFlags): Promise<number> {
  const rps = flags['no-load'] ? 0 : flags.rps === undefined ? DEFAULT_RPS : Number(flags.rps);
  if (!Number.isFinite(rps) || rps < 0) throw new UsageError(`--rps takes a number of requests per second, got "${cap(flags.rps ?? '')}"`);
  const interval = flags['scrape-interval'];
  if (interval !== undefined && !/^(\d+(ms|s|m|h|d))+$/.test(interval)) throw new UsageError(`--scrape-interval takes a Prometheus duration such as 5s, got "${cap(interval)}"`);
  if (flags.webhook !== undefined && !/^https?:\/\//.test(flags.webhook)) throw new UsageError(`--webhook takes an http(s) URL, got "${cap(flags.webhook)}"`);
  for (const target of flags.target ?? []) {
    if (!/^([^=\s]+=)?[^=\s:]+:\d+$/.test(target)) throw new UsageError(`--target takes [JOB=]HOST:PORT, got "${cap(target)}"`);
  }

  // Stop requested while still starting: abort the start-up (it stops what it started).
  const starting = new AbortController();
  let requestStop = () => starting.abort();
  const onSignal = () => requestStop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let stack: LocalStack | undefined;
  try {
    io.out('obs dev: starting the local stack…');
    try {
      stack = await startLocalStack({
        cwd: io.cwd,
        ...(flags.config !== undefined && { config: flags.config }),
        ...(flags.bundle !== undefined && { bundleDir: flags.bundle }),
        ...(flags.target !== undefined && { targets: flags.target }),
        ...(flags.webhook !== undefined && { webhook: flags.webhook }),
        ...(interval !== undefined && { scrapeInterval: interval }),
        rps,
        log: (line) => io.out(line),
        signal: starting.signal,
      });
    } catch (error) {
      if (error instanceof DevStackAborted) {
        io.out('obs dev: stopped');
        return EXIT_OK;
      }
      if (!(error instanceof MissingBinaryError || error instanceof DevStackError)) throw error;
      io.err(`obs dev: ${error.message}`);
      return EXIT_INVALID;
    }
    printWhereToLook(io, stack, rps, flags.webhook === undefined);
    if (!starting.signal.aborted) {
      const stopped = new Promise<void>((resolve) => (requestStop = resolve));
      const keys = listenForKeys(io, stack, () => requestStop());
      await stopped;
      keys();
    }
    io.out('obs dev: stopping…');
    await stack.stop();
    io.out('obs dev: stopped');
    return EXIT_OK;
  } finally {
    await stack?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printWhereToLook(io: CliIo, stack: LocalStack, rps: number, builtInSink: boolean): void {
  const { urls } = stack;
  io.out('obs dev: ready');
  io.out(`  Prometheus    ${urls.prometheus}  (alerts: ${urls.alerts}, targets: ${urls.prometheus}/targets)`);
  io.out(`  Alertmanager  ${urls.alertmanager}`);
  if (urls.service) io.out(`  Service       ${urls.service}${rps > 0 ? `  (load: ${rps} requests/s)` : ''}`);
  io.out(`  Webhook       ${urls.webhook}${builtInSink ? '  (each notification prints here as "alert → …")' : ''}`);
  io.out(`  Bundle        ${stack.bundleDir}`);
  if (urls.service) {
    io.out('Faults (the example service):');
    for (const preset of Object.values(FAULT_PRESETS)) io.out(`  curl -X PUT ${urls.service}/admin/faults/preset/${preset}`);
    if (process.stdin.isTTY) {
      io.out(`Keys: ${Object.entries(FAULT_PRESETS).map(([key, preset]) => `${key} ${preset}`).join(', ')}; q quit`);
    }
  }
  io.out('Ctrl-C stops everything.');
}

/** On a terminal, one key switches the example's fault preset; `q` (or Ctrl-C in raw mode) stops. Returns the undo. */
function listenForKeys(io: CliIo, stack: LocalStack, stop: () => void): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY || !stack.urls.service) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    const key = data.toString();
    if (key === 'q' || key === '\u0003' || key === '\u0004') return stop();
    const preset = FAULT_PRESETS[key as keyof typeof FAULT_PRESETS];
    if (!preset) return;
    stack.faults(preset).then(
      () => io.out(`faults: ${preset}`),
      (error: unknown) => io.err(`obs dev: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
