import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { formatDuration } from '../model/duration.js';
import { resolveModel } from '../model/resolve.js';
import type { Model } from '../model/types.js';
import { cap, ConfigError } from '../spec/errors.js';
import { findConfigFile, loadConfig } from '../spec/load.js';
import { EXIT_INVALID, EXIT_OK, type CliIo, UsageError } from './io.js';
import { starterConfig } from './starter.js';

async function loadModel(io: CliIo, configFlag: string | undefined): Promise<Model> {
  const path = findConfigFile(io.cwd, configFlag);
  const loaded = await loadConfig(path, io.cwd);
  return resolveModel(loaded.source, loaded.documents, loaded.locate);
}

/**
 * Where the bundle goes: a directory, or a path where one can be created. A file in the way is the
 * user's mistake, reported before anything is generated.
 */
function outputDirectory(io: CliIo, out: string | undefined): string {
  const dir = resolve(io.cwd, out ?? '.');
  for (let path = dir; ; path = dirname(path)) {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) return dir;
      const what = path === dir ? 'is a file' : `cannot be created: ${cap(relative(io.cwd, path))} is a file`;
      throw new ConfigError(cap(out ?? '.'), [{ path: [], message: `${what}; --out takes the directory the bundle goes in` }]);
    }
    if (dirname(path) === path) return dir;
  }
}

/** A read or write the system refused (permissions, a full disk) is the user's to fix, not a bug of ours. */
function writeFailure(io: CliIo, error: unknown, action: 'read' | 'write'): ConfigError | undefined {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    ENOTDIR: 'a part of the path is a file',
    EISDIR: 'a directory is in the way of a file',
  };
  if (typeof code !== 'string' || !(code in reasons)) return undefined;
  const where = typeof path === 'string' ? cap(relative(io.cwd, path) || path) : '--out';
  return new ConfigError(where, [{ path: [], message: `cannot ${action} the bundle: ${reasons[code]}` }]);
}

export async function generateCommand(io: CliIo, flags: { config?: string; out?: string; check?: boolean; 'time-scale'?: string }): Promise<number> {
  const scale = await timeScaleFlag(flags);
  const outDir = outputDirectory(io, flags.out);
  const model = await loadModel(io, flags.config);
  // Loaded here, not at start-up: `obs check`, --help and --version never need them.
  const [{ generateBundle }, { renderBundle }, { checkBundle, writeBundle }] = await Promise.all([
    import('../generate/index.js'),
    import('../write/render.js'),
    import('../write/write.js'),
  ]);
  let generated = generateBundle(model);
  if (scale !== undefined) {
    const { timeScaleBundle } = await import('../generate/time-scale/index.js');
    const scaled = timeScaleBundle(generated, scale);
    generated = scaled.files;
    io.err(`obs: time-scaled ${scale}x for tests only: scrape and evaluate every ${scaled.scrapeInterval} (written into compose/prometheus/prometheus.yml)`);
  }
  for (const warning of generated.flatMap((f) => f.warnings ?? [])) io.err(`warning: ${model.source}: ${warning}`);
  const files = renderBundle(generated, model.source);

  if (flags.check) {
    let drift: ReturnType<typeof checkBundle>;
    try {
      drift = checkBundle(outDir, files, model.source);
    } catch (error) {
      throw writeFailure(io, error, 'read') ?? error;
    }
    const problems = [
      ...drift.stale.map((p) => `stale: ${p}`),
      ...drift.missing.map((p) => `missing: ${p}`),
      ...drift.orphaned.map((p) => `orphaned: ${p} (no longer generated)`),
    ];
    if (problems.length === 0) {
      io.out(`obs: ${files.length} files up to date`);
      return EXIT_OK;
    }
    for (const line of problems) io.err(line);
    io.err(`obs: the bundle is out of date with ${model.source}; run \`obs generate\``);
    return EXIT_INVALID;
  }

  let report: ReturnType<typeof writeBundle>;
  try {
    report = writeBundle(outDir, files, model.source);
  } catch (error) {
    throw writeFailure(io, error, 'write') ?? error;
  }
  for (const path of report.written) io.out(`wrote ${path}`);
  for (const path of report.removed) io.out(`removed ${path}`);
  io.out(`obs: ${model.slos.length} SLOs, ${files.length} files (${report.written.length} written, ${report.unchanged.length} unchanged)`);
  return EXIT_OK;
}

/** `--time-scale N`, checked before anything is generated; it never goes to the default (production) directory. */
async function timeScaleFlag(flags: { out?: string; 'time-scale'?: string }): Promise<number | undefined> {
  const text = flags['time-scale'];
  if (text === undefined) return undefined;
  // Loaded only with the flag: `obs check` and a plain generate never need it.
  const { checkTimeScale } = await import('../generate/time-scale/duration.js');
  const scale = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  try {
    checkTimeScale(scale);
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/; got .*$/, '')}; got "${cap(text)}"`);
  }
  if (flags.out === undefined) throw new UsageError('--time-scale needs --out DIR: a time-scaled bundle is for tests and must not replace the real one');
  return scale;
}

export async function checkCommand(io: CliIo, flags: { config?: string }): Promise<number> {
  const model = await loadModel(io, flags.config);
  io.out(`${model.source}: valid, ${model.slos.length} SLOs in ${model.services.length} service(s)`);
  for (const slo of model.slos) {
    io.out(`  ${slo.service.name}/${slo.name}: ${slo.objective}% over ${formatDuration(slo.period)} (${slo.sli.kind})`);
  }
  return EXIT_OK;
}

export function initCommand(io: CliIo, flags: { service?: string }): number {
  const path = resolve(io.cwd, 'obs.config.ts');
  if (existsSync(path)) {
    io.err('obs.config.ts: already exists; obs init never overwrites a config (edit it, or remove it first)');
    return EXIT_INVALID;
  }
  const service = flags.service ?? basename(io.cwd).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  writeFileSync(path, starterConfig(service || 'my-service'), { flag: 'wx' });
  io.out('wrote obs.config.ts; next: obs generate');
  return EXIT_OK;
}
