import { existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { generateBundle } from '../generate/index.js';
import { formatDuration } from '../model/duration.js';
import { resolveModel } from '../model/resolve.js';
import type { Model } from '../model/types.js';
import { findConfigFile, loadConfig } from '../spec/load.js';
import { renderBundle } from '../write/render.js';
import { checkBundle, writeBundle } from '../write/write.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './io.js';
import { starterConfig } from './starter.js';

async function loadModel(io: CliIo, configFlag: string | undefined): Promise<Model> {
  const path = findConfigFile(io.cwd, configFlag);
  const loaded = await loadConfig(path, io.cwd);
  return resolveModel(loaded.source, loaded.documents, loaded.locate);
}

export async function generateCommand(io: CliIo, flags: { config?: string; out?: string; check?: boolean }): Promise<number> {
  const model = await loadModel(io, flags.config);
  const generated = generateBundle(model);
  for (const warning of generated.flatMap((f) => f.warnings ?? [])) io.err(`warning: ${model.source}: ${warning}`);
  const files = renderBundle(generated, model.source);
  const outDir = resolve(io.cwd, flags.out ?? '.');

  if (flags.check) {
    const drift = checkBundle(outDir, files, model.source);
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

  const report = writeBundle(outDir, files, model.source);
  for (const path of report.written) io.out(`wrote ${path}`);
  for (const path of report.removed) io.out(`removed ${path}`);
  io.out(`obs: ${model.slos.length} SLOs, ${files.length} files (${report.written.length} written, ${report.unchanged.length} unchanged)`);
  return EXIT_OK;
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
